package customers

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/kballard/go-shellquote"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/crmctl/crmctl/internal/api"
	"github.com/crmctl/crmctl/internal/cmdutil"
	"github.com/crmctl/crmctl/internal/config"
	"github.com/crmctl/crmctl/internal/fields"
	"github.com/crmctl/crmctl/internal/i18n"
	"github.com/crmctl/crmctl/internal/importer"
	"github.com/crmctl/crmctl/internal/iostreams"
	"github.com/crmctl/crmctl/internal/output"
	"github.com/crmctl/crmctl/internal/pace"
	"github.com/crmctl/crmctl/internal/team"
)

// ImportOptions are the inputs of `customers import`.
type ImportOptions struct {
	IO       *iostreams.IOStreams
	Settings func() (*config.Settings, error)
	// PacedClient and PacedLoginClient make the import's clients, paced by its own
	// pacer (its --rate) alone.
	PacedClient      func(*pace.Pacer) (*api.Client, error)
	PacedLoginClient func(*pace.Pacer) (*api.Client, error)
	Lookups          func() (*cmdutil.Lookups, error)
	Printer          func() (*output.Printer, error)
	Team             func() (*team.Store, error)
	Getenv           func(string) (string, bool)

	File            string
	Pool            string
	Format          string
	Encoding        string
	Delimiter       string
	Sheet           string
	Maps            []string
	IgnoreUnknown   bool
	SkipInvalid     bool
	DryRun          bool
	RetryFailed     bool
	RetryUnknown    bool
	AllowDuplicates bool
	IfExists        string // "", create, skip or fail
	Journal         string
	Results         string
	Rate            string
	ProgressEvery   int
	Template        string
	TemplateID      string // the business template of rows without one; its form names columns
	Force           bool

	// resume is the command line that resumes this run (printed after a stop).
	resume resumeLine

	// Clock is the factory's (nil: the real one); Hooks are for tests (nil: none).
	Clock pace.Clock
	Hooks importer.Hooks
}

