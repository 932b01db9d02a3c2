package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A config path that is a folder is bad usage (exit 2) with a message that says so.
func TestConfigFolderIsUsage(t *testing.T) {
	api := newFakeAPI(t)
	e := newEnv(t, api)
	folder := filepath.Join(e.home, "cfgdir")
	if err := os.Mkdir(folder, 0o700); err != nil {
		t.Fatal(err)
	}
	r := e.run("", "--config", folder, "pools", "list")
	if r.code != 2 || !strings.Contains(r.stderr, "config file "+folder+" is a folder") {
		t.Fatal(r)
	}
	e.vars["CRMCTL_CONFIG"] = folder
	if r = e.run("", "auth", "logout"); r.code != 2 {
		t.Fatal(r)
	}
	if len(api.Calls()) != 0 {
		t.Errorf("calls: %s", callNames(api.Calls()))
	}
}

// An unknown key of the config file (a typo) is named once on stderr; the command runs.
func TestUnknownConfigKeyWarnsOnce(t *testing.T) {
	api := newFakeAPI(t)
	e := newEnv(t, api)
	cfg := filepath.Join(e.home, "config.yaml")
	if err := os.WriteFile(cfg, []byte("profiles:\n  default:\n    tokn: abc\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := e.run("", "--config", cfg, "pools", "list")
	want := "crmctl: warning: config file " + cfg + `: ignoring unknown key "tokn" in profile default` + "\n"
	if r.code != 0 || r.stderr != want {
		t.Fatalf("want the warning once:\n%s", r)
	}
}
