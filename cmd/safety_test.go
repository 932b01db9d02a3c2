package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// customers import --template never replaces an existing file without --force (exit 2,
// the file untouched); with --force it writes the empty template.
func TestTemplateNeverOverwritesWithoutForce(t *testing.T) {
	e := newEnv(t, nil)
	dir := t.TempDir()
	for _, name := range []string{"filled.csv", "filled.xlsx"} {
		path := filepath.Join(dir, name)
		const work = "a day's work"
		if err := os.WriteFile(path, []byte(work), 0o600); err != nil {
			t.Fatal(err)
		}
		r := e.run("", "--sandbox", "customers", "import", "--template", path)
		if r.code != 2 || !strings.Contains(r.stderr, "exists") || !strings.Contains(r.stderr, "--force") {
			t.Errorf("%s exists: want exit 2 and a hint naming --force\n%s", name, r)
		}
		if got, _ := os.ReadFile(path); string(got) != work {
			t.Fatalf("%s was overwritten without --force", name)
		}
		r = e.run("", "--sandbox", "customers", "import", "--template", path, "--force")
		if got, _ := os.ReadFile(path); r.code != 0 || string(got) == work {
			t.Errorf("--force did not write the template over %s\n%s", name, r)
		}
	}
	if r := e.run("", "--sandbox", "customers", "import", filepath.Join(dir, "filled.csv"), "--force"); r.code != 2 || !strings.Contains(r.stderr, "--template") {
		t.Errorf("--force without --template: %s", r)
	}
}
