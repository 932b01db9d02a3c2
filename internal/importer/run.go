package importer

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gofrs/flock"

	"github.com/crmctl/crmctl/internal/api"
	"github.com/crmctl/crmctl/internal/fields"
	"github.com/crmctl/crmctl/internal/i18n"
	"github.com/crmctl/crmctl/internal/pace"
)

// Config is one import run.
type Config struct {
	Path  string    // the file, or StdinPath ("-") for Stdin
	Stdin io.Reader // standard input, read when Path is "-"
	Read  ReadOptions
	Pool  string // --pool: id or exact name; "" when the file has a pool column

	Lookups Lookups

	DryRun          bool
	SkipInvalid     bool
	RetryFailed     bool
	RetryUnknown    bool // send again the rows whose outcome is unknown
	AllowDuplicates bool
	// IfExists, IfExistsSkip or IfExistsFail, asks duplicates/matching_name before each
	// row is sent (one more request a row) whether the CRM holds its customer already;
	// "" sends without asking.
	IfExists string

	DataDir     string
	Meta        JournalMeta // Profile and BaseURL; the rest is filled in
	JournalPath string      // "" = under DataDir, named after Meta
	ResultsPath string      // "" = beside the journal
	// LedgerPath is the profile's record of what imports created, by customer identity,
	// which stops an edited file from creating its rows again: "" = under DataDir, named
	// after Meta's profile and host (none when DataDir is "" too).
	LedgerPath string
	// SharedLedger, when set, is the ledger instead of the file at LedgerPath: one shared
	// by several machines (a team's Redis), so that they never send the same customer.
	SharedLedger LedgerStore

	// Client sends the requests; it must have been paced with Pacer.Client.
	Client *api.Client
	Pacer  *pace.Pacer
	// Relogin, when set, gets a fresh token after code 100401 (on a create, a look-up or
	// a matching_name check) and returns an unpaced client carrying it; the look-ups must use it from then on. It is used once per expiry (a second 100401 right after a
	// login stops the run).
	Relogin func(ctx context.Context) (*api.Client, error)

	// InFlight bounds a request that is finished after an interruption (default 2m).
	InFlight time.Duration

	Report   io.Writer     // the validation report and notes (stderr)
	T        *i18n.Printer // the language of Report (nil: English)
	Progress Progress
	Clock    pace.Clock
	Hooks    Hooks
}

// The values of Config.IfExists.
const (
	IfExistsSkip = "skip" // a row whose customer exists is skipped, with the customer's id
	IfExistsFail = "fail" // a row whose customer exists fails
)

// Hooks let tests stop a run at the points a crash could happen. A non-nil error from
// a hook ends the run at once, as if the process died there.
type Hooks struct {
	AfterMarkSent func(row int) error // the row is journalled "sent"; the request has not gone out
	AfterAnswer   func(row int) error // the API answered; the journal does not know yet
}

// InvalidRow is one invalid row of the report.
type InvalidRow struct {
	Row      int      `json:"row"`
	Problems []string `json:"problems"`
}

// UnknownRow is a row whose outcome is unknown: its request got no usable answer, and
// the customers that may be its own (Candidates, "" when none was found yet) cannot be
// told apart from others.
type UnknownRow struct {
	Row        int    `json:"row"`
	Name       string `json:"name"`
	Candidates string `json:"candidates"`
	Reason     string `json:"reason"`
}

// Summary is what a run did.
type Summary struct {
	File     string `json:"file"`
	Format   string `json:"format"`
	Journal  string `json:"journal,omitempty"`
	Results  string `json:"results,omitempty"`
	Rate     string `json:"rate,omitempty"`
	DryRun   bool   `json:"dry_run"`
	Rows     int    `json:"rows"`
	ToCreate int    `json:"to_create"`

	Created        int `json:"created"`
	Recovered      int `json:"recovered"`       // found by matching_name after an unknown outcome (included in Created)
	AlreadyCreated int `json:"already_created"` // created by an earlier run (skipped)
	Duplicates     int `json:"duplicates"`      // repeats of an earlier row of the file (skipped)
	Exists         int `json:"exists"`          // customers the CRM holds already (--if-exists skip: skipped)
	Skipped        int `json:"skipped"`
	Failed         int `json:"failed"`
	// Unknown rows were sent without a usable answer, and the facts do not yet tell
	// whether their customer was created: checked again on the next run, never adopted
	// on a guess, sent again only with --retry-unknown (UnknownRows says which).
	Unknown int `json:"unknown"`
	Invalid int `json:"invalid"`
	Pending int `json:"pending"` // not attempted (interrupted or stopped)

	// RequestsPerRow is what a row costs: 1, or 2 with the check of --if-exists.
	RequestsPerRow int `json:"requests_per_row"`

	Requests    int64   `json:"requests"`
	Throttled   int64   `json:"throttled"`
	ElapsedSecs float64 `json:"elapsed_seconds"`
	Interrupted bool    `json:"interrupted"`

	InvalidRows []InvalidRow `json:"invalid_rows"`
	UnknownRows []UnknownRow `json:"unknown_rows"`

	elapsed time.Duration
}

// Elapsed is the run's duration.
func (s *Summary) Elapsed() time.Duration { return s.elapsed }

// Done is the number of rows finished in this run (for progress).
func (s *Summary) Done() int { return s.Created + s.Failed + s.Unknown + s.Exists }

const maxInvalidKept = 1000

// InvalidFileError means rows are invalid and --skip-invalid was not given: nothing was sent.
type InvalidFileError struct{ Count, Valid int }

func (e *InvalidFileError) Error() string { return e.Localize(i18n.New(i18n.English)) }

// Localize tells the error in p's language.
func (e *InvalidFileError) Localize(p *i18n.Printer) string {
	if e.Valid == 0 {
		return p.Sprintf("%d invalid row(s) and no valid one: nothing was sent; fix the file", i18n.Count(e.Count))
	}
	return p.Sprintf("%d invalid row(s): nothing was sent; fix them, or pass --skip-invalid to import the %d valid row(s)", i18n.Count(e.Count), i18n.Count(e.Valid))
}

