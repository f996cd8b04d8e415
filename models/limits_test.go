package models

import (
	"errors"
	"testing"
)

func TestLimitReachedNamesTheLimit(t *testing.T) {
	for _, l := range AllLimits {
		err := LimitReached(l, 7)
		var e *Error
		if !errors.As(err, &e) || e.Kind != KindConflict || e.Code != "limit_reached" {
			t.Fatalf("%s: %v", l, err)
		}
		if e.Extra["limit"] != string(l) || e.Extra["max"] != 7 {
			t.Errorf("%s: extra %v", l, e.Extra)
		}
		if noun := limitNouns[l]; noun == "" || e.Detail != "at most 7 "+noun {
			t.Errorf("%s: detail %q", l, e.Detail)
		}
	}
}
