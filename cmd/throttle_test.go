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
	fake := newFakeAPI(t) // the 3s Retry-After passes on the environment's fake clock
	var n atomic.Int32
	fake.route("GET /api/v2/common_customers/common_settings", func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "3")
			w.WriteHeader(http.StatusTooManyRequests)
			w.Write([]byte("Retry later"))
			return
		}
		canned(poolsJSON)(w, r)
	})
	e := newEnv(t, fake)
	start := e.clock.Now()
	r := e.run("", "pools", "list", "-o", "json")
	if r.code != 0 || !json.Valid([]byte(r.stdout)) {
		t.Fatal(r)
	}
	if waited := e.clock.Now().Sub(start); waited < 3*time.Second {
		t.Errorf("the Retry-After was not waited on the factory's clock: it moved %s", waited)
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

// Every wait of a command is on the factory's clock: the back-off between retries and
// the pacing of requests (here CRMCTL_RATE=1/1m: the second command waits its minute).
func TestWaitsAreOnTheFactoryClock(t *testing.T) {
	e := newEnv(t, nil)
	e.vars["CRMCTL_TOKEN"] = testToken
	e.vars["CRMCTL_BASE_URL"] = "http://" + closedPort(t)
	start := e.clock.Now()
	if r := e.run("", "pools", "list", "--refresh"); r.code != ExitNetwork || !strings.Contains(r.stderr, "(2 attempts)") {
		t.Fatal(r)
	}
	if waited := e.clock.Now().Sub(start); waited < 300*time.Millisecond {
		t.Errorf("the retry's back-off was not waited on the factory's clock: it moved %s", waited)
	}

	fake := newFakeAPI(t)
	e = newEnv(t, fake)
	e.vars["CRMCTL_RATE"] = "1/1m"
	start = e.clock.Now()
	for range 2 {
		if r := e.run("", "pools", "list", "--refresh", "-o", "json"); r.code != 0 {
			t.Fatal(r)
		}
	}
	if waited := e.clock.Now().Sub(start); waited < time.Minute {
		t.Errorf("the pacing was not waited on the factory's clock: it moved %s", waited)
	}
	if n := len(fake.Calls()); n != 2 {
		t.Errorf("%d calls, want 2: %s", n, callNames(fake.Calls()))
	}
}
