package customers

import (
	"context"
	"errors"
	"time"

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

func importRun(ctx context.Context, opts *ImportOptions) error {
	s, err := opts.Settings()
	if err != nil {
		return err
	}
	pacer, store, err := importPacer(opts, s)
	if err != nil {
		return err
	}
	cl := &importClients{opts: opts, pacer: pacer}
	base, err := opts.Lookups()
	if err != nil {
		return err
	}
	lk := *base
	lk.Client = cl.client // look-ups are paced too

	if opts.Template != "" {
		return writeTemplate(ctx, opts, &lk)
	}
	read, err := importReadOptions(opts)
	if err != nil {
		return err
	}
	p, err := opts.Printer()
	if err != nil {
		return err
	}
	// The company's form names columns too (custom fields by label): read it first. With
	// --template-id, that template's form, so that its own fields' labels name columns.
	cf, err := lk.CustomFields(ctx, opts.TemplateID)
	if err != nil {
		return err
	}
	read.Form = fields.NewForm(cf, opts.TemplateID)
	cfg := importConfig(opts, s, read, &lk, pacer)
	cl.bar = showProgress(opts, &cfg)
	cfg.Relogin = relogin(opts, s, pacer, cl.use)
	if !opts.DryRun {
		if cfg.Client, err = cl.client(); err != nil {
			return err
		}
	}
	if store != nil {
		led, release, err := teamLedger(ctx, opts, s, store)
		if err != nil {
			return err
		}
		defer release()
		cfg.SharedLedger = led
	}
	sum, err := importer.Run(ctx, cfg)
	return importOutcome(opts, s, p, sum, err)
}

// importPacer is the pacer of the import at its rate (importRate), with a warning for a
// rate above the API's limit. With the team's Redis configured (the store returned) the
// limit is shared through it, and it must answer before anything is sent: pacing alone
// would crowd the other machines' window.
func importPacer(opts *ImportOptions, s *config.Settings) (*pace.Pacer, *team.Store, error) {
	rate, err := importRate(opts.Rate, s)
	if err != nil {
		return nil, nil, err
	}
	if w := rateWarning(rate, s); !w.IsZero() {
		opts.IO.T().Fprintf(opts.IO.ErrOut, "crmctl: warning: %s\n", w)
	}
	var store *team.Store
	if opts.Team != nil {
		if store, err = opts.Team(); err != nil {
			return nil, nil, err
		}
	}
	lim, err := cmdutil.NewLimiter(s, store, rate, opts.Clock)
	if err != nil {
		return nil, nil, err
	}
	return &pace.Pacer{Limiter: lim}, store, nil
}

// importClients makes the import's client once, paced by its pacer alone and, at a
// terminal, telling the progress bar when a request waits.
type importClients struct {
	opts  *ImportOptions
	pacer *pace.Pacer
	bar   *importer.Bar // at a terminal
	paced *api.Client
}

func (c *importClients) client() (*api.Client, error) {
	if c.paced != nil {
		return c.paced, nil
	}
	paced, err := c.opts.PacedClient(c.pacer)
	if err != nil {
		return nil, err
	}
	if c.bar != nil {
		paced, err = paced.With(tellBar(c.bar))
	}
	c.paced = paced
	return paced, err
}

// use makes the look-ups use the client of a login again (its new token).
func (c *importClients) use(client *api.Client) {
	if p, err := c.pacer.Client(client); err == nil {
		c.paced = p
	}
}

// importReadOptions are the flags that say how to read the file, checked.
func importReadOptions(opts *ImportOptions) (importer.ReadOptions, error) {
	delim, err := importer.ParseDelimiter(opts.Delimiter)
	if err != nil {
		return importer.ReadOptions{}, &cmdutil.UsageError{Err: err}
	}
	maps, err := importer.ParseMap(opts.Maps)
	if err != nil {
		return importer.ReadOptions{}, &cmdutil.UsageError{Err: err}
	}
	return importer.ReadOptions{Format: opts.Format, Encoding: opts.Encoding, Delimiter: delim, Sheet: opts.Sheet,
		Map: maps, IgnoreUnknown: opts.IgnoreUnknown}, nil
}

// importConfig is the importer's run of the command's flags, its look-ups (lk) and its
// pacer; the progress, the re-login, the client and the team's ledger are added to it.
func importConfig(opts *ImportOptions, s *config.Settings, read importer.ReadOptions, lk *cmdutil.Lookups, pacer *pace.Pacer) importer.Config {
	cfg := importer.Config{
		Path:       opts.File,
		Stdin:      opts.IO.In,
		Read:       read,
		Pool:       opts.Pool,
		TemplateID: opts.TemplateID,
		Lookups:    importLookups(lk),
		DryRun:     opts.DryRun, SkipInvalid: opts.SkipInvalid, RetryFailed: opts.RetryFailed, RetryUnknown: opts.RetryUnknown, AllowDuplicates: opts.AllowDuplicates,
		IfExists:    importIfExists(opts.IfExists),
		DataDir:     s.DataDir,
		Meta:        importer.JournalMeta{Profile: s.Profile.V, BaseURL: scopeOf(s)},
		JournalPath: opts.Journal,
		ResultsPath: opts.Results,
		Pacer:       pacer,
		Report:      iostreams.SafeWriter(opts.IO.ErrOut),
		T:           opts.IO.T(),
		Clock:       opts.Clock,
		Hooks:       opts.Hooks,
	}
	if s.Timeout.V > 0 {
		cfg.InFlight = 4 * s.Timeout.V
	}
	return cfg
}

// importLookups are the look-ups a validation needs, through the profile's cache.
func importLookups(lk *cmdutil.Lookups) importer.Lookups {
	return importer.Lookups{
		Pools: func(ctx context.Context) ([]api.Pool, error) {
			l, err := lk.Pools(ctx)
			if err != nil {
				return nil, err
			}
			return l.Pools, nil
		},
		FieldMaps: func(ctx context.Context) (*api.FieldMapList, error) { return lk.FieldMaps(ctx, "customer") },
		Form: func(ctx context.Context, template string) (*fields.Form, error) {
			cf, err := lk.CustomFields(ctx, template)
			if err != nil {
				return nil, err
			}
			return fields.NewForm(cf, template), nil
		},
		Departments: func(ctx context.Context) ([]api.Department, error) {
			l, err := lk.Departments(ctx)
			if err != nil {
				return nil, err
			}
			return l.Departments, nil
		},
	}
}

// showProgress sets how the run shows its progress: a bar at a terminal (returned, for
// the client to tell it of waits), with the report's lines above it; otherwise a plain
// line every --progress-every rows.
func showProgress(opts *ImportOptions, cfg *importer.Config) *importer.Bar {
	if opts.IO.IsStderrTTY() {
		bar := importer.NewBar(opts.IO.ErrOut, opts.IO.T())
		cfg.Progress, cfg.Report = bar, iostreams.SafeWriter(bar.Messages())
		return bar
	}
	var now func() time.Time
	if opts.Clock != nil {
		now = opts.Clock.Now
	}
	cfg.Progress = importer.NewLines(opts.IO.ErrOut, opts.IO.T(), opts.ProgressEvery, now)
	return nil
}

// teamLedger is the team's ledger instead of this machine's: no two machines send one
// customer. A run that sends holds it until release.
func teamLedger(ctx context.Context, opts *ImportOptions, s *config.Settings, store *team.Store) (*team.Ledger, func(), error) {
	machine, err := cmdutil.MachineID(s.DataDir)
	if err != nil {
		return nil, nil, i18n.Errorf("the team's ledger: this machine's id: %w", err)
	}
	led := store.Ledger(machine)
	if opts.DryRun {
		return led, func() {}, nil
	}
	if err := led.Hold(ctx, s.TeamLease.V); err != nil {
		return nil, nil, err
	}
	return led, func() { _ = led.Close() }, nil
}

// importOutcome prints what the run did and returns its error, mapped to what the user
// does next. A summary only once there is one: the file checked to its end (a dry run's
// plan, or the invalid rows) or rows sent. An error before that (an unknown --pool, an
// unreadable file, a failed look-up) is printed alone.
func importOutcome(opts *ImportOptions, s *config.Settings, p *output.Printer, sum *importer.Summary, err error) error {
	var invalid *importer.InvalidFileError
	checked := err == nil || errors.As(err, &invalid)
	if (opts.DryRun && checked) || sum.Results != "" {
		printSummary(opts, sum)
	}
	if checked || sum.Results != "" {
		if perr := printResult(p, sum); perr != nil && err == nil {
			err = perr
		}
	}
	return mapImportError(opts, s, sum, err)
}
