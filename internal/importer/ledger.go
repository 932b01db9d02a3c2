package importer

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/crmctl/crmctl/internal/fields"
	"github.com/crmctl/crmctl/internal/i18n"
	"github.com/crmctl/crmctl/internal/sqlitefile"
)

// The ledger is what makes "never twice" hold across files. A journal belongs to one
// file's exact content, so an edited file (a fixed row, a BOM or CRLF line endings
// added by a spreadsheet, rows added below) starts a new journal that knows nothing.
// The ledger is one per profile and host and records every customer an import has sent
// or created, by identity: the pool, the name, the mobile and the telephone — what makes
// two rows of one file duplicates. Before a row is sent, it is claimed in the ledger;
// a row whose customer is already there is not sent again.
//
// With --allow-duplicates identical rows are distinct customers, so the identity also
// holds the row number: an edit that keeps the rows in place is still recognised.

// LedgerState is a customer's state in the ledger.
type LedgerState string

const (
	LedgerSent    LedgerState = "sent"    // claimed; the request may have gone out
	LedgerCreated LedgerState = "created" // the API answered with its id, or matching_name found it
)

// LedgerEntry is what the ledger knows of one customer.
type LedgerEntry struct {
	State      LedgerState
	CustomerID string
	Journal    string // the journal of the import that claimed it
	File       string // that import's file, for messages
	Row        int
	SentAt     time.Time
	// Owner is the run that made the claim, for Busy (a shared ledger's; "" otherwise).
	Owner string
	// Facts is what was known before the claim's request left (a ledger that records
	// them: FactsLedger); zero otherwise, which proves nothing new.
	Facts SendFacts
}

// LedgerStore is where the ledger lives: a file of this machine (Ledger), or a store
// shared by several machines (a team's Redis, internal/team). Claim is atomic: of two
// imports claiming one customer at once, one gets it.
type LedgerStore interface {
	// CountCreated returns how many of keys (distinct) are recorded as created.
	CountCreated(ctx context.Context, keys []string) (int, error)
	// Claim records that journal's row is about to send the customer key. claimed is
	// false when the ledger already has key; prev is then that entry.
	Claim(ctx context.Context, key, journal, file string, row int, name string, at time.Time) (prev LedgerEntry, claimed bool, err error)
	// Take moves a "sent" claim of an earlier import to journal's row.
	Take(ctx context.Context, key, journal, file string, row int, at time.Time) error
	// Created records the customer's id.
	Created(ctx context.Context, key, customerID, journal, file string, row int, name string) error
	// Release forgets a "sent" claim whose request was refused or never went out.
	Release(ctx context.Context, key string) error
	// Busy reports whether the import that made the claim prev is still running.
	Busy(prev LedgerEntry) bool
}

// Ledger is the profile's record of the customers imports have sent and created, in
// an SQLite file of this machine.
type Ledger struct {
	db   *sql.DB
	get  *sql.Stmt
	Path string
}

// DefaultLedgerPath is the ledger of a profile and host under the data folder.
func DefaultLedgerPath(dataDir string, m JournalMeta) string {
	h := sha256.Sum256([]byte(m.Profile + "\x00" + m.BaseURL))
	return filepath.Join(dataDir, "imports", "ledger-"+hex.EncodeToString(h[:10])+".db")
}

// ledgerFormats are the ledger's format versions (PRAGMA user_version), as for the
// journal.
var ledgerFormats = []string{ledgerSchema, ledgerV2}

// ledgerV2 records what was known before each claimed send (SendFacts), and indexes the
// customers by id.
const ledgerV2 = `
ALTER TABLE customers ADD COLUMN floor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN before_ids TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN checked INTEGER NOT NULL DEFAULT 0;
CREATE INDEX IF NOT EXISTS customers_id ON customers(customer_id);`

const ledgerSchema = `
CREATE TABLE IF NOT EXISTS customers (
	key         TEXT PRIMARY KEY,
	state       TEXT NOT NULL,
	customer_id TEXT NOT NULL DEFAULT '',
	journal     TEXT NOT NULL DEFAULT '',
	file        TEXT NOT NULL DEFAULT '',
	row         INTEGER NOT NULL DEFAULT 0,
	name        TEXT NOT NULL DEFAULT '',
	sent_at     INTEGER NOT NULL DEFAULT 0,
	updated_at  INTEGER NOT NULL DEFAULT 0
);`

