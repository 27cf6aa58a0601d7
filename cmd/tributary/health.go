package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// cmdHealth asks the running daemon's /healthz; it exits 0 when healthy. It
// lets a container image without a shell run its health check.
func cmdHealth(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 {
		return usageError("health takes no arguments")
	}
	cfg, _, err := loadConfig(e)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	url := strings.TrimRight(daemonURL(cfg), "/") + "/healthz"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := daemonClient.Do(req)
	if err != nil {
		// Go's own words ("dial tcp …: connection refused") leave the
		// operator to work out that no daemon runs there.
		return fmt.Errorf("no daemon answers at %s (is tributary serve running, with this config's server.listen?): %w",
			daemonURL(cfg), err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	fmt.Fprintf(e.stdout, "%s %s\n", resp.Status, strings.TrimSpace(string(body)))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("unhealthy: %s", resp.Status)
	}
	return nil
}