// InputError is a file that cannot be read as an import: a missing file, an unknown
// format, unknown columns, a malformed CSV.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// ErrInterrupted ends a run cut short by its context; it wraps context.Canceled.
var ErrInterrupted = i18n.Errorf("import interrupted: %w", context.Canceled)

// errCrash is a hook's simulated crash.
type crashError struct{ err error }

func (e *crashError) Error() string { return "stopped by a hook: " + e.err.Error() }
func (e *crashError) Unwrap() error { return e.err }

type runner struct {
	cfg     Config
	sum     *Summary
	val     *Validator
	j       *Journal
	led     LedgerStore // nil: no ledger
	key     string      // the ledger key of the row being sent
	res     *Results
	client  *api.Client
	clients []*api.Client // every client used, for the request counts
	start   time.Time
	// loginOK: a login is allowed (none yet, or a request succeeded since the last one)
	loginOK bool
	facts   SendFacts // what was known before the row being created was sent
	// maxID is the highest customer id known to exist: every id up to it was there
	// before the next request leaves (ids grow).
	maxID int64
	// listed counts the per-row lines of the validation report; past MaxListed rows
	// they are counted in unlisted instead.
	listed, unlisted int
	// refused counts the rows the API refused in this run, the first MaxListed of them
	// reported as they come.
	refused int
}

// noteRefused reports a row the API refused: the first MaxListed as they come, then
// one line for the rest when the run ends (refusedRest).
func (r *runner) noteRefused(row int, name, msg string) {
	r.refused++
	if r.refused <= MaxListed {
		r.cfg.T.Fprintf(r.cfg.Report, "row %d (%s): refused by the API: %s\n", row, shorten(name, maxQuoted), msg)
	}
}

func (r *runner) refusedRest() {
	if n := r.refused - MaxListed; n > 0 {
		r.cfg.T.Fprintf(r.cfg.Report, "…and %d more refused; see the results file\n", n)
	}
}

// MaxListed is how many rows the validation report lists one by one; the rest are
// counted in one line.
const MaxListed = 20

// list writes the validation report's lines about a row, or counts the row once
// MaxListed rows have been listed.
func (r *runner) list(lines ...string) {
	if r.listed >= MaxListed {
		r.unlisted++
		return
	}
	r.listed++
	for _, l := range lines {
		fmt.Fprintln(r.cfg.Report, l)
	}
}

// listRest ends the validation report with the rows it did not list.
func (r *runner) listRest() {
	if r.unlisted == 0 {
		return
	}
	where := i18n.M("`--dry-run -o json` lists them")
	if r.cfg.SkipInvalid && !r.cfg.DryRun {
		where = i18n.M("see the results file")
	}
	r.cfg.T.Fprintf(r.cfg.Report, "…and %d more; %s\n", i18n.Count(r.unlisted), where)
	r.unlisted = 0
}

// Run validates the file and, unless DryRun, creates its rows.
func Run(ctx context.Context, cfg Config) (*Summary, error) {
	if cfg.Clock == nil {
		cfg.Clock = pace.RealClock{}
	}
	if cfg.Report == nil {
		cfg.Report = io.Discard
	}
	if cfg.Progress == nil {
		cfg.Progress = nopProgress{}
	}
	if cfg.InFlight <= 0 {
		cfg.InFlight = 2 * time.Minute
	}
	r := &runner{cfg: cfg, sum: &Summary{File: cfg.Path, DryRun: cfg.DryRun, InvalidRows: []InvalidRow{}, UnknownRows: []UnknownRow{}}, start: cfg.Clock.Now(), client: cfg.Client, loginOK: true}
	r.sum.RequestsPerRow = 1
	if cfg.IfExists != "" {
		r.sum.RequestsPerRow = 2 // the check, then the create
	}
	if cfg.Client != nil {
		r.clients = append(r.clients, cfg.Client)
	}
	if cfg.Pacer != nil {
		r.sum.Rate = cfg.Pacer.Limiter.Rate().String()
		if cfg.Pacer.Interrupt == nil {
			cfg.Pacer.Interrupt = ctx
			defer func() { cfg.Pacer.Interrupt = nil }()
		}
	}
	err := r.run(ctx)
	r.finish()
	return r.sum, err
}

func (r *runner) finish() {
	r.sum.elapsed = r.cfg.Clock.Now().Sub(r.start)
	r.sum.ElapsedSecs = r.sum.elapsed.Seconds()
	r.sum.Skipped = r.sum.AlreadyCreated + r.sum.Duplicates + r.sum.Exists
	for _, c := range r.clients {
		st := c.Stats()
		r.sum.Requests += st.Requests
		r.sum.Throttled += st.Throttled
	}
}

