package cmd

import (
	"encoding/json"
	"strings"
	"testing"
)

// A --jq filter that fails on the created customer: the customer exists, so the error
// names it and warns that the same command would create another; exit 1.
func TestCreateJQFailsAfterTheCreate(t *testing.T) {
	api := newFakeAPI(t)
	e := newEnv(t, api)
	r := e.run("", "customers", "create", "--pool", "45", "--name", "jqx", "--jq", ".name|tonumber")
	if r.code != 1 || r.stdout != "" {
		t.Fatal(r)
	}
	var obj struct {
		Error struct {
			ExitCode int    `json:"exit_code"`
			Message  string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal([]byte(r.stderr), &obj); err != nil {
		t.Fatalf("%v: %s", err, r.stderr)
	}
	for _, want := range []string{`customer 18 ("jqx") was created`, "the --jq filter failed on it: tonumber cannot be applied", "again would create another customer"} {
		if !strings.Contains(obj.Error.Message, want) {
			t.Errorf("message %q lacks %q", obj.Error.Message, want)
		}
	}
	if obj.Error.ExitCode != 1 {
		t.Errorf("exit_code %d", obj.Error.ExitCode)
	}
	if n := strings.Count(callNames(api.Calls()), "POST"); n != 1 {
		t.Errorf("%d creates: %s", n, callNames(api.Calls()))
	}

	// An expression that does not parse is still refused before anything is sent.
	api.Reset()
	r = e.run("", "customers", "create", "--pool", "45", "--name", "jqx", "--jq", ".name|")
	if r.code != 2 || len(api.Calls()) != 0 {
		t.Fatalf("%s\ncalls: %s", r, callNames(api.Calls()))
	}
}
