// Package sandbox is a local emulator of the ikcrm open API v2: the routes crmctl uses,
// with the real rules (token header and legacy parameters, the device/version check, one
// live token per account, HTTP 200 envelopes with codes 100000/100401/100100, throttling
// with a plain-text "Retry later"), a seeded organisation and a SQLite store that several
// processes can share.
//
// It is built from the API's description, not from what crmctl sends, and imports no other
// crmctl package, so that a client bug cannot hide behind a matching emulator bug.
//
// Routes: POST /api/v2/auth/login; GET /api/v2/user/info, /api/v2/user/list,
// /api/v2/departments,
// /api/v2/common_customers/common_settings, /api/v2/field_maps/<entity>,
// /api/v2/custom_fields/<entity>/by_group, /api/v2/common_customers/:id,
// /api/v2/common_customers/:id/contacts, /api/v2/duplicates/matching_name;
// POST /api/v2/common_customers; PUT /api/v2/common_customers/:id/transfer. Any other path
// or method is a plain HTTP 404, as the Rails router answers. Field maps exist for customer
// and lead, custom fields for customer only; for the other entities the API names (lead,
// contact, opportunity, contract) each route answers an empty list, and for any other
// entity code 100100.
//
// Errors are HTTP 200 envelopes in the API's two shapes: 100401 with "data":null, the
// others with code, message and error and no data key. Types drift as the API's do:
// select option ids are strings, staff_size is a number in the answer of a create (0 when
// unset) and a string in the detail ("" when unset), numbers in a pool's rule_config are
// strings.
//
// custom_fields/customer/by_group answers the shape of ikcrm-api.md §5:
// data.custom_field_groups[] {id, label, position, status, custom_fields[]}, each field
// {id, name (its key), label, field_type, position, status, required,
// input_field_options}, a select's options in input_field_options.collection_options[]
// ({value: "sel_6010", label}). ?custom_field_template_id= gives a business template's
// form: the groups of no template plus the template's own (seed.json's
// custom_field_templates; template 12 adds a group with a required select); an unknown
// template is 100100. A create is checked against the form of its
// customer[custom_field_template_id] (or the form without one): a key that is not on it, a
// disabled field (or a field of a disabled group), a select's label instead of its code, a
// multi_select's value that is not a list of codes (customer[key][]=...), a number field's
// non-number, a date or datetime field's other text, an email field's non-address and an
// enabled required field left out are validation errors (as are a disabled or unknown
// field-map option). A customer shows every enabled field of its form: "" when empty (null
// for a number field, [] for a multi_select, the sandbox's choices), a number as a number
// however it was sent.
//
// Authentication: the token comes from the Authorization header (Token token=...,
// device=..., version_code=...) or the legacy parameters. A device or version_code that is
// given must be open_api / 9.9.9 (100000); one left out is no error (the vendor's scripts
// send a bare "Token token=<t>"); no token at all is 100401.
//
// A transfer gives a pool customer to the user user_id (form, JSON or query). Only the
// pool's admins may, and a pool's admins are its admin_list: the account's role does not
// count, so the seeded account (the organisation's super admin) may transfer the customers
// of 超级公海 and 华东区公海 but not those of 公司公海, whose admin_list is empty. Anyone
// else gets code 100100, which the API uses for "no permission for the object" (its
// message says so), and the customer is left as it was. A missing or unknown user_id is a
// validation error. The customer leaves its pool: the answer is the customer with its new
// owner (user, owned_department) and common_id null; the pool routes (GET, contacts,
// transfer) answer 100100 for it from then on; matching_name still finds it.
//
// matching_name answers each customer's id, name, user_id (and user_name), common_id
// (null once it left its pool) and common_setting_name, status, created_at, and an address
// with only tel and phone: the API documents id, name and user_id; the rest is the
// sandbox's choice, so that a client can tell namesakes apart without one request each.
//
// user/list pages the seeded users as every list of the API does: page (from 1), per_page
// (15 unless asked, at most 200; another value is the default), total_count and the
// users; name (part of the name) and department_id narrow it. A page past the end is an
// empty list.
//
// The seed (seed.json, embedded) is an organisation with departments, 33 users (only
// the first can log in, with Options.Login/Password; enough for three pages of
// user/list), three pools (公司公海 45, 超级公海 48942, 华东区公海 50117), field maps with
// disabled options, custom fields of customer (selects, a multi_select, number, date and
// datetime fields, a disabled field and a disabled group, and a business template with a
// required field), and three sample customers (using those custom fields) written to the store
// when it is first created.
//
// Throttling is per enterprise and per process: the sandbox hosts one enterprise, so every
// request counts against its window; the window is kept in memory, not in the store.
package sandbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Default account of the seed.
const (
	DefaultLogin    = "13800000000"
	DefaultPassword = "sandbox"
)