func (r *runner) run(ctx context.Context) error {
	cfg := r.cfg
	var (
		format, src string
		spooled     bool
		err         error
	)
	if cfg.Path == StdinPath {
		// Standard input is copied to the data folder; --format or its first bytes
		// say what it is.
		if src, format, err = spoolStdin(cfg.Stdin, spoolDir(cfg.DataDir), cfg.Read.Format); err != nil {
			return &InputError{i18n.Errorf("standard input: %w", err)}
		}
		spooled = true
	} else {
		if format, err = DetectFormat(cfg.Path, cfg.Read.Format); err != nil {
			return &InputError{err}
		}
		// A pipe or a device cannot be read twice: it is copied to the data folder first.
		if src, spooled, err = Spool(cfg.Path, spoolDir(cfg.DataDir), format != FormatXLSX); err != nil {
			return &InputError{i18n.Errorf("%s: %w", cfg.Path, err)}
		}
	}
	cfg.Read.Format = format
	if spooled {
		defer os.Remove(src)
	}
	// Pass 1: read and validate everything before anything is sent.
	rd, err := Open(src, cfg.Read)
	if err != nil {
		if spooled {
			err = errors.New(strings.ReplaceAll(err.Error(), src, cfg.Path))
		}
		return &InputError{err}
	}
	r.sum.Format = rd.Describe()
	if c, ok := rd.(*csvReader); ok {
		cfg.Read.decided = c.enc // pass 2 reads the file as pass 1 did
		r.cfg.Read.decided = c.enc
	}
	var headerOf map[string]string
	if m := rd.Mapping(); m != nil {
		headerOf = m.HeaderOf
	}
	lk := Lookups{
		Pools: func(ctx context.Context) (pools []api.Pool, err error) {
			err = r.withLogin(ctx, func() (e error) { pools, e = cfg.Lookups.Pools(ctx); return e })
			return pools, err
		},
		FieldMaps: func(ctx context.Context) (maps *api.FieldMapList, err error) {
			err = r.withLogin(ctx, func() (e error) { maps, e = cfg.Lookups.FieldMaps(ctx); return e })
			return maps, err
		},
	}
	if cfg.Lookups.Form != nil {
		lk.Form = func(ctx context.Context, template string) (form *fields.Form, err error) {
			err = r.withLogin(ctx, func() (e error) { form, e = cfg.Lookups.Form(ctx, template); return e })
			return form, err
		}
	}
	if cfg.Lookups.Departments != nil {
		lk.Departments = func(ctx context.Context) (deps []api.Department, err error) {
			err = r.withLogin(ctx, func() (e error) { deps, e = cfg.Lookups.Departments(ctx); return e })
			return deps, err
		}
	}
	if strings.TrimSpace(cfg.Pool) == "" && rd.Mapping() != nil && headerOf[fields.PoolKey] == "" {
		// Every row would be invalid for it: one line says why.
		rd.Close()
		return &InputError{errors.New("--pool is required: the file has no 公海 (pool) column")}
	}
	r.val, err = NewValidator(ctx, lk, cfg.Pool, headerOf, cfg.AllowDuplicates)
	if err != nil {
		rd.Close()
		return err
	}
	defer r.val.Close()
	lpath := cfg.LedgerPath
	if lpath == "" && cfg.DataDir != "" {
		lpath = DefaultLedgerPath(cfg.DataDir, cfg.Meta)
	}
	var seen LedgerStore // --dry-run: what the ledger already has
	switch {
	case cfg.DryRun && cfg.SharedLedger != nil:
		seen = cfg.SharedLedger
	case cfg.DryRun && lpath != "":
		l, err := ReadLedger(ctx, lpath)
		if err != nil {
			rd.Close()
			return err
		}
		if l != nil {
			seen = l
			defer l.Close()
		}
	}
	lastRow, valid, inLedger, err := r.validate(ctx, rd, seen)
	r.listRest()
	sum := hex.EncodeToString(rd.Sum())
	rd.Close()
	if err != nil {
		return err
	}
	st1, err := os.Stat(src)
	if err != nil {
		return err
	}
	r.val.Freeze()

	meta := cfg.Meta
	meta.Pool, meta.FileSum, meta.File = r.val.DefaultPool(), sum, cfg.Path
	jpath := cfg.JournalPath
	if jpath == "" {
		jpath = DefaultJournalPath(cfg.DataDir, meta)
	}
	r.sum.Journal = jpath

	if cfg.DryRun {
		r.sum.ToCreate = valid - r.sum.Duplicates
		if seen != nil {
			// Every created row is in the ledger, whichever file it came from.
			r.sum.AlreadyCreated = inLedger
			r.sum.ToCreate -= inLedger
		}
		if j, err := ReadJournal(ctx, jpath); err == nil && j != nil {
			counts, err := j.Counts(ctx)
			j.Close()
			if err == nil {
				if seen == nil {
					r.sum.AlreadyCreated = counts[StateCreated]
					r.sum.ToCreate -= counts[StateCreated]
				}
				if !cfg.RetryFailed {
					r.sum.Failed = counts[StateFailed]
					r.sum.ToCreate -= counts[StateFailed]
				}
				if !cfg.RetryUnknown {
					r.sum.Unknown = counts[StateUnknown]
					r.sum.ToCreate -= counts[StateUnknown]
				}
			}
		}
		r.sum.ToCreate = max(r.sum.ToCreate, 0)
		if r.sum.Invalid > 0 && !cfg.SkipInvalid {
			return &InvalidFileError{Count: r.sum.Invalid, Valid: valid}
		}
		return nil
	}
	if r.sum.Invalid > 0 && !cfg.SkipInvalid {
		return &InvalidFileError{Count: r.sum.Invalid, Valid: valid}
	}
	if r.client == nil || cfg.Pacer == nil {
		return i18n.Errorf("import: no client")
	}

	r.j, err = OpenJournal(ctx, jpath, meta)
	if err != nil {
		return err
	}
	defer r.j.Close()
	switch {
	case cfg.SharedLedger != nil:
		r.led = cfg.SharedLedger
	case lpath != "":
		l, err := OpenLedger(ctx, lpath)
		if err != nil {
			return err
		}
		defer l.Close()
		r.led = l
		if r.maxID, err = l.MaxID(ctx); err != nil {
			return err
		}
	}
	jmax, err := r.j.MaxID(ctx)
	if err != nil {
		return err
	}
	r.see(jmax)
	rpath := cfg.ResultsPath
	if rpath == "" {
		rpath = strings.TrimSuffix(jpath, ".db") + ".results.csv"
	}
	if r.res, err = CreateResults(rpath); err != nil {
		return i18n.Errorf("results file: %w", err)
	}
	defer r.res.Close()
	r.sum.Results = rpath

	counts, err := r.j.Counts(ctx)
	if err != nil {
		return err
	}
	r.sum.ToCreate = valid - r.sum.Duplicates - counts[StateCreated]
	if !cfg.RetryFailed {
		r.sum.ToCreate -= counts[StateFailed]
	}
	if !cfg.RetryUnknown {
		r.sum.ToCreate -= counts[StateUnknown]
	}
	r.sum.ToCreate = max(r.sum.ToCreate, 0)
	r.sum.Invalid = 0 // counted again as the rows are written out
	r.sum.Duplicates = 0
	r.sum.InvalidRows = r.sum.InvalidRows[:0]

	// Pass 2: send.
	rd, err = Open(src, cfg.Read)
	if err != nil {
		return err
	}
	defer rd.Close()
	cfg.Progress.Start(r.sum.ToCreate)
	err = r.send(ctx, rd, lastRow)
	cfg.Progress.Finish(r.sum)
	r.refusedRest()
	if err != nil {
		return err
	}
	if st2, serr := os.Stat(src); serr == nil && (st2.Size() != st1.Size() || !st2.ModTime().Equal(st1.ModTime())) {
		return i18n.Errorf("%s changed during the import: check the results file %s", cfg.Path, rpath)
	}
	if got := hex.EncodeToString(rd.Sum()); got != sum {
		return i18n.Errorf("%s changed during the import: check the results file %s", cfg.Path, rpath)
	}
	return nil
}

