// Package sqlitefile opens crmctl's SQLite stores (the import journal and ledger, the
// sandbox) by their file path, whatever characters it holds, and versions their format.
package sqlitefile

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/crmctl/crmctl/internal/i18n"
)

// DSN is the modernc.org/sqlite data source name of the database file at path, with the
// driver's parameters. It is a file: URI (the driver passes those to SQLite whole) whose
// path is percent-escaped: as a plain name, a "?" in the path would start the
// parameters, and in a URI a "#" ends the path and a "%" escapes, so a data folder named
// "a#b" would send the store to a stray file "a".
func DSN(path string, params url.Values) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("file://")
	for i := 0; i < len(abs); i++ {
		c := abs[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '/', c == '-', c == '.', c == '_', c == '~':
			b.WriteByte(c)
		case c == filepath.Separator:
			b.WriteByte('/')
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	if len(params) > 0 {
		b.WriteString("?")
		b.WriteString(params.Encode())
	}
	return b.String(), nil
}

// Queryer is what UserVersion reads with: a *sql.DB, *sql.Conn or *sql.Tx.
type Queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// UserVersion reads the store's format version (PRAGMA user_version; 0 for a store
// made before formats were versioned, or a new empty one).
func UserVersion(ctx context.Context, q Queryer) (int, error) {
	var v int
	err := q.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&v)
	return v, err
}

// SetUserVersion records the store's format version.
func SetUserVersion(ctx context.Context, q Queryer, v int) error {
	_, err := q.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, v)) // i18n:keep: SQL
	return err
}

// NewerError is a store written by a newer crmctl, in a format this one cannot read.
type NewerError struct {
	What, Path string
	Have, Know int
}

func (e *NewerError) Error() string { return e.Localize(i18n.New(i18n.English)) }

// Localize renders the error in p's language.
func (e *NewerError) Localize(p *i18n.Printer) string {
	return p.Sprintf("%s %s has format version %d, newer than this crmctl reads (up to %d): "+
		"upgrade crmctl, or move the file away to start afresh", e.What, e.Path, e.Have, e.Know)
}

// Migrate brings the store at path (named what in messages) to format version
// len(steps): steps[i] is the SQL that turns version i into version i+1 (steps[0]
// creates the store, with CREATE ... IF NOT EXISTS, so that a store made before formats
// were versioned, which reads as version 0, is adopted). It runs in one immediate
// transaction, so processes opening the store at once migrate it once. A store of a
// newer version is refused (*NewerError), never misread.
func Migrate(ctx context.Context, db *sql.DB, what, path string, steps []string) (err error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_, _ = conn.ExecContext(context.WithoutCancel(ctx), `ROLLBACK`)
		}
	}()
	have, err := UserVersion(ctx, conn)
	if err != nil {
		return err
	}
	if have > len(steps) {
		return &NewerError{What: what, Path: path, Have: have, Know: len(steps)}
	}
	for v := have; v < len(steps); v++ {
		if _, err := conn.ExecContext(ctx, steps[v]); err != nil {
			return i18n.Errorf("%s %s: migrating format %d to %d: %w", what, path, v, v+1, err)
		}
	}
	if have < len(steps) {
		if err := SetUserVersion(ctx, conn, len(steps)); err != nil {
			return err
		}
	}
	_, err = conn.ExecContext(ctx, `COMMIT`)
	return err
}

// Check refuses a store opened read-only whose format is newer than know.
func Check(ctx context.Context, q Queryer, what, path string, know int) error {
	have, err := UserVersion(ctx, q)
	if err != nil {
		return err
	}
	if have > know {
		return &NewerError{What: what, Path: path, Have: have, Know: know}
	}
	return nil
}
