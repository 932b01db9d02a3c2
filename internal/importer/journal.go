package importer

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gofrs/flock"
	_ "modernc.org/sqlite" // the pure-Go SQLite driver

	"github.com/crmctl/crmctl/internal/i18n"
	"github.com/crmctl/crmctl/internal/sqlitefile"
)

// State is a row's state in the journal.
type State string

const (
	StatePending State = "pending" // not attempted (rows without an entry are pending)
	StateSent    State = "sent"    // the request may have gone out; no answer recorded
	StateCreated State = "created" // the API answered with the new customer's id
	StateFailed  State = "failed"  // the API refused the row (code, message)
	// StateUnknown: sent, no usable answer, and the facts do not tell whether the CRM
	// created the customer (several candidates, or one that cannot be proven the row's).
	// Such a row is checked again on each run, never adopted on a guess, and sent again
	// only with --retry-unknown.
	StateUnknown State = "unknown"
)

// SendFacts is what was known, before a row's request left, of the customers that
// existed: it is what tells, afterwards, a customer the request made from one that was
// there already (api.Sent).
type SendFacts struct {
	Floor   int64    // the highest customer id known to exist
	Before  []string // the ids a matching_name of the row's name showed
	Checked bool     // such a matching_name was made (Before may be empty)
}

func (f SendFacts) before() string { return strings.Join(f.Before, ",") }

