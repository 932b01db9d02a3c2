package pace

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofrs/flock"

	"github.com/crmctl/crmctl/internal/api"
	"github.com/crmctl/crmctl/internal/atomicfile"
	"github.com/crmctl/crmctl/internal/i18n"
)

// Clock is the time source of the pacer; tests use a fake one.
type Clock interface {
	Now() time.Time
	Sleep(ctx context.Context, d time.Duration) error
}

// RealClock is the system clock.
type RealClock struct{}

func (RealClock) Now() time.Time { return time.Now() }

func (RealClock) Sleep(ctx context.Context, d time.Duration) error { return api.Sleep(ctx, d) }

// Rate is N requests per Window. The zero Rate is Off.
type Rate struct {
	N      int
	Window time.Duration
}

// DefaultRate is the API's documented limit: 10 requests per 10 seconds.
var DefaultRate = Rate{N: 10, Window: 10 * time.Second}

// Off is no pacing at all, for a server without a limit (a local one).
var Off = Rate{}

// IsOff reports whether r is Off.
func (r Rate) IsOff() bool { return r == Off }

func (r Rate) String() string {
	if r.IsOff() {
		return "off"
	}
	return fmt.Sprintf("%d/%s", r.N, r.Window)
}

// ParseRate reads --rate N/DURATION ("10/10s", "50/1s", "10/s"), or "off" (Off).
func ParseRate(s string) (Rate, error) {
	if strings.EqualFold(strings.TrimSpace(s), "off") {
		return Off, nil
	}
	count, dur, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return Rate{}, i18n.Errorf("--rate %q: expected N/DURATION, e.g. 10/10s, or off", s)
	}
	n, err := strconv.Atoi(strings.TrimSpace(count))
	if err != nil || n <= 0 || n > 100000 {
		return Rate{}, i18n.Errorf("--rate %q: the count must be a positive integer", s)
	}
	dur = strings.TrimSpace(dur)
	if dur != "" && (dur[0] < '0' || dur[0] > '9') {
		dur = "1" + dur
	}
	w, err := time.ParseDuration(dur)
	if err != nil || w <= 0 {
		return Rate{}, i18n.Errorf("--rate %q: the window must be a duration such as 10s", s)
	}
	return Rate{N: n, Window: w}, nil
}

// DefaultMargin widens the window so that network jitter cannot bring N+1 requests
// within one window at the server: 3% of it, and at least MinMargin.
const DefaultMargin = 0.03

// MinMargin is the smallest margin: with short windows (tests, fast sandboxes) 3% is
// less than a busy machine's scheduling delays.
const MinMargin = 40 * time.Millisecond

// Limiter paces requests so that no N+1 consecutive requests — from this process or any
// other using the same state file — fall within one window (plus the margin). The
// state file records the recent send slots; a lock file next to it serialises the
// processes. A sliding-window server then never throttles, and a token bucket's burst
// of 2N-1 per window never happens.
type Limiter struct {
	path   string
	lock   *flock.Flock
	rate   Rate
	gap    time.Duration // the window with its margin
	clock  Clock
	onWait func(time.Duration)
}

// NewLimiter returns a limiter sharing the state file at path. margin is a fraction of
// the window (DefaultMargin when negative). With the rate Off it never waits and
// neither reads nor writes the state file.
func NewLimiter(path string, rate Rate, margin float64, clock Clock) (*Limiter, error) {
	if clock == nil {
		clock = RealClock{}
	}
	if rate.IsOff() {
		return &Limiter{path: path, rate: rate, clock: clock}, nil
	}
	if rate.N <= 0 || rate.Window <= 0 {
		return nil, i18n.Errorf("pacing: the rate must be positive")
	}
	if margin < 0 {
		margin = DefaultMargin
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, i18n.Errorf("pacing: %w", err)
	}
	return &Limiter{
		path:  path,
		lock:  flock.New(path + ".lock"),
		rate:  rate,
		gap:   Gap(rate, margin),
		clock: clock,
	}, nil
}

