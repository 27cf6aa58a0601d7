package poller

import (
	"testing"
	"time"
)

func TestSkip(t *testing.T) {
	mon10 := time.Date(2026, 11, 2, 10, 30, 0, 0, time.UTC) // a Monday
	tests := []struct {
		name  string
		hours []int
		days  []string
		want  time.Time
	}{
		{"nothing skipped", nil, nil, mon10},
		{"hour not skipped", []int{3, 4}, nil, mon10},
		{"hour skipped", []int{10, 11}, nil, time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)},
		{"day skipped", nil, []string{"Monday"}, time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)},
		{"day and hours", []int{0, 1}, []string{"Monday"}, time.Date(2026, 11, 3, 2, 0, 0, 0, time.UTC)},
		{"everything skipped", allHours(), []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}, mon10},
	}
	for _, tt := range tests {
		if got := skip(mon10, tt.hours, tt.days); !got.Equal(tt.want) {
			t.Errorf("%s: skip(%v, %v, %v) = %v; want %v", tt.name, mon10, tt.hours, tt.days, got, tt.want)
		}
	}
}

func allHours() []int {
	h := make([]int, 24)
	for i := range h {
		h[i] = i
	}
	return h
}

func TestBackoff(t *testing.T) {
	tests := []struct {
		failures int
		want     time.Duration
	}{
		{1, 30 * time.Minute}, {2, time.Hour}, {3, 2 * time.Hour}, {4, 4 * time.Hour}, {5, 6 * time.Hour}, {50, 6 * time.Hour},
	}
	for _, tt := range tests {
		if got := backoff(30*time.Minute, tt.failures, 6*time.Hour); got != tt.want {
			t.Errorf("backoff(30m, %d, 6h) = %v; want %v", tt.failures, got, tt.want)
		}
	}
}
