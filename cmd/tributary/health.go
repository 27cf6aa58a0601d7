package main

import (
	"bytes"
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
	cfg, _, loadErr := loadConfig(e)
	if loadErr != nil {
		// An edit with a mistake, not reloaded or refused at the reload,
		// does not make the daemon unhealthy: /healthz says when a
		// reload was refused.
		var ok bool
		if cfg, ok = daemonConfig(e); !ok {
			return loadErr
		}
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	resp, base, err := daemonGet(ctx, cfg, "/healthz")
	if err != nil {
		// Go's own words ("dial tcp …: connection refused") leave the
		// operator to work out that no daemon runs there.
		if loadErr != nil {
			// No daemon to vouch for it: the file's mistakes may be
			// why none runs.
			return withNote(loadErr, fmt.Sprintf("and no daemon answers at %s to ask instead: %v", base, err))
		}
		if !storeHeld(cfg.Storage.Path) {
			// No process holds the store: no daemon runs on it, and none
			// listens elsewhere since an edit of server.listen.
			return fmt.Errorf("no daemon answers at %s (is tributary serve running, with this config's server.listen?): %w",
				base, err)
		}
		return fmt.Errorf("no daemon answers at %s (is tributary serve running, with this config's server.listen? "+
			"a process holds its store: %s): %w",
			base, listenEdited, err)
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
// other keys may be unknown, wrong or given twice (a section appended at
// the end of the file that the file has already), and the rest of the
// file may be no YAML at all (a line indented with a tab), as long as its
// server sections are. A server section given twice is read for the first
// listen it gives. It is false when the file is no YAML mapping, or gives
// server or server.listen as something other than a mapping and a string.
func listenOf(path string) (string, bool) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return "", false
	}
	if listen, ok, err := listenIn(raw); err == nil {
		return listen, ok
	}
	// A mistake elsewhere in the file leaves the server sections, which
	// start at the margin and end at the next line that does, as
	// readable on their own.
	listen, ok, err := listenIn(serverSections(raw))
	return listen, ok && err == nil
}

// listenIn reads server.listen from the YAML document raw; the error is
// that of a document that is no YAML.
func listenIn(raw []byte) (string, bool, error) {
	// A node, not a struct: decoding into a struct refuses a key given
	// twice anywhere in the file, a mistake that leaves server.listen
	// as readable as any other.
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return "", false, err
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = resolveAlias(root.Content[0])
	}
	switch {
	case root.Kind == 0 || root.Kind == yaml.DocumentNode || isNull(root):
		return aggregator.DefaultListen, true, nil // an empty file
	case root.Kind != yaml.MappingNode:
		return "", false, nil
	}
	for _, server := range mappingValues(root, "server") {
		if isNull(server) {
			continue
		}
		if server.Kind != yaml.MappingNode {
			return "", false, nil
		}
		for _, listen := range mappingValues(server, "listen") {
			switch {
			case isNull(listen):
				continue
			case listen.Kind != yaml.ScalarNode:
				return "", false, nil
			case listen.Value != "":
				return listen.Value, true, nil
			}
		}
	}
	return aggregator.DefaultListen, true, nil
}

// serverSections returns the lines of raw's top-level server sections: each
// from a line "server:" at the margin to the next line, not blank and no
// comment, that starts at the margin. A byte order mark before the first
// line, which YAML allows, is not part of its key.
func serverSections(raw []byte) []byte {
	raw = bytes.TrimPrefix(raw, []byte("\ufeff"))
	var out []byte
	in := false
	for line := range bytes.Lines(raw) {
		text := bytes.TrimRight(line, "\r\n")
		switch {
		case len(bytes.TrimSpace(text)) == 0 || text[0] == ' ' || text[0] == '\t' || text[0] == '#':
		default:
			key, _, _ := bytes.Cut(text, []byte(":"))
			in = bytes.Equal(bytes.TrimSpace(key), []byte("server"))
		}
		if in {
			out = append(out, line...)
		}
	}
	return out
}

// mappingValues returns the values that the mapping node m gives key, in
// the order the file gives them, with aliases resolved.
func mappingValues(m *yaml.Node, key string) []*yaml.Node {
	var vs []*yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k := resolveAlias(m.Content[i]); k.Kind == yaml.ScalarNode && k.Value == key {
			vs = append(vs, resolveAlias(m.Content[i+1]))
		}
	}
	return vs
}

func resolveAlias(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}
