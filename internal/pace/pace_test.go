package pace

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crmctl/crmctl/internal/pace/pacetest"
)

type fakeClock = pacetest.Clock

func newFakeClock() *fakeClock { return pacetest.NewClock() }

// checkWindows asserts that no N+1 consecutive sends fall within one window.
func checkWindows(t *testing.T, sends []time.Time, r Rate) {
	t.Helper()
	for i := r.N; i < len(sends); i++ {
		if gap := sends[i].Sub(sends[i-r.N]); gap <= r.Window {
			t.Fatalf("sends %d..%d span %v, not more than the window %v", i-r.N, i, gap, r.Window)
		}
	}
}

func TestLimiterNeverPutsNPlusOneInAWindow(t *testing.T) {
	clock := newFakeClock()
	rate := Rate{N: 10, Window: 10 * time.Second}
	l, err := NewLimiter(filepath.Join(t.TempDir(), "pace.json"), rate, DefaultMargin, clock)
	if err != nil {
		t.Fatal(err)
	}
	var sends []time.Time
	for i := 0; i < 55; i++ {
		if err := l.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
		sends = append(sends, clock.Now())
		// irregular work between sends
		clock.Advance(time.Duration(i%7) * 150 * time.Millisecond)
	}
	checkWindows(t, sends, rate)
	// It uses the limit: the first N go at once (no idle start), and the 55 sends take
	// about 5 windows, not more.
	if !sends[rate.N-1].Equal(sends[0]) && sends[rate.N-1].Sub(sends[0]) > 6*time.Second {
		t.Errorf("the first %d sends were held back: %v", rate.N, sends[rate.N-1].Sub(sends[0]))
	}
	if total := sends[len(sends)-1].Sub(sends[0]); total > 5*rate.Window+6*time.Second {
		t.Errorf("55 sends took %v: the limit is not used", total)
	}
}

func TestTwoLimitersShareOneStateFile(t *testing.T) {
	clock := newFakeClock()
	rate := Rate{N: 5, Window: time.Second}
	path := filepath.Join(t.TempDir(), "pace.json")
	a, _ := NewLimiter(path, rate, DefaultMargin, clock)
	b, _ := NewLimiter(path, rate, DefaultMargin, clock)
	var sends []time.Time
	for i := 0; i < 40; i++ {
		l := a
		if i%3 == 0 {
			l = b
		}
		if err := l.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
		sends = append(sends, clock.Now())
	}
	checkWindows(t, sends, rate)
}

func TestConcurrentLimitersSlotsRespectTheLimit(t *testing.T) {
	// Two processes racing (goroutines with their own Limiter on one file): the
	// reserved slots, merged, still never put N+1 in a window.
	rate := Rate{N: 4, Window: time.Second}
	path := filepath.Join(t.TempDir(), "pace.json")
	clock := newFakeClock()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		slots []time.Time
	)
	for p := 0; p < 2; p++ {
		l, _ := NewLimiter(path, rate, DefaultMargin, clock)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				s, err := l.Reserve(context.Background())
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				slots = append(slots, s)
				mu.Unlock()
				clock.Advance(time.Duration(i) * 10 * time.Millisecond)
			}
		}()
	}
	wg.Wait()
	if len(slots) != 40 {
		t.Fatalf("slots = %d", len(slots))
	}
	sortTimes(slots)
	checkWindows(t, slots, rate)
}

func sortTimes(ts []time.Time) {
	for i := 1; i < len(ts); i++ {
		for j := i; j > 0 && ts[j].Before(ts[j-1]); j-- {
			ts[j], ts[j-1] = ts[j-1], ts[j]
		}
	}
}

func TestThrottledPushesTheNextSlot(t *testing.T) {
	clock := newFakeClock()
	l, _ := NewLimiter(filepath.Join(t.TempDir(), "pace.json"), Rate{N: 10, Window: 10 * time.Second}, 0, clock)
	_ = l.Wait(context.Background())
	start := clock.Now()
	l.Throttled(7 * time.Second)
	_ = l.Wait(context.Background())
	if got := clock.Now().Sub(start); got < 7*time.Second {
		t.Fatalf("next send after %v, want at least the Retry-After 7s", got)
	}
}

func TestLimiterWaitIsInterruptible(t *testing.T) {
	clock := newFakeClock()
	l, _ := NewLimiter(filepath.Join(t.TempDir(), "pace.json"), Rate{N: 1, Window: time.Hour}, 0, clock)
	_ = l.Wait(context.Background())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := l.Wait(ctx); err == nil {
		t.Fatal("a cancelled wait succeeded")
	}
}