// spoolDir is where a pipe's content is copied: the data folder's imports folder.
func spoolDir(dataDir string) string {
	if dataDir == "" {
		return ""
	}
	return filepath.Join(dataDir, "imports")
}

// validate is pass 1. It returns the number of the last non-empty row, the count of
// valid rows, duplicates included, and of the rows whose customer seen (when not nil)
// has as created.
func (r *runner) validate(ctx context.Context, rd Reader, seen LedgerStore) (lastRow, valid, inLedger int, err error) {
	var empties []int
	var keys []string // valid rows not yet looked up in seen
	count := func() error {
		if seen == nil {
			return nil
		}
		n, err := seen.CountCreated(ctx, keys)
		inLedger += n
		keys = keys[:0]
		return err
	}
	for n := 0; ; n++ {
		if n%1024 == 0 && ctx.Err() != nil {
			r.sum.Interrupted = true
			return 0, 0, 0, ErrInterrupted
		}
		rec, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return 0, 0, 0, &InputError{i18n.Errorf("%s: %w", r.cfg.Path, err)}
		}
		v, err := r.val.Check(ctx, rec)
		if err != nil {
			return 0, 0, 0, err
		}
		if v.Empty {
			empties = append(empties, v.Row)
			continue
		}
		for _, e := range empties {
			r.sum.Rows++
			r.invalid(&Verdict{Row: e, Problems: []RowProblem{{Reason: i18n.M("empty row")}}}, true)
		}
		empties = empties[:0]
		lastRow = v.Row
		r.sum.Rows++
		switch {
		case !v.Valid():
			r.invalid(v, true)
		case v.DuplicateOf != 0:
			r.sum.Duplicates++
			valid++
			r.list(r.cfg.T.Sprintf("row %d: duplicate of row %d (same name, mobile and telephone): imported once", v.Row, v.DuplicateOf))
		default:
			valid++
			if seen != nil {
				if keys = append(keys, ledgerKey(v, r.cfg.AllowDuplicates)); len(keys) == ledgerBatch {
					if err := count(); err != nil {
						return 0, 0, 0, err
					}
				}
			}
		}
	}
	if err := count(); err != nil {
		return 0, 0, 0, err
	}
	return lastRow, valid, inLedger, nil
}

// ledgerBatch is how many rows --dry-run asks the ledger about at once.
const ledgerBatch = 500

func (r *runner) invalid(v *Verdict, report bool) {
	r.sum.Invalid++
	if v.Empty {
		v.Problems = []RowProblem{{Reason: i18n.M("empty row")}}
	}
	msgs := make([]string, len(v.Problems))
	lines := make([]string, len(v.Problems))
	for i, p := range v.Problems {
		msgs[i] = p.String() // English: the summary's JSON and the results file are data
		lines[i] = r.cfg.T.Sprintf("row %d: %s", v.Row, p.Localize(r.cfg.T))
	}
	if report {
		r.list(lines...)
	}
	if len(r.sum.InvalidRows) < maxInvalidKept {
		r.sum.InvalidRows = append(r.sum.InvalidRows, InvalidRow{Row: v.Row, Problems: msgs})
	}
	_ = r.res.Write(Result{Row: v.Row, Status: StatusInvalid, Name: v.Name, Message: strings.Join(msgs, "; ")})
}

// detached is a context that an interruption does not cancel: a request in flight is
// finished and recorded.
func (r *runner) detached(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), r.cfg.InFlight)
}

