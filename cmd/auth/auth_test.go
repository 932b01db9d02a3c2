package auth

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/crmctl/crmctl/internal/api"
	"github.com/crmctl/crmctl/internal/apitest"
	"github.com/crmctl/crmctl/internal/cmdutil"
	"github.com/crmctl/crmctl/internal/cmdutil/cmdtest"
	"github.com/crmctl/crmctl/internal/i18n"
)

const userInfo = `{"id":2,"name":"test","email":"wp@qq.com","organization_id":49,"department_name":"销售部"}`

// authAPI answers logins with apitest.Token, and user/info for that token alone.
func authAPI(t *testing.T) *apitest.Server {
	srv := apitest.New(t)
	srv.Register("POST", "/api/v2/auth/login", apitest.Data(`{"user_token":"`+apitest.Token+`","user_id":2}`)).Always()
	srv.Register("GET", "/api/v2/user/info", apitest.Data(userInfo)).Always()
	srv.Guard(func(r *http.Request) apitest.Responder {
		if r.URL.Path != "/api/v2/auth/login" && r.Header.Get("Authorization") != apitest.Authorization {
			return apitest.TokenExpired()
		}
		return nil
	})
	return srv
}

// loggedOut is an environment of the API with no token.
func loggedOut(t *testing.T, srv *apitest.Server) *cmdtest.Env {
	e := cmdtest.New(t, srv.URL)
	delete(e.Vars, "CRMCTL_TOKEN")
	return e
}

func ptr[T any](v T) *T { return &v }

func TestNewCmdLogin(t *testing.T) {
	e := cmdtest.New(t, "")
	runF, got := cmdtest.Capture[LoginOptions]()
	if err := e.Run(NewCmdLogin(e.Factory, runF), "--login", "13800000000", "--corp-id", "77", "--password-stdin"); err != nil {
		t.Fatal(err)
	}
	if o := *got; o.Login != "13800000000" || o.CorpID != "77" || !o.PasswordStdin || o.WithToken || o.IO != e.IO || o.LoginClient == nil || o.Getenv == nil {
		t.Errorf("options: %+v", o)
	}
	*got = nil
	err := e.Run(NewCmdLogin(e.Factory, runF), "--with-token", "--password-stdin")
	var usage *cmdutil.UsageError
	if !errors.As(err, &usage) || !strings.Contains(err.Error(), "both read standard input") || *got != nil {
		t.Errorf("--with-token with --password-stdin: %v", err)
	}
	if err := e.Run(NewCmdLogin(e.Factory, runF), "--password", "x"); err == nil || !strings.Contains(err.Error(), "unknown flag: --password") {
		t.Errorf("--password: %v", err)
	}
}

func TestNewCmdStatusAndLogout(t *testing.T) {
	e := cmdtest.New(t, "")
	status, gotStatus := cmdtest.Capture[StatusOptions]()
	logout, gotLogout := cmdtest.Capture[LogoutOptions]()
	if err := e.Run(NewCmdStatus(e.Factory, status)); err != nil || *gotStatus == nil || (*gotStatus).Client == nil || (*gotStatus).Printer == nil {
		t.Errorf("status: %v %+v", err, *gotStatus)
	}
	if err := e.Run(NewCmdLogout(e.Factory, logout)); err != nil || *gotLogout == nil || (*gotLogout).Settings == nil {
		t.Errorf("logout: %v %+v", err, *gotLogout)
	}
	var usage *cmdutil.UsageError
	if err := e.Run(NewCmdStatus(e.Factory, status), "now"); !errors.As(err, &usage) {
		t.Errorf("status with an argument: %v", err)
	}
}

func loginOpts(e *cmdtest.Env) *LoginOptions {
	f := e.Factory
	return &LoginOptions{IO: f.IOStreams, Settings: f.Settings, LoginClient: f.LoginClient, Getenv: f.Getenv}
}

func statusOpts(e *cmdtest.Env) *StatusOptions {
	f := e.Factory
	return &StatusOptions{IO: f.IOStreams, Settings: f.Settings, Client: f.Client, Printer: f.Printer}
}

func logoutOpts(e *cmdtest.Env) *LogoutOptions {
	return &LogoutOptions{IO: e.IO, Settings: e.Factory.Settings}
}

