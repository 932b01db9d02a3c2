package importer

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"path/filepath"
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
)

// Entry is a row's journal entry.
type Entry struct {
	Row        int
	State      State
	Name       string
	CustomerID string
	Code       int
	Message    string
	SentAt     time.Time
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

	get, sent, created, failed, reset, adopt *sql.Stmt
}

// journalFormats are the journal's format versions (PRAGMA user_version): each entry
// turns the previous version into the next. A journal made before formats were versioned
// reads as 0 and has the first format's tables.
var journalFormats = []string{journalSchema}

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
	j.get = prep(`SELECT state, name, customer_id, code, message, sent_at FROM rows WHERE row = ?`)
	j.sent = prep(`INSERT INTO rows(row, state, name, sent_at, attempts, updated_at) VALUES(?, 'sent', ?, ?, 1, ?)
		ON CONFLICT(row) DO UPDATE SET state='sent', name=excluded.name, sent_at=excluded.sent_at, attempts=attempts+1, code=0, message='', updated_at=excluded.updated_at`)
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
	if _, err := os.Stat(path); err != nil {
		return nil, nil
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
	if j.get, err = db.PrepareContext(ctx, `SELECT state, name, customer_id, code, message, sent_at FROM rows WHERE row = ?`); err != nil {
		db.Close()
		return nil, i18n.Errorf("journal %s: %w", path, err)
	}
	return j, nil
}

// Get returns a row's entry; a row without one is pending.
func (j *Journal) Get(ctx context.Context, row int) (Entry, error) {
	e := Entry{Row: row, State: StatePending}
	var state string
	var sentAt int64
	err := j.get.QueryRowContext(ctx, row).Scan(&state, &e.Name, &e.CustomerID, &e.Code, &e.Message, &sentAt)
	if errors.Is(err, sql.ErrNoRows) {
		return e, nil
	}
	if err != nil {
		return e, i18n.Errorf("journal: %w", err)
	}
	e.State = State(state)
	if sentAt > 0 {
		e.SentAt = time.Unix(0, sentAt)
	}
	return e, nil
}

// MarkSent commits that row's request is about to go out. It is called before the
// request, so that a crash at any later point leaves the row "sent", never "pending".
func (j *Journal) MarkSent(ctx context.Context, row int, name string, at time.Time) error {
	return j.exec(ctx, j.sent, row, name, at.UnixNano(), time.Now().UnixNano())
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
