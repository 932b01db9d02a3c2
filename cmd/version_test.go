package cmd

import (
	"encoding/json"
	"testing"
)

// version takes the output format as every command does: case-folded, from the flag or
// CRMCTL_OUTPUT.
func TestVersionOutputFormatIsCaseFolded(t *testing.T) {
	for _, tc := range []struct {
		env  string
		args []string
	}{
		{"", []string{"-o", "JSON", "version"}},
		{"", []string{"version", "--output", " Json "}},
		{"JSON", []string{"version"}},
	} {
		e := newEnv(t, nil)
		if tc.env != "" {
			e.vars["CRMCTL_OUTPUT"] = tc.env
		}
		r := e.run("", tc.args...)
		var v map[string]string
		if err := json.Unmarshal([]byte(r.stdout), &v); r.code != 0 || err != nil || v["version"] == "" {
			t.Errorf("CRMCTL_OUTPUT=%q crmctl %v: %s", tc.env, tc.args, r)
		}
	}
	e := newEnv(t, nil)
	e.vars["CRMCTL_OUTPUT"] = "Table"
	if r := e.run("", "version"); r.code != 0 || r.stdout == "" || r.stdout[0] == '{' {
		t.Errorf("CRMCTL_OUTPUT=Table: %s", r)
	}
	if r := e.run("", "version", "-o", "xml"); r.code != 2 {
		t.Errorf("-o xml: %s", r)
	}
}

// An error before the settings load is still printed as JSON when -o asks for it in
// any case.
func TestJSONErrorWithUpperCaseFormat(t *testing.T) {
	r := newEnv(t, nil).run("", "--timeout", "soon", "-o", "JSON", "pools", "list")
	var obj struct {
		Error struct {
			ExitCode int `json:"exit_code"`
		} `json:"error"`
	}
	if err := json.Unmarshal([]byte(r.stderr), &obj); r.code != 2 || err != nil || obj.Error.ExitCode != 2 {
		t.Errorf("%s", r)
	}
}