func TestLoginRunStoresTheToken(t *testing.T) {
	srv := authAPI(t)
	e := loggedOut(t, srv)
	e.Vars["CRMCTL_LOGIN"] = "13800000000"
	e.Vars["CRMCTL_PASSWORD"] = "s3cret"
	if err := loginRun(t.Context(), loginOpts(e)); err != nil {
		t.Fatal(err)
	}
	reqs := srv.Requests()
	if len(reqs) != 1 || reqs[0].String() != "POST /api/v2/auth/login" {
		t.Fatalf("requests: %v", reqs)
	}
	if f := reqs[0].Form; f.Get("login") != "13800000000" || f.Get("password") != "s3cret" || f.Get("device") != "open_api" || f.Get("version_code") != "9.9.9" {
		t.Errorf("login form: %v", f)
	}
	if out := e.Out.String() + e.ErrOut.String(); strings.Contains(out, apitest.Token) || strings.Contains(out, "s3cret") {
		t.Error("a secret was printed")
	}
	if want := "Logged in to " + srv.URL + " as 13800000000 (user 2); token stored in " + e.ConfigFile() + " for profile default\n"; e.ErrOut.String() != want {
		t.Errorf("stderr %q, want %q", e.ErrOut.String(), want)
	}
	st, err := os.Stat(e.ConfigFile())
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("config file: %v %v", err, st)
	}
	if data, _ := os.ReadFile(e.ConfigFile()); !strings.Contains(string(data), apitest.Token) {
		t.Errorf("token not stored:\n%s", data)
	}
}

func TestLoginRunPasswordStdinAndErrors(t *testing.T) {
	srv := authAPI(t)
	e := loggedOut(t, srv)
	e.In.WriteString("pw-from-stdin\n")
	o := loginOpts(e)
	o.Login, o.CorpID, o.PasswordStdin = "13900000000", "77", true
	if err := loginRun(t.Context(), o); err != nil {
		t.Fatal(err)
	}
	if f := srv.Requests()[0].Form; f.Get("password") != "pw-from-stdin" || f.Get("corp_id") != "77" || f.Get("login") != "13900000000" {
		t.Errorf("form: %v", f)
	}

	for _, c := range []struct {
		login, password string
		lang            i18n.Lang
		want            string
	}{
		{"13900000000", "", i18n.English, "cannot log in without the password (--password-stdin or CRMCTL_PASSWORD)"},
		{"", "x", i18n.English, "cannot log in without the account (--login or CRMCTL_LOGIN)"},
		{"", "", i18n.English, "cannot log in without the account (--login or CRMCTL_LOGIN) and the password (--password-stdin or CRMCTL_PASSWORD)"},
		{"", "", i18n.Chinese, "缺少 账号（--login 或 CRMCTL_LOGIN） 和 密码（--password-stdin 或 CRMCTL_PASSWORD），无法登录"},
	} {
		e := loggedOut(t, srv)
		e.IO.SetLang(c.lang)
		if c.password != "" {
			e.Vars["CRMCTL_PASSWORD"] = c.password
		}
		o := loginOpts(e)
		o.Login = c.login
		err := loginRun(t.Context(), o)
		var usage *cmdutil.UsageError
		if !errors.As(err, &usage) || e.IO.T().Error(err) != c.want {
			t.Errorf("login %q, password %q: %v, want %q", c.login, c.password, err, c.want)
		}
	}

	refused := apitest.New(t)
	refused.Register("POST", "/api/v2/auth/login", apitest.APIError(100001, "用户名或密码错误", ""))
	e = loggedOut(t, refused)
	e.In.WriteString("bad\n")
	o = loginOpts(e)
	o.Login, o.PasswordStdin = "1", true
	err := loginRun(t.Context(), o)
	var authErr *cmdutil.AuthError
	var hint *cmdutil.HintError
	if !errors.As(err, &authErr) || !strings.Contains(err.Error(), "login refused: ") || !strings.Contains(err.Error(), "用户名或密码错误") {
		t.Errorf("a refused login: %v, want an authentication error", err)
	}
	if !errors.As(err, &hint) || !strings.HasPrefix(hint.Hint, "check the account, the password") {
		t.Errorf("a refused login needs a hint about the credentials: %v", err)
	}
}

