package poller

import (
	"context"
	"testing"
	"time"
)

func TestSlots(t *testing.T) {
	s := newSlots(2)
	ctx := t.Context()
	for range 2 {
		if err := s.acquire(ctx); err != nil {
			t.Fatal(err)
		}
	}
	third := make(chan error, 1)
	go func() { third <- s.acquire(ctx) }()
	select {
	case err := <-third:
		t.Fatalf("a third slot of two was taken (err %v)", err)
	case <-time.After(50 * time.Millisecond):
	}
	s.setLimit(3) // a raised bound lets the waiting fetch in
	if err := <-third; err != nil {
		t.Fatal(err)
	}

	s.setLimit(1) // lowered below the three in use: none is taken back
	if n := s.inUse(); n != 3 {
		t.Fatalf("%d slots in use after the bound was lowered; want 3", n)
	}
	fourth := make(chan error, 1)
	go func() { fourth <- s.acquire(ctx) }()
	s.release()
	s.release()
	select {
	case err := <-fourth:
		t.Fatalf("a slot was taken with one in use and a bound of one (err %v)", err)
	case <-time.After(50 * time.Millisecond):
	}
	s.release()
	if err := <-fourth; err != nil {
		t.Fatal(err)
	}

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.acquire(cctx); err == nil {
		t.Fatal("acquire with a done context and no free slot succeeded")
	}
	if n := s.inUse(); n != 1 {
		t.Errorf("%d slots in use; want 1", n)
	}
}
