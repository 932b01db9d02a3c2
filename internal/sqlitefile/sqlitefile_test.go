package sqlitefile

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"

	_ "modernc.org/sqlite"
)

// oddDir is a folder whose name SQLite would read as a URI (a query, a fragment, an
// escape) if the path were given as it is.
func oddDir(t *testing.T) (parent, dir string) {
	t.Helper()
	parent = t.TempDir()
	dir = filepath.Join(parent, "data#1?x=y%41 z")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	return parent, dir
}

func TestDSNKeepsEveryCharacterOfThePath(t *testing.T) {
	parent, dir := oddDir(t)
	path := filepath.Join(dir, "store#?%.db")
	dsn, err := DSN(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE t (x)`); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the store is not at its path: %v", err)
	}
	if ents, _ := os.ReadDir(parent); len(ents) != 1 {
		t.Fatalf("stray files beside the data folder: %v", ents)
	}
}

func TestMigrate(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "s.db")
	dsn, _ := DSN(path, nil)
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// A store from before versions: version 0, with the first format's table.
	if _, err := db.Exec(`CREATE TABLE t (a)`); err != nil {
		t.Fatal(err)
	}
	steps := []string{`CREATE TABLE IF NOT EXISTS t (a)`, `ALTER TABLE t ADD COLUMN b NOT NULL DEFAULT 0`}
	if err := Migrate(ctx, db, "store", path, steps); err != nil {
		t.Fatal(err)
	}
	if v, _ := UserVersion(ctx, db); v != 2 {
		t.Fatalf("version %d, want 2", v)
	}
	if _, err := db.Exec(`INSERT INTO t(a, b) VALUES(1, 2)`); err != nil {
		t.Fatalf("migrated table: %v", err)
	}
	// Again: nothing to do.
	if err := Migrate(ctx, db, "store", path, steps); err != nil {
		t.Fatal(err)
	}
	// Newer: refused, never misread.
	if err := SetUserVersion(ctx, db, 3); err != nil {
		t.Fatal(err)
	}
	var ne *NewerError
	if err := Migrate(ctx, db, "store", path, steps); !errors.As(err, &ne) || ne.Have != 3 || ne.Know != 2 {
		t.Fatalf("newer store: %v", err)
	}
	if err := Check(ctx, db, "store", path, 2); !errors.As(err, &ne) {
		t.Fatalf("Check of a newer store: %v", err)
	}
}