// send is pass 2.
func (r *runner) send(ctx context.Context, rd Reader, lastRow int) error {
	bg := context.WithoutCancel(ctx) // journal reads: an interruption must not fail them
	for {
		rec, err := rd.Next()
		if errors.Is(err, io.EOF) {
			if r.sum.Interrupted {
				return ErrInterrupted
			}
			return nil
		}
		if err != nil {
			return err
		}
		v, err := r.val.Check(ctx, rec)
		if err != nil {
			return err
		}
		if !r.sum.Interrupted && ctx.Err() != nil {
			r.sum.Interrupted = true
		}
		switch {
		case v.Empty && v.Row > lastRow:
			continue
		case !v.Valid():
			r.invalid(v, false)
			continue
		case v.DuplicateOf != 0:
			r.sum.Duplicates++
			r.write(Result{Row: v.Row, Status: StatusSkipped, Name: v.Name, Message: fmt.Sprintf("duplicate of row %d", v.DuplicateOf)})
			continue
		}
		if r.sum.Interrupted {
			r.sum.Pending++
			continue
		}
		e, err := r.j.Get(bg, v.Row)
		if err != nil {
			return err
		}
		if r.led != nil {
			r.key = ledgerKey(v, r.cfg.AllowDuplicates)
		}
		switch e.State {
		case StateCreated:
			r.sum.AlreadyCreated++
			r.write(Result{Row: v.Row, Status: StatusSkipped, Name: v.Name, CustomerID: e.CustomerID, Message: "created by an earlier run"})
			continue
		case StateFailed:
			if !r.cfg.RetryFailed {
				r.sum.Failed++
				r.write(Result{Row: v.Row, Status: StatusFailed, Name: v.Name, APICode: e.Code, Message: e.Message + " (an earlier run; --retry-failed tries it again)"})
				continue
			}
		}
		// What is known, before the row is sent, of the customers there already: the
		// answer of a check just made, or the highest id known (none yet: a matching_name
		// is asked, after the claim, as late as can be).
		var facts SendFacts
		var settled bool
		recovering := e.State == StateSent || e.State == StateUnknown
		if recovering {
			settled, facts, err = r.recover(ctx, v, e)
		} else {
			facts.Floor = r.maxID
		}
		if err == nil && !settled {
			settled, facts, err = r.claim(ctx, v, facts)
		}
		// (With --if-exists each row is checked by name before it is sent anyway; no
		// second check is made, and a lost answer with no id known yet is "unknown".)
		if err == nil && !settled && !facts.Checked && facts.Floor == 0 && r.cfg.IfExists == "" {
			facts, err = r.factsBefore(ctx, v)
		}
		if err != nil {
			if err := r.halt(ctx, rd, lastRow, err); err != nil {
				return err
			}
			continue
		}
		if settled {
			continue
		}
		if r.cfg.IfExists != "" {
			exists, err := r.exists(ctx, v)
			if err != nil {
				err = r.release(context.WithoutCancel(ctx), err)
				if err := r.halt(ctx, rd, lastRow, err); err != nil {
					return err
				}
				continue
			}
			if exists {
				continue
			}
		}
		if err := r.create(ctx, v, facts); err != nil {
			if errors.Is(err, ErrInterrupted) {
				r.sum.Interrupted = true
				r.sum.Pending++
				continue // count what is left; send nothing more
			}
			var ce *crashError
			if errors.As(err, &ce) {
				return err
			}
			r.sum.Pending++
			r.drain(ctx, rd, lastRow)
			return err
		}
	}
}

// halt settles a row whose check before sending failed with err: it stays pending. After
// an interruption the run goes on counting the rows (nil); any other error ends it, once
// the rows left are counted.
func (r *runner) halt(ctx context.Context, rd Reader, lastRow int, err error) error {
	r.sum.Pending++
	if ctx.Err() != nil {
		r.sum.Interrupted = true
		return nil
	}
	r.drain(ctx, rd, lastRow)
	return err
}

// drain counts the rows left after a stop.
func (r *runner) drain(ctx context.Context, rd Reader, lastRow int) {
	for {
		rec, err := rd.Next()
		if err != nil {
			return
		}
		v, err := r.val.Check(ctx, rec)
		if err != nil || (v.Empty && v.Row > lastRow) {
			continue
		}
		if !v.Valid() {
			r.invalid(v, false)
			continue
		}
		if v.DuplicateOf != 0 {
			r.sum.Duplicates++
			continue
		}
		r.sum.Pending++
	}
}

func (r *runner) write(res Result) {
	if err := r.res.Write(res); err != nil {
		r.cfg.T.Fprintf(r.cfg.Report, "crmctl: warning: results file: %v\n", err)
	}
}

// recover settles a row an earlier run left "sent" or "unknown", from facts
// (api.Reconcile): the customer proven the row's is recorded (settled); with none found
// the row is sent again, with facts telling its customer from the ones there now; an
// unknown outcome stays unknown (settled) unless --retry-unknown.
func (r *runner) recover(ctx context.Context, v *Verdict, e Entry) (settled bool, next SendFacts, err error) {
	rec, err := r.reconcile(ctx, v, e.Facts)
	if err != nil {
		return false, next, err
	}
	bg, cancel := r.detached(ctx)
	defer cancel()
	next = SendFacts{Floor: r.maxID, Before: rec.Seen, Checked: true}
	switch rec.Finding {
	case api.Created:
		if err := r.ledgerCreated(bg, v, rec.ID); err != nil {
			return false, next, err
		}
		if err := r.j.MarkCreated(bg, v.Row, rec.ID, "an earlier request got no answer; the customer was found and proven the row's"); err != nil {
			return false, next, err
		}
		r.sum.Created++
		r.sum.Recovered++
		r.write(Result{Row: v.Row, Status: StatusCreated, Name: v.Name, CustomerID: rec.ID, Message: "an earlier request got no answer; matching_name found the customer, proven the row's"})
		r.cfg.Progress.Update(r.sum)
		return true, next, nil
	case api.Unknown:
		if r.cfg.RetryUnknown {
			fmt.Fprintf(r.cfg.Report, "row %d: outcome unknown (candidates %s): sent again, as --retry-unknown asks\n", v.Row, rec.CandidateList())
			return false, next, nil
		}
		if e.State != StateUnknown {
			if err := r.j.MarkUnknown(bg, v.Row, "candidates: "+rec.CandidateList()); err != nil {
				return false, next, err
			}
		}
		r.unknown(v, rec, "an earlier request got no usable answer")
		return true, next, nil
	}
	fmt.Fprintf(r.cfg.Report, "row %d: an earlier request got no answer and created no customer: sending it again\n", v.Row)
	return false, next, nil
}

// unknown reports a row whose outcome is unknown.
func (r *runner) unknown(v *Verdict, rec *api.Reconciliation, why string) {
	r.sum.Unknown++
	u := UnknownRow{Row: v.Row, Name: v.Name, Candidates: rec.CandidateList()}
	if len(rec.Candidates) == 0 {
		u.Reason = why + "; no customer of its name and details is found yet: the next run checks again, and sends it again only if it still finds none"
	} else {
		u.Reason = why + "; these customers may be its own, and nothing proves which: check them, then run again with --retry-unknown to send it again (or leave it)"
	}
	if len(r.sum.UnknownRows) < maxInvalidKept {
		r.sum.UnknownRows = append(r.sum.UnknownRows, u)
	}
	msg := u.Reason
	if u.Candidates != "" {
		msg = "candidates " + u.Candidates + ": " + msg
	}
	fmt.Fprintf(r.cfg.Report, "row %d: outcome unknown: %s\n", v.Row, msg)
	r.write(Result{Row: v.Row, Status: StatusUnknown, Name: v.Name, Message: msg})
}