// A login makes its profile current when the file names none, unless CRMCTL_PROFILE
// chose it: the variable is for one shell (a sandbox walkthrough), the file is for good.
func TestLoginRunMakesAFlagProfileCurrentNotAnEnvOne(t *testing.T) {
	srv := authAPI(t)
	e := loggedOut(t, srv)
	e.Vars["CRMCTL_PROFILE"] = "sandbox"
	e.In.WriteString(apitest.Token + "\n")
	o := loginOpts(e)
	o.WithToken = true
	if err := loginRun(t.Context(), o); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(e.ConfigFile())
	if strings.Contains(string(data), "current_profile") || !strings.Contains(string(data), "sandbox:") {
		t.Fatalf("a profile from CRMCTL_PROFILE was made current:\n%s", data)
	}
	e = e.Again()
	delete(e.Vars, "CRMCTL_PROFILE")
	e.Flags.Profile = ptr("work")
	e.In.WriteString(apitest.Token + "\n")
	o = loginOpts(e)
	o.WithToken = true
	if err := loginRun(t.Context(), o); err != nil {
		t.Fatal(err)
	}
	if data, _ = os.ReadFile(e.ConfigFile()); !strings.Contains(string(data), "current_profile: work") {
		t.Fatalf("a profile from --profile was not made current:\n%s", data)
	}
}

func TestLoginRunWithToken(t *testing.T) {
	srv := authAPI(t)
	e := loggedOut(t, srv)
	e.Flags.Profile = ptr("ci")
	e.In.WriteString(apitest.Token + "\n")
	o := loginOpts(e)
	o.WithToken = true
	if err := loginRun(t.Context(), o); err != nil {
		t.Fatal(err)
	}
	reqs := srv.Requests()
	if len(reqs) != 1 || reqs[0].String() != "GET /api/v2/user/info" || reqs[0].Header.Get("Authorization") != apitest.Authorization {
		t.Errorf("requests: %v", reqs)
	}
	if want := "Token of test (user 2) stored in " + e.ConfigFile() + " for profile ci\n"; e.ErrOut.String() != want {
		t.Errorf("stderr %q, want %q", e.ErrOut.String(), want)
	}

	e = e.Again()
	e.Flags.Profile = ptr("other")
	e.In.WriteString("ffffffffffffffffffffffffffffffff\n")
	o = loginOpts(e)
	o.WithToken = true
	err := loginRun(t.Context(), o)
	var hint *cmdutil.HintError
	if !api.IsAuthError(err) || !errors.As(err, &hint) || !strings.HasPrefix(hint.Hint, "the API refused this token") {
		t.Fatalf("a refused token: %v", err)
	}
	if data, _ := os.ReadFile(e.ConfigFile()); strings.Contains(string(data), "other") {
		t.Errorf("a rejected token created the profile:\n%s", data)
	}
}

// A login forgets the profile's cached look-ups: the new account may be another
// company's, whose pools are not these.
func TestLoginRunClearsTheProfileCache(t *testing.T) {
	srv := authAPI(t)
	srv.Register("GET", "/api/v2/common_customers/common_settings", apitest.Data(`{"common_settings":[]}`)).Times(2)
	e := cmdtest.New(t, srv.URL)
	lk, err := e.Factory.Lookups()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lk.Pools(t.Context()); err != nil {
		t.Fatal(err)
	}
	e = e.Again()
	delete(e.Vars, "CRMCTL_TOKEN")
	e.In.WriteString(apitest.Token + "\n")
	o := loginOpts(e)
	o.WithToken = true
	if err := loginRun(t.Context(), o); err != nil {
		t.Fatal(err)
	}
	if lk, err = e.Again().Factory.Lookups(); err != nil {
		t.Fatal(err)
	}
	if _, err := lk.Pools(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := srv.Count("GET", "/api/v2/common_customers/common_settings"); n != 2 {
		t.Errorf("pools fetched %d times, want 2 (once before the login, once after)", n)
	}
}

func TestStatusRun(t *testing.T) {
	srv := authAPI(t)
	e := cmdtest.New(t, srv.URL)
	if err := statusRun(t.Context(), statusOpts(e)); err != nil {
		t.Fatal(err)
	}
	want := "Profile:   default\nAPI host:  " + srv.URL + " (CRMCTL_BASE_URL)\nToken:     CRMCTL_TOKEN\nLogged in: yes, as test (user 2, 销售部)\n"
	if e.Out.String() != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", e.Out.String(), want)
	}
	if reqs := srv.Requests(); len(reqs) != 1 || reqs[0].String() != "GET /api/v2/user/info" {
		t.Errorf("requests: %v", reqs)
	}

	e = loggedOut(t, srv)
	err := statusRun(t.Context(), statusOpts(e))
	var authErr *cmdutil.AuthError
	if !errors.As(err, &authErr) || !strings.Contains(e.Out.String(), "Token:     none (run `crmctl auth login`)\nLogged in: no\n") {
		t.Errorf("no token: %v\n%s", err, e.Out.String())
	}
}