func splitIDs(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// Entry is a row's journal entry.
type Entry struct {
	Row        int
	State      State
	Name       string
	CustomerID string
	Code       int
	Message    string
	Facts      SendFacts // of the last send
}

// JournalMeta identifies what a journal is for: a journal is never reused for another
// file, pool or profile.
type JournalMeta struct {
	Profile string
	BaseURL string
	Pool    string // the resolved --pool ("" when the file names the pool per row)
	FileSum string // hex SHA-256 of the file's content
	File    string // the path, for messages
}

// JournalKey is the name of the default journal of meta: a hash of profile, host, pool
// and content.
func JournalKey(m JournalMeta) string {
	h := sha256.Sum256([]byte(m.Profile + "\x00" + m.BaseURL + "\x00" + m.Pool + "\x00" + m.FileSum))
	return hex.EncodeToString(h[:10])
}

// DefaultJournalPath is the journal's path under the data folder.
func DefaultJournalPath(dataDir string, m JournalMeta) string {
	return filepath.Join(dataDir, "imports", "import-"+JournalKey(m)+".db")
}

// ErrJournalBusy means another process is importing with the same journal.
var ErrJournalBusy = i18n.Errorf("another crmctl import is running with this journal")

// Journal records each row's outcome, committed before and after each request.
type Journal struct {
	db   *sql.DB
	lock *flock.Flock
	Path string

	get, sent, created, failed, reset, adopt, unknown, owned *sql.Stmt
}

const journalGet = `SELECT state, name, customer_id, code, message, floor, before_ids, checked FROM rows WHERE row = ?`

// journalFormats are the journal's format versions (PRAGMA user_version): each entry
// turns the previous version into the next. A journal made before formats were versioned
// reads as 0 and has the first format's tables.
var journalFormats = []string{journalSchema, journalV2}

// journalV2 records what was known before each send (SendFacts), for a reconciliation
// without clocks, and indexes the customers the rows own.
const journalV2 = `
ALTER TABLE rows ADD COLUMN floor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rows ADD COLUMN before_ids TEXT NOT NULL DEFAULT '';
ALTER TABLE rows ADD COLUMN checked INTEGER NOT NULL DEFAULT 0;
CREATE INDEX IF NOT EXISTS rows_customer ON rows(customer_id);`

const journalSchema = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rows (
	row         INTEGER PRIMARY KEY,
	state       TEXT NOT NULL,
	name        TEXT NOT NULL DEFAULT '',
	customer_id TEXT NOT NULL DEFAULT '',
	code        INTEGER NOT NULL DEFAULT 0,
	message     TEXT NOT NULL DEFAULT '',
	sent_at     INTEGER NOT NULL DEFAULT 0,
	attempts    INTEGER NOT NULL DEFAULT 0,
	updated_at  INTEGER NOT NULL DEFAULT 0
);`

// openDB opens the store at path by its file path, whatever characters it holds.
func openDB(path string, readOnly bool) (*sql.DB, error) {
	params := url.Values{"_pragma": {"busy_timeout(5000)", "journal_mode(WAL)", "synchronous(FULL)"}}
	if readOnly {
		params = url.Values{"mode": {"ro"}, "_pragma": {"busy_timeout(5000)"}}
	}
	dsn, err := sqlitefile.DSN(path, params)
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// OpenJournal opens (creating it if needed) the journal at path for meta, and holds it
// exclusively until Close: two imports of the same file cannot run at once.
func OpenJournal(ctx context.Context, path string, m JournalMeta) (*Journal, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, i18n.Errorf("journal: %w", err)
	}
	lk := flock.New(path + ".lock")
	ok, err := lk.TryLock()
	if err != nil {
		return nil, i18n.Errorf("journal: lock %s: %w", lk.Path(), err)
	}
	if !ok {
		return nil, i18n.Errorf("%w (%s)", ErrJournalBusy, path)
	}
	j, err := openJournal(ctx, path, m)
	if err != nil {
		_ = lk.Unlock()
		return nil, err
	}
	j.lock = lk
	return j, nil
}

// openPrivateDB opens (creating it if needed) a store of customer names, which are
// personal data: the file (and SQLite's -wal and -shm files, which copy its mode) is
// readable by its owner only, in a folder of the owner's.
func openPrivateDB(path string) (*sql.DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	if fh, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600); err == nil {
		fh.Close()
	}
	return openDB(path, false)
}

func openJournal(ctx context.Context, path string, m JournalMeta) (*Journal, error) {
	db, err := openPrivateDB(path)
	if err != nil {
		return nil, i18n.Errorf("journal %s: %w", path, err)
	}
	fail := func(err error) (*Journal, error) {
		db.Close()
		return nil, i18n.Errorf("journal %s: %w", path, err)
	}
	if err := sqlitefile.Migrate(ctx, db, "journal", path, journalFormats); err != nil {
		return fail(err)
	}
	want := map[string]string{"profile": m.Profile, "base_url": m.BaseURL, "pool": m.Pool, "file_sha256": m.FileSum}
	have := map[string]string{}
	rs, err := db.QueryContext(ctx, `SELECT key, value FROM meta`)
	if err != nil {
		return fail(err)
	}
	for rs.Next() {
		var k, v string
		if err := rs.Scan(&k, &v); err != nil {
			rs.Close()
			return fail(err)
		}
		have[k] = v
	}
	rs.Close()
	if len(have) == 0 {
		for k, v := range want {
			if _, err := db.ExecContext(ctx, `INSERT INTO meta(key, value) VALUES(?, ?)`, k, v); err != nil {
				return fail(err)
			}
		}
		_, _ = db.ExecContext(ctx, `INSERT INTO meta(key, value) VALUES('file', ?), ('created_at', ?)`, m.File, time.Now().UTC().Format(time.RFC3339))
	} else {
		for k, v := range want {
			if have[k] != v {
				return fail(i18n.Errorf("it was written for another import (%s %q, not %q): choose another --journal", k, have[k], v))
			}
		}
	}
	j := &Journal{db: db, Path: path}
	prep := func(q string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var s *sql.Stmt
		s, err = db.PrepareContext(ctx, q)
		return s
	}
	j.get = prep(journalGet)
	j.sent = prep(`INSERT INTO rows(row, state, name, sent_at, attempts, updated_at, floor, before_ids, checked) VALUES(?, 'sent', ?, ?, 1, ?, ?, ?, ?)
		ON CONFLICT(row) DO UPDATE SET state='sent', name=excluded.name, sent_at=excluded.sent_at, attempts=attempts+1, code=0, message='',
		updated_at=excluded.updated_at, floor=excluded.floor, before_ids=excluded.before_ids, checked=excluded.checked`)
	j.unknown = prep(`UPDATE rows SET state='unknown', message=?, updated_at=? WHERE row=?`)
	j.owned = prep(`SELECT COUNT(*) FROM rows WHERE customer_id = ? AND row != ?`)
	j.created = prep(`UPDATE rows SET state='created', customer_id=?, code=0, message=?, updated_at=? WHERE row=?`)
	j.failed = prep(`UPDATE rows SET state='failed', code=?, message=?, updated_at=? WHERE row=?`)
	j.reset = prep(`DELETE FROM rows WHERE row=? AND state='sent'`)
	j.adopt = prep(`INSERT INTO rows(row, state, name, customer_id, message, updated_at) VALUES(?, 'created', ?, ?, ?, ?)
		ON CONFLICT(row) DO UPDATE SET state='created', name=excluded.name, customer_id=excluded.customer_id, code=0, message=excluded.message, updated_at=excluded.updated_at`)
	if err != nil {
		return fail(err)
	}
	return j, nil
}

// ReadJournal opens an existing journal read-only (for --dry-run); nil when there is none.
func ReadJournal(ctx context.Context, path string) (*Journal, error) {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	db, err := openDB(path, true)
	if err != nil {
		return nil, err
	}
	if err := sqlitefile.Check(ctx, db, "journal", path, len(journalFormats)); err != nil {
		db.Close()
		return nil, err
	}
	j := &Journal{db: db, Path: path}
	// A journal of an older format is read as it is: Counts work, Get does not.
	j.get, _ = db.PrepareContext(ctx, journalGet)
	return j, nil
}

// Get returns a row's entry; a row without one is pending.
func (j *Journal) Get(ctx context.Context, row int) (Entry, error) {
	e := Entry{Row: row, State: StatePending}
	if j.get == nil {
		return e, i18n.Errorf("journal %s: an older format, opened read-only", j.Path)
	}
	var state, before string
	err := j.get.QueryRowContext(ctx, row).Scan(&state, &e.Name, &e.CustomerID, &e.Code, &e.Message, &e.Facts.Floor, &before, &e.Facts.Checked)
	if errors.Is(err, sql.ErrNoRows) {
		return e, nil
	}
	if err != nil {
		return e, i18n.Errorf("journal: %w", err)
	}
	e.State = State(state)
	e.Facts.Before = splitIDs(before)
	return e, nil
}

// MarkSent commits that row's request is about to go out, with what was known before
// it (f). It is called before the request, so that a crash at any later point leaves
// the row "sent", never "pending".
func (j *Journal) MarkSent(ctx context.Context, row int, name string, f SendFacts) error {
	now := time.Now().UnixNano()
	return j.exec(ctx, j.sent, row, name, now, now, f.Floor, f.before(), f.Checked)
}

// MarkUnknown records that what row's request did cannot be told (message: the
// candidates).
func (j *Journal) MarkUnknown(ctx context.Context, row int, message string) error {
	return j.exec(ctx, j.unknown, message, time.Now().UnixNano(), row)
}

// OwnedByOther reports whether a row other than row has customer id.
func (j *Journal) OwnedByOther(ctx context.Context, id string, row int) (bool, error) {
	var n int
	if err := j.owned.QueryRowContext(ctx, id, row).Scan(&n); err != nil {
		return false, i18n.Errorf("journal: %w", err)
	}
	return n > 0, nil
}

// MaxID is the highest customer id the journal knows to exist: created by its rows, or
// a floor recorded before a send.
func (j *Journal) MaxID(ctx context.Context) (int64, error) {
	var n sql.NullInt64
	err := j.db.QueryRowContext(ctx, `SELECT MAX(COALESCE(MAX(CASE WHEN customer_id GLOB '[0-9]*' THEN CAST(customer_id AS INTEGER) END), 0), COALESCE(MAX(floor), 0)) FROM rows`).Scan(&n)
	if err != nil {
		return 0, i18n.Errorf("journal: %w", err)
	}
	return n.Int64, nil
}

// MarkCreated records the customer the API created for row.
func (j *Journal) MarkCreated(ctx context.Context, row int, customerID, note string) error {
	return j.exec(ctx, j.created, customerID, note, time.Now().UnixNano(), row)
}

// MarkCreatedEarlier records that row's customer was created by another import (found
// in the ledger): nothing was sent for it.
func (j *Journal) MarkCreatedEarlier(ctx context.Context, row int, name, customerID, note string) error {
	return j.exec(ctx, j.adopt, row, name, customerID, note, time.Now().UnixNano())
}

// MarkFailed records the API's refusal of row.
func (j *Journal) MarkFailed(ctx context.Context, row int, code int, message string) error {
	return j.exec(ctx, j.failed, code, message, time.Now().UnixNano(), row)
}

// Unsend returns a "sent" row to pending: its request certainly did not reach the API.
func (j *Journal) Unsend(ctx context.Context, row int) error {
	return j.exec(ctx, j.reset, row)
}

func (j *Journal) exec(ctx context.Context, s *sql.Stmt, args ...any) error {
	if _, err := s.ExecContext(ctx, args...); err != nil {
		return i18n.Errorf("journal %s: %w", j.Path, err)
	}
	return nil
}

// Counts returns the number of rows in each recorded state.
func (j *Journal) Counts(ctx context.Context) (map[State]int, error) {
	out := map[State]int{}
	rs, err := j.db.QueryContext(ctx, `SELECT state, COUNT(*) FROM rows GROUP BY state`)
	if err != nil {
		return nil, i18n.Errorf("journal: %w", err)
	}
	defer rs.Close()
	for rs.Next() {
		var s string
		var n int
		if err := rs.Scan(&s, &n); err != nil {
			return nil, err
		}
		out[State(s)] = n
	}
	return out, rs.Err()
}

// Close closes the journal and releases it.
func (j *Journal) Close() error {
	if j == nil {
		return nil
	}
	err := j.db.Close()
	if j.lock != nil {
		_ = j.lock.Unlock()
	}
	return err
}