// Options configures a Server.
type Options struct {
	Login, Password string // seeded account; defaults DefaultLogin / DefaultPassword

	RateLimit  int           // requests per RateWindow per enterprise; 0 = off
	RateWindow time.Duration // the sliding window of RateLimit
	Latency    time.Duration // added to every request
	FailRate   float64       // 0..1: share of requests answered with a 502 HTML page or a dropped connection

	DataDir string // folder for sandbox.db (created 0700 if missing)
	Memory  bool   // no file: an in-memory store

	Log  io.Writer        // one line per request (method, path, status, code, duration); nil = none
	Now  func() time.Time // nil = time.Now
	Seed int64            // rand seed for fault injection; 0 = time-based
}

// Server is the emulator: its handler and its store.
type Server struct {
	opts    Options
	seed    *seedData
	user    seedUser // the seeded account (login = opts.Login)
	db      *sql.DB
	dbPath  string
	writeMu sync.Mutex
	limiter *limiter
	handler http.Handler

	logMu  sync.Mutex
	randMu sync.Mutex
	rand   *rand.Rand
}

// ParseRate parses a rate limit: "10/10s", "100/1s", "5/1m"; "off" (or "0") means none.
func ParseRate(s string) (n int, window time.Duration, err error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.EqualFold(s, "off") || s == "0" {
		return 0, 0, nil
	}
	count, dur, ok := strings.Cut(s, "/")
	if !ok {
		return 0, 0, fmt.Errorf("invalid rate %q: want N/DURATION (e.g. 10/10s) or off", s)
	}
	n, err = strconv.Atoi(strings.TrimSpace(count))
	if err != nil || n <= 0 {
		return 0, 0, fmt.Errorf("invalid rate %q: the count must be a positive integer", s)
	}
	dur = strings.TrimSpace(dur)
	if dur != "" && dur[0] >= 'a' && dur[0] <= 'z' {
		dur = "1" + dur // "10/s" means "10/1s"
	}
	window, err = time.ParseDuration(dur)
	if err != nil || window <= 0 {
		return 0, 0, fmt.Errorf("invalid rate %q: the window must be a positive duration such as 10s", s)
	}
	return n, window, nil
}

// Open opens (creating if needed) the store and seeds it once.
func Open(opts Options) (*Server, error) {
	if opts.Login == "" {
		opts.Login = DefaultLogin
	}
	if opts.Password == "" {
		opts.Password = DefaultPassword
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.RateLimit < 0 {
		return nil, errors.New("sandbox: negative rate limit")
	}
	if opts.RateLimit > 0 && opts.RateWindow <= 0 {
		return nil, errors.New("sandbox: a rate limit needs a positive window")
	}
	if opts.FailRate < 0 || opts.FailRate > 1 || math.IsNaN(opts.FailRate) {
		return nil, fmt.Errorf("sandbox: fail rate %v is not between 0 and 1", opts.FailRate)
	}
	if opts.Latency < 0 {
		return nil, errors.New("sandbox: negative latency")
	}
	seed, err := loadSeed()
	if err != nil {
		return nil, err
	}
	seed.Users[0].Phone = opts.Login
	s := &Server{opts: opts, seed: seed, user: seed.Users[0]}
	if opts.Seed == 0 {
		opts.Seed = time.Now().UnixNano()
	}
	s.rand = rand.New(rand.NewSource(opts.Seed))
	if opts.RateLimit > 0 {
		s.limiter = newLimiter(opts.RateLimit, opts.RateWindow)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// Processes opening the same new file at once would race to switch it to WAL and
	// create the schema, and SQLite answers one of them "database is locked" without
	// waiting: a lock file beside the store makes them open it one after the other.
	unlock, err := lockOpen(ctx, opts)
	if err != nil {
		return nil, err
	}
	defer unlock()
	s.db, s.dbPath, err = openDB(opts)
	if err != nil {
		return nil, err
	}
	if err := s.initStore(ctx); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("sandbox: open store %s: %w", s.dbPath, unwrapInit(err))
	}
	s.handler = s.buildHandler()
	return s, nil
}

func unwrapInit(err error) error {
	if strings.Contains(err.Error(), "file is not a database") {
		return fmt.Errorf("the file is not a sandbox database (corrupt or foreign; remove it or choose another data folder): %w", err)
	}
	return err
}

func (s *Server) now() time.Time { return s.opts.Now() }

// Handler serves the API.
func (s *Server) Handler() http.Handler { return s.handler }

// DefaultToken returns the seeded account's live token, creating one (as a login would)
// when none is live. It lets a client use the sandbox without a login request.
func (s *Server) DefaultToken(ctx context.Context) (string, error) {
	tok, err := s.liveToken(ctx, s.user.ID)
	if err != nil {
		return "", fmt.Errorf("sandbox: token: %w", err)
	}
	return tok, nil
}

// Reset empties the store and seeds it again. Ids keep increasing: none is given twice.
func (s *Server) Reset(ctx context.Context) error {
	if err := s.reset(ctx); err != nil {
		return fmt.Errorf("sandbox: reset: %w", err)
	}
	return nil
}

// Account returns the seeded account's login and password.
func (s *Server) Account() (login, password string) { return s.opts.Login, s.opts.Password }

// Path returns the store's file path (":memory:" for an in-memory store).
func (s *Server) Path() string { return s.dbPath }

// Close closes the store.
func (s *Server) Close() error {
	if s.db == nil {
		return nil
	}
	return s.db.Close()
}
