package aggregator

import (
	"testing"
	"time"
)

func TestCondition(t *testing.T) {
	now := time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		st   SourceState
		want Condition
	}{
		{"never fetched", SourceState{}, ConditionPending},
		{"ok", SourceState{LastFetch: now, LastResult: "ok"}, ConditionOK},
		{"unchanged body", SourceState{LastFetch: now, LastResult: "unchanged"}, ConditionUnchanged},
		{"304", SourceState{LastFetch: now, LastResult: "not_modified"}, ConditionNotModified},
		{"failed, waiting", SourceState{LastFetch: now, Failures: 2, NextDue: now.Add(time.Hour)}, ConditionBackingOff},
		{"failed, due", SourceState{LastFetch: now, Failures: 2, NextDue: now.Add(-time.Minute)}, ConditionFailing},
		{"store error before any success", SourceState{LastResult: "error"}, ConditionFailing},
		{"gone", SourceState{LastFetch: now, Disabled: true, Failures: 1, NextDue: now.Add(time.Hour)}, ConditionDisabled},
	}
	for _, tt := range tests {
		if got := tt.st.Condition(now); got != tt.want {
			t.Errorf("%s: Condition() = %d; want %d", tt.name, got, tt.want)
		}
	}
}
