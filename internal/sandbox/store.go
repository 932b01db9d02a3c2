package sandbox

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver (pure Go)

	"github.com/crmctl/crmctl/internal/sqlitefile"
)

// DBFile is the name of the store inside Options.DataDir.
const DBFile = "sandbox.db"

// First ids handed out; AUTOINCREMENT guarantees an id is never given twice, even after
// Reset (which keeps the sequences) or when several processes share the file.
const (
	firstCustomerID = 100001
	firstContactID  = 500001
	firstAddressID  = 900001
	firstOppID      = 700001
)

// storeFormat is the store's format version (PRAGMA user_version). A store made before
// formats were versioned reads as 0 and has this format's tables: it is adopted. A newer
// one is refused.
const storeFormat = 1

const schema = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS customers (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	common_id INTEGER NOT NULL,
	name TEXT NOT NULL,
	user_id INTEGER NOT NULL,
	data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS customers_name ON customers(name);
CREATE TABLE IF NOT EXISTS contacts (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	customer_id INTEGER NOT NULL,
	data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS contacts_customer ON contacts(customer_id);
CREATE TABLE IF NOT EXISTS opportunities (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	customer_id INTEGER NOT NULL,
	data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS addresses (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	customer_id INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
	token TEXT PRIMARY KEY,
	user_id INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	ended_at INTEGER
);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions(user_id, ended_at);
`

// openDB opens (creating if needed) the SQLite store: WAL so readers never block the
// writer, busy_timeout so writers of several processes wait for each other instead of
// failing, and BEGIN IMMEDIATE so a transaction takes the write lock up front (no
// deadlock when two read-then-write transactions meet).
func openDB(opts Options) (*sql.DB, string, error) {
	params := url.Values{}
	params.Set("_busy_timeout", "15000")
	params.Set("_txlock", "immediate")
	params.Add("_pragma", "foreign_keys(1)")
	if opts.Memory {
		db, err := sql.Open("sqlite", "file::memory:?"+params.Encode())
		if err != nil {
			return nil, "", fmt.Errorf("sandbox: open in-memory store: %w", err)
		}
		// Each connection to :memory: is its own database: keep exactly one.
		db.SetMaxOpenConns(1)
		return db, ":memory:", nil
	}
	if opts.DataDir == "" {
		return nil, "", errors.New("sandbox: no data folder given (set DataDir or Memory)")
	}
	if err := os.MkdirAll(opts.DataDir, 0o700); err != nil {
		return nil, "", fmt.Errorf("sandbox: create data folder: %w", err)
	}
	st, err := os.Stat(opts.DataDir)
	if err != nil {
		return nil, "", fmt.Errorf("sandbox: data folder: %w", err)
	}
	if !st.IsDir() {
		return nil, "", fmt.Errorf("sandbox: data folder %s is not a folder", opts.DataDir)
	}
	// SQLite needs to create its -wal and -shm files beside the store: check the folder
	// is writable, for a clearer error than "unable to open database file".
	probe, err := os.CreateTemp(opts.DataDir, ".sandbox-probe-*")
	if err != nil {
		return nil, "", fmt.Errorf("sandbox: data folder %s is not writable: %w", opts.DataDir, err)
	}
	probe.Close()
	_ = os.Remove(probe.Name())
	path := filepath.Join(opts.DataDir, DBFile)
	// The store holds live tokens: it (and SQLite's -wal and -shm files, which copy its
	// mode) is readable by its owner only, also when an older crmctl made it 0644.
	if fh, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600); err == nil {
		fh.Close()
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if st, err := os.Stat(p); err == nil && st.Mode().Perm()&0o077 != 0 {
			_ = os.Chmod(p, 0o600)
		}
	}
	params.Set("_journal_mode", "WAL")
	params.Set("_synchronous", "NORMAL")
	dsn, err := sqlitefile.DSN(path, params)
	if err != nil {
		return nil, "", fmt.Errorf("sandbox: open store %s: %w", path, err)
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, "", fmt.Errorf("sandbox: open store %s: %w", path, err)
	}
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	return db, path, nil
}

// lockOpen takes the store's open lock (a file beside it) until unlock is called; an
// in-memory store needs none.
func lockOpen(ctx context.Context, opts Options) (unlock func(), err error) {
	if opts.Memory || opts.DataDir == "" {
		return func() {}, nil
	}
	if err := os.MkdirAll(opts.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("sandbox: create data folder: %w", err)
	}
	fl := flock.New(filepath.Join(opts.DataDir, DBFile+".lock"))
	ok, err := fl.TryLockContext(ctx, 20*time.Millisecond)
	switch {
	case err != nil && ctx.Err() == nil:
		return nil, fmt.Errorf("sandbox: data folder %s is not writable (its lock file): %w", opts.DataDir, err)
	case err != nil || !ok:
		return nil, fmt.Errorf("sandbox: another process kept the store in %s locked too long", opts.DataDir)
	}
	return func() { _ = fl.Unlock() }, nil
}

// init creates the schema and seeds the store unless it was seeded before. Both happen in
// one immediate transaction, so processes opening a new file at once seed it once.
func (s *Server) initStore(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("sandbox: open store %s: %w", s.dbPath, err)
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		have, err := sqlitefile.UserVersion(ctx, tx)
		if err != nil {
			return fmt.Errorf("read format version: %w", err)
		}
		if have > storeFormat {
			return &sqlitefile.NewerError{What: "sandbox store", Path: s.dbPath, Have: have, Know: storeFormat}
		}
		if _, err := tx.ExecContext(ctx, schema); err != nil {
			return fmt.Errorf("create schema: %w", err)
		}
		if have < storeFormat {
			if err := sqlitefile.SetUserVersion(ctx, tx, storeFormat); err != nil {
				return fmt.Errorf("record format version: %w", err)
			}
		}
		return s.seedTx(ctx, tx)
	})
}

func (s *Server) seedTx(ctx context.Context, tx *sql.Tx) error {
	var done string
	err := tx.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'seeded'`).Scan(&done)
	if err == nil {
		return nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("read seed marker: %w", err)
	}
	for table, first := range map[string]int64{
		"customers": firstCustomerID, "contacts": firstContactID,
		"addresses": firstAddressID, "opportunities": firstOppID,
	} {
		// Only raises a sequence; never lowers one (ids are never reused, even after Reset).
		if _, err := tx.ExecContext(ctx,
			`INSERT INTO sqlite_sequence(name, seq) SELECT ?, ? WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = ?)`,
			table, first-1, table); err != nil {
			return fmt.Errorf("seed sequence %s: %w", table, err)
		}
	}
	owner := s.seed.Users[0]
	for i, c := range s.seed.Customers {
		tree := map[string]any{}
		for k, raw := range c {
			v, err := decodeJSONValue(raw)
			if err != nil {
				return fmt.Errorf("seed customer %d: %w", i, err)
			}
			tree[k] = v
		}
		rec, verrs := s.buildCustomer(ctx, tree, owner, tx)
		if len(verrs) > 0 {
			return fmt.Errorf("seed customer %d: %s", i, verrs.message())
		}
		if _, err := s.insertCustomerTx(ctx, tx, rec); err != nil {
			return fmt.Errorf("seed customer %d: %w", i, err)
		}
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO meta(key, value) VALUES('seeded', ?)`, s.now().UTC().Format(time.RFC3339))
	return err
}

// write runs fn in an immediate transaction. Writes of this process are serialised by a
// mutex; other processes are waited for by SQLite's busy timeout.
func (s *Server) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

func (s *Server) insertCustomerTx(ctx context.Context, tx *sql.Tx, rec *customerRec) (int64, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO addresses(customer_id) VALUES(0)`)
	if err != nil {
		return 0, err
	}
	if rec.AddressID, err = res.LastInsertId(); err != nil {
		return 0, err
	}
	data, err := json.Marshal(rec)
	if err != nil {
		return 0, err
	}
	res, err = tx.ExecContext(ctx, `INSERT INTO customers(common_id, name, user_id, data) VALUES(?, ?, ?, ?)`,
		rec.CommonID, rec.Name, rec.UserID, string(data))
	if err != nil {
		return 0, err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE addresses SET customer_id = ? WHERE id = ?`, id, rec.AddressID); err != nil {
		return 0, err
	}
	for _, c := range rec.contacts {
		c.CustomerID = id
		b, err := json.Marshal(c)
		if err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO contacts(customer_id, data) VALUES(?, ?)`, id, string(b)); err != nil {
			return 0, err
		}
	}
	for _, o := range rec.opportunities {
		b, err := json.Marshal(o)
		if err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO opportunities(customer_id, data) VALUES(?, ?)`, id, string(b)); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// createCustomer validates nothing: rec comes from buildCustomer.
func (s *Server) createCustomer(ctx context.Context, rec *customerRec) (int64, error) {
	var id int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		var err error
		id, err = s.insertCustomerTx(ctx, tx, rec)
		return err
	})
	return id, err
}

type storedCustomer struct {
	ID  int64
	Rec customerRec
}

var errNotFound = errors.New("record not found")

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (s *Server) customerExists(ctx context.Context, q querier, id int64) (bool, error) {
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM customers WHERE id = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

func (s *Server) getCustomer(ctx context.Context, id int64) (*storedCustomer, error) {
	var data string
	err := s.db.QueryRowContext(ctx, `SELECT data FROM customers WHERE id = ?`, id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, err
	}
	c := &storedCustomer{ID: id}
	if err := json.Unmarshal([]byte(data), &c.Rec); err != nil {
		return nil, fmt.Errorf("customer %d: stored record: %w", id, err)
	}
	return c, nil
}

// updateCustomer runs fn on a stored customer and stores what it leaves, in one
// transaction; an error from fn (or errNotFound) aborts it and is returned as is.
func (s *Server) updateCustomer(ctx context.Context, id int64, fn func(c *storedCustomer) error) (*storedCustomer, error) {
	c := &storedCustomer{ID: id}
	err := s.write(ctx, func(tx *sql.Tx) error {
		var data string
		err := tx.QueryRowContext(ctx, `SELECT data FROM customers WHERE id = ?`, id).Scan(&data)
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound
		}
		if err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(data), &c.Rec); err != nil {
			return fmt.Errorf("customer %d: stored record: %w", id, err)
		}
		if err := fn(c); err != nil {
			return err
		}
		b, err := json.Marshal(c.Rec)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE customers SET common_id = ?, name = ?, user_id = ?, data = ? WHERE id = ?`,
			c.Rec.CommonID, c.Rec.Name, c.Rec.UserID, string(b), id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// poolCustomer is getCustomer for the pool routes: a customer transferred to a user has
// left its pool, and is errNotFound there.
func (s *Server) poolCustomer(ctx context.Context, id int64) (*storedCustomer, error) {
	c, err := s.getCustomer(ctx, id)
	if err == nil && c.Rec.CommonID == 0 {
		return nil, errNotFound
	}
	return c, err
}

func (s *Server) customersByName(ctx context.Context, name string) ([]*storedCustomer, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, data FROM customers WHERE name = ? ORDER BY id`, name)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*storedCustomer
	for rows.Next() {
		var data string
		c := &storedCustomer{}
		if err := rows.Scan(&c.ID, &data); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(data), &c.Rec); err != nil {
			return nil, fmt.Errorf("customer %d: stored record: %w", c.ID, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

type storedContact struct {
	ID  int64
	Rec contactRec
}

func (s *Server) contacts(ctx context.Context, customerID int64, limit, offset int) ([]storedContact, int, error) {
	var total int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM contacts WHERE customer_id = ?`, customerID).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.db.QueryContext(ctx,
		`SELECT id, data FROM contacts WHERE customer_id = ? ORDER BY id LIMIT ? OFFSET ?`, customerID, limit, offset)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []storedContact{}
	for rows.Next() {
		var c storedContact
		var data string
		if err := rows.Scan(&c.ID, &data); err != nil {
			return nil, 0, err
		}
		if err := json.Unmarshal([]byte(data), &c.Rec); err != nil {
			return nil, 0, fmt.Errorf("contact %d: stored record: %w", c.ID, err)
		}
		out = append(out, c)
	}
	return out, total, rows.Err()
}

// Session states.
const (
	sessionLive = iota
	sessionUnknown
	sessionReplaced
)

// login ends the account's live tokens and hands out a new one (one live token per account).
func (s *Server) login(ctx context.Context, userID int64) (string, error) {
	token, err := newToken()
	if err != nil {
		return "", err
	}
	now := s.now().Unix()
	err = s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE sessions SET ended_at = ? WHERE user_id = ? AND ended_at IS NULL`, now, userID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions(token, user_id, created_at) VALUES(?, ?, ?)`, token, userID, now)
		return err
	})
	return token, err
}

