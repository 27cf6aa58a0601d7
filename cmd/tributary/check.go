package main

import (
	"context"
	"fmt"
)

func cmdCheck(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 {
		return usageError("check takes no arguments")
	}
	// An empty file loads, every key at its default, but a reload refuses
	// it (an editor's save caught half done would drop every source and
	// topic): check, run before a reload, says so rather than "ok".
	if empty, err := emptyFile(e.configPath); err == nil && empty {
		return &exitError{code: exitUsage, err: fmt.Errorf("%s: the file is empty: a reload refuses it, and it lists no sources", e.configPath)}
	}
	cfg, tags, err := loadConfig(e)
	if err != nil {
		return err
	}
	for _, w := range cfg.Warnings() {
		fmt.Fprintf(e.stderr, "tributary: %s: warning: %s\n", cfg.Path, w)
	}
	fmt.Fprintf(e.stdout, "%s: ok (%s, %s)\n", cfg.Path, counted(len(cfg.Sources), "source", "sources"), counted(len(tags.Topics()), "topic", "topics"))
	return nil
}

// counted writes n with the noun that goes with it: "1 source", "2 sources".
func counted(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
