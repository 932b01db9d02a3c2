package cmd

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crmctl/crmctl/internal/api"
	"github.com/crmctl/crmctl/internal/iostreams"
)

// A command that waits out a Retry-After says so on stderr, once per wait; stdout keeps
// only the output (valid JSON with -o json).
func TestThrottledWaitIsNoted(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out a 3s Retry-After; skipped with -short")
	}
	fake := newFakeAPI(t)
	var n atomic.Int32
	fake.routes["GET /api/v2/common_customers/common_settings"] = func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "3")
			w.WriteHeader(http.StatusTooManyRequests)
			w.Write([]byte("Retry later"))
			return
		}
		canned(poolsJSON)(w, r)
	}
	r := newEnv(t, fake).run("", "pools", "list", "-o", "json")
	if r.code != 0 || !json.Valid([]byte(r.stdout)) {
		t.Fatal(r)
	}
	if r.stderr != "crmctl: throttled by the API; retrying in 3s\n" {
		t.Errorf("stderr %q, want one throttling note", r.stderr)
	}
}

func TestShortThrottledWaitsPassSilently(t *testing.T) {
	var calls []time.Duration
	ios, _, out, _ := iostreams.Test()
	ios.ErrOut = out
	o := api.Options{OnThrottle: func(d time.Duration) { calls = append(calls, d) }}
	noteThrottling(ios)(&o)
	o.OnThrottle(time.Second)
	o.OnThrottle(throttleNoteAfter)
	if out.Len() != 0 {
		t.Errorf("a short wait was noted: %q", out.String())
	}
	o.OnThrottle(58*time.Second + 400*time.Millisecond)
	if got := out.String(); got != "crmctl: throttled by the API; retrying in 58s\n" {
		t.Errorf("note %q", got)
	}
	if len(calls) != 3 || !strings.HasPrefix(out.String(), "crmctl: ") {
		t.Errorf("the pacer's hook was not kept: %v", calls)
	}
}