// see raises the highest id known to exist.
func (r *runner) see(id int64) {
	r.maxID = max(r.maxID, id)
}

func (r *runner) seeID(id string) {
	if n, err := strconv.ParseInt(strings.TrimSpace(id), 10, 64); err == nil {
		r.see(n)
	}
}

// factsBefore asks, before v is sent when no customer id is known yet (a first import),
// one matching_name of the row's name, so that its customer can be told from the ones
// there now; the row's claim in the ledger records the answer.
func (r *runner) factsBefore(ctx context.Context, v *Verdict) (SendFacts, error) {
	var list *api.CustomerList
	err := r.withLogin(ctx, func() (e error) { list, e = r.client.MatchingName(ctx, v.Name); return e })
	if err != nil {
		return SendFacts{}, fmt.Errorf("row %d: listing the customers named %q before sending: %w", v.Row, v.Name, err)
	}
	f := SendFacts{Checked: true}
	for _, c := range list.Customers {
		if id := strings.TrimSpace(string(c.ID)); id != "" {
			f.Before = append(f.Before, id)
			r.seeID(id)
		}
	}
	f.Floor = r.maxID
	if r.led != nil {
		bg, cancel := r.detached(ctx)
		defer cancel()
		if err := r.recordFacts(bg, f); err != nil {
			return f, err
		}
	}
	return f, nil
}

// reconcile decides from facts what an unanswered request for v, sent with f, did: one
// matching_name, and the records of the customers that could be the row's (for their
// contact details). A refused token (code 100401) is handled as for a create: one
// login and the same question again.
func (r *runner) reconcile(ctx context.Context, v *Verdict, f SendFacts) (*api.Reconciliation, error) {
	var list *api.CustomerList
	err := r.withLogin(ctx, func() (e error) { list, e = r.client.MatchingName(ctx, v.Name); return e })
	if err != nil {
		return nil, i18n.Errorf("row %d: checking whether an unanswered request created %q: %w", v.Row, v.Name, err)
	}
	fetch := func(ctx context.Context, id string) (c *api.Customer, err error) {
		err = r.withLogin(ctx, func() (e error) { c, e = r.client.CommonCustomer(ctx, id); return e })
		return c, err
	}
	sent := api.Sent{
		Name: v.Name, Pool: v.Values[fields.PoolKey],
		Phone: v.Values["address_attributes[phone]"], Tel: v.Values["address_attributes[tel]"], Email: v.Values["address_attributes[email]"],
		Floor: f.Floor, Before: f.Before, Checked: f.Checked,
		Owned: func(ctx context.Context, id string) (bool, error) {
			if own, err := r.j.OwnedByOther(ctx, id, v.Row); own || err != nil {
				return own, err
			}
			if fl, ok := r.led.(FactsLedger); ok {
				return fl.OwnedByOther(ctx, id, r.key)
			}
			return false, nil
		},
	}
	rec, err := api.Reconcile(ctx, sent, list, fetch)
	if err != nil {
		return nil, i18n.Errorf("row %d: checking whether an unanswered request created %q: %w", v.Row, v.Name, err)
	}
	r.see(rec.MaxID)
	return rec, nil
}

// exists asks the CRM, for --if-exists, whether the row's customer exists: the same name,
// mobile and telephone, in the row's pool (api.CustomerList.Existing). When it does, the
// row is settled without a request: skipped with the customer's id (skip, one customer),
// or failed naming them (fail, or several with skip); its ledger claim is given up and
// the journal keeps it unsent, so that a later run asks again. A refused token is
// handled as for a create.
func (r *runner) exists(ctx context.Context, v *Verdict) (bool, error) {
	var list *api.CustomerList
	err := r.withLogin(ctx, func() (e error) { list, e = r.client.MatchingName(ctx, v.Name); return e })
	r.cfg.Progress.Update(r.sum)
	if err != nil {
		return false, fmt.Errorf("row %d: checking whether customer %q exists (--if-exists %s): %w", v.Row, v.Name, r.cfg.IfExists, err)
	}
	found := list.Existing(api.Match{
		Name:  v.Name,
		Phone: v.Values["address_attributes[phone]"],
		Tel:   v.Values["address_attributes[tel]"],
		Pool:  v.Values["common_id"],
	})
	if len(found) == 0 {
		return false, nil
	}
	if err := r.release(context.WithoutCancel(ctx), nil); err != nil {
		return false, err
	}
	ids := make([]string, len(found))
	for i, c := range found {
		ids[i] = string(c.ID)
	}
	if r.cfg.IfExists == IfExistsSkip && len(found) == 1 {
		r.sum.Exists++
		r.sum.ToCreate = max(r.sum.ToCreate-1, 0)
		r.write(Result{Row: v.Row, Status: StatusSkipped, Name: v.Name, CustomerID: ids[0],
			Message: "exists in the CRM (--if-exists skip)"})
		return true, nil
	}
	msg := fmt.Sprintf("exists in the CRM as customer %s (--if-exists fail)", ids[0])
	if len(found) > 1 {
		msg = fmt.Sprintf("exists %d times in the CRM, as customers %s (--if-exists %s)", len(found), strings.Join(ids, ", "), r.cfg.IfExists)
	}
	r.sum.Failed++
	if r.refused++; r.refused <= MaxListed {
		fmt.Fprintf(r.cfg.Report, "row %d (%s): not sent: %s\n", v.Row, shorten(v.Name, maxQuoted), msg)
	}
	r.write(Result{Row: v.Row, Status: StatusFailed, Name: v.Name, CustomerID: strings.Join(ids, " "), Message: msg})
	return true, nil
}

