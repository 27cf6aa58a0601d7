package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/tributary-feeds/tributary/aggregator"
)

// cmdHealth asks the running daemon's /healthz; it exits 0 when healthy. It
// lets a container image without a shell run its health check.
func cmdHealth(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 {
		return usageError("health takes no arguments")
	}
	cfg, _, err := loadConfig(e)
	if err != nil {
		// An edit with a mistake, not reloaded or refused at the reload,
		// does not make the daemon unhealthy: /healthz says when a
		// reload was refused.
		var ok bool
		if cfg, ok = daemonConfig(e); !ok {
			return err
		}
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	resp, base, err := daemonGet(ctx, cfg, "/healthz")
	if err != nil {
		// Go's own words ("dial tcp …: connection refused") leave the
		// operator to work out that no daemon runs there.
		return fmt.Errorf("no daemon answers at %s (is tributary serve running, with this config's server.listen?): %w",
			base, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	fmt.Fprintf(e.stdout, "%s %s\n", resp.Status, strings.TrimSpace(string(body)))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("unhealthy: %s", resp.Status)
	}
	return nil
}

// daemonConfig is, for a config file that does not load, a Config that
// holds only the file's server.listen, with a word on stderr, for a command
// that asks the running daemon: the daemon runs the config it loaded,
// whatever the file says since, and answers for itself where the file's
// server.listen says. It is false when even server.listen cannot be read.
func daemonConfig(e *env) (*aggregator.Config, bool) {
	listen, ok := listenOf(e.configPath)
	if !ok {
		return nil, false
	}
	fmt.Fprintf(e.stderr, "tributary: %s does not load (tributary check says why); asking the daemon at its server.listen all the same\n", e.configPath)
	return &aggregator.Config{Server: aggregator.ServerConfig{Listen: listen}}, true
}

// listenOf reads server.listen from the config file at path, leniently:
// other keys may be unknown or wrong. It is false when the file is no YAML
// mapping, or gives server.listen as something other than a string.
func listenOf(path string) (string, bool) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return "", false
	}
	var doc struct {
		Server struct {
			Listen string `yaml:"listen"`
		} `yaml:"server"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return "", false
	}
	if doc.Server.Listen == "" {
		return aggregator.DefaultListen, true
	}
	return doc.Server.Listen, true
}
