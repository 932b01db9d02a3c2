package cmd

import (
	"context"
	"path/filepath"
	"sync"
	"time"

	"github.com/crmctl/crmctl/internal/api"
	"github.com/crmctl/crmctl/internal/build"
	"github.com/crmctl/crmctl/internal/cache"
	"github.com/crmctl/crmctl/internal/cmdutil"
	"github.com/crmctl/crmctl/internal/config"
	"github.com/crmctl/crmctl/internal/i18n"
	"github.com/crmctl/crmctl/internal/iostreams"
	"github.com/crmctl/crmctl/internal/output"
	"github.com/crmctl/crmctl/internal/pace"
	"github.com/crmctl/crmctl/internal/prompter"
	"github.com/crmctl/crmctl/internal/sandbox"
	"github.com/crmctl/crmctl/internal/team"
)

// sandboxBaseURL is the nominal host of the embedded sandbox: its requests never leave
// the process (they are served by an in-memory transport).
const sandboxBaseURL = "http://localhost"

// NewFactory wires the dependencies of every command. Everything is lazy: nothing is
// read or opened until a command asks for it. cleanup closes what was opened.
func NewFactory(ctx context.Context, ios *iostreams.IOStreams, env func(string) (string, bool)) (*cmdutil.Factory, func()) {
	f := &cmdutil.Factory{IOStreams: ios, Getenv: env, Globals: &cmdutil.Globals{}, Context: ctx}
	ios.SetLang(i18n.Choose(env, ""))
	f.Prompter = prompter.New(ios)

	f.Settings = sync.OnceValues(func() (*config.Settings, error) {
		s, err := config.Load(f.Globals.ConfigFlags(), env)
		if err != nil {
			return nil, err
		}
		if s.Lang.V != "" {
			ios.SetLang(i18n.Lang(s.Lang.V)) // CRMCTL_LANG, else the profile's lang key
		}
		for _, w := range s.Warnings {
			ios.T().Fprintf(ios.ErrOut, "crmctl: warning: %s\n", w)
		}
		return s, nil
	})

	var (
		sbMu sync.Mutex
		sb   *sandbox.Server
	)
	openSandbox := func(s *config.Settings) (*sandbox.Server, error) {
		sbMu.Lock()
		defer sbMu.Unlock()
		if sb != nil {
			return sb, nil
		}
		srv, err := sandbox.Open(sandbox.Options{DataDir: s.DataDir})
		if err != nil {
			return nil, i18n.Errorf("the embedded sandbox: %w", err)
		}
		sb = srv
		return sb, nil
	}

	newPacedClient := func(s *config.Settings, token string) (*api.Client, error) {
		opts := api.Options{
			BaseURL:   s.BaseURL.V,
			Token:     token,
			Timeout:   s.Timeout.V,
			UserAgent: build.UserAgent(),
		}
		if s.Debug.V {
			opts.Debug = ios.ErrOut
		} else if ios.IsStderrTTY() {
			opts.OnRetry = noteRetry(ios)
		}
		if s.Sandbox.V {
			srv, err := openSandbox(s)
			if err != nil {
				return nil, err
			}
			opts.BaseURL = sandboxBaseURL
			opts.Transport = srv.Transport()
		}
		c, err := api.New(opts)
		if err != nil {
			return nil, &cmdutil.UsageError{Err: err}
		}
		if s.Sandbox.V {
			return c, nil // the embedded sandbox has no rate limit
		}
		// Every request of every crmctl process of the profile goes through the shared
		// limiter, so that a script running commands in a loop, or beside an import,
		// stays under the API's limit instead of being throttled.
		rate, off, err := cmdutil.Rate(s)
		if err != nil {
			return nil, err
		}
		if off {
			return c, nil
		}
		// With a team's Redis configured the limit is shared with the other machines, and
		// a server that cannot be reached stops the command: pacing alone would crowd
		// their window.
		store, err := f.Team()
		if err != nil {
			return nil, err
		}
		lim, err := cmdutil.NewLimiter(s, store, rate, nil)
		if err != nil {
			if store != nil {
				return nil, err
			}
			ios.T().Fprintf(ios.ErrOut, "crmctl: warning: requests are not paced: %v\n", err)
			return c, nil
		}
		return (&pace.Pacer{Limiter: lim}).Client(c)
	}

	newClient := func(s *config.Settings, token string) (*api.Client, error) {
		c, err := newPacedClient(s, token)
		if err != nil || s.Sandbox.V {
			return c, err // the embedded sandbox never throttles
		}
		return c.With(noteThrottling(ios))
	}

	f.LoginClient = func() (*api.Client, error) {
		s, err := f.Settings()
		if err != nil {
			return nil, err
		}
		return newClient(s, "")
	}

	f.Client = sync.OnceValues(func() (*api.Client, error) {
		s, err := f.Settings()
		if err != nil {
			return nil, err
		}
		if s.Sandbox.V {
			srv, err := openSandbox(s)
			if err != nil {
				return nil, err
			}
			// The sandbox's own account, whatever token the environment holds for a real
			// API: --sandbox never needs (or sends) a real token.
			token, err := srv.DefaultToken(ctx)
			if err != nil {
				return nil, i18n.Errorf("the embedded sandbox: %w", err)
			}
			return newClient(s, token)
		}
		if err := s.RequireProfile(); err != nil {
			return nil, err
		}
		if s.Token.V == "" {
			return nil, &cmdutil.AuthError{Err: i18n.Errorf("not logged in (profile %q has no token and CRMCTL_TOKEN is not set)", s.Profile.V)}
		}
		return newClient(s, s.Token.V)
	})

	var (
		teamMu    sync.Mutex
		teamStore *team.Store
	)
	f.Team = sync.OnceValues(func() (*team.Store, error) {
		s, err := f.Settings()
		if err != nil {
			return nil, err
		}
		st, err := cmdutil.OpenTeam(ctx, s)
		if err != nil {
			return nil, err
		}
		teamMu.Lock()
		teamStore = st
		teamMu.Unlock()
		return st, nil
	})

	f.Lookups = sync.OnceValues(func() (*cmdutil.Lookups, error) {
		s, err := f.Settings()
		if err != nil {
			return nil, err
		}
		return &cmdutil.Lookups{
			Client:  f.Client,
			Cache:   CacheStore(s),
			Refresh: f.Globals.Refresh,
			Warn:    ios.ErrOut,
		}, nil
	})

	f.Printer = sync.OnceValues(func() (*output.Printer, error) {
		s, err := f.Settings()
		if err != nil {
			return nil, err
		}
		if f.Globals.JQ != "" && s.Output.V == config.OutputTable && (s.Output.Source == config.SourceFlag || s.Output.Source == config.SourceEnv) {
			return nil, cmdutil.UsageErrorf("--jq filters JSON output: it cannot be used with %s table (drop one of them)", s.Output.From)
		}
		p, err := output.New(ios, s.Output.V, f.Globals.JQ)
		if err != nil {
			return nil, &cmdutil.UsageError{Err: err}
		}
		return p, nil
	})

	cleanup := func() {
		sbMu.Lock()
		defer sbMu.Unlock()
		if sb != nil {
			_ = sb.Close()
		}
		teamMu.Lock()
		defer teamMu.Unlock()
		if teamStore != nil {
			_ = teamStore.Close()
		}
	}
	return f, cleanup
}

