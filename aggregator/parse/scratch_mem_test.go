package parse

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestScratchMem(t *testing.T) {
	for _, c := range []struct {
		name string
		el   string
		n    int
	}{{"empty", `<m:x/>`, 50000}, {"3attrs", `<m:x a="1" b="2" c="3"/>`, 12500}, {"empty-200k", `<m:x/>`, 199000}} {
		doc := `<?xml version="1.0"?><rss version="2.0" xmlns:m="http://m/"><channel><title>t</title><item><title>a</title>` + strings.Repeat(c.el, c.n) + `</item></channel></rss>`
		runtime.GC()
		var m0, m1, m2 runtime.MemStats
		runtime.ReadMemStats(&m0)
		f, err := Parse([]byte(doc), "application/rss+xml", "http://x/", "s", time.Now(), Options{MaxItems: 500})
		runtime.ReadMemStats(&m1)
		runtime.GC()
		runtime.ReadMemStats(&m2)
		fmt.Printf("%-10s n=%d bytes=%d err=%v alloc=%.1fMB live=%.1fMB\n", c.name, c.n, len(doc), err, float64(m1.TotalAlloc-m0.TotalAlloc)/1e6, (float64(m2.HeapAlloc)-float64(m0.HeapAlloc))/1e6)
		runtime.KeepAlive(f)
	}
}
