package importer

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
)

// Clock is the time source of the pacer; tests use a fake one.
type Clock interface {
	Now() time.Time
	Sleep(ctx context.Context, d time.Duration) error
}

// RealClock is the system clock.
type RealClock struct{}

func (RealClock) Now() time.Time { return time.Now() }

func (RealClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Rate is N requests per Window.
type Rate struct {
	N      int
	Window time.Duration
}

// DefaultRate is the API's documented limit: 10 requests per 10 seconds.
var DefaultRate = Rate{N: 10, Window: 10 * time.Second}

func (r Rate) String() string { return fmt.Sprintf("%d/%s", r.N, r.Window) }

// ParseRate reads --rate N/DURATION ("10/10s", "50/1s", "10/s").
func ParseRate(s string) (Rate, error) {
	count, dur, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return Rate{}, fmt.Errorf("--rate %q: expected N/DURATION, e.g. 10/10s", s)
	}
	n, err := strconv.Atoi(strings.TrimSpace(count))
	if err != nil || n <= 0 || n > 100000 {
		return Rate{}, fmt.Errorf("--rate %q: the count must be a positive integer", s)
	}
	dur = strings.TrimSpace(dur)
	if dur != "" && (dur[0] < '0' || dur[0] > '9') {
		dur = "1" + dur
	}
	w, err := time.ParseDuration(dur)
	if err != nil || w <= 0 {
		return Rate{}, fmt.Errorf("--rate %q: the window must be a duration such as 10s", s)
	}
	return Rate{N: n, Window: w}, nil
}

// DefaultMargin widens the window so that network jitter cannot bring N+1 requests
// within one window at the server.
const DefaultMargin = 0.03

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
// the window (DefaultMargin when negative).
func NewLimiter(path string, rate Rate, margin float64, clock Clock) (*Limiter, error) {
	if rate.N <= 0 || rate.Window <= 0 {
		return nil, errors.New("pacing: the rate must be positive")
	}
	if margin < 0 {
		margin = DefaultMargin
	}
	if clock == nil {
		clock = RealClock{}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("pacing: %w", err)
	}
	return &Limiter{
		path:  path,
		lock:  flock.New(path + ".lock"),
		rate:  rate,
		gap:   rate.Window + time.Duration(float64(rate.Window)*margin),
		clock: clock,
	}, nil
}

// Rate is the limiter's rate.
func (l *Limiter) Rate() Rate { return l.rate }

// paceState is the shared state file.
type paceState struct {
	// Sends are the reserved send slots (Unix nanoseconds), ascending, the last N kept.
	Sends []int64 `json:"sends"`
	// NotBefore is the earliest next slot after a throttled answer (Unix nanoseconds).
	NotBefore int64 `json:"not_before,omitempty"`
}

// Wait reserves the next send slot and sleeps until it. It is api.Options.Wait.
func (l *Limiter) Wait(ctx context.Context) error {
	slot, err := l.Reserve(ctx)
	if err != nil {
		return err
	}
	if d := slot.Sub(l.clock.Now()); d > 0 {
		if l.onWait != nil {
			l.onWait(d)
		}
		if err := l.clock.Sleep(ctx, d); err != nil {
			return err
		}
	} else if err := ctx.Err(); err != nil {
		return err
	}
	// Woken late (a busy machine): record the real send time, so that the next slots
	// count from it and the late send cannot crowd the window after it.
	if now := l.clock.Now(); now.Sub(slot) > lateSend {
		_ = l.update(context.WithoutCancel(ctx), func(st *paceState, _ time.Time) {
			for i, s := range st.Sends {
				if s == slot.UnixNano() {
					st.Sends[i] = now.UnixNano()
				}
			}
			slices.Sort(st.Sends)
		})
	}
	return nil
}

// lateSend is how late a send may leave before its slot is moved to the real time.
const lateSend = time.Millisecond

// Reserve records the next send slot in the shared state and returns it, without
// waiting.
func (l *Limiter) Reserve(ctx context.Context) (time.Time, error) {
	var slot time.Time
	err := l.update(ctx, func(st *paceState, now time.Time) {
		earliest := now.UnixNano()
		if n := len(st.Sends); n > 0 {
			earliest = max(earliest, st.Sends[n-1]) // slots stay in order
		}
		if n := len(st.Sends); n >= l.rate.N {
			earliest = max(earliest, st.Sends[n-l.rate.N]+int64(l.gap))
		}
		earliest = max(earliest, st.NotBefore)
		st.Sends = append(st.Sends, earliest)
		if len(st.Sends) > l.rate.N {
			st.Sends = append([]int64(nil), st.Sends[len(st.Sends)-l.rate.N:]...)
		}
		slot = time.Unix(0, earliest)
	})
	return slot, err
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

// update runs change on the state under the lock and writes it back atomically.
func (l *Limiter) update(ctx context.Context, change func(st *paceState, now time.Time)) error {
	ok, err := l.lock.TryLockContext(ctx, 5*time.Millisecond)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("pacing: lock %s: %w", l.lock.Path(), err)
	}
	if !ok {
		return ctx.Err()
	}
	defer func() { _ = l.lock.Unlock() }()
	var st paceState
	if data, err := os.ReadFile(l.path); err == nil {
		if json.Unmarshal(data, &st) != nil {
			// A damaged state file: start afresh, but wait a full window first so that
			// what it recorded cannot be overrun.
			st = paceState{NotBefore: l.clock.Now().Add(l.gap).UnixNano()}
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("pacing: %w", err)
	}
	change(&st, l.clock.Now())
	data, _ := json.Marshal(st)
	tmp := l.path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return fmt.Errorf("pacing: %w", err)
	}
	if err := os.Rename(tmp, l.path); err != nil {
		return fmt.Errorf("pacing: %w", err)
	}
	return nil
}