func TestParseRate(t *testing.T) {
	for in, want := range map[string]Rate{"10/10s": {10, 10 * time.Second}, "50/1s": {50, time.Second}, "5/m": {5, time.Minute}} {
		if got, err := ParseRate(in); err != nil || got != want {
			t.Errorf("%s: %v %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "10", "0/1s", "x/1s", "10/0s", "10/-1s", "offf"} {
		if _, err := ParseRate(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	for _, off := range []string{"off", " OFF "} {
		if got, err := ParseRate(off); err != nil || !got.IsOff() || got.String() != "off" {
			t.Errorf("%q: %v %v, want off", off, got, err)
		}
	}
}

// With the rate off the limiter never waits, whatever was sent or throttled, and
// leaves the shared state alone.
func TestOffLimiterNeverWaits(t *testing.T) {
	clock := newFakeClock()
	path := filepath.Join(t.TempDir(), "ratelimit", "pace.json")
	l, err := NewLimiter(path, Off, DefaultMargin, clock)
	if err != nil {
		t.Fatal(err)
	}
	if l.Rate().String() != "off" {
		t.Errorf("Rate = %v, want off", l.Rate())
	}
	start := clock.Now()
	l.Throttled(time.Minute)
	for range 100 {
		if err := l.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if waited := clock.Now().Sub(start); waited != 0 {
		t.Errorf("100 sends waited %v", waited)
	}
	if _, err := os.Stat(filepath.Dir(path)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the state folder was made: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := l.Wait(ctx); err == nil {
		t.Error("a cancelled wait succeeded: an interrupted run would send one more request")
	}
}

func TestLateSendMovesTheNextSlot(t *testing.T) {
	// N=1 per second: A's slot is now, B's a second later. A wakes 300ms late; when B
	// wakes at its slot, a second has not passed since A's real send: B waits again.
	clock := newFakeClock()
	path := filepath.Join(t.TempDir(), "pace.json")
	rate := Rate{N: 1, Window: time.Second}
	a, _ := NewLimiter(path, rate, 0, clock)
	b, _ := NewLimiter(path, rate, 0, clock)
	t0 := clock.Now()
	slotA, _ := a.Reserve(context.Background())
	slotB, _ := b.Reserve(context.Background())
	if !slotA.Equal(t0) || !slotB.Equal(t0.Add(time.Second)) {
		t.Fatalf("slots %v %v", slotA.Sub(t0), slotB.Sub(t0))
	}
	clock.Advance(300 * time.Millisecond)
	if _, ok, err := a.confirm(context.Background(), slotA); !ok || err != nil {
		t.Fatalf("A: %v %v", ok, err)
	}
	clock.Advance(700 * time.Millisecond)
	next, ok, err := b.confirm(context.Background(), slotB)
	if ok || err != nil || !next.Equal(t0.Add(1300*time.Millisecond)) {
		t.Fatalf("B: ok %v next %v %v, want a new slot at +1.3s", ok, next.Sub(t0), err)
	}
}

func TestCancelledWaitGivesTheSlotBack(t *testing.T) {
	clock := newFakeClock()
	path := filepath.Join(t.TempDir(), "pace.json")
	l, _ := NewLimiter(path, Rate{N: 1, Window: time.Hour}, 0, clock)
	_ = l.Wait(context.Background())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_ = l.Wait(ctx)
	slot, _ := l.Reserve(context.Background())
	if got := slot.Sub(clock.Now()); got != time.Hour {
		t.Fatalf("next slot in %v, want 1h (the cancelled one given back)", got)
	}
}

// TestStateFileVersion: the state file carries its format version; a file from before
// versions is read, a newer one refused rather than misread.
func TestStateFileVersion(t *testing.T) {
	clock := newFakeClock()
	path := filepath.Join(t.TempDir(), "pace.json")
	l, _ := NewLimiter(path, Rate{N: 5, Window: time.Second}, DefaultMargin, clock)
	if err := os.WriteFile(path, []byte(`{"sends":[1]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := l.Wait(context.Background()); err != nil {
		t.Fatalf("a state file from before versions: %v", err)
	}
	data, _ := os.ReadFile(path)
	if !strings.Contains(string(data), `"v":1`) {
		t.Fatalf("state file without its version: %s", data)
	}
	if err := os.WriteFile(path, []byte(`{"v":2,"sends":[]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := l.Wait(context.Background()); err == nil || !strings.Contains(err.Error(), "format version 2") {
		t.Fatalf("a newer state file: %v", err)
	}
}