// OpenLedger opens (creating it if needed) the ledger at path. Several imports may hold
// it at once: every change is one statement, and a claim is atomic.
func OpenLedger(ctx context.Context, path string) (*Ledger, error) {
	db, err := openPrivateDB(path)
	if err != nil {
		return nil, i18n.Errorf("ledger %s: %w", path, err)
	}
	if err := sqlitefile.Migrate(ctx, db, "ledger", path, ledgerFormats); err != nil {
		db.Close()
		return nil, i18n.Errorf("ledger %s: %w", path, err)
	}
	return prepareLedger(ctx, db, path)
}

func prepareLedger(ctx context.Context, db *sql.DB, path string) (*Ledger, error) {
	get, err := db.PrepareContext(ctx, `SELECT state, customer_id, journal, file, row, floor, before_ids, checked FROM customers WHERE key = ?`)
	if err != nil {
		db.Close()
		return nil, i18n.Errorf("ledger %s: %w", path, err)
	}
	return &Ledger{db: db, get: get, Path: path}, nil
}

// ReadLedger opens an existing ledger read-only (for --dry-run); nil when there is none.
func ReadLedger(ctx context.Context, path string) (*Ledger, error) {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	db, err := openDB(path, true)
	if err != nil {
		return nil, err
	}
	if err := sqlitefile.Check(ctx, db, "ledger", path, len(ledgerFormats)); err != nil {
		db.Close()
		return nil, err
	}
	// CountCreated only: a ledger of an older format is read as it is.
	return &Ledger{db: db, Path: path}, nil
}

// Close closes the ledger.
func (l *Ledger) Close() error {
	if l == nil {
		return nil
	}
	return l.db.Close()
}

// Get returns the entry of key; ok is false when the ledger has none.
func (l *Ledger) Get(ctx context.Context, key string) (e LedgerEntry, ok bool, err error) {
	var state, before string
	err = l.get.QueryRowContext(ctx, key).Scan(&state, &e.CustomerID, &e.Journal, &e.File, &e.Row, &e.Facts.Floor, &before, &e.Facts.Checked)
	if errors.Is(err, sql.ErrNoRows) {
		return e, false, nil
	}
	if err != nil {
		return e, false, i18n.Errorf("ledger %s: %w", l.Path, err)
	}
	e.State = LedgerState(state)
	e.Facts.Before = splitIDs(before)
	return e, true, nil
}

// CountCreated returns how many of keys (distinct) the ledger has as created. One
// query for the lot: --dry-run asks for every row of files with millions.
func (l *Ledger) CountCreated(ctx context.Context, keys []string) (int, error) {
	if len(keys) == 0 {
		return 0, nil
	}
	args := make([]any, len(keys))
	for i, k := range keys {
		args[i] = k
	}
	q := `SELECT COUNT(*) FROM customers WHERE state = 'created' AND key IN (?` + strings.Repeat(",?", len(keys)-1) + `)`
	var n int
	if err := l.db.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
		return 0, i18n.Errorf("ledger %s: %w", l.Path, err)
	}
	return n, nil
}

