package team

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/crmctl/crmctl/internal/i18n"
	"github.com/crmctl/crmctl/internal/importer"
)

// Ledger is the import ledger of a scope in the team's Redis: what every machine's
// imports have sent and created, one key per customer (its identity hashed: the pool,
// the name, the mobile and the telephone), so that two machines never send the same
// customer. A claim is one SET NX of the customer's key before the request; the outcome
// replaces it.
//
// A claim names the run that made it. A running import holds a lease (a key with a
// short expiry that it renews); a claim whose run holds no lease any more — the machine
// crashed or was cut off — is an unknown outcome, settled as any other (matching_name
// before anything is sent again). The lease only says whether someone is still working
// on the claim, never what happened to its request.
type Ledger struct {
	st      *Store
	machine string // this machine's id (journals are named by machine and path)
	run     string // this import's id, in its claims and its lease

	mu      sync.Mutex
	lease   time.Duration
	renewed time.Time // the last renewal of the lease that succeeded
	stop    chan struct{}
	done    chan struct{}
}

// ledgerEntry is a customer's value.
type ledgerEntry struct {
	State      string `json:"state"`
	CustomerID string `json:"customer_id,omitempty"`
	Machine    string `json:"machine"`
	Journal    string `json:"journal"`
	File       string `json:"file"`
	Row        int    `json:"row"`
	SentAt     int64  `json:"sent_at,omitempty"` // Unix nanoseconds of the sending machine
	Run        string `json:"run,omitempty"`
	// What was known before the claim's request left (importer.SendFacts).
	Floor   int64  `json:"floor,omitempty"`
	Before  string `json:"before,omitempty"` // ids, comma-separated
	Checked bool   `json:"checked,omitempty"`
}

// ledgerScript changes an entry only while it is a claim ("sent"):
//
//	take KEYS[1] ARGV[1]=the new claim: replace it
//	release KEYS[1] ARGV[1]=the run: delete it, if that run made it
var ledgerScript = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
local e = cjson.decode(v)
if e.state ~= 'sent' then return 0 end
if ARGV[1] == 'take' then
  redis.call('SET', KEYS[1], ARGV[2])
  return 1
elseif ARGV[1] == 'release' then
  if e.run ~= ARGV[2] then return 0 end
  redis.call('DEL', KEYS[1])
  return 1
