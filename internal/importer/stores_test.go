package importer

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/crmctl/crmctl/internal/sqlitefile"
)

// TestStoresOpenByTheirPath: a data folder whose name holds #, ? and % (which SQLite
// reads in a URI) keeps the journal and the ledger inside it, owner-only.
func TestStoresOpenByTheirPath(t *testing.T) {
	ctx := context.Background()
	parent := t.TempDir()
	dir := filepath.Join(parent, "数据#1?mode=ro&x=%41 z")
	meta := JournalMeta{Profile: "default", BaseURL: "http://x", Pool: "45", FileSum: "abc"}
	jpath := DefaultJournalPath(dir, meta)
	j, err := OpenJournal(ctx, jpath, meta)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.MarkSent(ctx, 2, "甲", SendFacts{Floor: 7}); err != nil {
		t.Fatal(err)
	}
	j.Close()
	lpath := DefaultLedgerPath(dir, meta)
	l, err := OpenLedger(ctx, lpath)
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	for _, p := range []string{jpath, lpath} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatalf("store not at its path: %v", err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", p, st.Mode().Perm())
		}
	}
	if ents, _ := os.ReadDir(parent); len(ents) != 1 {
		t.Fatalf("stray files beside the data folder: %v", ents)
	}
	j, err = OpenJournal(ctx, jpath, meta)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if e, _ := j.Get(ctx, 2); e.State != StateSent {
		t.Fatalf("reopened journal lost the row: %+v", e)
	}
}

// TestStoreFormats: journals and ledgers carry their format version; one made before
// versions is migrated, a newer one refused.
func TestStoreFormats(t *testing.T) {
	ctx := context.Background()
	meta := JournalMeta{Profile: "default", BaseURL: "http://x", Pool: "45", FileSum: "abc"}
	for _, c := range []struct {
		what    string
		legacy  string
		formats []string
		open    func(path string) (func(), error)
	}{
		{"journal", journalSchema, journalFormats, func(p string) (func(), error) {
			j, err := OpenJournal(ctx, p, meta)
			return func() { j.Close() }, err
		}},
		{"ledger", ledgerSchema, ledgerFormats, func(p string) (func(), error) {
			l, err := OpenLedger(ctx, p)
			return func() { l.Close() }, err
		}},
	} {
		t.Run(c.what, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), c.what+".db")
			raw := func() *sql.DB {
				db, err := openDB(path, false)
				if err != nil {
					t.Fatal(err)
				}
				return db
			}
			db := raw()
			if _, err := db.Exec(c.legacy); err != nil { // version 0, the first format
				t.Fatal(err)
			}
			db.Close()
			done, err := c.open(path)
			if err != nil {
				t.Fatalf("a store from before versions: %v", err)
			}
			done()
			db = raw()
			if v, _ := sqlitefile.UserVersion(ctx, db); v != len(c.formats) {
				t.Fatalf("version %d after opening, want %d", v, len(c.formats))
			}
			_ = sqlitefile.SetUserVersion(ctx, db, len(c.formats)+1)
			db.Close()
			var ne *sqlitefile.NewerError
			if _, err := c.open(path); !errors.As(err, &ne) {
				t.Fatalf("a newer store: %v", err)
			}
		})
	}
}
