package customers

import (
	"errors"
	"strings"
	"testing"

	"github.com/crmctl/crmctl/internal/cmdutil"
	"github.com/crmctl/crmctl/internal/cmdutil/cmdtest"
	"github.com/crmctl/crmctl/internal/fields"
)

// keyOf is the API key of a field flag.
func keyOf(t *testing.T, flag string) string {
	t.Helper()
	for _, fd := range fields.All() {
		if fd.Flag == flag {
			return fd.Key
		}
	}
	t.Fatalf("no field flag --%s", flag)
	return ""
}

func TestNewCmdCreate(t *testing.T) {
	e := cmdtest.New(t, "")
	runF, got := cmdtest.Capture[CreateOptions]()
	err := e.Run(NewCmdCreate(e.Factory, runF), "--pool", "45", "--name", "贸易公司", "--status", "初访",
		"--field", "客户级别=VIP", "--from-file", "-", "--dry-run", "-y", "--if-exists", "skip")
	if err != nil {
		t.Fatal(err)
	}
	o := *got
	want := fields.Values{keyOf(t, "pool"): "45", keyOf(t, "name"): "贸易公司", keyOf(t, "status"): "初访", "客户级别": "VIP"}
	if len(o.Values) != len(want) {
		t.Errorf("values %v, want %v", o.Values, want)
	}
	for k, v := range want {
		if o.Values[k] != v {
			t.Errorf("values[%s] = %q, want %q (all: %v)", k, o.Values[k], v, o.Values)
		}
	}
	if o.FromFile != "-" || !o.DryRun || !o.Yes || o.IfExists != IfExistsSkip || o.IO != e.IO || o.Client == nil || o.Lookups == nil {
		t.Errorf("options: %+v", o)
	}
	// Only the flags given are values; --if-exists is create unless told.
	if err := e.Run(NewCmdCreate(e.Factory, runF), "--name", "x"); err != nil || len((*got).Values) != 1 || (*got).IfExists != IfExistsCreate {
		t.Errorf("--name alone: %v %+v", err, *got)
	}
}

func TestNewCmdCreateRefuses(t *testing.T) {
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--name", "x", "--if-exists", "maybe"}, `--if-exists "maybe": use create, skip or fail`},
		{[]string{"--name", "x", "--field", "name=y"}, "--field name: that field is already given"},
		{[]string{"--name", "x", "--field", "novalue"}, `--field "novalue": expected NAME=VALUE`},
		{[]string{"贸易公司"}, `unknown command "贸易公司" for "create"`},
	} {
		e := cmdtest.New(t, "")
		runF, got := cmdtest.Capture[CreateOptions]()
		err := e.Run(NewCmdCreate(e.Factory, runF), c.args...)
		var usage *cmdutil.UsageError
		if !errors.As(err, &usage) || !strings.HasPrefix(err.Error(), c.msg) || *got != nil {
			t.Errorf("%q: %v, want a usage error %q", c.args, err, c.msg)
		}
	}
}
