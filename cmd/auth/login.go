package auth

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/crmctl/crmctl/internal/api"
	"github.com/crmctl/crmctl/internal/cache"
	"github.com/crmctl/crmctl/internal/cmdutil"
	"github.com/crmctl/crmctl/internal/config"
	"github.com/crmctl/crmctl/internal/iostreams"
	"github.com/crmctl/crmctl/internal/prompter"
)

// LoginOptions are the inputs of `auth login`.
type LoginOptions struct {
	IO          *iostreams.IOStreams
	Settings    func() (*config.Settings, error)
	LoginClient func() (*api.Client, error)
	Getenv      func(string) (string, bool)
	Prompter    prompter.Prompter

	Login         string
	CorpID        string
	PasswordStdin bool
	WithToken     bool
}

// NewCmdLogin builds `crmctl auth login`.
func NewCmdLogin(f *cmdutil.Factory, runF func(*LoginOptions) error) *cobra.Command {
	opts := &LoginOptions{IO: f.IOStreams, Settings: f.Settings, LoginClient: f.LoginClient, Getenv: f.Getenv, Prompter: f.Prompter}
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Log in and store the token in the profile",
		Long: `Log in to the ikcrm open API with an account (a phone number) and password, and
store the token in the profile of the config file (mode 0600).

At a terminal, with no credentials in the environment, it asks for the edition
(standalone, DingTalk, WeCom — which picks the API host — or another URL), the account,
the password (hidden) and the optional corp id.

Without a terminal, the credentials come from CRMCTL_LOGIN, CRMCTL_PASSWORD and
CRMCTL_CORP_ID, or from --login and --corp-id with the password on standard input
(--password-stdin). --with-token stores a token read from standard input instead,
after checking it with one request.

A password or token is never taken as a flag: it would leak into shell history and ps.
A new login ends the account's previous token, everywhere it is used.`,
		Example: `  CRMCTL_LOGIN=13800000000 CRMCTL_PASSWORD=... crmctl auth login
  crmctl auth login --login 13800000000 --password-stdin < password.txt
  echo "$TOKEN" | crmctl auth login --with-token --profile ci
  crmctl --base-url https://dingtalk.e.ikcrm.com auth login --profile dingtalk`,
		Args: cmdutil.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if opts.WithToken && opts.PasswordStdin {
				return cmdutil.UsageErrorf("--with-token and --password-stdin both read standard input: use one")
			}
			if runF != nil {
				return runF(opts)
			}
			return loginRun(c.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Login, "login", "", "the account to log in with, a phone number (env CRMCTL_LOGIN)")
	cmd.Flags().StringVar(&opts.CorpID, "corp-id", "", "the enterprise id, for accounts in several enterprises (env CRMCTL_CORP_ID)")
	cmd.Flags().BoolVar(&opts.PasswordStdin, "password-stdin", false, "read the password from standard input")
	cmd.Flags().BoolVar(&opts.WithToken, "with-token", false, "store a user_token read from standard input instead of logging in")
	return cmd
}

func loginRun(ctx context.Context, opts *LoginOptions) error {
	s, err := opts.Settings()
	if err != nil {
		return err
	}
	if s.Sandbox.V {
		return cmdutil.UsageErrorf("the embedded sandbox needs no login: run commands with --sandbox directly (to log in to `crmctl sandbox serve`, point --base-url at it)")
	}
	if opts.WithToken {
		return loginWithToken(ctx, opts, s)
	}
	if !opts.PasswordStdin && env(opts.Getenv, "CRMCTL_PASSWORD") == "" && opts.IO.CanPrompt() && opts.Prompter != nil {
		return loginInteractive(ctx, opts, s)
	}
	login := firstNonEmpty(opts.Login, env(opts.Getenv, "CRMCTL_LOGIN"), s.Login.V)
	corpID := firstNonEmpty(opts.CorpID, env(opts.Getenv, "CRMCTL_CORP_ID"), s.CorpID.V)
	var password string
	if opts.PasswordStdin {
		if password, err = readSecret(opts.IO.In); err != nil {
			return cmdutil.UsageErrorf("--password-stdin: %v", err)
		}
	} else {
		password = env(opts.Getenv, "CRMCTL_PASSWORD")
	}
	var missing []string
	if login == "" {
		missing = append(missing, "the account (--login or CRMCTL_LOGIN)")
	}
	if password == "" {
		missing = append(missing, "the password (--password-stdin or CRMCTL_PASSWORD)")
	}
	if len(missing) > 0 {
		return cmdutil.UsageErrorf("cannot log in without %s", strings.Join(missing, " and "))
	}
	return doLogin(ctx, opts.IO, opts.LoginClient, s, api.LoginParams{Login: login, Password: password, CorpID: corpID})
}