// Claim records that journal's row is about to send the customer key. claimed is false
// when the ledger already has key (sent or created by any import, this one included);
// prev is then that entry.
func (l *Ledger) Claim(ctx context.Context, key, journal, file string, row int, name string, at time.Time) (prev LedgerEntry, claimed bool, err error) {
	res, err := l.db.ExecContext(ctx, `INSERT INTO customers(key, state, journal, file, row, name, sent_at, updated_at)
		VALUES(?, 'sent', ?, ?, ?, ?, ?, ?) ON CONFLICT(key) DO NOTHING`,
		key, journal, file, row, name, at.UnixNano(), time.Now().UnixNano())
	if err != nil {
		return prev, false, i18n.Errorf("ledger %s: %w", l.Path, err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return prev, true, nil
	}
	prev, ok, err := l.Get(ctx, key)
	if err == nil && !ok {
		// Released between the two statements: claim it again.
		return l.Claim(ctx, key, journal, file, row, name, at)
	}
	return prev, false, err
}

// Take moves a "sent" claim of an earlier import to journal's row (that import's
// request was found not to have created the customer).
func (l *Ledger) Take(ctx context.Context, key, journal, file string, row int, at time.Time) error {
	return l.exec(ctx, `UPDATE customers SET journal=?, file=?, row=?, sent_at=?, updated_at=? WHERE key=? AND state='sent'`,
		journal, file, row, at.UnixNano(), time.Now().UnixNano(), key)
}

// FactsLedger is a ledger that also records what was known before each claimed send,
// tells which customers other rows own, and the highest customer id it knows: what a
// reconciliation without clocks needs from it (Ledger does; a store without them
// leaves these facts out, which can only make an outcome unknown, never adopt the
// wrong customer).
type FactsLedger interface {
	RecordFacts(ctx context.Context, key string, f SendFacts) error
	OwnedByOther(ctx context.Context, id, key string) (bool, error)
	MaxID(ctx context.Context) (int64, error)
}

// RecordFacts records, on key's "sent" claim, what was known before its request left.
func (l *Ledger) RecordFacts(ctx context.Context, key string, f SendFacts) error {
	return l.exec(ctx, `UPDATE customers SET floor=?, before_ids=?, checked=? WHERE key=? AND state='sent'`,
		f.Floor, f.before(), f.Checked, key)
}

// OwnedByOther reports whether a customer other than key's has id.
func (l *Ledger) OwnedByOther(ctx context.Context, id, key string) (bool, error) {
	var n int
	if err := l.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM customers WHERE customer_id = ? AND key != ?`, id, key).Scan(&n); err != nil {
		return false, i18n.Errorf("ledger %s: %w", l.Path, err)
	}
	return n > 0, nil
}

// MaxID is the highest customer id the ledger knows to exist (for the profile: ids are
// the CRM's, whichever import saw them).
func (l *Ledger) MaxID(ctx context.Context) (int64, error) {
	var n sql.NullInt64
	err := l.db.QueryRowContext(ctx, `SELECT MAX(COALESCE(MAX(CASE WHEN customer_id GLOB '[0-9]*' THEN CAST(customer_id AS INTEGER) END), 0), COALESCE(MAX(floor), 0)) FROM customers`).Scan(&n)
	if err != nil {
		return 0, i18n.Errorf("ledger %s: %w", l.Path, err)
	}
	return n.Int64, nil
}

// Created records the customer's id for journal's row.
func (l *Ledger) Created(ctx context.Context, key, customerID, journal, file string, row int, name string) error {
	now := time.Now().UnixNano()
	return l.exec(ctx, `INSERT INTO customers(key, state, customer_id, journal, file, row, name, sent_at, updated_at)
		VALUES(?, 'created', ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(key) DO UPDATE SET state='created', customer_id=excluded.customer_id, updated_at=excluded.updated_at`,
		key, customerID, journal, file, row, name, now, now)
}

// Busy reports whether an import of this machine holds the journal that made the claim.
func (l *Ledger) Busy(prev LedgerEntry) bool { return importRunning(prev.Journal) }

// Release forgets a "sent" claim whose request was refused or never went out.
func (l *Ledger) Release(ctx context.Context, key string) error {
	return l.exec(ctx, `DELETE FROM customers WHERE key=? AND state='sent'`, key)
}

func (l *Ledger) exec(ctx context.Context, q string, args ...any) error {
	if _, err := l.db.ExecContext(ctx, q, args...); err != nil {
		return i18n.Errorf("ledger %s: %w", l.Path, err)
	}
	return nil
}

// identity is what makes two rows the same customer: the name, and the mobile and the
// telephone with spaces and dashes ignored.
func identity(vals fields.Values) (name, phone, tel string) {
	num := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r == ' ' || r == '-' || r == '\u3000' {
				return -1
			}
			return r
		}, s)
	}
	return strings.TrimSpace(vals["name"]), num(vals["address_attributes[phone]"]), num(vals["address_attributes[tel]"])
}

// ledgerKey is a row's customer in the ledger: its pool and identity, and its row when
// identical rows are distinct customers.
func ledgerKey(v *Verdict, withRow bool) string {
	name, phone, tel := identity(v.Values)
	s := v.Values["common_id"] + "\x00" + name + "\x00" + phone + "\x00" + tel
	if withRow {
		s += "\x00" + strconv.Itoa(v.Row)
	}
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}
