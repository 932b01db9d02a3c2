// Package cmdtest builds what a command's own tests need: a factory whose settings come
// from a test environment (a fresh HOME, the config file inside it) and whose clients
// talk to a fake API (internal/apitest) without pacing, over test IOStreams; and a way
// to run one command with its arguments, as the root would.
//
// A command's tests use it as gh's do their factory:
//
//	srv := apitest.New(t)
//	e := cmdtest.New(t, srv.URL)
//	err := e.Run(pools.NewCmdList(e.Factory, nil), "list")
//	// e.Out.String(), e.ErrOut.String(), srv.Requests()
package cmdtest

import (
	"bytes"
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/spf13/cobra"

	"github.com/crmctl/crmctl/internal/api"
	"github.com/crmctl/crmctl/internal/apitest"
	"github.com/crmctl/crmctl/internal/build"
	"github.com/crmctl/crmctl/internal/cache"
	"github.com/crmctl/crmctl/internal/cmdutil"
	"github.com/crmctl/crmctl/internal/config"
	"github.com/crmctl/crmctl/internal/i18n"
	"github.com/crmctl/crmctl/internal/iostreams"
	"github.com/crmctl/crmctl/internal/output"
)

// Env is a command's test environment: its factory, its streams and its variables.
type Env struct {
	Factory *cmdutil.Factory
	IO      *iostreams.IOStreams
	In      *bytes.Buffer
	Out     *bytes.Buffer
	ErrOut  *bytes.Buffer
	// Home is the test's HOME; the config file is ConfigFile() inside it.
	Home string
	// Vars are the environment variables the factory reads; change them before the
	// settings are first read.
	Vars map[string]string
	// Flags are the global flags given (--profile, --sandbox, ...), as the root passes
	// them to the settings; set them before the settings are first read.
	Flags config.Flags
	// JQ is the --jq expression the printer applies ("" for none).
	JQ string
}

// New returns an environment with a fresh HOME and, when baseURL is not "", the API at
// baseURL with apitest.Token in CRMCTL_TOKEN. Streams are not terminals and the
// language is English (Env.IO.SetLang changes it).
func New(t testing.TB, baseURL string) *Env {
	t.Helper()
	home := t.TempDir()
	vars := map[string]string{
		"HOME":            home,
		"XDG_CONFIG_HOME": filepath.Join(home, ".config"),
		"XDG_CACHE_HOME":  filepath.Join(home, ".cache"),
		"XDG_DATA_HOME":   filepath.Join(home, ".local", "share"),
	}
	if baseURL != "" {
		vars[config.EnvBaseURL] = baseURL
		vars[config.EnvToken] = apitest.Token
	}
	return newEnv(home, vars, config.Flags{})
}

// Again is a new environment on the same HOME with the same variables and flags (a
// copy), fresh streams and a fresh factory: the next command of a session.
func (e *Env) Again() *Env {
	vars := make(map[string]string, len(e.Vars))
	for k, v := range e.Vars {
		vars[k] = v
	}
	return newEnv(e.Home, vars, e.Flags)
}

func newEnv(home string, vars map[string]string, flags config.Flags) *Env {
	ios, in, out, errOut := iostreams.Test()
	ios.SetLang(i18n.English)
	e := &Env{IO: ios, In: in, Out: out, ErrOut: errOut, Home: home, Vars: vars, Flags: flags}
	f := &cmdutil.Factory{IOStreams: ios, Getenv: e.Getenv, Globals: &cmdutil.Globals{}, Context: context.Background()}
	f.Settings = sync.OnceValues(func() (*config.Settings, error) {
		return config.Load(e.Flags, e.Getenv)
	})
	f.LoginClient = func() (*api.Client, error) { return e.client("") }
	f.Client = sync.OnceValues(func() (*api.Client, error) {
		s, err := f.Settings()
		if err != nil {
			return nil, err
		}
		if s.Token.V == "" {
			return nil, &cmdutil.AuthError{Err: api.ErrNoToken}
		}
		return e.client(s.Token.V)
	})
	f.Lookups = func() (*cmdutil.Lookups, error) {
		s, err := f.Settings()
		if err != nil {
			return nil, err
		}
		return &cmdutil.Lookups{
			Client: f.Client,
			Cache:  &cache.Store{Dir: cache.ProfileDir(s.CacheDir, s.Profile.V), BaseURL: s.BaseURL.V, TTL: s.CacheTTL.V},
			Warn:   ios.ErrOut,
		}, nil
	}
	f.Printer = func() (*output.Printer, error) {
		s, err := f.Settings()
		if err != nil {
			return nil, err
		}
		return output.New(ios, s.Output.V, e.JQ)
	}
	e.Factory = f
	return e
}

// Getenv reads the environment's variables.
func (e *Env) Getenv(name string) (string, bool) {
	v, ok := e.Vars[name]
	return v, ok
}

// ConfigFile is the config file of the environment.
func (e *Env) ConfigFile() string {
	return filepath.Join(e.Home, ".config", "crmctl", "config.yaml")
}

// client is a client of the settings' API with token, not paced.
func (e *Env) client(token string) (*api.Client, error) {
	s, err := e.Factory.Settings()
	if err != nil {
		return nil, err
	}
	return api.New(api.Options{BaseURL: s.BaseURL.V, Token: token, UserAgent: build.UserAgent()})
}

// TTY makes standard input, output and error terminals (or not), 120 columns wide.
func (e *Env) TTY(on bool) {
	e.IO.SetStdinTTY(on)
	e.IO.SetStdoutTTY(on)
	e.IO.SetStderrTTY(on)
	e.IO.SetWidth(120)
}

// Run runs cmd with args as the root runs it (the arguments, the streams, a context)
// and returns its error. cmd is usually a command built with the environment's factory.
func (e *Env) Run(cmd *cobra.Command, args ...string) error {
	cmd.SetArgs(args)
	cmd.SetIn(e.IO.In)
	cmd.SetOut(e.IO.Out)
	cmd.SetErr(e.IO.ErrOut)
	cmd.SilenceUsage = true
	cmd.SilenceErrors = true
	_, err := cmd.ExecuteContextC(context.Background())
	return err
}

// Capture returns a runF that keeps the options a command assembled, and the place
// they are kept: the seam that tests a command's flags and arguments alone.
func Capture[T any]() (func(*T) error, **T) {
	var got *T
	return func(o *T) error {
		got = o
		return nil
	}, &got
}
