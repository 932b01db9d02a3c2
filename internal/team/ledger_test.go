package team

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crmctl/crmctl/internal/importer"
	"github.com/crmctl/crmctl/internal/importer/ledgertest"
	"github.com/crmctl/crmctl/internal/redistest"
)

func held(t *testing.T, st *Store, machine string, lease time.Duration) *Ledger {
	t.Helper()
	l := st.Ledger(machine)
	if err := l.Hold(context.Background(), lease); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// Machines claiming one customer at once: exactly one gets it; the others see its
// claim, named as another machine's.
func TestOneClaimWins(t *testing.T) {
	srv := redistest.Start(t, t.TempDir())
	ctx := context.Background()
	var (
		wins atomic.Int32
		wg   sync.WaitGroup
	)
	for i := range 8 {
		l := held(t, open(t, srv, testScope), "machine"+string(rune('a'+i)), 0)
		wg.Add(1)
		go func() {
			defer wg.Done()
			prev, ok, err := l.Claim(ctx, "k1", "/root/.local/share/crmctl/imports/import-x.db", "leads.csv", 2, "甲", time.Now())
			if err != nil {
				t.Error(err)
				return
			}
			if ok {
				wins.Add(1)
				return
			}
			if prev.State != importer.LedgerSent || prev.Journal == "/root/.local/share/crmctl/imports/import-x.db" ||
				prev.Row != 2 || prev.Owner == "" || prev.SentAt.IsZero() {
				t.Errorf("prev %+v", prev)
			}
		}()
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Fatalf("%d claims won, want 1", wins.Load())
	}
}

// A claim's journal is this machine's path only on this machine.
func TestJournalsOfOtherMachines(t *testing.T) {
	srv := redistest.Start(t, t.TempDir())
	ctx := context.Background()
	a := held(t, open(t, srv, testScope), "aaaa", 0)
	b := held(t, open(t, srv, testScope), "bbbb", 0)
	const j = "/home/ops/.local/share/crmctl/imports/import-1.db"
	if _, ok, err := a.Claim(ctx, "k", j, "leads.csv", 3, "", time.Now()); !ok || err != nil {
		t.Fatal(ok, err)
	}
	prev, _, _ := b.Claim(ctx, "k", j, "leads.csv", 3, "", time.Now())
	if prev.Journal != "machine aaaa: "+j || prev.File != "leads.csv on machine aaaa" {
		t.Fatalf("on the other machine: %+v", prev)
	}
	// A second run on the first machine sees its own journal.
	a2 := held(t, open(t, srv, testScope), "aaaa", 0)
	if prev, _, _ := a2.Claim(ctx, "k", j, "leads.csv", 3, "", time.Now()); prev.Journal != j || prev.File != "leads.csv" {
		t.Fatalf("on the same machine: %+v", prev)
	}
	// The other machine records the outcome it found under the first one's names.
	if err := b.Created(ctx, "k", "42", prev.Journal, prev.File, prev.Row, ""); err != nil {
		t.Fatal(err)
	}
	if prev, _, _ := a2.Claim(ctx, "k", j, "x.csv", 9, "", time.Now()); prev.State != importer.LedgerCreated || prev.CustomerID != "42" || prev.Journal != j || prev.File != "leads.csv" {
		t.Fatalf("after Created: %+v", prev)
	}
}

// A claim is busy while its run holds the lease; a run that ends (Close) or crashes
// (no renewal) leaves it to the others.
func TestLeases(t *testing.T) {
	srv := redistest.Start(t, t.TempDir())
	ctx := context.Background()
	a := held(t, open(t, srv, testScope), "aaaa", 0)
	b := held(t, open(t, srv, testScope), "bbbb", 0)
	must3(t)(a.Claim(ctx, "k", "/j", "f.csv", 2, "", time.Now()))
	prev, _, _ := b.Claim(ctx, "k", "/j", "f.csv", 2, "", time.Now())
	if !b.Busy(prev) {
		t.Fatal("a running import's claim is not busy")
	}
	a.Close()
	if b.Busy(prev) {
		t.Fatal("a finished import's claim is busy")
	}

	// A crash: the lease is not renewed and runs out.
	c := held(t, open(t, srv, testScope), "cccc", 300*time.Millisecond)
	must3(t)(c.Claim(ctx, "k2", "/j", "f.csv", 3, "", time.Now()))
	c.mu.Lock()
	stop, done := c.stop, c.done
	c.stop = nil
	c.mu.Unlock()
	close(stop)
	<-done
	prev, _, _ = b.Claim(ctx, "k2", "/j", "f.csv", 3, "", time.Now())
	if !b.Busy(prev) {
		t.Fatal("busy right after the crash")
	}
	time.Sleep(400 * time.Millisecond)
	if b.Busy(prev) {
		t.Fatal("still busy after the lease ran out")
	}
	// The crashed run's claim stays a claim (an unknown outcome), which another takes.
	if err := b.Take(ctx, "k2", "/j", "f.csv", 3, time.Now()); err != nil {
		t.Fatal(err)
	}
	if prev, _, _ = held(t, a.st, "dddd", 0).Claim(ctx, "k2", "/j", "f.csv", 3, "", time.Now()); prev.Owner != b.run || prev.State != importer.LedgerSent {
		t.Fatalf("after Take: %+v", prev)
	}
}

// Release forgets only the run's own claim, never an outcome; Take never moves an
// outcome; CountCreated counts distinct created customers.
func TestReleaseTakeCount(t *testing.T) {
	srv := redistest.Start(t, t.TempDir())
	ctx := context.Background()
	a := held(t, open(t, srv, testScope), "aaaa", 0)
	b := held(t, open(t, srv, testScope), "bbbb", 0)
	must3(t)(a.Claim(ctx, "k", "/j", "f.csv", 2, "", time.Now()))
	if err := b.Release(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := b.Claim(ctx, "k", "/j", "f.csv", 2, "", time.Now()); ok {
		t.Fatal("another run's release freed the claim")
	}
	if err := a.Release(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := b.Claim(ctx, "k", "/j", "f.csv", 2, "", time.Now()); !ok {
		t.Fatal("the released customer cannot be claimed")
	}
	must(t, b.Created(ctx, "k", "1", "/j", "f.csv", 2, ""))
	must(t, a.Created(ctx, "k3", "3", "/j", "f.csv", 4, ""))
	must3(t)(a.Claim(ctx, "k4", "/j", "f.csv", 5, "", time.Now()))
	must(t, b.Release(ctx, "k"))
	must(t, b.Take(ctx, "k", "/other", "g.csv", 7, time.Now()))
	if prev, _, _ := a.Claim(ctx, "k", "/j", "f.csv", 2, "", time.Now()); prev.State != importer.LedgerCreated || prev.CustomerID != "1" {
		t.Fatalf("an outcome was released or taken: %+v", prev)
	}
	n, err := a.st.Ledger("x").CountCreated(ctx, []string{"k", "k", "k3", "k4", "nope"})
	if err != nil || n != 2 {
		t.Fatalf("CountCreated = %d %v, want 2", n, err)
	}
}

// Without a lease, or once its renewals fail (Redis gone), no customer is claimed.
func TestNoClaimWithoutALease(t *testing.T) {
	srv := redistest.Start(t, t.TempDir())
	ctx := context.Background()
	st := open(t, srv, testScope)
	if _, _, err := st.Ledger("aaaa").Claim(ctx, "k", "/j", "f.csv", 2, "", time.Now()); err == nil {
		t.Fatal("claimed without a lease")
	}
	l := held(t, st, "aaaa", 500*time.Millisecond)
	srv.Stop()
	time.Sleep(450 * time.Millisecond)
	_, _, err := l.Claim(ctx, "k", "/j", "f.csv", 2, "", time.Now())
	var un *UnavailableError
	if !errors.As(err, &un) {
		t.Fatalf("claim with a lapsed lease: %v", err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// must3 checks the error of a Claim.
func must3(t *testing.T) func(importer.LedgerEntry, bool, error) {
	return func(_ importer.LedgerEntry, _ bool, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
}

// The team's ledger keeps the facts contract of the SQLite one, across machines.
func TestLedgerFactsContract(t *testing.T) {
	srv := redistest.Start(t, t.TempDir())
	n := 0
	ledgertest.Facts(t, func(t *testing.T) (a, b ledgertest.Store) {
		n++
		scope := testScope
		scope.Login += string(rune('a' + n))
		return held(t, open(t, srv, scope), "aaaa", 0), held(t, open(t, srv, scope), "bbbb", 0)
	})
}

// A customer id is one customer's: another machine recording it for another customer
// is refused, and the first owner stays.
func TestCreatedOwnsTheID(t *testing.T) {
	srv := redistest.Start(t, t.TempDir())
	ctx := context.Background()
	a := held(t, open(t, srv, testScope), "aaaa", 0)
	b := held(t, open(t, srv, testScope), "bbbb", 0)
	if err := a.Created(ctx, "k1", "120", "/j1", "a.csv", 2, ""); err != nil {
		t.Fatal(err)
	}
	err := b.Created(ctx, "k2", "120", "/j2", "b.csv", 3, "")
	var owned *OwnedError
	if !errors.As(err, &owned) || owned.ID != "120" {
		t.Fatalf("a second owner of 120: %v", err)
	}
	if n, err := b.CountCreated(ctx, []string{"k1", "k2"}); n != 1 || err != nil {
		t.Fatalf("created %d, %v; want only k1", n, err)
	}
	if own, _ := a.OwnedByOther(ctx, "120", "k1"); own {
		t.Fatal("the first owner lost 120")
	}
	// The same customer recorded again (another machine's reconciliation) is fine.
	if err := b.Created(ctx, "k1", "120", "/j1", "a.csv", 2, ""); err != nil {
		t.Fatal(err)
	}
}