// create sends one row: journal "sent", wait for the slot, request, journal outcome,
// result.
func (r *runner) create(ctx context.Context, v *Verdict, facts SendFacts) error {
	cfg := r.cfg
	for {
		if ctx.Err() != nil {
			return ErrInterrupted
		}
		bg, cancel := r.detached(ctx)
		r.facts = facts
		err := r.j.MarkSent(bg, v.Row, v.Name, facts)
		if err == nil && cfg.Hooks.AfterMarkSent != nil {
			if herr := cfg.Hooks.AfterMarkSent(v.Row); herr != nil {
				err = &crashError{herr}
			}
		}
		if err != nil {
			cancel()
			return err
		}
		// The request itself is not cancelled by an interruption (it is finished and
		// recorded); the wait for its slot is.
		cust, err := r.client.CreateCommonCustomer(bg, v.Values.Form())
		if cfg.Hooks.AfterAnswer != nil {
			if herr := cfg.Hooks.AfterAnswer(v.Row); herr != nil {
				cancel()
				return &crashError{herr}
			}
		}
		retry, err := r.outcome(bg, v, cust, err)
		cancel()
		r.cfg.Progress.Update(r.sum)
		if !retry {
			return err
		}
	}
}

// relogin gets a new token after cause (an authentication error) with Config.Relogin,
// once: a second refusal before any request succeeded again stops the run. It returns
// cause when no login is possible.
func (r *runner) relogin(ctx context.Context, cause error) error {
	if r.cfg.Relogin == nil || !r.loginOK {
		return cause
	}
	r.cfg.T.Fprintf(r.cfg.Report, "crmctl: the token was refused (%v): logging in again\n", cause)
	c, err := r.cfg.Relogin(ctx)
	if err != nil {
		return i18n.Errorf("logging in again after %v: %w", cause, err)
	}
	r.loginOK = false
	if r.cfg.Pacer != nil {
		if c, err = r.cfg.Pacer.Client(c); err != nil {
			return err
		}
	}
	r.client = c
	r.clients = append(r.clients, c)
	return nil
}

// withLogin runs a look-up, logging in again once if the token is refused.
func (r *runner) withLogin(ctx context.Context, call func() error) error {
	err := call()
	var apiErr *api.Error
	if err == nil || !errors.As(err, &apiErr) || !apiErr.IsAuth() {
		return err
	}
	if err := r.relogin(ctx, err); err != nil {
		return err
	}
	if err = call(); err == nil {
		r.loginOK = true
	}
	return err
}

// outcome records the answer to a create. retry is true when the row should be sent
// again at once (after a new login).
func (r *runner) outcome(ctx context.Context, v *Verdict, cust *api.Customer, err error) (retry bool, _ error) {
	var (
		apiErr *api.Error
		netErr *api.NetworkError
		thr    *api.ThrottledError
		canc   *api.CanceledError
		wait   *pace.WaitError
	)
	switch {
	case err == nil:
		r.loginOK = true
		r.seeID(string(cust.ID))
		if err := r.ledgerCreated(ctx, v, string(cust.ID)); err != nil {
			return false, err
		}
		if err := r.j.MarkCreated(ctx, v.Row, string(cust.ID), ""); err != nil {
			return false, err
		}
		r.sum.Created++
		r.write(Result{Row: v.Row, Status: StatusCreated, Name: v.Name, CustomerID: string(cust.ID)})
		return false, nil
	case errors.As(err, &apiErr) && apiErr.IsAuth():
		// Refused before it was processed.
		if jerr := r.j.Unsend(ctx, v.Row); jerr != nil {
			return false, jerr
		}
		if err := r.relogin(ctx, err); err != nil {
			return false, r.release(ctx, err)
		}
		return true, nil
	case errors.As(err, &apiErr):
		r.loginOK = true
		if err := r.j.MarkFailed(ctx, v.Row, apiErr.Code, apiErr.Message); err != nil {
			return false, err
		}
		if err := r.release(ctx, nil); err != nil {
			return false, err
		}
		r.sum.Failed++
		r.noteRefused(v.Row, v.Name, apiErr.Error())
		r.write(Result{Row: v.Row, Status: StatusFailed, Name: v.Name, APICode: apiErr.Code, Message: apiErr.Error()})
		return false, nil
	case errors.Is(err, pace.ErrWaitInterrupted):
		// Interrupted before the request left.
		if jerr := r.j.Unsend(ctx, v.Row); jerr != nil {
			return false, jerr
		}
		return false, r.release(ctx, ErrInterrupted)
	case errors.As(err, &thr), errors.As(err, &netErr) && !netErr.MaybeSent, errors.As(err, &canc) && !canc.MaybeSent,
		errors.Is(err, api.ErrNoToken), errors.As(err, &wait):
		// It certainly was not processed: the row stays pending; the run stops.
		if jerr := r.j.Unsend(ctx, v.Row); jerr != nil {
			return false, jerr
		}
		return false, r.release(ctx, err)
	default:
		// The request may have been processed (no answer, a 5xx page, an answer that
		// could not be read): ask matching_name before anything is sent again.
		r.cfg.T.Fprintf(r.cfg.Report, "row %d: no usable answer (%v): checking with matching_name\n", v.Row, err)
		rec, lerr := r.reconcile(ctx, v, r.facts)
		if lerr != nil {
			return false, lerr // the row stays "sent": the next run checks it again
		}
		switch rec.Finding {
		case api.Created:
			if err := r.ledgerCreated(ctx, v, rec.ID); err != nil {
				return false, err
			}
			if err := r.j.MarkCreated(ctx, v.Row, rec.ID, "no answer; the customer was found and proven the row's"); err != nil {
				return false, err
			}
			r.sum.Created++
			r.sum.Recovered++
			r.write(Result{Row: v.Row, Status: StatusCreated, Name: v.Name, CustomerID: rec.ID, Message: "no answer; matching_name found the customer, proven the row's"})
		case api.Unknown:
			if err := r.j.MarkUnknown(ctx, v.Row, "candidates: "+rec.CandidateList()); err != nil {
				return false, err
			}
			r.unknown(v, rec, fmt.Sprintf("no usable answer (%v)", err))
		default:
			// The row stays "sent": the CRM may still be carrying the request out.
			r.unknown(v, rec, fmt.Sprintf("no usable answer (%v)", err))
		}
		return false, nil
	}
}

