package main

import (
	"context"
	"fmt"
)

func cmdCheck(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 {
		return usageError("check takes no arguments")
	}
	cfg, tags, err := loadConfig(e)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s: ok (%d sources, %d topics)\n", cfg.Path, len(cfg.Sources), len(tags.Topics()))
	return nil
}
