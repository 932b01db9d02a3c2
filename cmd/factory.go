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
	f := &cmdutil.Factory{IOStreams: ios, Getenv: env, Globals: &cmdutil.Globals{}, Context: ctx, Clock: pace.RealClock{}}
	ios.SetLang(i18n.Choose(env, ""))
	f.Prompter = prompter.New(ios)
	w := &wiring{ctx: ctx, f: f, ios: ios, env: env}
	f.Settings = sync.OnceValues(w.settings)
	f.LoginClient = w.loginClient
	f.Client = sync.OnceValues(w.client)
	f.PacedClient, f.PacedLoginClient = w.clientPacedBy, w.loginClientPacedBy
	f.Team = sync.OnceValues(w.team)
	f.Lookups = sync.OnceValues(w.lookups)
	f.Printer = sync.OnceValues(w.printer)
	return f, w.cleanup
}

// wiring holds what the factory's constructors share: the factory itself (they call
// each other through it, so that each is made once) and what cleanup must close.
type wiring struct {
	ctx context.Context
	f   *cmdutil.Factory
	ios *iostreams.IOStreams
	env func(string) (string, bool)

	sbMu sync.Mutex
	sb   *sandbox.Server

	teamMu    sync.Mutex
	teamStore *team.Store
}

// settings loads the settings, applies their language and prints their warnings.
func (w *wiring) settings() (*config.Settings, error) {
	s, err := config.Load(w.f.Globals.ConfigFlags(), w.env)
	if err != nil {
		return nil, err
	}
	if s.Lang.V != "" {
		w.ios.SetLang(i18n.Lang(s.Lang.V)) // CRMCTL_LANG, else the profile's lang key
	}
	for _, warning := range s.Warnings {
		w.ios.T().Fprintf(w.ios.ErrOut, "crmctl: warning: %s\n", warning)
	}
	return s, nil
}

// openSandbox opens the embedded sandbox once.
func (w *wiring) openSandbox(s *config.Settings) (*sandbox.Server, error) {
	w.sbMu.Lock()
	defer w.sbMu.Unlock()
	if w.sb != nil {
		return w.sb, nil
	}
	srv, err := sandbox.Open(sandbox.Options{DataDir: s.DataDir})
	if err != nil {
		return nil, i18n.Errorf("the embedded sandbox: %w", err)
	}
	w.sb = srv
	return w.sb, nil
}

// pacedClient is an API client for the settings, paced by the profile's shared limiter
// (the embedded sandbox has none).
func (w *wiring) pacedClient(s *config.Settings, token string) (*api.Client, error) {
	c, err := w.apiClient(s, token)
	if err != nil || s.Sandbox.V {
		return c, err // the embedded sandbox has no rate limit
	}
	return w.pace(s, c)
}

