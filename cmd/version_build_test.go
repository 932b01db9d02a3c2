package cmd

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// A release build: the values given with -ldflags -X are what `crmctl version` prints.
func TestVersionOfLdflagsBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the crmctl binary with go build; skipped with -short")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH: cannot build the binary")
	}
	bin := filepath.Join(t.TempDir(), "crmctl")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	const pkg = "github.com/crmctl/crmctl/internal/build"
	ldflags := "-X " + pkg + ".Version=1.2.3 -X " + pkg + ".Commit=abc -X " + pkg + ".Date=2026-01-01"
	build := exec.Command(goTool, "build", "-o", bin, "-ldflags", ldflags, ".")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	home := t.TempDir()
	run := func(args ...string) string {
		t.Helper()
		c := exec.Command(bin, args...)
		c.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+home, "XDG_CACHE_HOME="+home,
			"XDG_DATA_HOME="+home, "CRMCTL_OUTPUT=", "CRMCTL_CONFIG=", "NO_COLOR=1", "CRMCTL_LANG=en")
		var stderr strings.Builder
		c.Stderr = &stderr
		out, err := c.Output()
		if err != nil {
			t.Fatalf("crmctl %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
		}
		if stderr.Len() > 0 {
			t.Errorf("crmctl %s wrote to stderr: %s", strings.Join(args, " "), stderr.String())
		}
		return string(out)
	}

	want := "crmctl 1.2.3 (commit abc, built 2026-01-01, " + runtime.Version() + ")\n"
	if got := run("version"); got != want {
		t.Errorf("crmctl version = %q, want %q", got, want)
	}

	var info map[string]string
	out := run("version", "-o", "json")
	if err := json.Unmarshal([]byte(out), &info); err != nil {
		t.Fatalf("crmctl version -o json: %v\n%s", err, out)
	}
	for k, v := range map[string]string{"version": "1.2.3", "commit": "abc", "date": "2026-01-01", "go": runtime.Version()} {
		if info[k] != v {
			t.Errorf("version -o json: %s = %q, want %q (%s)", k, info[k], v, out)
		}
	}
}
