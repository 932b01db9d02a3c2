package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crmctl/crmctl/internal/prompter"
)

// customers import --template never replaces an existing file without --force (exit 2,
// the file untouched); with --force it writes the empty template.
func TestTemplateNeverOverwritesWithoutForce(t *testing.T) {
	e := newEnv(t, nil)
	dir := t.TempDir()
	for _, name := range []string{"filled.csv", "filled.xlsx"} {
		path := filepath.Join(dir, name)
		const work = "a day's work"
		if err := os.WriteFile(path, []byte(work), 0o600); err != nil {
			t.Fatal(err)
		}
		r := e.run("", "--sandbox", "customers", "import", "--template", path)
		if r.code != 2 || !strings.Contains(r.stderr, "exists") || !strings.Contains(r.stderr, "--force") {
			t.Errorf("%s exists: want exit 2 and a hint naming --force\n%s", name, r)
		}
		if got, _ := os.ReadFile(path); string(got) != work {
			t.Fatalf("%s was overwritten without --force", name)
		}
		r = e.run("", "--sandbox", "customers", "import", "--template", path, "--force")
		if got, _ := os.ReadFile(path); r.code != 0 || string(got) == work {
			t.Errorf("--force did not write the template over %s\n%s", name, r)
		}
	}
	if r := e.run("", "--sandbox", "customers", "import", filepath.Join(dir, "filled.csv"), "--force"); r.code != 2 || !strings.Contains(r.stderr, "--template") {
		t.Errorf("--force without --template: %s", r)
	}
}

// Names, labels and messages from the API never reach the terminal raw: tables (on a
// terminal and through a pipe), plain lines and error messages show control sequences
// escaped; JSON keeps them exact.
func TestServerTextCannotDriveTheTerminal(t *testing.T) {
	api := newFakeAPI(t)
	const evil = `\u001b]0;pwned\u0007\u001b[2J\u009b31m\u202e`
	api.route("GET /api/v2/common_customers/common_settings", canned(`{"code":0,"data":{"common_settings":[{"id":45,"name":"公海`+evil+`"}]}}`))
	api.route("GET /api/v2/field_maps/customer", canned(`{"code":0,"data":{"customer":[{"id":101,"field_name":"status","field_values":[{"id":7,"value":"初访`+evil+`","status":"enable"}]}]}}`))
	api.route("GET /api/v2/user/info", canned(`{"code":0,"data":{"id":2,"name":"王`+evil+`","department_name":"销售`+evil+`"}}`))
	api.route("GET /api/v2/common_customers/18", canned(`{"code":0,"data":{"id":18,"name":"贸易`+evil+`","status":"7","status_mapped":"初访`+evil+`","common_id":45}}`))
	api.route("GET /api/v2/common_customers/19", canned(`{"code":100100,"message":"没有`+evil+`","error":"record`+evil+`"}`))
	e := newEnv(t, api)
	e.vars["CRMCTL_RATE"] = "off"
	raw := []string{"\x1b", "\x07", "\u009b", "\u202e"}
	for _, args := range [][]string{
		{"pools", "list", "--refresh"},
		{"fieldmaps", "show", "--refresh"},
		{"auth", "status"},
		{"customers", "get", "18"},
		{"customers", "get", "19"},
	} {
		for _, tty := range []bool{false, true} {
			r := e.runTTY(tty, "", args...)
			for _, c := range raw {
				if strings.Contains(r.stdout+r.stderr, c) {
					t.Errorf("crmctl %v (terminal %v) printed %q raw:\n%q\n%q", args, tty, c, r.stdout, r.stderr)
				}
			}
			if !strings.Contains(r.stdout+r.stderr, `\x1b]0;pwned\x07`) {
				t.Errorf("crmctl %v (terminal %v) does not show the escaped text:\n%s", args, tty, r)
			}
		}
	}
	r := e.run("", "pools", "list", "-o", "json")
	if r.code != 0 || !strings.Contains(r.stdout, `"公海`+evil+`"`) {
		t.Errorf("JSON output is not exact:\n%s", r)
	}
	r = e.run("", "customers", "get", "19", "-o", "json")
	if !strings.Contains(r.stderr, `\u001b]0;pwned\u0007`) || strings.Contains(r.stderr, "\x1b") {
		t.Errorf("JSON error is not escaped by its encoding:\n%s", r)
	}
}

