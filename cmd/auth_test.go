package cmd

import (
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
