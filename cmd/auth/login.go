package auth

import (
	"bufio"
	"context"
	"errors"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/crmctl/crmctl/internal/api"
	"github.com/crmctl/crmctl/internal/cache"
	"github.com/crmctl/crmctl/internal/cmdutil"
	"github.com/crmctl/crmctl/internal/config"
	"github.com/crmctl/crmctl/internal/i18n"
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
		Short: "Log in and store the token in the profile / 登录并把令牌保存到配置档",
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

The token is stored for the account (API host, login and corp id) and shared by every
profile of that account, so they all use the new one. A new login ends the account's
previous token everywhere else: on other machines, in CI jobs, in scripts using
CRMCTL_TOKEN. At a terminal, when the stored token still works, login says which
profiles and sessions it would end and asks first; answering no keeps the token (and
makes this profile one of the account's). Without a terminal it never asks.`,
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
	account, pass := i18n.M("the account (--login or CRMCTL_LOGIN)"), i18n.M("the password (--password-stdin or CRMCTL_PASSWORD)")
	switch {
	case login == "" && password == "":
		return cmdutil.UsageErrorf("cannot log in without %s", i18n.M("%s and %s", account, pass))
	case login == "":
		return cmdutil.UsageErrorf("cannot log in without %s", account)
	case password == "":
		return cmdutil.UsageErrorf("cannot log in without %s", pass)
	}
	return doLogin(ctx, opts, opts.LoginClient, s, api.LoginParams{Login: login, Password: password, CorpID: corpID})
}

// doLogin logs in and stores the token for the account, shared by its profiles
// (shared by the interactive flow). At a terminal, when a token of the account is
// stored and still works, it says what a new login would end and asks first.
func doLogin(ctx context.Context, opts *LoginOptions, newClient func() (*api.Client, error), s *config.Settings, p api.LoginParams) error {
	ios := opts.IO
	key := config.KeyOf(s.BaseURL.V, p.Login, p.CorpID)
	file, err := config.ReadFile(s.ConfigFile)
	if err != nil {
		return err
	}
	stored := file.StoredToken(key)
	if stored != "" && ios.CanPrompt() && opts.Prompter != nil {
		again, err := confirmRelogin(ctx, opts, newClient, s, file, key, stored)
		if err != nil || !again {
			return err
		}
	}
	client, err := newClient()
	if err != nil {
		return err
	}
	res, shared, err := cmdutil.LogIn(ctx, client, s, p, func(pr *config.Profile) {
		pr.Login = p.Login
		pr.CorpID = p.CorpID
		if s.BaseURL.Source != config.SourceDefault || pr.BaseURL != "" {
			pr.BaseURL = s.BaseURL.V
		}
	})
	if err != nil {
		var ae *api.Error
		if !errors.As(err, &ae) {
			return err
		}
		if !ae.IsAuth() {
			// A refused login is an authentication failure whatever its code.
			err = &cmdutil.AuthError{Err: i18n.Errorf("login refused: %w", err)}
		}
		return cmdutil.WithHint(err, "check the account, the password and the corp id, and that --base-url is the API host of your edition")
	}
	if err := settle(s); err != nil {
		return err
	}
	w, tr := iostreams.SafeWriter(ios.ErrOut), ios.T()
	tr.Fprintf(w, "Logged in to %s as %s (user %s); token stored in %s for profile %s\n",
		s.BaseURL.V, p.Login, res.UserID, s.ConfigFile, profileList(shared, s.Profile.V))
	switch {
	case stored != "" && len(profilesWith(shared, s.Profile.V)) > 1:
		tr.Fprintf(w, "The account's previous token has ended, everywhere it was used; %s now use the new one\n", profileList(shared, s.Profile.V))
	case stored != "":
		tr.Fprintf(w, "The account's previous token has ended, everywhere it was used; %s now uses the new one\n", profileList(shared, s.Profile.V))
	}
	if s.Token.Source == config.SourceEnv {
		tr.Fprintf(ios.ErrOut, "crmctl: warning: CRMCTL_TOKEN is set and takes precedence over the stored token\n")
	}
	return nil
}

// confirmRelogin runs at a terminal when a token of the account is stored: it checks
// the token with one request and, when it still works, says which profiles and
// sessions a new login ends and asks. Declining keeps the token; the profile becomes
// one of the account's (so it uses that token) and nothing is sent.
func confirmRelogin(ctx context.Context, opts *LoginOptions, newClient func() (*api.Client, error), s *config.Settings,
	file *config.File, key config.AccountKey, stored string) (bool, error) {
	base, err := newClient()
	if err != nil {
		return false, err
	}
	c, err := base.WithToken(stored)
	if err != nil {
		return true, nil // a token that cannot even be sent does not work
	}
	if _, err := c.UserInfo(ctx); err != nil {
		if ctx.Err() != nil {
			return false, err
		}
		return true, nil // ended, expired, or unknown: the login ends nothing that works
	}
	users := file.ProfilesOf(key)
	w, tr := iostreams.SafeWriter(opts.IO.ErrOut), opts.IO.T()
	if len(users) > 0 {
		tr.Fprintf(w, "The stored token of %s still works (profile %s).\n", key, strings.Join(users, ", "))
	} else {
		tr.Fprintf(w, "The stored token of %s still works.\n", key)
	}
	tr.Fprintf(w, "The API allows one live token per account: logging in again ends it for every other\n"+
		"session of this account (other machines, CI jobs, scripts with CRMCTL_TOKEN);\n"+
		"profile %s will use the new token.\n", profileList(users, s.Profile.V))
	again, err := opts.Prompter.Confirm(tr.Sprintf("Log in again and end the current session? (重新登录)"), false)
	if err != nil {
		return false, cancelled(err)
	}
	if again {
		return true, nil
	}
	if slices.Contains(users, s.Profile.V) {
		tr.Fprintf(w, "Kept the stored token; profile %q already uses it\n", s.Profile.V)
		return false, nil
	}
	// Join the profile to the account: it uses the stored token from now on.
	shared, err := store(s, key, stored, func(pr *config.Profile) {
		pr.Login, pr.CorpID = key.Login, key.CorpID
		if s.BaseURL.Source != config.SourceDefault || pr.BaseURL != "" {
			pr.BaseURL = s.BaseURL.V
		}
	})
	if err != nil {
		return false, err
	}
	if len(shared) > 1 {
		tr.Fprintf(w, "Kept the stored token: profile %s now use it, without a new login\n", profileList(shared, ""))
	} else {
		tr.Fprintf(w, "Kept the stored token: profile %s now uses it, without a new login\n", profileList(shared, ""))
	}
	return false, nil
}

// profilesWith is names with current among them, sorted when current was added.
func profilesWith(names []string, current string) []string {
	if current != "" && !slices.Contains(names, current) {
		names = append(slices.Clone(names), current)
		slices.Sort(names)
	}
	return names
}

// profileList names profiles for a message ("a, b and c"), with current among them.
func profileList(names []string, current string) i18n.Message {
	names = profilesWith(names, current)
	switch len(names) {
	case 0:
		return i18n.M("%s", current)
	case 1:
		return i18n.M("%s", names[0])
	}
	return i18n.M("%s and %s", strings.Join(names[:len(names)-1], ", "), names[len(names)-1])
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
	// With a known login, the token is the account's, shared by its profiles; without
	// one, the profile's alone.
	key := config.KeyOf(s.BaseURL.V, s.Login.V, s.CorpID.V)
	shared, err := store(s, key, token, func(pr *config.Profile) {
		if s.BaseURL.Source != config.SourceDefault {
			pr.BaseURL = s.BaseURL.V
		}
		if key.Valid() {
			pr.Login, pr.CorpID = key.Login, key.CorpID
		}
	})
	if err != nil {
		return err
	}
	opts.IO.T().Fprintf(iostreams.SafeWriter(opts.IO.ErrOut), "Token of %s (user %s) stored in %s for profile %s\n", user.Name, user.ID, s.ConfigFile, profileList(shared, s.Profile.V))
	return nil
}

// store saves token for account key (shared by the account's profiles, which it
// returns) and the profile, and makes the profile current when the file names none,
// unless the profile came from CRMCTL_PROFILE: a variable chooses for one shell, not
// for good.
//
// The profile's cached pools and field maps go: the new account may belong to another
// company, whose pool ids and option ids are not these.
func store(s *config.Settings, key config.AccountKey, token string, update func(*config.Profile)) ([]string, error) {
	shared, err := config.StoreToken(s.ConfigFile, s.Profile.V, key, token, update)
	if err != nil {
		return nil, err
	}
	return shared, settle(s)
}

// settle follows a stored token (see store): it clears the profile's cache and makes
// the profile current when the file names none and CRMCTL_PROFILE did not choose it.
func settle(s *config.Settings) error {
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
		return "", i18n.Errorf("nothing on standard input")
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