// awaitPoll is how often a row whose customer another import is sending asks the
// ledger whether that import is done with it, for at most awaitMax.
const (
	awaitPoll = 250 * time.Millisecond
	awaitMax  = 2 * time.Minute
)

// recordFacts records facts on the row's claim, in a ledger that keeps them.
func (r *runner) recordFacts(ctx context.Context, f SendFacts) error {
	if fl, ok := r.led.(FactsLedger); ok {
		return fl.RecordFacts(ctx, r.key, f)
	}
	return nil
}

// claim claims the row's customer in the ledger before it is sent, with facts, the
// SendFacts of the send to come. settled is true when the row is settled without a
// request: another import created its customer, or sent it without an answer and the
// customer was found and proven its own, or that is unknown. A customer that another
// import is sending right now (on this machine, or on another through a shared ledger)
// is waited for, a while: its outcome settles the row; past awaitMax the row is left
// for the next run. next are the facts to send with.
func (r *runner) claim(ctx context.Context, v *Verdict, facts SendFacts) (settled bool, next SendFacts, err error) {
	next = facts
	if r.led == nil {
		return false, next, nil
	}
	bg, cancel := r.detached(ctx)
	defer cancel()
	var (
		prev    LedgerEntry
		earlier string
	)
	start := r.cfg.Clock.Now()
	for waited := false; ; waited = true {
		var ok bool
		prev, ok, err = r.led.Claim(bg, r.key, r.j.Path, r.cfg.Path, v.Row, v.Name, time.Now())
		if err != nil {
			return false, next, err
		}
		if ok {
			return false, next, r.recordFacts(bg, facts)
		}
		own := prev.Journal == r.j.Path && prev.Row == v.Row
		earlier = fmt.Sprintf("%s row %d", prev.File, prev.Row)
		if own {
			earlier = "an earlier run"
		}
		switch {
		case prev.State == LedgerCreated:
			return true, next, r.adopt(bg, v, prev.CustomerID, "created by "+earlier)
		case own:
			// This row's claim, whose request never left or was settled by the journal.
			if err := r.led.Take(bg, r.key, r.j.Path, r.cfg.Path, v.Row, time.Now()); err != nil {
				return false, next, err
			}
			return false, next, r.recordFacts(bg, facts)
		case r.led.Busy(prev):
			if r.cfg.Clock.Now().Sub(start) >= awaitMax {
				r.sum.Unknown++
				r.write(Result{Row: v.Row, Status: StatusUnknown, Name: v.Name,
					Message: fmt.Sprintf("another import (%s) is sending this customer now: the next run checks again", earlier)})
				return true, next, nil
			}
			if !waited {
				fmt.Fprintf(r.cfg.Report, "row %d: another import (%s) is sending this customer now: waiting for its outcome\n", v.Row, earlier)
			}
			if err := r.cfg.Clock.Sleep(ctx, awaitPoll); err != nil {
				return false, next, err
			}
			continue
		}
		break
	}
	r.cfg.T.Fprintf(r.cfg.Report, "row %d: an import of %s sent this customer and got no answer: checking with matching_name\n", v.Row, earlier)
	rec, err := r.reconcile(ctx, v, prev.Facts)
	if err != nil {
		return false, next, err
	}
	next = SendFacts{Floor: r.maxID, Before: rec.Seen, Checked: true}
	switch {
	case rec.Finding == api.Created:
		if err := r.led.Created(bg, r.key, rec.ID, prev.Journal, prev.File, prev.Row, v.Name); err != nil {
			return false, next, err
		}
		return true, next, r.adopt(bg, v, rec.ID, "sent by "+earlier+"; the customer was found and proven its own")
	case rec.Finding == api.Unknown && !r.cfg.RetryUnknown:
		r.unknown(v, rec, "sent by "+earlier+" without a usable answer")
		return true, next, nil
	}
	if err := r.led.Take(bg, r.key, r.j.Path, r.cfg.Path, v.Row, time.Now()); err != nil {
		return false, next, err
	}
	return false, next, r.recordFacts(bg, next)
}

// adopt records a row whose customer an earlier import created: nothing is sent.
func (r *runner) adopt(ctx context.Context, v *Verdict, id, note string) error {
	if err := r.j.MarkCreatedEarlier(ctx, v.Row, v.Name, id, note); err != nil {
		return err
	}
	r.sum.AlreadyCreated++
	r.sum.ToCreate = max(r.sum.ToCreate-1, 0)
	r.write(Result{Row: v.Row, Status: StatusSkipped, Name: v.Name, CustomerID: id, Message: note})
	return nil
}

// ledgerCreated records the row's customer in the ledger.
func (r *runner) ledgerCreated(ctx context.Context, v *Verdict, id string) error {
	if r.led == nil {
		return nil
	}
	return r.led.Created(ctx, r.key, id, r.j.Path, r.cfg.Path, v.Row, v.Name)
}

// release gives up the row's claim (its request was refused or never left) and
// returns cause.
func (r *runner) release(ctx context.Context, cause error) error {
	if r.led == nil {
		return cause
	}
	if err := r.led.Release(ctx, r.key); err != nil {
		return errors.Join(cause, err)
	}
	return cause
}

// importRunning reports whether an import holds the journal at path.
func importRunning(path string) bool {
	lk := flock.New(path + ".lock")
	ok, err := lk.TryLock()
	if err != nil {
		return false
	}
	if ok {
		_ = lk.Unlock()
		return false
	}
	return true
}
