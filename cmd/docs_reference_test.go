package cmd

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/crmctl/crmctl/internal/docgen"
	"github.com/crmctl/crmctl/internal/iostreams"
)

// emptyEnv is the environment the generated files are made with (internal/gendocs).
func emptyEnv(string) (string, bool) { return "", false }

func docsRoot() *cobra.Command {
	ios, _, _, _ := iostreams.Test()
	f, _ := NewFactory(context.Background(), ios, emptyEnv)
	return NewRootCmd(f)
}

// crmctlStdout runs crmctl in process, as internal/gendocs does.
func crmctlStdout(args ...string) ([]byte, error) {
	ios, _, out, errOut := iostreams.Test()
	if code := Run(context.Background(), ios, args, emptyEnv); code != 0 {
		return nil, fmt.Errorf("exit %d: %s", code, errOut.String())
	}
	return out.Bytes(), nil
}

// checkGenerated fails when the folder (relative to the module root) differs from
// files, saying how to regenerate it.
func checkGenerated(t *testing.T, folder string, files docgen.Files) {
	t.Helper()
	if stale := docgen.Stale(filepath.Join("..", filepath.FromSlash(folder)), files); len(stale) > 0 {
		t.Errorf("%s/ is out of date (%s); regenerate it with:\n  %s",
			folder, strings.Join(stale, ", "), docgen.Regenerate)
	}
}

func TestDocsReferenceUpToDate(t *testing.T) {
	files, err := docgen.Markdown(docsRoot())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := files["crmctl_customers_create.md"]; !ok {
		t.Fatalf("no page for customers create among %d pages", len(files))
	}
	for name, b := range files {
		if strings.Contains(string(b), "Auto generated") {
			t.Errorf("%s has an auto-generated date line: the reference would change on every run", name)
		}
	}
	checkGenerated(t, "docs/reference", files)
}

func TestManPagesReproducible(t *testing.T) {
	date := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a, err := docgen.ManPages(docsRoot(), date)
	if err != nil {
		t.Fatal(err)
	}
	b, err := docgen.ManPages(docsRoot(), date)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != len(b) || len(a) < 10 {
		t.Fatalf("man pages: %d then %d", len(a), len(b))
	}
	for name := range a {
		if string(a[name]) != string(b[name]) {
			t.Errorf("%s differs between two runs", name)
		}
	}
	if _, ok := a["crmctl-customers-create.1.gz"]; !ok {
		t.Errorf("no man page for customers create")
	}
}

// pflag reads back-quoted text in a usage string as the flag's value name: a quoted
// command there would show as `--status crmctl fieldmaps show`.
func TestFlagValueNamesAreOneWord(t *testing.T) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.LocalFlags().VisitAll(func(fl *pflag.Flag) {
			if name, _ := pflag.UnquoteUsage(fl); strings.ContainsAny(name, " \t\n") {
				t.Errorf("%s --%s: value name %q (back quotes in the usage)", c.CommandPath(), fl.Name, name)
			}
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(docsRoot())
}
