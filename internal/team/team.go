// Package team shares what one machine keeps in local files — the pacing of an
// account's requests and the import ledger — through a Redis server, so that several
// machines (a team's laptops, CI jobs) importing under one account stay under its rate
// limit together and never create a customer twice.
//
// Everything is keyed by the API host and the account (the enterprise id when it is
// known, else the login), hashed: no token, login or customer name appears in a key.
package team

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/logging"
	"github.com/redis/go-redis/v9/maintnotifications"

	"github.com/crmctl/crmctl/internal/config"
	"github.com/crmctl/crmctl/internal/i18n"
)

// Scope is whose limit and ledger are shared: an account on an API host.
type Scope struct {
	Host   string // the API's base URL
	CorpID string // the enterprise id, when known: every login of it shares the limit
	Login  string // the account, when the enterprise id is not known
}

// account names the scope's account: the enterprise when known, else the login, else
// nothing (every unnamed account of the host then shares one limit, which is safe).
func (s Scope) account() string {
	switch {
	case s.CorpID != "":
		return "corp:" + s.CorpID
	case s.Login != "":
		return "login:" + s.Login
	}
	return ""
}

// tag is the scope's part of every key: a hash, in braces so that a Redis Cluster keeps
// the scope's keys on one node (a script may only touch keys of one slot).
func (s Scope) tag() string {
	h := sha256.Sum256([]byte(strings.TrimRight(s.Host, "/") + "\x00" + s.account()))
	return "{" + hex.EncodeToString(h[:12]) + "}"
}

// Store is a connection to the team's Redis for one scope.
type Store struct {
	rdb   *redis.Client
	scope Scope
	tag   string
	// Where is the server's URL without its password, for messages.
	Where string
}

// UnavailableError means the team's Redis could not be reached, or refused a command.
type UnavailableError struct {
	Where string
	Err   error
}

func (e *UnavailableError) Error() string { return e.Localize(i18n.New(i18n.English)) }

// Localize renders the error in p's language.
func (e *UnavailableError) Localize(p *i18n.Printer) string {
	return p.Sprintf("the team's Redis at %s: %v", e.Where, e.Err)
}

func (e *UnavailableError) Unwrap() error { return e.Err }

// Options parses a redis:// or rediss:// URL (a password, a database number) into the
// client's options; from names the setting in an error ("" for none). An error never
// repeats the URL: it may hold a password.
func Options(raw, from string) (*redis.Options, error) {
	bad := func(msg i18n.Message) error {
		if from != "" {
			return &config.InvalidError{Err: i18n.Errorf("%s: %v", from, msg)}
		}
		return &config.InvalidError{Err: i18n.Errorf("%v", msg)}
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return nil, bad(i18n.M("not a URL such as redis://:PASSWORD@HOST:6379/0"))
	}
	if u.Scheme != "redis" && u.Scheme != "rediss" {
		return nil, bad(i18n.M("the scheme must be redis:// or rediss:// (TLS), not %q", u.Scheme))
	}
	o, err := redis.ParseURL(raw)
	if err != nil {
		return nil, bad(i18n.M("%s", strings.ReplaceAll(err.Error(), raw, Redact(raw))))
	}
	o.DialTimeout = 3 * time.Second
	o.ReadTimeout = 3 * time.Second
	o.WriteTimeout = 3 * time.Second
	o.MaxRetries = 1
	// One more dial after a failed one (the library's default is five, 100ms apart, for
	// every attempt): a server that is down is reported at once, as one that refuses.
	o.DialerRetries = 2
	o.PoolSize = 4
	o.DisableIdentity = true
	o.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	return o, nil
}

// Redact is the URL without its password.
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(an invalid URL)"
	}
	return u.Redacted()
}

// Open connects to the Redis of url (from names the setting, for messages) and checks
// that it answers.
func Open(ctx context.Context, raw, from string, scope Scope) (*Store, error) {
	o, err := Options(raw, from)
	if err != nil {
		return nil, err
	}
	// The client library logs connection failures on its own (to stderr); crmctl reports
	// them once, as errors.
	redis.SetLogger(&logging.VoidLogger{})
	s := &Store{rdb: redis.NewClient(o), scope: scope, tag: scope.tag(), Where: Redact(raw)}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := s.rdb.Ping(pctx).Err(); err != nil {
		_ = s.rdb.Close()
		return nil, s.unavailable(err)
	}
	return s, nil
}

// Close closes the connection.
func (s *Store) Close() error {
	if s == nil {
		return nil
	}
	return s.rdb.Close()
}

// key is a key of the scope: crmctl:KIND:{scope}:PARTS…
func (s *Store) key(kind string, parts ...string) string {
	return "crmctl:" + kind + ":" + s.tag + strings.Join(append([]string{""}, parts...), ":")
}

// unavailable wraps a failure of the server; a context's own error is returned as it is.
func (s *Store) unavailable(err error) error {
	if err == nil || errors.Is(err, context.Canceled) {
		return err
	}
	return &UnavailableError{Where: s.Where, Err: err}
}

// newID is a random id for a send slot or a claim.
func newID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
