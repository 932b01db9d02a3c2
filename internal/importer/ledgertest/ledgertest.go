// Package ledgertest is the contract every importer.FactsLedger keeps, run by the tests
// of each implementation (the SQLite ledger of a machine, a team's Redis). Only tests
// import it.
package ledgertest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/crmctl/crmctl/internal/importer"
)

// Store is a ledger that records facts.
type Store interface {
	importer.LedgerStore
	importer.FactsLedger
}

// Facts runs the contract against the ledgers open returns: two fresh ledgers sharing
// their records (two machines of a team, or two imports of one machine).
func Facts(t *testing.T, open func(t *testing.T) (a, b Store)) {
	t.Run("facts travel with the claim", func(t *testing.T) { factsTravelWithTheClaim(t, open) })
	t.Run("ownership and the highest id", func(t *testing.T) { ownershipAndTheHighestID(t, open) })
}

// The journals of the two imports.
const j1, j2 = "/data/imports/import-1.db", "/data/imports/import-2.db"

// factsTravelWithTheClaim: the facts one ledger records on a claim are what the other
// sees when it finds the customer claimed, and they raise the highest id.
func factsTravelWithTheClaim(t *testing.T, open func(t *testing.T) (a, b Store)) {
	ctx := context.Background()
	a, b := open(t)
	if n, err := a.MaxID(ctx); n != 0 || err != nil {
		t.Fatalf("MaxID of an empty ledger = %d, %v", n, err)
	}
	if _, ok, err := a.Claim(ctx, "k1", j1, "a.csv", 2, "甲", time.Now()); !ok || err != nil {
		t.Fatal(ok, err)
	}
	want := importer.SendFacts{Floor: 100, Before: []string{"5", "7"}, Checked: true}
	if err := a.RecordFacts(ctx, "k1", want); err != nil {
		t.Fatal(err)
	}
	prev, ok, err := b.Claim(ctx, "k1", j2, "b.csv", 9, "甲", time.Now())
	if ok || err != nil {
		t.Fatal(ok, err)
	}
	if prev.State != importer.LedgerSent || prev.Facts.Floor != 100 || !prev.Facts.Checked || !slices.Equal(prev.Facts.Before, want.Before) {
		t.Fatalf("the other ledger sees the claim as %+v", prev)
	}
	if n, err := b.MaxID(ctx); n != 100 || err != nil {
		t.Fatalf("MaxID after a floor of 100 = %d, %v", n, err)
	}
}

// ownershipAndTheHighestID: a created customer belongs to its key; the highest id is the
// highest of the customers created and the floors recorded, and never goes down; facts
// never change an outcome.
func ownershipAndTheHighestID(t *testing.T, open func(t *testing.T) (a, b Store)) {
	ctx := context.Background()
	a, b := open(t)
	if _, ok, err := a.Claim(ctx, "k1", j1, "a.csv", 2, "甲", time.Now()); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if err := a.RecordFacts(ctx, "k1", importer.SendFacts{Floor: 100}); err != nil {
		t.Fatal(err)
	}
	if err := a.Created(ctx, "k1", "120", j1, "a.csv", 2, "甲"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		id, key string
		want    bool
	}{{"120", "k1", false}, {"120", "k2", true}, {"121", "k2", false}} {
		if own, err := b.OwnedByOther(ctx, c.id, c.key); own != c.want || err != nil {
			t.Errorf("OwnedByOther(%s, %s) = %v, %v; want %v", c.id, c.key, own, err, c.want)
		}
	}
	if n, err := b.MaxID(ctx); n != 120 || err != nil {
		t.Fatalf("MaxID after customer 120 = %d, %v", n, err)
	}
	// A lower floor, recorded later, never lowers it.
	if _, ok, err := b.Claim(ctx, "k2", j2, "b.csv", 3, "乙", time.Now()); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if err := b.RecordFacts(ctx, "k2", importer.SendFacts{Floor: 50, Checked: true}); err != nil {
		t.Fatal(err)
	}
	if n, err := a.MaxID(ctx); n != 120 || err != nil {
		t.Fatalf("MaxID after a floor of 50 = %d, %v", n, err)
	}
	// Facts are kept on claims only: an outcome is not changed by them.
	if err := b.RecordFacts(ctx, "k1", importer.SendFacts{Floor: 7}); err != nil {
		t.Fatal(err)
	}
	prev, ok, err := b.Claim(ctx, "k1", j2, "b.csv", 4, "甲", time.Now())
	if ok || err != nil || prev.State != importer.LedgerCreated || prev.CustomerID != "120" {
		t.Fatalf("the outcome after facts: %+v %v %v", prev, ok, err)
	}
}