// Gap is the time any rate.N+1 consecutive sends must span: the window and its margin
// (margin as for NewLimiter).
func Gap(rate Rate, margin float64) time.Duration {
	if margin < 0 {
		margin = DefaultMargin
	}
	return rate.Window + marginOf(rate.Window, margin)
}

// marginOf is the fraction of the window, raised to MinMargin (but to no more than 30%
// of the window); a zero fraction means none.
func marginOf(window time.Duration, fraction float64) time.Duration {
	m := time.Duration(float64(window) * fraction)
	if fraction > 0 {
		m = max(m, min(MinMargin, window*3/10))
	}
	return m
}

// Rate is the limiter's rate.
func (l *Limiter) Rate() Rate { return l.rate }

// Now is the limiter's clock.
func (l *Limiter) Now() time.Time { return l.clock.Now() }

// paceState is the shared state file.
// paceStateVersion is the format version of the state file.
const paceStateVersion = 1

type paceState struct {
	// V is the state file's format version (paceStateVersion); a file written before
	// formats were versioned has none and the same fields.
	V int `json:"v"`
	// Sends are the reserved send slots (Unix nanoseconds), ascending, the last N kept.
	Sends []int64 `json:"sends"`
	// NotBefore is the earliest next slot after a throttled answer (Unix nanoseconds).
	NotBefore int64 `json:"not_before,omitempty"`
}

// Wait reserves the next send slot, sleeps until it and confirms it. It is
// api.Options.Wait.
//
// A process woken late (a busy machine) would leave less than a window between its
// send and the one N slots later, reserved meanwhile by another process. So on waking,
// each send confirms its slot under the lock: it records the real send time, checks it
// against the N-th send before it, and if the window is no longer kept, waits for a new
// slot. The time between the confirmation and the request leaving is then only the
// few microseconds it takes to write the request.
func (l *Limiter) Wait(ctx context.Context) error {
	_, err := l.WaitSlot(ctx)
	return err
}

// WaitSlot is Wait, returning the send time it recorded (see Restamp). With the rate
// Off it records nothing and returns at once (the zero time).
func (l *Limiter) WaitSlot(ctx context.Context) (time.Time, error) {
	if l.rate.IsOff() {
		return time.Time{}, ctx.Err()
	}
	slot, err := l.Reserve(ctx)
	if err != nil {
		return time.Time{}, err
	}
	for {
		if d := slot.Sub(l.clock.Now()); d > 0 {
			if l.onWait != nil {
				l.onWait(d)
			}
			if err := l.clock.Sleep(ctx, d); err != nil {
				l.release(slot)
				return time.Time{}, err
			}
		}
		if err := ctx.Err(); err != nil {
			l.release(slot)
			return time.Time{}, err
		}
		at, ok, err := l.confirm(ctx, slot)
		if err != nil || ok {
			return at, err
		}
		slot = at
	}
}

