package main

import (
	"context"
	"fmt"
)

func cmdCheck(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 {
		return usageError("check takes no arguments")
	}
	// Run before a reload, check says what the reload would refuse: an
	// empty file too (loadConfig).
	cfg, tags, err := loadConfig(e)
	if err != nil {
		return err
	}
	for _, w := range cfg.Warnings() {
		fmt.Fprintf(e.stderr, "tributary: %s\n", w.Warning())
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
