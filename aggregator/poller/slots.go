package poller

import (
	"context"
	"sync"
)

// slots bounds the fetches in flight (poll.concurrency). One slots serves
// the Poller for its whole life, so that a configuration reload changes
// the bound rather than starting a second one beside it: fetches begun
// before the reload hold their slots until they end, and count against
// the new bound.
type slots struct {
	mu    sync.Mutex
	limit int
	used  int
	freed chan struct{} // closed, and replaced, when a slot frees or the bound grows
}

func newSlots(limit int) *slots {
	return &slots{limit: max(limit, 1), freed: make(chan struct{})}
}

// acquire waits for a free slot, or for ctx to be done.
func (s *slots) acquire(ctx context.Context) error {
	for {
		s.mu.Lock()
		if s.used < s.limit {
			s.used++
			s.mu.Unlock()
			return nil
		}
		freed := s.freed
		s.mu.Unlock()
		select {
		case <-freed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// release frees a slot taken by acquire.
func (s *slots) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.used--
	s.wake()
}

// setLimit changes the bound. Slots in use above a lowered bound stay in
// use until released.
func (s *slots) setLimit(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limit = max(n, 1)
	s.wake()
}

// wake lets every waiting acquire look again; s.mu is held.
func (s *slots) wake() {
	close(s.freed)
	s.freed = make(chan struct{})
}

// inUse returns the number of slots taken.
func (s *slots) inUse() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.used
}