// Restamp moves a recorded send time to when the request was actually written, if
// later: the slots after it then count from the real time.
func (l *Limiter) Restamp(at, wrote time.Time) {
	if !wrote.After(at) {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = l.update(ctx, func(st *paceState, _ time.Time) {
		if i := slices.Index(st.Sends, at.UnixNano()); i >= 0 {
			st.Sends[i] = wrote.UnixNano()
			slices.Sort(st.Sends)
		}
	})
}

// Reserve records the next send slot in the shared state and returns it, without
// waiting.
func (l *Limiter) Reserve(ctx context.Context) (time.Time, error) {
	var slot time.Time
	err := l.update(ctx, func(st *paceState, now time.Time) {
		slot = time.Unix(0, l.earliest(st, now))
		st.Sends = append(st.Sends, slot.UnixNano())
		l.trim(st)
	})
	return slot, err
}

// earliest is the first time a new send may take: after every recorded send (slots stay
// in order), a window and its margin after the N-th last one, and not before a
// throttled answer's Retry-After.
func (l *Limiter) earliest(st *paceState, now time.Time) int64 {
	t := now.UnixNano()
	if n := len(st.Sends); n > 0 {
		t = max(t, st.Sends[n-1])
	}
	if n := len(st.Sends); n >= l.rate.N {
		t = max(t, st.Sends[n-l.rate.N]+int64(l.gap))
	}
	return max(t, st.NotBefore)
}

// trim keeps the last 2N sends: enough to check any slot still waiting.
func (l *Limiter) trim(st *paceState) {
	if keep := 2 * l.rate.N; len(st.Sends) > keep {
		st.Sends = append([]int64(nil), st.Sends[len(st.Sends)-keep:]...)
	}
}

// confirm turns the reserved slot into the real send time, if the window is still kept
// then (ok, next is that time); otherwise it reserves a later slot (next).
func (l *Limiter) confirm(ctx context.Context, slot time.Time) (next time.Time, ok bool, err error) {
	err = l.update(context.WithoutCancel(ctx), func(st *paceState, now time.Time) {
		at := max(now.UnixNano(), slot.UnixNano())
		if i := slices.Index(st.Sends, slot.UnixNano()); i >= 0 {
			st.Sends = slices.Delete(st.Sends, i, i+1)
		}
		// Where the send falls among the others, and the N-th send before it.
		p, _ := slices.BinarySearch(st.Sends, at+1)
		if (p < l.rate.N || at-st.Sends[p-l.rate.N] >= int64(l.gap)) && at >= st.NotBefore {
			st.Sends = slices.Insert(st.Sends, p, at)
			ok, next = true, time.Unix(0, at)
			return
		}
		t := l.earliest(st, now)
		st.Sends = append(st.Sends, t)
		next = time.Unix(0, t)
	})
	return next, ok, err
}

// release gives back a slot that will not be used (the wait was cancelled).
func (l *Limiter) release(slot time.Time) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = l.update(ctx, func(st *paceState, _ time.Time) {
		if i := slices.Index(st.Sends, slot.UnixNano()); i >= 0 {
			st.Sends = slices.Delete(st.Sends, i, i+1)
		}
	})
}

// Throttled pushes every process's next slot back by d: the server said "Retry later".
// It is api.Options.OnThrottle.
func (l *Limiter) Throttled(d time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = l.update(ctx, func(st *paceState, now time.Time) {
		st.NotBefore = max(st.NotBefore, now.Add(d).UnixNano())
	})
}

// update runs change on the state under the lock and writes it back atomically. With
// the rate Off there is no state: it does nothing.
func (l *Limiter) update(ctx context.Context, change func(st *paceState, now time.Time)) error {
	if l.rate.IsOff() {
		return nil
	}
	ok, err := l.lock.TryLockContext(ctx, 5*time.Millisecond)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return i18n.Errorf("pacing: lock %s: %w", l.lock.Path(), err)
	}
	if !ok {
		return ctx.Err()
	}
	defer func() { _ = l.lock.Unlock() }()
	var st paceState
	if data, err := os.ReadFile(l.path); err == nil {
		if err := json.Unmarshal(data, &st); err == nil && st.V > paceStateVersion {
			return i18n.Errorf("pacing: the state file %s has format version %d, newer than this crmctl reads (up to %d): "+
				"upgrade crmctl, or stop the newer one and remove the file", l.path, st.V, paceStateVersion)
		} else if err != nil {
			// A damaged state file: start afresh, but wait a full window first so that
			// what it recorded cannot be overrun.
			st = paceState{NotBefore: l.clock.Now().Add(l.gap).UnixNano()}
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return i18n.Errorf("pacing: %w", err)
	}
	change(&st, l.clock.Now())
	st.V = paceStateVersion
	data, _ := json.Marshal(st)
	if err := atomicfile.WriteFile(l.path, data, 0o600); err != nil {
		return i18n.Errorf("pacing: %w", err)
	}
	return nil
}