// doLogin logs in and stores the token (shared by the interactive flow).
func doLogin(ctx context.Context, ios *iostreams.IOStreams, newClient func() (*api.Client, error), s *config.Settings, p api.LoginParams) error {
	client, err := newClient()
	if err != nil {
		return err
	}
	res, err := client.Login(ctx, p)
	if err != nil {
		var ae *api.Error
		if !errors.As(err, &ae) {
			return err
		}
		if !ae.IsAuth() {
			// A refused login is an authentication failure whatever its code.
			err = &cmdutil.AuthError{Err: fmt.Errorf("login refused: %w", err)}
		}
		return cmdutil.WithHint(err, "check the account, the password and the corp id, and that --base-url is the API host of your edition")
	}
	if res.UserToken == "" {
		return fmt.Errorf("login answered without a user_token")
	}
	if err := store(s, func(pr *config.Profile) {
		pr.Token = res.UserToken
		pr.Login = p.Login
		pr.CorpID = p.CorpID
		if s.BaseURL.Source != config.SourceDefault || pr.BaseURL != "" {
			pr.BaseURL = s.BaseURL.V
		}
	}); err != nil {
		return err
	}
	fmt.Fprintf(iostreams.SafeWriter(ios.ErrOut), "Logged in to %s as %s (user %s); token stored in profile %q of %s\n",
		s.BaseURL.V, p.Login, res.UserID, s.Profile.V, s.ConfigFile)
	if s.Token.Source == config.SourceEnv {
		fmt.Fprintln(ios.ErrOut, "crmctl: warning: CRMCTL_TOKEN is set and takes precedence over the stored token")
	}
	return nil
}

func loginWithToken(ctx context.Context, opts *LoginOptions, s *config.Settings) error {
	token, err := readSecret(opts.IO.In)
	if err != nil {
		return cmdutil.UsageErrorf("--with-token: %v", err)
	}
	if strings.ContainsAny(token, " \t\r\n") {
		return cmdutil.UsageErrorf("--with-token: the token must be one word")
	}
	base, err := opts.LoginClient()
	if err != nil {
		return err
	}
	client, err := base.WithToken(token)
	if err != nil {
		return err
	}
	user, err := client.UserInfo(ctx)
	if err != nil {
		if api.IsAuthError(err) {
			return cmdutil.WithHint(err, "the API refused this token: check it, or log in with the account and password instead")
		}
		return err
	}
	if err := store(s, func(pr *config.Profile) {
		pr.Token = token
		if s.BaseURL.Source != config.SourceDefault {
			pr.BaseURL = s.BaseURL.V
		}
	}); err != nil {
		return err
	}
	fmt.Fprintf(iostreams.SafeWriter(opts.IO.ErrOut), "Token of %s (user %s) stored in profile %q of %s\n", user.Name, user.ID, s.Profile.V, s.ConfigFile)
	return nil
}

// store saves the profile and makes it current when the file names none, unless the
// profile came from CRMCTL_PROFILE: a variable chooses for one shell, not for good.
//
// The profile's cached pools and field maps go: the new account may belong to another
// company, whose pool ids and option ids are not these.
func store(s *config.Settings, update func(*config.Profile)) error {
	if err := config.SaveProfile(s.ConfigFile, s.Profile.V, update); err != nil {
		return err
	}
	_ = (&cache.Store{Dir: cache.ProfileDir(s.CacheDir, s.Profile.V)}).Clear()
	if s.Profile.Source == config.SourceEnv {
		return nil
	}
	f, err := config.ReadFile(s.ConfigFile)
	if err == nil && f.CurrentProfile == "" {
		return config.SetCurrentProfile(s.ConfigFile, s.Profile.V)
	}
	return nil
}

func readSecret(r io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, 4096)).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", err
	}
	line = strings.TrimSpace(line)
	if line == "" {
		return "", fmt.Errorf("nothing on standard input")
	}
	return line, nil
}

func env(getenv func(string) (string, bool), name string) string {
	if getenv == nil {
		return ""
	}
	v, _ := getenv(name)
	return strings.TrimSpace(v)
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
