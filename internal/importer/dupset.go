package importer

import (
	"context"
	"database/sql"
	"errors"
	"net/url"
	"os"
	"slices"

	"github.com/crmctl/crmctl/internal/i18n"
	"github.com/crmctl/crmctl/internal/sqlitefile"
)

// dupSpill is how many keys are kept in memory before they are moved to disk.
const dupSpill = 1 << 16

// bloomBits sizes the filter in front of the keys on disk (4 MiB): with 4 probes it
// spares almost every disk look-up up to millions of keys, and never grows.
const (
	bloomBits   = 1 << 25
	bloomProbes = 4
)

// dupSet remembers, for each duplicate key, the first row that had it. Keys are kept in
// memory up to dupSpill, then moved, sorted, to a temporary SQLite file with a small
// page cache: memory stays flat however many rows the file has, and small files never
// touch the disk.
type dupSet struct {
	mem     map[uint64]int32
	bloom   []uint64 // keys on disk; allocated at the first spill
	spilled int
	spill   int // the batch size (tests lower it)

	path string
	db   *sql.DB
	tx   *sql.Tx
	ins  *sql.Stmt
	get  *sql.Stmt
}

func newDupSet() *dupSet { return &dupSet{mem: map[uint64]int32{}, spill: dupSpill} }

func (d *dupSet) open() error {
	fh, err := os.CreateTemp("", "crmctl-import-keys-*.db")
	if err != nil {
		return i18n.Errorf("duplicate check: %w", err)
	}
	d.path = fh.Name()
	fh.Close()
	dsn, err := sqlitefile.DSN(d.path, url.Values{"_pragma": {"journal_mode(OFF)", "synchronous(OFF)", "cache_size(-1024)"}})
	if err != nil {
		return err
	}
	d.db, err = sql.Open("sqlite", dsn)
	if err != nil {
		return err
	}
	d.db.SetMaxOpenConns(1)
	// Not the run's context: an interruption must not roll the set back under pass 2.
	ctx := context.Background()
	if _, err := d.db.ExecContext(ctx, `CREATE TABLE seen (h INTEGER PRIMARY KEY, row INTEGER NOT NULL)`); err != nil {
		return i18n.Errorf("duplicate check: %w", err)
	}
	if d.tx, err = d.db.BeginTx(ctx, nil); err != nil {
		return err
	}
	if d.ins, err = d.tx.PrepareContext(ctx, `INSERT OR IGNORE INTO seen(h, row) VALUES(?, ?)`); err != nil {
		return err
	}
	d.get, err = d.tx.PrepareContext(ctx, `SELECT row FROM seen WHERE h = ?`)
	return err
}

// Add records key for row unless an earlier row had it; first is that earlier row.
func (d *dupSet) Add(key uint64, row int) (first int, err error) {
	if first, err = d.First(key); err != nil || first != 0 {
		return first, err
	}
	d.mem[key] = int32(row)
	if len(d.mem) >= d.spill {
		err = d.flush()
	}
	return 0, err
}

// flush moves the in-memory keys to disk, in key order (fast b-tree appends).
func (d *dupSet) flush() error {
	if d.db == nil {
		if err := d.open(); err != nil {
			return err
		}
	}
	keys := make([]uint64, 0, len(d.mem))
	for k := range d.mem {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b uint64) int {
		switch {
		case int64(a) < int64(b):
			return -1
		case int64(a) > int64(b):
			return 1
		}
		return 0
	})
	if d.bloom == nil {
		d.bloom = make([]uint64, bloomBits/64)
	}
	for _, k := range keys {
		if _, err := d.ins.Exec(int64(k), d.mem[k]); err != nil {
			return i18n.Errorf("duplicate check: %w", err)
		}
		for i := uint64(0); i < bloomProbes; i++ {
			b := bloomBit(k, i)
			d.bloom[b/64] |= 1 << (b % 64)
		}
	}
	d.spilled += len(keys)
	d.mem = map[uint64]int32{}
	return nil
}

// First returns the first row recorded with key (0 if none).
func (d *dupSet) First(key uint64) (int, error) {
	if row, ok := d.mem[key]; ok {
		return int(row), nil
	}
	if d.spilled == 0 {
		return 0, nil
	}
	for i := uint64(0); i < bloomProbes; i++ {
		if b := bloomBit(key, i); d.bloom[b/64]&(1<<(b%64)) == 0 {
			return 0, nil
		}
	}
	var row int
	err := d.get.QueryRow(int64(key)).Scan(&row)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, i18n.Errorf("duplicate check: %w", err)
	}
	return row, nil
}

// Close drops the set.
func (d *dupSet) Close() error {
	if d == nil || d.db == nil {
		return nil
	}
	if d.tx != nil {
		_ = d.tx.Rollback()
	}
	err := d.db.Close()
	os.Remove(d.path)
	return err
}

// bloomBit is the i-th probe of key (double hashing on the key's two halves).
func bloomBit(key, i uint64) uint64 {
	h1, h2 := key&0xffffffff, key>>32|1
	return (h1 + i*h2) % bloomBits
}