// apiClient is an API client for the settings, not paced: the embedded sandbox's with
// --sandbox.
func (w *wiring) apiClient(s *config.Settings, token string) (*api.Client, error) {
	opts := api.Options{
		BaseURL:   s.BaseURL.V,
		Token:     token,
		Timeout:   s.Timeout.V,
		UserAgent: build.UserAgent(),
	}
	if w.f.Clock != nil {
		opts.Sleep = w.f.Clock.Sleep // the back-off between retries, a throttled answer's wait
	}
	if s.Debug.V {
		opts.Debug = w.ios.ErrOut
	} else if w.ios.IsStderrTTY() {
		opts.OnRetry = noteRetry(w.ios)
	}
	if s.Sandbox.V {
		srv, err := w.openSandbox(s)
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
	return c, nil
}

// pace puts c behind the shared limiter. Every request of every crmctl process of the
// profile goes through it, so that a script running commands in a loop, or beside an
// import, stays under the API's limit instead of being throttled.
func (w *wiring) pace(s *config.Settings, c *api.Client) (*api.Client, error) {
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
	store, err := w.f.Team()
	if err != nil {
		return nil, err
	}
	lim, err := cmdutil.NewLimiter(s, store, rate, w.f.Clock)
	if err != nil {
		if store != nil {
			return nil, err
		}
		w.ios.T().Fprintf(w.ios.ErrOut, "crmctl: warning: requests are not paced: %v\n", err)
		return c, nil
	}
	return (&pace.Pacer{Limiter: lim}).Client(c)
}

// newClient is pacedClient with a note on stderr for long throttled waits.
func (w *wiring) newClient(s *config.Settings, token string) (*api.Client, error) {
	c, err := w.pacedClient(s, token)
	if err != nil || s.Sandbox.V {
		return c, err // the embedded sandbox never throttles
	}
	return c.With(noteThrottling(w.ios))
}

// loginClient is a client without a token, for logging in.
func (w *wiring) loginClient() (*api.Client, error) {
	s, err := w.f.Settings()
	if err != nil {
		return nil, err
	}
	return w.newClient(s, "")
}

// client is the signed-in client: the profile's token, or the sandbox's own account.
func (w *wiring) client() (*api.Client, error) {
	s, err := w.f.Settings()
	if err != nil {
		return nil, err
	}
	token, err := w.token(s)
	if err != nil {
		return nil, err
	}
	return w.newClient(s, token)
}

// token is the token of the signed-in client: the profile's, or the sandbox's own
// account's.
func (w *wiring) token(s *config.Settings) (string, error) {
	if s.Sandbox.V {
		srv, err := w.openSandbox(s)
		if err != nil {
			return "", err
		}
		// The sandbox's own account, whatever token the environment holds for a real
		// API: --sandbox never needs (or sends) a real token.
		token, err := srv.DefaultToken(w.ctx)
		if err != nil {
			return "", i18n.Errorf("the embedded sandbox: %w", err)
		}
		return token, nil
	}
	if err := s.RequireProfile(); err != nil {
		return "", err
	}
	if s.Token.V == "" {
		return "", &cmdutil.AuthError{Err: i18n.Errorf("not logged in (profile %q has no token and CRMCTL_TOKEN is not set)", s.Profile.V)}
	}
	return s.Token.V, nil
}

// clientPacedBy is a new signed-in client paced by p alone (nil: not paced).
func (w *wiring) clientPacedBy(p *pace.Pacer) (*api.Client, error) {
	s, err := w.f.Settings()
	if err != nil {
		return nil, err
	}
	token, err := w.token(s)
	if err != nil {
		return nil, err
	}
	c, err := w.apiClient(s, token)
	if err != nil {
		return nil, err
	}
	return paceBy(p, c)
}

// loginClientPacedBy is a new client without a token paced by p alone (nil: not paced).
func (w *wiring) loginClientPacedBy(p *pace.Pacer) (*api.Client, error) {
	s, err := w.f.Settings()
	if err != nil {
		return nil, err
	}
	c, err := w.apiClient(s, "")
	if err != nil {
		return nil, err
	}
	return paceBy(p, c)
}

// paceBy puts c behind p (nil: c as it is).
func paceBy(p *pace.Pacer, c *api.Client) (*api.Client, error) {
	if p == nil {
		return c, nil
	}
	return p.Client(c)
}

// team opens the team's Redis store (nil without one).
func (w *wiring) team() (*team.Store, error) {
	s, err := w.f.Settings()
	if err != nil {
		return nil, err
	}
	st, err := cmdutil.OpenTeam(w.ctx, s)
	if err != nil {
		return nil, err
	}
	w.teamMu.Lock()
	w.teamStore = st
	w.teamMu.Unlock()
	return st, nil
}

// lookups are the cached look-ups of the profile.
func (w *wiring) lookups() (*cmdutil.Lookups, error) {
	s, err := w.f.Settings()
	if err != nil {
		return nil, err
	}
	return &cmdutil.Lookups{
		Client:  w.f.Client,
		Cache:   CacheStore(s),
		Refresh: w.f.Globals.Refresh,
		Warn:    w.ios.ErrOut,
	}, nil
}

// printer writes results in the chosen format.
func (w *wiring) printer() (*output.Printer, error) {
	s, err := w.f.Settings()
	if err != nil {
		return nil, err
	}
	if w.f.Globals.JQ != "" && s.Output.V == config.OutputTable && (s.Output.Source == config.SourceFlag || s.Output.Source == config.SourceEnv) {
		return nil, cmdutil.UsageErrorf("--jq filters JSON output: it cannot be used with %s table (drop one of them)", s.Output.From)
	}
	p, err := output.New(w.ios, s.Output.V, w.f.Globals.JQ)
	if err != nil {
		return nil, &cmdutil.UsageError{Err: err}
	}
	return p, nil
}

// cleanup closes the sandbox and the team store if they were opened.
func (w *wiring) cleanup() {
	w.sbMu.Lock()
	defer w.sbMu.Unlock()
	if w.sb != nil {
		_ = w.sb.Close()
	}
	w.teamMu.Lock()
	defer w.teamMu.Unlock()
	if w.teamStore != nil {
		_ = w.teamStore.Close()
	}
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