end
return redis.error_reply('unknown op ' .. tostring(ARGV[1]))
`)

// Ledger returns the scope's ledger for imports of machine (an id of this machine,
// stable across runs). Hold starts the lease an import needs to claim customers; a
// --dry-run only reads.
func (s *Store) Ledger(machine string) *Ledger {
	return &Ledger{st: s, machine: machine, run: newID()}
}

// DefaultLease is how long a crashed import's claims count as being worked on.
const DefaultLease = 15 * time.Second

// Hold takes the run's lease (renewed every lease/5) until Close.
func (l *Ledger) Hold(ctx context.Context, lease time.Duration) error {
	if lease <= 0 {
		lease = DefaultLease
	}
	if err := l.renew(ctx, lease); err != nil {
		return err
	}
	l.mu.Lock()
	l.lease, l.stop, l.done = lease, make(chan struct{}), make(chan struct{})
	stop, done := l.stop, l.done
	l.mu.Unlock()
	go func() {
		defer close(done)
		t := time.NewTicker(lease / 5)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				_ = l.renew(context.Background(), lease)
			}
		}
	}()
	return nil
}

func (l *Ledger) leaseKey(run string) string { return l.st.key("lease", run) }

func (l *Ledger) renew(ctx context.Context, lease time.Duration) error {
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, lease/2)
	defer cancel()
	if err := l.st.rdb.Set(ctx, l.leaseKey(l.run), l.machine, lease).Err(); err != nil {
		return l.st.unavailable(err)
	}
	l.mu.Lock()
	l.renewed = start
	l.mu.Unlock()
	return nil
}

// holding reports an error when the lease may have run out (its renewals failed): the
// other machines may then take this run's claims, so it must not send.
func (l *Ledger) holding() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lease == 0 {
		return i18n.Errorf("the import holds no lease in the team's ledger")
	}
	if time.Since(l.renewed) > l.lease*4/5 {
		return l.st.unavailable(i18n.Errorf("the import's lease was not renewed for %s", i18n.Duration(time.Since(l.renewed).Round(time.Second))))
	}
	return nil
}

// Close ends the lease: the run's claims left "sent" are unknown outcomes at once.
func (l *Ledger) Close() error {
	l.mu.Lock()
	stop, done := l.stop, l.done
	l.stop, l.lease = nil, 0
	l.mu.Unlock()
	if stop == nil {
		return nil
	}
	close(stop)
	<-done
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	return l.st.unavailable(l.st.rdb.Del(ctx, l.leaseKey(l.run)).Err())
}

func (l *Ledger) key(k string) string { return l.st.key("ledger", k) }

// foreign is how a journal of another machine is named to the importer: never equal to
// a path of this machine.
const foreign = "machine "

// journalOf splits a journal as the importer names it into machine and path.
func (l *Ledger) journalOf(j string) (machine, path string) {
	if rest, ok := strings.CutPrefix(j, foreign); ok {
		if m, p, ok := strings.Cut(rest, ": "); ok {
			return m, p
		}
	}
	return l.machine, j
}

func (l *Ledger) entry(e ledgerEntry) importer.LedgerEntry {
	out := importer.LedgerEntry{
		State: importer.LedgerState(e.State), CustomerID: e.CustomerID,
		Journal: e.Journal, File: e.File, Row: e.Row, Owner: e.Run,
	}
	if e.Machine != l.machine {
		out.Journal = foreign + e.Machine + ": " + e.Journal
		out.File = e.File + " on machine " + e.Machine
	}
	if e.SentAt > 0 {
		out.SentAt = time.Unix(0, e.SentAt)
	}
	out.Facts = importer.SendFacts{Floor: e.Floor, Checked: e.Checked}
	if e.Before != "" {
		out.Facts.Before = strings.Split(e.Before, ",")
	}
	return out
}

func (l *Ledger) claim(journal, file string, row int, at time.Time) string {
	m, p := l.journalOf(journal)
	b, _ := json.Marshal(ledgerEntry{State: string(importer.LedgerSent), Machine: m, Journal: p, File: file, Row: row, SentAt: at.UnixNano(), Run: l.run})
	return string(b)
}

// Claim records, with SET NX, that journal's row is about to send the customer key;
// when the key is there already, prev is its entry.
func (l *Ledger) Claim(ctx context.Context, key, journal, file string, row int, _ string, at time.Time) (prev importer.LedgerEntry, claimed bool, err error) {
	if err := l.holding(); err != nil {
		return prev, false, err
	}
	for range 3 {
		ok, err := l.st.rdb.SetNX(ctx, l.key(key), l.claim(journal, file, row, at), 0).Result()
		if err != nil {
			return prev, false, l.st.unavailable(err)
		}
		if ok {
			return prev, true, nil
		}
		v, err := l.st.rdb.Get(ctx, l.key(key)).Result()
		if errors.Is(err, redis.Nil) {
			continue // released in between: claim it again
		}
		if err != nil {
			return prev, false, l.st.unavailable(err)
		}
		var e ledgerEntry
		if err := json.Unmarshal([]byte(v), &e); err != nil {
			return prev, false, l.st.unavailable(i18n.Errorf("ledger entry %s: %w", key, err))
		}
		return l.entry(e), false, nil
	}
	return prev, false, l.st.unavailable(i18n.Errorf("ledger entry %s: claimed and released again and again", key))
}

// Take moves a claim whose run is gone to journal's row.
func (l *Ledger) Take(ctx context.Context, key, journal, file string, row int, at time.Time) error {
	if err := l.holding(); err != nil {
		return err
	}
	return l.st.unavailable(ledgerScript.Run(ctx, l.st.rdb, []string{l.key(key)}, "take", l.claim(journal, file, row, at)).Err())
}

// createdScript records an outcome and its customer's owner at once:
//
//	KEYS[1] the customer's entry, KEYS[2] the id's owner, KEYS[3] the highest id
//	ARGV[1] the entry, ARGV[2] the customer's key, ARGV[3] the id when it is a number
//
// An id another customer owns already is refused (returns the owner): one customer
// of the CRM is never two rows' of the team.
var createdScript = redis.NewScript(`
if KEYS[2] ~= KEYS[1] then
  local o = redis.call('GET', KEYS[2])
  if o and o ~= ARGV[2] then return o end
  redis.call('SET', KEYS[2], ARGV[2])
end
redis.call('SET', KEYS[1], ARGV[1])
local n = tonumber(ARGV[3])
if n and n > tonumber(redis.call('GET', KEYS[3]) or '0') then
  redis.call('SET', KEYS[3], ARGV[3])
