package sandbox

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/crmctl/crmctl/internal/sqlitefile"
)

// TestStoreAtAnyPath: a data folder whose name holds #, ? and % keeps the store inside
// it, owner-only, and what one server created the next one reads.
func TestStoreAtAnyPath(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "sb#1?mode=memory&x=%41")
	s := openDir(t, dir)
	tok := defaultToken(t, s)
	id := idOf(t, postForm(t, s, tok, "common_id=45&customer[name]=路径客户").data(t))
	s.Close()
	st, err := os.Stat(filepath.Join(dir, DBFile))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("store: %v %v", st, err)
	}
	if ents, _ := os.ReadDir(parent); len(ents) != 1 {
		t.Fatalf("stray files beside the data folder: %v", ents)
	}
	s2 := openDir(t, dir)
	if c := get(t, s2, defaultToken(t, s2), "/api/v2/common_customers/"+str(id)).code(t); c != 0 {
		t.Fatalf("customer %d not found again: code %d", id, c)
	}
}

// TestStoreFormatVersion: the store records its format; an older one (no version) is
// adopted, a newer one refused.
func TestStoreFormatVersion(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openDir(t, dir)
	s.Close()
	raw := func() *sql.DB {
		dsn, _ := sqlitefile.DSN(filepath.Join(dir, DBFile), nil)
		db, err := sql.Open("sqlite", dsn)
		if err != nil {
			t.Fatal(err)
		}
		return db
	}
	db := raw()
	if v, _ := sqlitefile.UserVersion(ctx, db); v != storeFormat {
		t.Fatalf("version %d, want %d", v, storeFormat)
	}
	_ = sqlitefile.SetUserVersion(ctx, db, 0) // as before versions
	db.Close()
	openDir(t, dir).Close()
	db = raw()
	if v, _ := sqlitefile.UserVersion(ctx, db); v != storeFormat {
		t.Fatalf("a store from before versions: version %d, want %d", v, storeFormat)
	}
	_ = sqlitefile.SetUserVersion(ctx, db, storeFormat+1)
	db.Close()
	_, err := Open(Options{DataDir: dir})
	var ne *sqlitefile.NewerError
	if !errors.As(err, &ne) {
		t.Fatalf("a newer store: %v", err)
	}
}
