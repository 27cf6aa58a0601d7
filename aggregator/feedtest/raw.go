package feedtest

import (
	"net"
	"sync"
	"testing"
)

// RawServer listens on loopback and runs serve on each connection it
// accepts, then closes it, for servers that break HTTP in ways net/http
// will not (a 101 that hands over the connection, a body cut by a close).
// It returns the server's address, host and port. The listener closes
// when the test ends, which then waits for every serve to return: a test
// whose serve waits on something unblocks it in a Cleanup registered
// after RawServer, which runs first.
func RawServer(t testing.TB, serve func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer c.Close()
				serve(c)
			})
		}
	})
	return ln.Addr().String()
}
