package fetch

import (
	"context"
	"sync"
)

// hostLimiter holds one counting semaphore per host name. Entries are
// dropped when no fetch uses them, so the map stays as small as the set of
// hosts being fetched right now.
type hostLimiter struct {
	n     int // slots per host; < 0: unlimited
	mu    sync.Mutex
	hosts map[string]*hostSlot
}

type hostSlot struct {
	sem  chan struct{}
	refs int
}

// acquire waits for a free slot for host, or for ctx to be done. The
// returned func releases the slot and must be called exactly once.
func (l *hostLimiter) acquire(ctx context.Context, host string) (release func(), err error) {
	if l.n < 0 {
		return func() {}, nil
	}
	l.mu.Lock()
	if l.hosts == nil {
		l.hosts = make(map[string]*hostSlot)
	}
	s := l.hosts[host]
	if s == nil {
		s = &hostSlot{sem: make(chan struct{}, l.n)}
		l.hosts[host] = s
	}
	s.refs++
	l.mu.Unlock()

	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		l.unref(host, s)
		return nil, ctx.Err()
	}
	return func() {
		<-s.sem
		l.unref(host, s)
	}, nil
}

func (l *hostLimiter) unref(host string, s *hostSlot) {
	l.mu.Lock()
	defer l.mu.Unlock()
	s.refs--
	if s.refs == 0 {
		delete(l.hosts, host)
	}
}

// size returns the number of hosts with a fetch waiting or in flight.
func (l *hostLimiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.hosts)
}
