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