// writeCfg writes the config file of e and returns its path.
func writeCfg(t *testing.T, e *env, content string) string {
	t.Helper()
	cfg := filepath.Join(e.home, ".config", "crmctl", "config.yaml")
	if err := os.MkdirAll(filepath.Dir(cfg), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func loginCalls(api *fakeAPI) int {
	n := 0
	for _, c := range api.Calls() {
		if c.Path == "/api/v2/auth/login" {
			n++
		}
	}
	return n
}

// At a terminal, when the account's stored token still works, a login with another
// profile of the account says what it would end and asks; declining keeps the token,
// joins the profile to the account and sends no login.
func TestLoginAsksBeforeEndingAWorkingToken(t *testing.T) {
	api := newFakeAPI(t)
	e := newEnv(t, api)
	delete(e.vars, "CRMCTL_TOKEN")
	e.vars["CRMCTL_RATE"] = "off"
	e.vars["CRMCTL_LOGIN"] = "13800000000"
	e.vars["CRMCTL_PASSWORD"] = "pw"
	cfg := writeCfg(t, e, "profiles:\n  a: {base_url: \""+api.URL+"\", login: \"13800000000\", token: \""+testToken+"\"}\n")

	fake := prompter.NewFake(t)
	fake.ExpectConfirm("Log in again and end the current session? (重新登录)").Answer(false)
	r := e.runPrompted(fake, "--profile", "b", "auth", "login")
	if r.code != 0 || loginCalls(api) != 0 {
		t.Fatalf("declined: want exit 0 and no login request (%d sent)\n%s", loginCalls(api), r)
	}
	for _, want := range []string{"still works (profile a)", "ends it for every other", "Kept the stored token: profile a and b now use it"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if r := e.run("", "--profile", "b", "auth", "status"); r.code != 0 || !strings.Contains(r.stdout, "shared by profiles a, b") {
		t.Errorf("profile b does not use the account's token:\n%s", r)
	}

	// Accepting logs in; both profiles get the new token.
	fake = prompter.NewFake(t)
	fake.ExpectConfirm("Log in again and end the current session? (重新登录)").Answer(true)
	r = e.runPrompted(fake, "--profile", "b", "auth", "login")
	if r.code != 0 || loginCalls(api) != 1 || !strings.Contains(r.stderr, "a and b now use the new one") {
		t.Fatalf("accepted: %d login requests\n%s", loginCalls(api), r)
	}
	data, _ := os.ReadFile(cfg)
	if strings.Count(string(data), testToken) != 1 {
		t.Errorf("the token is not stored once, for the account:\n%s", data)
	}

	// Without a terminal nothing is asked: the login goes ahead and says what it ended.
	r = e.run("", "--profile", "b", "auth", "login")
	if r.code != 0 || loginCalls(api) != 2 || !strings.Contains(r.stderr, "previous token has ended") {
		t.Fatalf("no terminal: %d login requests\n%s", loginCalls(api), r)
	}
}

// A token that no longer works is replaced without a question.
func TestLoginDoesNotAskWhenTheTokenIsDead(t *testing.T) {
	api := newFakeAPI(t)
	e := newEnv(t, api)
	delete(e.vars, "CRMCTL_TOKEN")
	e.vars["CRMCTL_RATE"] = "off"
	e.vars["CRMCTL_LOGIN"] = "13800000000"
	e.vars["CRMCTL_PASSWORD"] = "pw"
	writeCfg(t, e, "profiles:\n  a: {base_url: \""+api.URL+"\", login: \"13800000000\", token: deadbeefdeadbeefdeadbeefdeadbeef}\n")
	r := e.runPrompted(prompter.NewFake(t), "--profile", "a", "auth", "login")
	if r.code != 0 || loginCalls(api) != 1 {
		t.Fatalf("%d login requests\n%s", loginCalls(api), r)
	}
}

// auth logout forgets the account's token for every profile that shares it, and says so.
func TestLogoutNamesTheProfilesSharingTheToken(t *testing.T) {
	e := newEnv(t, nil)
	writeCfg(t, e, `profiles:
  a: {login: "13800000000"}
  b: {login: "13800000000"}
accounts:
  - {base_url: "https://lxcrm.weiwenjia.com", login: "13800000000", token: "`+testToken+`"}
`)
	r := e.run("", "--profile", "a", "auth", "logout")
	if r.code != 0 || !strings.Contains(r.stderr, `profile "a" and b, which shared it, are logged out`) {
		t.Fatalf("%s", r)
	}
	if r := e.run("", "--profile", "b", "auth", "status"); r.code != 3 {
		t.Errorf("profile b still has a token:\n%s", r)
	}
}

// A token ended by a login elsewhere gets a hint that says so; an expired one the usual.
func TestEndedElsewhereHint(t *testing.T) {
	api := newFakeAPI(t)
	e := newEnv(t, api)
	e.vars["CRMCTL_RATE"] = "off"
	api.route("GET /api/v2/common_customers/common_settings", canned(`{"code":100401,"data":null,"message":"你的帐号已在其他地方登录,本地已经下线"}`))
	r := e.run("", "pools", "list", "--refresh")
	if r.code != 3 || !strings.Contains(r.stderr, "hint: a newer login of this account ended this token") {
		t.Errorf("ended elsewhere:\n%s", r)
	}
	api.route("GET /api/v2/common_customers/common_settings", canned(`{"code":100401,"data":null,"message":"您的登录已经过期,请重新登录!"}`))
	r = e.run("", "pools", "list", "--refresh")
	if r.code != 3 || !strings.Contains(r.stderr, "hint: run `crmctl auth login`") {
		t.Errorf("expired:\n%s", r)
	}
}
