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

// Names, labels and messages from the API never reach the terminal raw: tables (on a
// terminal and through a pipe), plain lines and error messages show control sequences
// escaped; JSON keeps them exact.
func TestServerTextCannotDriveTheTerminal(t *testing.T) {
	api := newFakeAPI(t)
	const evil = `\u001b]0;pwned\u0007\u001b[2J\u009b31m\u202e`
	api.routes["GET /api/v2/common_customers/common_settings"] = canned(`{"code":0,"data":{"common_settings":[{"id":45,"name":"公海` + evil + `"}]}}`)
	api.routes["GET /api/v2/field_maps/customer"] = canned(`{"code":0,"data":{"customer":[{"id":101,"field_name":"status","field_values":[{"id":7,"value":"初访` + evil + `","status":"enable"}]}]}}`)
	api.routes["GET /api/v2/user/info"] = canned(`{"code":0,"data":{"id":2,"name":"王` + evil + `","department_name":"销售` + evil + `"}}`)
	api.routes["GET /api/v2/common_customers/18"] = canned(`{"code":0,"data":{"id":18,"name":"贸易` + evil + `","status":"7","status_mapped":"初访` + evil + `","common_id":45}}`)
	api.routes["GET /api/v2/common_customers/19"] = canned(`{"code":100100,"message":"没有` + evil + `","error":"record` + evil + `"}`)
	e := newEnv(t, api)
	e.vars["CRMCTL_RATE"] = "off"
	raw := []string{"\x1b", "\x07", "\u009b", "\u202e"}
	for _, args := range [][]string{
		{"pools", "list", "--refresh"},
		{"fieldmaps", "show", "--refresh"},
		{"auth", "status"},
		{"customers", "get", "18"},
		{"customers", "get", "19"},
	} {
		for _, tty := range []bool{false, true} {
			r := e.runTTY(tty, "", args...)
			for _, c := range raw {
				if strings.Contains(r.stdout+r.stderr, c) {
					t.Errorf("crmctl %v (terminal %v) printed %q raw:\n%q\n%q", args, tty, c, r.stdout, r.stderr)
				}
			}
			if !strings.Contains(r.stdout+r.stderr, `\x1b]0;pwned\x07`) {
				t.Errorf("crmctl %v (terminal %v) does not show the escaped text:\n%s", args, tty, r)
			}
		}
	}
	r := e.run("", "pools", "list", "-o", "json")
	if r.code != 0 || !strings.Contains(r.stdout, `"公海`+evil+`"`) {
		t.Errorf("JSON output is not exact:\n%s", r)
	}
	r = e.run("", "customers", "get", "19", "-o", "json")
	if !strings.Contains(r.stderr, `\u001b]0;pwned\u0007`) || strings.Contains(r.stderr, "\x1b") {
		t.Errorf("JSON error is not escaped by its encoding:\n%s", r)
	}
}