// throttleNoteAfter is the longest wait for a throttled request that passes without a
// word: a longer one (a Retry-After of a minute) gets a note on stderr, so that a
// script does not look hung.
const throttleNoteAfter = 2 * time.Second

// noteThrottling adds a note on w to the client's OnThrottle hook (kept: it is the
// pacer's) for every throttled wait longer than throttleNoteAfter. Nothing goes to
// stdout, so that -o json stays clean.
func noteThrottling(ios *iostreams.IOStreams) func(o *api.Options) {
	return func(o *api.Options) {
		hook := o.OnThrottle
		o.OnThrottle = func(d time.Duration) {
			if hook != nil {
				hook(d)
			}
			if d > throttleNoteAfter {
				ios.T().Fprintf(ios.ErrOut, "crmctl: throttled by the API; retrying in %s\n", i18n.Duration(d.Round(time.Second)))
			}
		}
	}
}

// noteRetry writes "retrying (2/3) in 2s…" on w before each retry of a failed attempt,
// so that a wait at a terminal does not look like a hang. (--debug has its own lines.)
func noteRetry(ios *iostreams.IOStreams) func(api.Retry) {
	return func(r api.Retry) {
		wait := r.Wait.Round(time.Second)
		if r.Wait < time.Second {
			wait = r.Wait.Round(10 * time.Millisecond)
		}
		ios.T().Fprintf(iostreams.SafeWriter(ios.ErrOut), "crmctl: %s; retrying (%d/%d) in %s…\n", r.Err, r.Attempt, r.Of, i18n.Duration(wait))
	}
}

// CacheStore is the look-up cache of the settings' profile. The sandbox has its own
// folder inside it, its entries keyed by its data folder, so that a --sandbox command
// does not evict the profile's entries.
func CacheStore(s *config.Settings) *cache.Store {
	scope, dir := s.BaseURL.V, cache.ProfileDir(s.CacheDir, s.Profile.V)
	if s.Sandbox.V {
		scope, dir = "sandbox:"+s.DataDir, filepath.Join(dir, "sandbox")
	}
	return &cache.Store{
		Dir:     dir,
		BaseURL: scope,
		TTL:     s.CacheTTL.V,
	}
}
