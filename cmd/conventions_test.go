package cmd

import (
	"strings"
	"testing"
)

// --version prints what `crmctl version` prints.
func TestVersionFlag(t *testing.T) {
	e := newEnv(t, nil)
	want := e.run("", "version")
	r := e.run("", "--version")
	if r.code != 0 || want.code != 0 || r.stdout != want.stdout || !strings.HasPrefix(r.stdout, "crmctl ") {
		t.Errorf("--version: %s\nversion: %s", r, want)
	}
}

// Flags users reach for that crmctl refuses on purpose get the way to do it instead.
func TestUnknownFlagHints(t *testing.T) {
	e := newEnv(t, nil)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--token", "abc", "pools", "list"}, "hint: a token is never a flag (it would show in shell history and ps): set CRMCTL_TOKEN, or run `crmctl auth login --with-token`"},
		{[]string{"pools", "list", "--token", "abc"}, "CRMCTL_TOKEN"},
		{[]string{"auth", "login", "--password", "x"}, "hint: a password is never a flag: pipe it to `crmctl auth login --password-stdin`"},
	} {
		r := e.run("", tc.args...)
		if r.code != ExitUsage || !strings.Contains(r.stderr, "unknown flag") || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("crmctl %v: %s", tc.args, r)
		}
		if strings.Contains(r.stderr, "abc") {
			t.Errorf("crmctl %v repeats the token: %s", tc.args, r)
		}
	}
	if r := e.run("", "pools", "list", "--frobnicate"); r.code != ExitUsage || strings.Contains(r.stderr, "hint:") {
		t.Errorf("an unknown flag with no hint of its own: %s", r)
	}
}

// Verbs the API has no call for are explained; a typo gets the nearest command.
func TestCustomersMissingVerbsAndTypos(t *testing.T) {
	e := newEnv(t, nil)
	r := e.run("", "customers", "list")
	if r.code != ExitUsage || !strings.Contains(r.stderr, "crmctl: the ikcrm open API has no call that lists public-pool customers\n") || !strings.Contains(r.stderr, "`crmctl customers get ID`") {
		t.Errorf("customers list: %s", r)
	}
	r = e.run("", "customers", "delete", "18")
	if r.code != ExitUsage || !strings.Contains(r.stderr, "no call that deletes a customer") {
		t.Errorf("customers delete: %s", r)
	}
	r = e.run("", "customers", "creat")
	if r.code != ExitUsage || !strings.Contains(r.stderr, `unknown command "creat" for "crmctl customers"; did you mean create?`) {
		t.Errorf("customers creat: %s", r)
	}
	r = e.run("", "customers", "frobnicate")
	if r.code != ExitUsage || strings.Contains(r.stderr, "did you mean") {
		t.Errorf("customers frobnicate: %s", r)
	}
}

// Offline, auth status cannot tell whether the token works: it says so, instead of "no".
func TestAuthStatusOffline(t *testing.T) {
	e := newEnv(t, nil)
	e.vars["CRMCTL_TOKEN"] = testToken
	e.vars["CRMCTL_BASE_URL"] = "http://" + closedPort(t)
	r := e.run("", "auth", "status")
	if r.code != ExitNetwork || !strings.Contains(r.stdout, "Logged in: unknown (network error)\n") || strings.Contains(r.stdout, "Logged in: no") {
		t.Errorf("offline: %s", r)
	}
	r = e.run("", "auth", "status", "-o", "json")
	if r.code != ExitNetwork || !strings.Contains(r.stdout, `"logged_in": null`) {
		t.Errorf("offline, JSON: %s", r)
	}
	// a rejected token is still a plain no
	fake := newFakeAPI(t)
	e = newEnv(t, fake)
	e.vars["CRMCTL_TOKEN"] = "ffffffffffffffffffffffffffffffff"
	if r := e.run("", "auth", "status"); r.code != ExitAuth || !strings.Contains(r.stdout, "Logged in: no\n") {
		t.Errorf("rejected token: %s", r)
	}
}