end
return ''
`)

// OwnedError is a customer id that another customer of the ledger owns already.
type OwnedError struct{ ID string }

func (e *OwnedError) Error() string { return e.Localize(i18n.New(i18n.English)) }

// Localize renders the error in p's language.
func (e *OwnedError) Localize(p *i18n.Printer) string {
	return p.Sprintf("customer %s is already another row's in the team's ledger: not recorded twice", e.ID)
}

// Created records the customer's id, and the customer as its id's owner. An id that
// another customer owns already is an *OwnedError, and nothing is recorded.
func (l *Ledger) Created(ctx context.Context, key, customerID, journal, file string, row int, _ string) error {
	m, p := l.journalOf(journal)
	file, _, _ = strings.Cut(file, " on machine ")
	b, _ := json.Marshal(ledgerEntry{State: string(importer.LedgerCreated), CustomerID: customerID, Machine: m, Journal: p, File: file, Row: row})
	owner, num := l.key(key), ""
	if customerID != "" {
		owner = l.ownerKey(customerID)
		if n, err := strconv.ParseInt(customerID, 10, 64); err == nil && n > 0 {
			num = strconv.FormatInt(n, 10)
		}
	}
	o, err := createdScript.Run(ctx, l.st.rdb, []string{l.key(key), owner, l.maxKey()}, string(b), key, num).Text()
	if err != nil {
		return l.st.unavailable(err)
	}
	if o != "" {
		return &OwnedError{ID: customerID}
	}
	return nil
}

func (l *Ledger) ownerKey(id string) string { return l.st.key("owner", id) }
func (l *Ledger) maxKey() string            { return l.st.key("maxid") }

// factsScript replaces a claim's entry with the same claim and its facts, only while
// the entry is still what was read (KEYS[1] ARGV[1]); and raises the highest id known
// (KEYS[2]) to the facts' floor (ARGV[3]). It returns 1 when the entry was replaced.
var factsScript = redis.NewScript(`
local n = tonumber(ARGV[3])
if n and n > tonumber(redis.call('GET', KEYS[2]) or '0') then
  redis.call('SET', KEYS[2], ARGV[3])
end
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
return 1
`)

// RecordFacts records, on key's claim ("sent"), what was known before its request
// left; the facts' floor raises the highest customer id the team knows (MaxID).
func (l *Ledger) RecordFacts(ctx context.Context, key string, f importer.SendFacts) error {
	for range 5 {
		v, err := l.st.rdb.Get(ctx, l.key(key)).Result()
		if errors.Is(err, redis.Nil) {
			v = ""
		} else if err != nil {
			return l.st.unavailable(err)
		}
		next := ""
		var e ledgerEntry
		if v != "" {
			if err := json.Unmarshal([]byte(v), &e); err != nil {
				return l.st.unavailable(i18n.Errorf("ledger entry %s: %w", key, err))
			}
		}
		if e.State == string(importer.LedgerSent) {
			e.Floor, e.Before, e.Checked = f.Floor, strings.Join(f.Before, ","), f.Checked
			b, _ := json.Marshal(e)
			next = string(b)
		} else {
			v = "\x00none" // no claim: only the floor is recorded
		}
		ok, err := factsScript.Run(ctx, l.st.rdb, []string{l.key(key), l.maxKey()}, v, next, strconv.FormatInt(f.Floor, 10)).Int()
		if err != nil {
			return l.st.unavailable(err)
		}
		if ok == 1 || next == "" {
			return nil
		}
	}
	return l.st.unavailable(i18n.Errorf("ledger entry %s: changed again and again", key))
}

// OwnedByOther reports whether a customer other than key's owns id.
func (l *Ledger) OwnedByOther(ctx context.Context, id, key string) (bool, error) {
	o, err := l.st.rdb.Get(ctx, l.ownerKey(id)).Result()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	if err != nil {
		return false, l.st.unavailable(err)
	}
	return o != key, nil
}

// MaxID is the highest customer id the team's imports know to exist: the highest id
// recorded as created, or known before a send, on any machine.
func (l *Ledger) MaxID(ctx context.Context) (int64, error) {
	v, err := l.st.rdb.Get(ctx, l.maxKey()).Result()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	if err != nil {
		return 0, l.st.unavailable(err)
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, l.st.unavailable(i18n.Errorf("the highest customer id %q: %w", v, err))
	}
	return n, nil
}

var _ importer.FactsLedger = (*Ledger)(nil)

// Release forgets this run's claim of key: its request was refused or never went out.
func (l *Ledger) Release(ctx context.Context, key string) error {
	return l.st.unavailable(ledgerScript.Run(ctx, l.st.rdb, []string{l.key(key)}, "release", l.run).Err())
}

// Busy reports whether the run that made the claim prev still holds its lease. When
// the server cannot tell, it is taken as busy: the row is then left for the next run.
func (l *Ledger) Busy(prev importer.LedgerEntry) bool {
	if prev.Owner == "" {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	n, err := l.st.rdb.Exists(ctx, l.leaseKey(prev.Owner)).Result()
	return err != nil || n > 0
}

// CountCreated returns how many of keys the ledger has as created.
func (l *Ledger) CountCreated(ctx context.Context, keys []string) (int, error) {
	if len(keys) == 0 {
		return 0, nil
	}
	full := make([]string, len(keys))
	for i, k := range keys {
		full[i] = l.key(k)
	}
	vals, err := l.st.rdb.MGet(ctx, full...).Result()
	if err != nil {
		return 0, l.st.unavailable(err)
	}
	seen := map[string]bool{}
	n := 0
	for i, v := range vals {
		s, ok := v.(string)
		if !ok || seen[keys[i]] {
			continue
		}
		seen[keys[i]] = true
		var e ledgerEntry
		if json.Unmarshal([]byte(s), &e) == nil && e.State == string(importer.LedgerCreated) {
			n++
		}
	}
	return n, nil
}