// liveToken returns the account's live token, creating one as a login would when none is live.
func (s *Server) liveToken(ctx context.Context, userID int64) (string, error) {
	var token string
	err := s.write(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx,
			`SELECT token FROM sessions WHERE user_id = ? AND ended_at IS NULL ORDER BY created_at DESC LIMIT 1`, userID).Scan(&token)
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if token, err = newToken(); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO sessions(token, user_id, created_at) VALUES(?, ?, ?)`, token, userID, s.now().Unix())
		return err
	})
	return token, err
}

func (s *Server) session(ctx context.Context, token string) (userID int64, state int, err error) {
	var ended sql.NullInt64
	err = s.db.QueryRowContext(ctx, `SELECT user_id, ended_at FROM sessions WHERE token = ?`, token).Scan(&userID, &ended)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, sessionUnknown, nil
	}
	if err != nil {
		return 0, 0, err
	}
	if ended.Valid {
		return userID, sessionReplaced, nil
	}
	return userID, sessionLive, nil
}

func newToken() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

func (s *Server) reset(ctx context.Context) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		for _, t := range []string{"customers", "contacts", "opportunities", "addresses", "sessions", "meta"} {
			if _, err := tx.ExecContext(ctx, "DELETE FROM "+t); err != nil {
				return fmt.Errorf("empty %s: %w", t, err)
			}
		}
		return s.seedTx(ctx, tx)
	})
}
