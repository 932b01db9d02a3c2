package cmd

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// auth logout with no token to remove says so, writes nothing and succeeds.
func TestLogoutWithNothingToRemove(t *testing.T) {
	e := newEnv(t, nil)
	cfg := filepath.Join(e.home, ".config", "crmctl", "config.yaml")
	r := e.run("", "auth", "logout")
	if r.code != 0 || !strings.Contains(r.stderr, "nothing to remove") || strings.Contains(r.stderr, "removed") {
		t.Fatalf("no config file: %s", r)
	}
	if _, err := os.Stat(cfg); !os.IsNotExist(err) {
		t.Errorf("logout created the config file (stat: %v)", err)
	}

	if err := os.MkdirAll(filepath.Dir(cfg), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, []byte("profiles:\n  default: {login: \"13800000000\"}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r = e.run("", "auth", "logout")
	if r.code != 0 || !strings.Contains(r.stderr, `No token stored for profile "default"`) {
		t.Fatalf("a profile without a token: %s", r)
	}

	if err := os.WriteFile(cfg, []byte("profiles:\n  default: {token: \"0123456789abcdef0123456789abcdef\"}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r = e.run("", "auth", "logout")
	if r.code != 0 || !strings.Contains(r.stderr, `Token of profile "default" removed from `+cfg) {
		t.Fatalf("a stored token: %s", r)
	}
	if r = e.run("", "auth", "logout"); r.code != 0 || !strings.Contains(r.stderr, "nothing to remove") {
		t.Fatalf("a second logout: %s", r)
	}
}

// auth status names where --sandbox came from: the flag or CRMCTL_SANDBOX.
func TestAuthStatusSandboxSource(t *testing.T) {
	e := newEnv(t, nil)
	for _, tc := range []struct {
		env  string
		args []string
		want string
	}{
		{"", []string{"--sandbox", "auth", "status", "-o", "json"}, "--sandbox"},
		{"1", []string{"auth", "status", "-o", "json"}, "CRMCTL_SANDBOX"},
	} {
		if tc.env != "" {
			e.vars["CRMCTL_SANDBOX"] = tc.env
		}
		r := e.run("", tc.args...)
		var st struct {
			BaseURL string `json:"base_url"`
			Source  string `json:"base_url_source"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &st); r.code != 0 || err != nil || st.Source != tc.want || st.BaseURL != "embedded sandbox" {
			t.Errorf("CRMCTL_SANDBOX=%q crmctl %v: want base_url_source %q\n%s", tc.env, tc.args, tc.want, r)
		}
	}
}

// auth logout under --sandbox (flag or CRMCTL_SANDBOX) leaves the real profile's token
// alone: the embedded sandbox has its own account.
func TestSandboxLogoutKeepsTheRealToken(t *testing.T) {
	e := newEnv(t, nil)
	cfg := filepath.Join(e.home, ".config", "crmctl", "config.yaml")
	if err := os.MkdirAll(filepath.Dir(cfg), 0o700); err != nil {
		t.Fatal(err)
	}
	const file = "profiles:\n  default: {login: \"13800000000\", token: \"0123456789abcdef0123456789abcdef\"}\n"
	if err := os.WriteFile(cfg, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		env  string
		args []string
	}{
		{"", []string{"--sandbox", "auth", "logout"}},
		{"1", []string{"auth", "logout"}},
	} {
		delete(e.vars, "CRMCTL_SANDBOX")
		if tc.env != "" {
			e.vars["CRMCTL_SANDBOX"] = tc.env
		}
		r := e.run("", tc.args...)
		if r.code != 2 || !strings.Contains(r.stderr, "sandbox") {
			t.Errorf("CRMCTL_SANDBOX=%q crmctl %v: want exit 2 naming the sandbox\n%s", tc.env, tc.args, r)
		}
		if got, _ := os.ReadFile(cfg); string(got) != file {
			t.Fatalf("CRMCTL_SANDBOX=%q crmctl %v changed the config file:\n%s", tc.env, tc.args, got)
		}
	}
}
