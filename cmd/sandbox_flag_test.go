package cmd

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

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