// NewCmdImport builds `crmctl customers import FILE`.
func NewCmdImport(f *cmdutil.Factory, runF func(*ImportOptions) error) *cobra.Command {
	opts := &ImportOptions{
		IO: f.IOStreams, Settings: f.Settings, PacedClient: f.PacedClient, PacedLoginClient: f.PacedLoginClient,
		Lookups: f.Lookups, Printer: f.Printer, Team: f.Team, Getenv: f.Getenv, Clock: f.Clock,
	}
	cmd := &cobra.Command{
		Use:   "import FILE",
		Short: "Create many customers from a CSV, XLSX or JSONL file, paced and resumable / 从 CSV、XLSX 或 JSONL 文件批量导入客户（限速、可续传）",
		Long: `Create one public-pool customer per row of FILE: a CSV (UTF-8 with or without BOM,
UTF-16 with BOM, or GBK/GB18030; comma, semicolon or tab, detected, or any one character
given with --delimiter), an XLSX workbook (the first sheet, or --sheet) or a JSONL file
(one JSON object per line). The format comes from the extension; --format forces it.
FILE may be - for standard input, or a pipe (<(...), /dev/stdin): it is copied to the
data folder first. Standard input's format is --format, or told from its first bytes
(a workbook, a JSON object per line, else CSV).

INPUT CHECKS
  A CSV's encoding is decided for the whole file, never guessed: a BOM decides; else a
  file valid as UTF-8 throughout is UTF-8, and one with lines that are not is GB18030 if
  it is valid GB18030 throughout and no line holds a Chinese character in UTF-8. A file
  that is neither, or reads both ways with nothing to tell, is refused with the line
  named: --encoding says which it is. A broken CSV (an unterminated quote, a " inside an
  unquoted cell) is refused with its line. A line, record or cell over 1 MiB is refused.
  Values with invalid UTF-8, a NUL or another control character (tab and line breaks
  excepted) make their row invalid.

COLUMNS
  A header names each column's field as a flag name (name, contact-name, tel), an API key
  (address_attributes[tel]) or the CRM's Chinese label (客户名称, 电话, 联系人姓名), ignoring
  case and spaces; the company's custom fields use their label as the CRM shows it
  (客户级别, see ` + "`crmctl fields list`" + `) or their key (text_asset_9320d8d7; a business
  template's own fields by key, by label with --template-id, or with --map), and a label
  two fields share is refused (use the key). --template-id ID reads the headers with that
  template's form and gives it to rows whose 业务模版 cell is empty (a filled cell wins). The keys of a JSONL
  line are read the same way (nested objects as address_attributes[tel]). --map
  COLUMN=FIELD maps any other header or key (FIELD - ignores it). An unknown column or
  key stops the import unless --ignore-unknown. The pool comes from --pool, or from a
  pool (公海) column holding a pool's id or name; a filled cell wins over --pool.
  ` + "`--template FILE.xlsx`" + ` writes an empty template with every field's header — the
  create call's and one per enabled custom field, in the form's order — with drop-down lists
  of the valid options, pools and departments, and a comment on the headers of the
  columns that take ids, dates or several values. An existing file is never overwritten unless
  --force is given (a filled template is a day's work).

VALIDATION FIRST
  The whole file is checked before the first request: unknown or disabled options (with the
  nearest valid label), unknown pools and departments, bad ids and emails, the custom
  fields as a create checks them (options, numbers, dates, emails, mobiles, URLs, disabled
  fields, the required fields of the row's business template), rows without a name or a
  pool, empty rows. Each bad row is reported with its row number (as a spreadsheet shows it),
  column and reason, and nothing is sent (exit 2) unless --skip-invalid. --dry-run stops
  after the check and prints the plan. Rows repeating an earlier row's name, mobile and
  telephone are imported once (--allow-duplicates sends them all). Validation needs only
  the pools, field maps, forms and departments, which are cached.

PACING
  Requests are sent at the rate limit and never above it: by default 10 per 10 seconds
  (--rate N/DURATION), shared by every import of the profile running on this machine
  through a state file in the data folder, and kept so that no N+1 consecutive requests
  fall within one window (with a margin of 3%, at least 40ms, for network jitter). A
  "Retry later" answer holds every import back for the time the API asks. --rate off
  (or CRMCTL_RATE=off, or the profile's rate: off) sends without pacing, for a local
  server without a limit. The embedded sandbox has no limit: with --sandbox only --rate
  paces the import.

  With CRMCTL_REDIS_URL (or the profile's redis_url) set, the limit and the ledger
  (below) are shared through that Redis by every machine importing under the same
  account and host; if it cannot be reached the import does not start (exit 4), and if
  it is lost midway sending stops and the command to resume is printed.

NEVER TWICE, RESUMABLE
  A journal (SQLite, in the data folder, named after the profile, the pool and the file's
  content; --journal chooses it) records each row before its request goes out and again
  with the answer. Running the same command again resumes: created rows are skipped,
  failed rows are retried only with --retry-failed. A row whose request got no usable
  answer is decided from facts, never clocks: a customer found by duplicates/matching_name
  is the row's only if its name, mobile, telephone, email and pool match, no other row
  owns it, and its id is above every id known before the row was sent. None: the next
  run checks again and sends it if still none. Several, or one not provably new: the
  row is "unknown", reported with its candidates, checked on each run, never adopted,
  and sent again only with --retry-unknown. Two imports of the same file cannot run at
  once.

  A ledger records every customer imports have sent or created, by pool, name, mobile
  and telephone: per profile on this machine, or, with CRMCTL_REDIS_URL, shared by the
  team's machines. A customer another file, or another machine, created is skipped; one
  that another import is sending right now is waited for.

  The journal and the ledger know what imports created; --if-exists skip|fail asks the
  CRM too. Before each row is sent, duplicates/matching_name tells whether a customer of
  the row's name, mobile and telephone exists in its pool (see ` + "`customers find`" + `):
  skip reports the row skipped with the customer's id, fail reports it failed (exit 5),
  and nothing is sent for it; either way a later run asks again. This costs a second
  request a row, paced within the same limit: the progress line and its ETA say so.

  Ctrl-C finishes the request in flight, saves the journal and prints the command that
  resumes. An expired token (code 100401) stops the import cleanly, or, with
  CRMCTL_LOGIN and CRMCTL_PASSWORD set, logs in once, stores the new token and goes on.

OUTPUT
  A progress bar on a terminal, a plain line every --progress-every rows otherwise, and a
  summary on stderr. The results file (--results, CSV or JSONL by extension; by default
  beside the journal) lists row, status (created, skipped, failed, invalid), customer id,
  API code and message, written as rows finish. With -o json a summary object is printed
  on stdout.

EXIT STATUS
  0 every row created or skipped; 2 invalid file or usage (nothing sent); 3 authentication;
  4 network or still throttled after retries; 5 some rows failed or unknown; 130 interrupted.`,
		Example: `  # check a spreadsheet, then import it into the pool 公司公海
  crmctl customers import prospects.xlsx --pool 公司公海 --dry-run
  crmctl customers import prospects.xlsx --pool 公司公海

  # a GBK CSV exported from Excel, with an extra column to skip and one to map
  crmctl customers import leads.csv --pool 45 --map 公司=name --map 备用=- --skip-invalid

  # resume after Ctrl-C (the same command), retrying the rows the API refused
  crmctl customers import leads.csv --pool 45 --retry-failed

  # an empty template with drop-downs; for scripts, a JSON summary and JSONL results
  crmctl customers import --template 客户导入模板.xlsx
  crmctl customers import rows.jsonl --pool 45 --results out.jsonl -o json

  # from standard input
  export-leads | crmctl customers import - --pool 45 --format csv`,
		Args: cmdutil.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if opts.Template != "" {
				if len(args) > 0 {
					return cmdutil.UsageErrorf("--template writes a template: give no FILE")
				}
				if err := checkTemplateTarget(opts.Template, opts.Force); err != nil {
					return err
				}
			} else if opts.Force {
				return cmdutil.UsageErrorf("--force only goes with --template")
			} else if len(args) == 0 {
				return cmdutil.UsageErrorf("give the FILE to import (or --template FILE.xlsx for an empty template)")
			} else {
				opts.File = args[0]
			}
			switch opts.IfExists {
			case "", IfExistsCreate, IfExistsSkip, IfExistsFail:
			default:
				return cmdutil.UsageErrorf("--if-exists %q: use create, skip or fail", opts.IfExists)
			}
			if opts.ProgressEvery < 1 {
				return cmdutil.UsageErrorf("--progress-every must be at least 1")
			}
			if opts.Results != "" {
				if err := importer.CheckResultsPath(opts.Results); err != nil {
					return &cmdutil.UsageError{Err: err}
				}
			}
			if opts.TemplateID != "" {
				if opts.Template != "" {
					return cmdutil.UsageErrorf("--template-id goes with a FILE to import, not with --template")
				}
				if err := fields.CheckInt(opts.TemplateID); err != nil {
					return cmdutil.UsageErrorf("--template-id: %v", err)
				}
				opts.TemplateID = strings.TrimSpace(opts.TemplateID)
			}
			opts.resume = newResumeLine(c, args)
			if runF != nil {
				return runF(opts)
			}
			return importRun(c.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Pool, "pool", "", "the pool (公海) for rows without a pool column value: its id or exact name")
	fl.StringVar(&opts.Format, "format", "", "file format: csv, xlsx or jsonl (default: from the extension)")
	fl.StringVar(&opts.Encoding, "encoding", "", "CSV encoding: utf-8, gbk, gb18030, utf-16le or utf-16be (default: decided from the whole file)")
	fl.StringVar(&opts.Delimiter, "delimiter", "", "CSV delimiter: any one character, e.g. , ; | or tab (default: detected among , ; and tab)")
	fl.StringVar(&opts.Sheet, "sheet", "", "XLSX sheet to read (default: the first)")
	fl.StringArrayVar(&opts.Maps, "map", nil, "map a column to a field: COLUMN=FIELD (FIELD - ignores it; repeatable)")
	fl.BoolVar(&opts.IgnoreUnknown, "ignore-unknown", false, "skip columns that match no field instead of refusing the file")
	fl.BoolVar(&opts.SkipInvalid, "skip-invalid", false, "import the valid rows even if some are invalid")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "check the whole file and print the plan; send nothing")
	fl.BoolVar(&opts.RetryFailed, "retry-failed", false, "send again the rows the API refused in an earlier run")
	fl.BoolVar(&opts.RetryUnknown, "retry-unknown", false, "send again the rows whose outcome is unknown (check their candidates first: a customer may be created twice)")
	fl.BoolVar(&opts.AllowDuplicates, "allow-duplicates", false, "send rows that repeat an earlier row (same name, mobile and telephone)")
	fl.StringVar(&opts.IfExists, "if-exists", "", "check each row against the CRM first: skip or fail when its customer exists (one more request a row)")
	_ = cmd.RegisterFlagCompletionFunc("if-exists", cobra.FixedCompletions([]string{
		"skip\tskip a row whose customer exists", "fail\tfail a row whose customer exists", "create\tsend without checking (the default)",
	}, cobra.ShellCompDirectiveNoFileComp))
	fl.StringVar(&opts.Journal, "journal", "", "journal file (default: in the data folder, named after profile, pool and file content)")
	fl.StringVar(&opts.Results, "results", "", "results file, .csv or .jsonl (default: beside the journal)")
	fl.StringVar(&opts.Rate, "rate", "", "request rate limit N/DURATION shared by the profile's processes, or off (default: CRMCTL_RATE or the profile's rate key, else 10/10s; off with --sandbox)")
	fl.IntVar(&opts.ProgressEvery, "progress-every", 50, "without a terminal, print a progress line every N rows")
	fl.StringVar(&opts.Template, "template", "", "write an empty import template (.xlsx with drop-downs, or .csv) and exit")
	fl.BoolVar(&opts.Force, "force", false, "with --template: overwrite an existing file")
	// The create command's --template-id, from the one field table: its form names the
	// columns, and rows without a 业务模版 cell get it.
	if fd, ok := fields.ByFlag("template-id"); ok {
		fl.StringVar(&opts.TemplateID, fd.Flag, "", flagHelp(fd)+"; for rows whose 业务模版 cell is empty, and its fields' labels name columns")
	}
	_ = cmd.RegisterFlagCompletionFunc("pool", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return f.PoolCompletions(), cobra.ShellCompDirectiveNoFileComp
	})
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions([]string{"csv", "xlsx", "jsonl"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("encoding", cobra.FixedCompletions([]string{"utf-8", "gbk", "gb18030", "utf-16le", "utf-16be"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// resumeLine is the command line that runs this import again: the same file and flags
// (each once, with its last value), without --dry-run.
type resumeLine struct {
	words []string // the command and the file
	flags []resumeFlag
}

// resumeFlag is a flag of a resumeLine: its name and its words (one per value of a
// repeatable flag).
type resumeFlag struct {
	name  string
	words []string
}

func newResumeLine(c *cobra.Command, args []string) resumeLine {
	l := resumeLine{words: append(strings.Fields(c.CommandPath()), args...)}
	c.Flags().Visit(func(fl *pflag.Flag) {
		switch fl.Name {
		case "dry-run", "template", "force", "help":
			return
		}
		f := resumeFlag{name: fl.Name}
		switch sv, ok := fl.Value.(pflag.SliceValue); {
		case ok:
			for _, v := range sv.GetSlice() {
				f.words = append(f.words, "--"+fl.Name+"="+v)
			}
		case fl.Value.Type() == "bool" && fl.Value.String() == "true":
			f.words = []string{"--" + fl.Name}
		default:
			f.words = []string{"--" + fl.Name + "=" + fl.Value.String()}
		}
		l.flags = append(l.flags, f)
	})
	return l
}

// String is the command line as given.
func (l resumeLine) String() string { return l.with(nil) }

// with is the command line with set (boolean flags, by name) turned on, each once, and
// without the flags named in drop.
func (l resumeLine) with(set []string, drop ...string) string {
	parts := slices.Clone(l.words)
	for _, f := range l.flags {
		if !slices.Contains(drop, f.name) && !slices.Contains(set, f.name) {
			parts = append(parts, f.words...)
		}
	}
	for _, name := range set {
		parts = append(parts, "--"+name)
	}
	return shellquote.Join(parts...)
}

// rateWarning warns of a rate above the API's documented limit against a real host:
// the API throttles such a run (a local server may have no limit).
func rateWarning(rate pace.Rate, s *config.Settings) i18n.Message {
	def := pace.DefaultRate
	if rate.IsOff() || s.Sandbox.V || rate.N <= 0 || rate.Window <= 0 {
		return i18n.Message{}
	}
	if u, err := url.Parse(s.BaseURL.V); err != nil || config.IsLoopback(u.Hostname()) {
		return i18n.Message{}
	}
	perSec := float64(rate.N) / rate.Window.Seconds()
	if rate.N <= def.N && perSec <= float64(def.N)/def.Window.Seconds() {
		return i18n.Message{}
	}
	return i18n.M("the rate %s is above the API's documented limit of %d requests per %s: expect throttled answers and a slower import", rate, def.N, i18n.Duration(def.Window))
}

// tellBar tells the progress bar when a request waits for the rate limit: for its send
// slot, or after a throttled answer.
func tellBar(bar *importer.Bar) func(o *api.Options) {
	return func(o *api.Options) {
		wait, throttled := o.Wait, o.OnThrottle
		o.Wait = func(ctx context.Context) error {
			bar.Waiting(true)
			defer bar.Waiting(false)
			if wait == nil {
				return nil
			}
			return wait(ctx)
		}
		o.OnThrottle = func(d time.Duration) {
			bar.Throttled(d)
			if throttled != nil {
				throttled(d)
			}
		}
	}
}

// importRate is the pacing of an import: --rate, else CRMCTL_RATE, else the profile's
// rate key, else the API's limit; any of them may be "off". The embedded sandbox has no
// limit, so with --sandbox only --rate paces: CRMCTL_RATE and the profile's rate describe
// the API that --sandbox replaces (no other command paces its requests to the sandbox).
func importRate(flag string, s *config.Settings) (pace.Rate, error) {
	if flag != "" {
		rate, err := pace.ParseRate(flag)
		if err != nil {
			return pace.Rate{}, &cmdutil.UsageError{Err: err}
		}
		return rate, nil
	}
	if s.Sandbox.V {
		return pace.Off, nil
	}
	rate, _, err := cmdutil.Rate(s)
	return rate, err
}

// scopeOf names the API a journal belongs to.
func scopeOf(s *config.Settings) string {
	if s.Sandbox.V {
		return "sandbox:" + s.DataDir
	}
	return s.BaseURL.V
}

// importIfExists is --if-exists as the importer takes it: "" for create (no check).
func importIfExists(v string) string {
	switch v {
	case IfExistsSkip:
		return importer.IfExistsSkip
	case IfExistsFail:
		return importer.IfExistsFail
	}
	return ""
}
