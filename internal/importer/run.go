package importer

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/crmctl/crmctl/internal/api"
	"github.com/crmctl/crmctl/internal/i18n"
	"github.com/crmctl/crmctl/internal/pace"
)

// Config is one import run.
type Config struct {
	Path  string    // the file, or StdinPath ("-") for Stdin
	Stdin io.Reader // standard input, read when Path is "-"
	Read  ReadOptions
	Pool  string // --pool: id or exact name; "" when the file has a pool column
	// TemplateID is the business template of rows whose template cell is empty ("": none).
	TemplateID string

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
	File     string      `json:"file"`
	Format   Description `json:"format"`
	Journal  string      `json:"journal,omitempty"`
	Results  string      `json:"results,omitempty"`
	Rate     string      `json:"rate,omitempty"`
	DryRun   bool        `json:"dry_run"`
	Rows     int         `json:"rows"`
	ToCreate int         `json:"to_create"`

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
func (r *runner) noteRefused(row int, name string, refusal error) {
	r.refused++
	if r.refused <= MaxListed {
		r.cfg.T.Fprintf(r.cfg.Report, "row %d (%s): refused by the API: %s\n", row, shorten(r.cfg.T, name, maxQuoted), refusal)
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

// input is the file the two passes read and its format: the import file itself, or
// a copy in the data folder of standard input, a pipe or a device (spooled; the caller
// removes it). An interruption before the input is read ends the run with ctx's error:
// nothing was read, so there is nothing to resume.
func (r *runner) input(ctx context.Context) (src, format string, spooled bool, err error) {
	cfg := r.cfg
	if cfg.Path == StdinPath {
		// Standard input is copied to the data folder; --format or its first bytes
		// say what it is.
		if src, format, err = spoolStdin(cfg.Stdin, spoolDir(cfg.DataDir), cfg.Read.Format); err != nil {
			return "", "", false, &InputError{i18n.Errorf("standard input: %w", err)}
		}
		return src, format, true, nil
	}
	if format, err = DetectFormat(cfg.Path, cfg.Read.Format); err != nil {
		return "", "", false, &InputError{err}
	}
	// A pipe or a device cannot be read twice: it is copied to the data folder first.
	if src, spooled, err = Spool(ctx, cfg.Path, spoolDir(cfg.DataDir), format != FormatXLSX); err != nil {
		if ctx.Err() != nil {
			return "", "", false, ctx.Err()
		}
		return "", "", false, &InputError{i18n.Errorf("%s: %w", cfg.Path, err)}
	}
	return src, format, spooled, nil
}

// run is one import: the input, pass 1 (every row validated before anything is sent),
// then either the plan of a dry run or pass 2 (the rows sent, with the journal, the
// ledger and the results file open).
func (r *runner) run(ctx context.Context) error {
	src, format, spooled, err := r.input(ctx)
	if err != nil {
		return err
	}
	r.cfg.Read.Format = format
	if spooled {
		defer os.Remove(src)
	}
	rd, err := r.openFirst(src, spooled)
	if err != nil {
		return err
	}
	if err := r.newValidator(ctx, rd.Mapping()); err != nil {
		rd.Close()
		return err
	}
	defer r.val.Close()
	lpath := r.ledgerPath()
	seen, closeSeen, err := r.seenLedger(ctx, lpath)
	if err != nil {
		rd.Close()
		return err
	}
	defer closeSeen()
	p1, err := r.firstPass(ctx, src, rd, seen)
	if err != nil {
		return err
	}
	meta, jpath := r.journalFor(p1.sum)
	if r.cfg.DryRun {
		return r.plan(ctx, jpath, seen != nil, p1)
	}
	if r.sum.Invalid > 0 && !r.cfg.SkipInvalid {
		return &InvalidFileError{Count: r.sum.Invalid, Valid: p1.valid}
	}
	if r.client == nil || r.cfg.Pacer == nil {
		return i18n.Errorf("import: no client")
	}
	closeStores, err := r.openStores(ctx, jpath, meta, lpath)
	defer closeStores()
	if err != nil {
		return err
	}
	if err := r.countToSend(ctx, p1.valid); err != nil {
		return err
	}
	return r.secondPass(ctx, src, p1)
}

// spoolDir is where a pipe's content is copied: the data folder's imports folder.
func spoolDir(dataDir string) string {
	if dataDir == "" {
		return ""
	}
	return filepath.Join(dataDir, "imports")
}
