package ops

import (
	"container/list"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
)

// ConnLimit is a listener that holds at most a fixed number of accepted
// connections open at once, so that clients cannot take the file
// descriptors the rest of the process needs (the store, the poller's
// fetches, the logs). When every connection is taken and another client
// connects, the connection that has waited longest without a request in
// progress — a keep-alive connection left idle, or one whose request
// headers have not all come — is closed to make room for it; when every
// connection has a request in progress, no more are accepted until one
// closes, and new clients wait in the kernel's queue.
//
// Unlike golang.org/x/net/netutil.LimitListener, which stops accepting
// as soon as the limit is reached, a few idle readers or clients that
// trickle their headers cannot shut every other reader out until their
// connections time out.
//
// The server must report its connections' states to ConnState (set it as
// http.Server.ConnState).
type ConnLimit struct {
	net.Listener
	max int

	mu    sync.Mutex
	open  int
	quiet list.List     // *limitedConn with no request in progress, the longest waiting first
	freed chan struct{} // signalled when a connection closes

	closedQuiet atomic.Uint64
}

// NewConnLimit returns ln limited to n open connections (at least one).
func NewConnLimit(ln net.Listener, n int) *ConnLimit {
	return &ConnLimit{Listener: ln, max: max(n, 1), freed: make(chan struct{}, 1)}
}

// Max returns the number of connections held open at most.
func (l *ConnLimit) Max() int { return l.max }

// Open returns the number of connections open now.
func (l *ConnLimit) Open() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.open
}

// ClosedQuiet returns how many connections without a request in progress
// were closed to make room for new ones.
func (l *ConnLimit) ClosedQuiet() uint64 { return l.closedQuiet.Load() }

// Accept waits for the next connection. At the limit, it closes the
// connection waiting longest without a request in progress to make room,
// or, when all have one, waits until one closes. The one connection
// accepted and waiting for room is the only one beyond the limit.
func (l *ConnLimit) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	lc := &limitedConn{Conn: c, l: l}
	for {
		l.mu.Lock()
		if l.open < l.max {
			l.open++
			lc.elem = l.quiet.PushBack(lc)
			l.mu.Unlock()
			return lc, nil
		}
		var victim *limitedConn
		freed := l.freed
		if e := l.quiet.Front(); e != nil {
			victim = e.Value.(*limitedConn)
			l.quiet.Remove(e)
			victim.elem = nil
		}
		l.mu.Unlock()
		if victim != nil {
			l.closedQuiet.Add(1)
			victim.Close() //nolint:errcheck // closed to make room; its server side ends with it
			continue
		}
		// Every connection has a request in progress: wait for one to
		// close. A closed listener ends the wait too, through Close.
		if freed == nil {
			c.Close() //nolint:errcheck
			return nil, net.ErrClosed
		}
		if _, ok := <-freed; !ok {
			c.Close() //nolint:errcheck
			return nil, net.ErrClosed
		}
	}
}

// Close closes the listener; an Accept waiting for room returns.
func (l *ConnLimit) Close() error {
	err := l.Listener.Close()
	l.mu.Lock()
	if l.freed != nil {
		close(l.freed)
		l.freed = nil
	}
	l.mu.Unlock()
	return err
}

// ConnState follows the server's connections: one idle between requests
// may be closed to make room, one reading or answering a request may not.
// A connection still reading its first request's headers counts as idle.
func (l *ConnLimit) ConnState(c net.Conn, state http.ConnState) {
	lc, ok := c.(*limitedConn)
	if !ok {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if lc.closed {
		return
	}
	switch state {
	case http.StateActive, http.StateHijacked:
		if lc.elem != nil {
			l.quiet.Remove(lc.elem)
			lc.elem = nil
		}
	case http.StateIdle:
		if lc.elem != nil {
			l.quiet.Remove(lc.elem)
		}
		lc.elem = l.quiet.PushBack(lc)
	}
}

// release gives back lc's room, once. l.mu is held.
func (l *ConnLimit) release(lc *limitedConn) {
	if lc.closed {
		return
	}
	lc.closed = true
	if lc.elem != nil {
		l.quiet.Remove(lc.elem)
		lc.elem = nil
	}
	l.open--
	if l.freed != nil {
		select {
		case l.freed <- struct{}{}:
		default:
		}
	}
}

// limitedConn is a connection that gives back its room in a ConnLimit
// when closed. Its fields are guarded by the ConnLimit's mu.
type limitedConn struct {
	net.Conn
	l      *ConnLimit
	elem   *list.Element // in l.quiet, or nil
	closed bool
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.l.mu.Lock()
	c.l.release(c)
	c.l.mu.Unlock()
	return err
}

// CloseWrite lets the server end its side of a TCP connection first, as
// it does on the bare connection, before it closes one it answered with an
// error.
func (c *limitedConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}
