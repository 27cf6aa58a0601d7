package bench

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
)

// resident returns what this process holds in memory now, in bytes, from
// /proc/self/status: anonymous pages (the Go heap, stacks) and pages of
// mapped files (the store's memory map; the kernel maps a faulting page's
// neighbours too when they are in its page cache, as a file written a
// moment before is).
func resident() (anon, file int64) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, 0
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		name, rest, ok := bytes.Cut(sc.Bytes(), []byte(":"))
		if !ok {
			continue
		}
		var dst *int64
		switch string(name) {
		case "RssAnon":
			dst = &anon
		case "RssFile":
			dst = &file
		default:
			continue
		}
		f := bytes.Fields(rest) // "12345 kB"
		if len(f) == 2 && string(f[1]) == "kB" {
			if n, err := strconv.ParseInt(string(f[0]), 10, 64); err == nil {
				*dst = n << 10
			}
		}
	}
	return anon, file
}