// status says where the token is stored and which profiles share it; the words follow
// the language in the text, JSON stays the same.
func TestStatusRunTokenSources(t *testing.T) {
	srv := authAPI(t)
	e := loggedOut(t, srv)
	for _, profile := range []string{"default", "second"} {
		e = e.Again()
		e.Vars["CRMCTL_LOGIN"], e.Vars["CRMCTL_PASSWORD"] = "13800000000", "s3cret"
		e.Flags.Profile = ptr(profile)
		if err := loginRun(t.Context(), loginOpts(e)); err != nil {
			t.Fatal(err)
		}
	}
	if want := "The account's previous token has ended, everywhere it was used; default and second now use the new one\n"; !strings.HasSuffix(e.ErrOut.String(), want) {
		t.Errorf("second login: %q, want it to end with %q", e.ErrOut.String(), want)
	}
	for _, c := range []struct {
		lang i18n.Lang
		want string
	}{
		{i18n.English, "Token:     stored in " + e.ConfigFile() + " for 13800000000 at " + srv.URL + ", shared by profiles default, second\n"},
		{i18n.Chinese, "令牌：    保存在 " + e.ConfigFile() + " 中，属于 13800000000 at " + srv.URL + "，由配置档 default, second 共用\n"},
	} {
		e := e.Again()
		e.IO.SetLang(c.lang)
		if err := statusRun(t.Context(), statusOpts(e)); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(e.Out.String(), c.want) {
			t.Errorf("%s:\n%s\nwant a line %q", c.lang, e.Out.String(), c.want)
		}
	}
	var outs []string
	for _, lang := range []i18n.Lang{i18n.English, i18n.Chinese} {
		e := e.Again()
		e.IO.SetLang(lang)
		e.Vars["CRMCTL_OUTPUT"] = "json"
		if err := statusRun(t.Context(), statusOpts(e)); err != nil {
			t.Fatal(err)
		}
		var st struct {
			TokenSource string `json:"token_source"`
		}
		if err := json.Unmarshal(e.Out.Bytes(), &st); err != nil || !strings.Contains(st.TokenSource, ", shared by profiles default, second") {
			t.Errorf("%s JSON: %v %s", lang, err, e.Out.String())
		}
		outs = append(outs, e.Out.String())
	}
	if outs[0] != outs[1] {
		t.Errorf("JSON differs by language:\n%s\n%s", outs[0], outs[1])
	}
}

// auth logout with no token to remove says so, writes nothing and succeeds; with one,
// it removes it.
func TestLogoutRun(t *testing.T) {
	e := cmdtest.New(t, "")
	if err := logoutRun(logoutOpts(e)); err != nil || !strings.Contains(e.ErrOut.String(), "nothing to remove") || strings.Contains(e.ErrOut.String(), "removed") {
		t.Fatalf("no config file: %v %q", err, e.ErrOut.String())
	}
	if _, err := os.Stat(e.ConfigFile()); !os.IsNotExist(err) {
		t.Errorf("logout created the config file (stat: %v)", err)
	}
	write := func(content string) {
		t.Helper()
		if err := os.MkdirAll(strings.TrimSuffix(e.ConfigFile(), "/config.yaml"), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(e.ConfigFile(), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("profiles:\n  default: {login: \"13800000000\"}\n")
	e = e.Again()
	if err := logoutRun(logoutOpts(e)); err != nil || e.ErrOut.String() != `No token stored for profile "default" in `+e.ConfigFile()+": nothing to remove\n" {
		t.Fatalf("a profile without a token: %v %q", err, e.ErrOut.String())
	}
	write("profiles:\n  default: {token: \"" + apitest.Token + "\"}\n")
	e = e.Again()
	e.IO.SetLang(i18n.Chinese)
	if err := logoutRun(logoutOpts(e)); err != nil || e.ErrOut.String() != "已从 "+e.ConfigFile()+` 中删除配置档 "default" 的令牌`+"\n" {
		t.Fatalf("a stored token: %v %q", err, e.ErrOut.String())
	}
	if data, _ := os.ReadFile(e.ConfigFile()); strings.Contains(string(data), apitest.Token) {
		t.Errorf("token still stored:\n%s", data)
	}
}

// auth logout under --sandbox leaves the real profile's token alone: the embedded
// sandbox has its own account.
func TestLogoutRunUnderTheSandbox(t *testing.T) {
	e := cmdtest.New(t, "")
	e.Flags.Sandbox = ptr(true)
	err := logoutRun(logoutOpts(e))
	var usage *cmdutil.UsageError
	if !errors.As(err, &usage) || !strings.Contains(err.Error(), "the embedded sandbox has no stored token to forget") {
		t.Errorf("%v, want a usage error naming the sandbox", err)
	}
}
