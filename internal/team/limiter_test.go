package team

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crmctl/crmctl/internal/config"
	"github.com/crmctl/crmctl/internal/pace"
	"github.com/crmctl/crmctl/internal/pace/pacetest"
	"github.com/crmctl/crmctl/internal/redistest"
)

var testScope = Scope{Host: "https://lxcrm.weiwenjia.com", Login: "13800000000"}

// open connects a new client (a "machine") to srv for scope.
func open(t *testing.T, srv *redistest.Server, scope Scope) *Store {
	t.Helper()
	st, err := Open(context.Background(), srv.URL(0), config.EnvRedisURL, scope)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func limiter(t *testing.T, st *Store, rate pace.Rate, clock pace.Clock) *Limiter {
	t.Helper()
	l, err := st.Limiter(rate, pace.DefaultMargin, clock)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// checkWindows asserts that no N+1 consecutive sends fall within one window.
func checkWindows(t *testing.T, sends []time.Time, r pace.Rate) {
	t.Helper()
	for i := r.N; i < len(sends); i++ {
		if gap := sends[i].Sub(sends[i-r.N]); gap <= r.Window {
			t.Fatalf("sends %d..%d span %v, not more than the window %v", i-r.N, i, gap, r.Window)
		}
	}
}

// Two machines, each with its own connection, take turns: together they never put N+1
// sends in a window, and they use the limit (the first N go at once).
func TestMachinesShareTheLimit(t *testing.T) {
	srv := redistest.Start(t, t.TempDir())
	clock := pacetest.NewClock()
	rate := pace.Rate{N: 10, Window: 10 * time.Second}
	a := limiter(t, open(t, srv, testScope), rate, clock)
	b := limiter(t, open(t, srv, testScope), rate, clock)
	var sends []time.Time
	for i := range 45 {
		l := a
		if i%3 == 0 {
			l = b
		}
		if _, err := l.WaitSlot(context.Background()); err != nil {
			t.Fatal(err)
		}
		sends = append(sends, clock.Now())
		clock.Advance(time.Duration(i%5) * 100 * time.Millisecond)
	}
	checkWindows(t, sends, rate)
	if d := sends[rate.N-1].Sub(sends[0]); d > 2*time.Second {
		t.Errorf("the first %d sends were held back %v", rate.N, d)
	}
	if total := sends[len(sends)-1].Sub(sends[0]); total > 5*rate.Window {
		t.Errorf("45 sends took %v: the limit is not used", total)
	}
}

// Machines racing (goroutines with their own connection and limiter) on one clock:
// the confirmed sends, merged, keep the rule.
func TestConcurrentMachinesKeepTheRule(t *testing.T) {
	srv := redistest.Start(t, t.TempDir())
	clock := pacetest.NewClock()
	rate := pace.Rate{N: 4, Window: time.Second}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		sends []time.Time
	)
	for range 3 {
		l := limiter(t, open(t, srv, testScope), rate, clock)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 12 {
				at, err := l.WaitSlot(context.Background())
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				sends = append(sends, at)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(sends) != 36 {
		t.Fatalf("%d sends, want 36", len(sends))
	}
	slices.SortFunc(sends, func(x, y time.Time) int { return x.Compare(y) })
	checkWindows(t, sends, rate)
}

// A machine woken late sends later than its slot: another machine whose slot comes
// within the gap of that real send is given a new slot when it confirms.
func TestLateSendMovesTheOtherMachinesSlot(t *testing.T) {
	srv := redistest.Start(t, t.TempDir())
	clock := pacetest.NewClock()
	rate := pace.Rate{N: 1, Window: time.Second}
	a, _ := open(t, srv, testScope).Limiter(rate, 0, clock)
	b, _ := open(t, srv, testScope).Limiter(rate, 0, clock)
	t0 := clock.Now().UnixMicro()
	ra, err := a.call(context.Background(), "reserve", "a", 0)
	if err != nil {
		t.Fatal(err)
	}
	rb, _ := b.call(context.Background(), "reserve", "b", 0)
	if ra[0] != t0 || rb[0] != t0+1e6 {
		t.Fatalf("slots %d %d, want +0 and +1s", ra[0]-t0, rb[0]-t0)
	}
	clock.Advance(300 * time.Millisecond)
	if r, _ := a.call(context.Background(), "confirm", "a", ra[0]); r[0] != 1 || r[1] != t0+300_000 {
		t.Fatalf("A's confirmation %v, want sent at +300ms", r)
	}
	clock.Advance(700 * time.Millisecond)
	r, _ := b.call(context.Background(), "confirm", "b", rb[0])
	if r[0] != 0 || r[1] != t0+1_300_000 {
		t.Fatalf("B's confirmation %v, want a new slot at +1.3s", r)
	}
}

// A throttled answer on one machine holds the other back for the time asked.
func TestThrottledHoldsEveryMachine(t *testing.T) {
	srv := redistest.Start(t, t.TempDir())
	clock := pacetest.NewClock()
	rate := pace.Rate{N: 10, Window: 10 * time.Second}
	a := limiter(t, open(t, srv, testScope), rate, clock)
	b := limiter(t, open(t, srv, testScope), rate, clock)
	if _, err := a.WaitSlot(context.Background()); err != nil {
		t.Fatal(err)
	}
	start := clock.Now()
	a.Throttled(7 * time.Second)
	if _, err := b.WaitSlot(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := clock.Now().Sub(start); got < 7*time.Second {
		t.Fatalf("the other machine sent after %v, want the Retry-After 7s", got)
	}
}

// A wait cancelled while it sleeps gives its slot back; another account on the same
// Redis is not held back by this one's sends.
func TestCancelledWaitAndOtherAccounts(t *testing.T) {
	srv := redistest.Start(t, t.TempDir())
	clock := pacetest.NewClock()
	rate := pace.Rate{N: 1, Window: time.Hour}
	st := open(t, srv, testScope)
	l, _ := st.Limiter(rate, 0, clock)
	if _, err := l.WaitSlot(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cl, _ := st.Limiter(rate, 0, cancelClock{clock, cancel})
	if _, err := cl.WaitSlot(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("a cancelled wait: %v", err)
	}
	r, err := l.call(context.Background(), "reserve", "x", 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := time.Duration(r[0]-r[1]) * time.Microsecond; got != time.Hour {
		t.Fatalf("next slot in %v, want 1h (the cancelled one given back)", got)
	}

	other := limiter(t, open(t, srv, Scope{Host: testScope.Host, Login: "13900000000"}), rate, clock)
	start := clock.Now()
	if _, err := other.WaitSlot(context.Background()); err != nil || !clock.Now().Equal(start) {
		t.Fatalf("another account waited %v (%v)", clock.Now().Sub(start), err)
	}
}

// The keys name neither the login nor the host; they carry the scope's hash tag.
func TestKeysHideTheAccount(t *testing.T) {
	srv := redistest.Start(t, t.TempDir())
	st := open(t, srv, testScope)
	l := limiter(t, st, pace.Rate{N: 5, Window: time.Second}, nil)
	if _, err := l.WaitSlot(context.Background()); err != nil {
		t.Fatal(err)
	}
	l.Throttled(time.Second)
	keys, err := st.rdb.Keys(context.Background(), "*").Result()
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(keys)
	if len(keys) != 2 || !strings.HasPrefix(keys[0], "crmctl:pace:{") || keys[1] != keys[0]+":hold" {
		t.Fatalf("keys %q", keys)
	}
	for _, k := range keys {
		if strings.Contains(k, "13800000000") || strings.Contains(k, "weiwenjia") {
			t.Errorf("key %q names the account or the host", k)
		}
	}
	// With the server's clock the log expires once its sends are a window old.
	if ttl := st.rdb.PTTL(context.Background(), keys[0]).Val(); ttl <= 0 || ttl > 3*time.Second {
		t.Errorf("the log's TTL is %v", ttl)
	}
}

// A real clock and real sleeps: 3 machines x 6 sends at 6 per 200ms; the times the
// server recorded keep the rule.
func TestServerClockKeepsTheRule(t *testing.T) {
	srv := redistest.Start(t, t.TempDir())
	rate := pace.Rate{N: 6, Window: 200 * time.Millisecond}
	st := open(t, srv, testScope)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var sends []time.Time
	for range 3 {
		l := limiter(t, open(t, srv, testScope), rate, nil)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 6 {
				at, err := l.WaitSlot(context.Background())
				if err != nil {
					t.Error(err)
					return
				}
				l.mu.Lock()
				s := l.sent[at.UnixNano()]
				l.mu.Unlock()
				mu.Lock()
				sends = append(sends, time.UnixMicro(s.at))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	slices.SortFunc(sends, func(x, y time.Time) int { return x.Compare(y) })
	checkWindows(t, sends, rate)
	_ = st
}

// cancelClock cancels the wait it is asked to sleep: Ctrl-C during the wait.
type cancelClock struct {
	*pacetest.Clock
	cancel context.CancelFunc
}

func (c cancelClock) Sleep(ctx context.Context, _ time.Duration) error {
	c.cancel()
	return ctx.Err()
}
