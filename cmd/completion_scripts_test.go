package cmd

import (
	"strings"
	"testing"

	"github.com/crmctl/crmctl/internal/docgen"
)

// The committed completion scripts are what `crmctl completion SHELL` prints now.
func TestCompletionScriptsUpToDate(t *testing.T) {
	files, err := docgen.Completions(crmctlStdout)
	if err != nil {
		t.Fatal(err)
	}
	for _, sh := range docgen.Shells {
		if !strings.Contains(string(files[sh.File]), "crmctl") {
			t.Errorf("%s: the %s script does not mention crmctl:\n%s", sh.File, sh.Name, files[sh.File])
		}
	}
	checkGenerated(t, "completions", files)
}

func TestCompletionUnknownShell(t *testing.T) {
	r := newEnv(t, nil).run("", "completion", "tcsh")
	if r.code != ExitUsage || r.stdout != "" {
		t.Fatalf("want exit 2 and no output\n%s", r)
	}
}
