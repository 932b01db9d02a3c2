package cmd

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/crmctl/crmctl/internal/build"
)

// A release build: the values given with -ldflags -X are the build information, and
// `crmctl version` prints the build information. The first half builds a small program
// of internal/build (testdata/ldflags) with a release build's -ldflags; the second runs
// `crmctl version` in process.
func TestVersionOfLdflagsBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program with go build; skipped with -short")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH: cannot build the binary")
	}
	bin := filepath.Join(t.TempDir(), "ldflags")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	const pkg = "github.com/crmctl/crmctl/internal/build"
	ldflags := "-X " + pkg + ".Version=1.2.3 -X " + pkg + ".Commit=abc -X " + pkg + ".Date=2026-01-01"
	cmd := exec.Command(goTool, "build", "-buildvcs=false", "-o", bin, "-ldflags", ldflags, "./testdata/ldflags")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	var stderr strings.Builder
	run := exec.Command(bin)
	run.Env = os.Environ()
	run.Stderr = &stderr
	out, err := run.Output()
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	var info map[string]string
	if err := json.Unmarshal(out, &info); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for k, v := range map[string]string{"version": "1.2.3", "commit": "abc", "date": "2026-01-01", "go": runtime.Version()} {
		if info[k] != v {
			t.Errorf("build information of an -ldflags build: %s = %q, want %q (%s)", k, info[k], v, out)
		}
	}
}

// `crmctl version` prints the build information, in a line and in JSON.
func TestVersionPrintsTheBuildInfo(t *testing.T) {
	info := build.Get()
	e := newEnv(t, nil)
	e.vars["CRMCTL_LANG"] = "en"
	want := "crmctl " + info.Version + " (commit " + info.Commit + ", built " + info.Date + ", " + info.Go + ")\n"
	if r := e.run("", "version"); r.code != 0 || r.stdout != want || r.stderr != "" {
		t.Errorf("crmctl version: %s\nwant stdout %q", r, want)
	}
	r := e.run("", "version", "-o", "json")
	var got build.Info
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || r.code != 0 || got != info || r.stderr != "" {
		t.Errorf("crmctl version -o json: %v\n%s\nwant %+v", err, r, info)
	}
}
