package customers

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crmctl/crmctl/internal/apitest"
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

// formAPI answers the look-ups a create makes before it sends anything: the pools, the
// field maps, the customer form and the departments (the root's fixtures).
func formAPI(t *testing.T) *apitest.Server {
	t.Helper()
	fixture := func(name string) string {
		b, err := os.ReadFile(filepath.Join("..", "testdata", "form", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	srv := apitest.New(t)
	srv.Register("GET", "/api/v2/common_customers/common_settings", apitest.Data(`{"common_settings":[
 {"id":45,"name":"公司公海","rule_type":0},{"id":48942,"name":"超级公海","rule_type":2}]}`)).Always()
	srv.Register("GET", "/api/v2/field_maps/customer", apitest.Data(`{"customer":[
 {"id":101,"field_name":"status","field_type":"select","field_values":[
   {"id":3462,"value":"待联系","position":1,"status":"enable"},
   {"id":7,"value":"初访","position":2,"status":"enable"},
   {"id":3463,"value":"停用的","position":3,"status":"disable"}]}]}`)).Always()
	srv.Register("GET", "/api/v2/custom_fields/customer/by_group", apitest.JSON(fixture("by_group.json"))).Always()
	srv.Register("GET", "/api/v2/departments", apitest.JSON(fixture("departments.json"))).Always()
	return srv
}

func TestCreateRunDryRunSendsNothing(t *testing.T) {
	srv := formAPI(t)
	e := cmdtest.New(t, srv.URL)
	f := e.Factory
	o := &CreateOptions{IO: e.IO, Printer: f.Printer, Lookups: f.Lookups, Client: f.Client, DryRun: true, IfExists: IfExistsCreate,
		Values: fields.Values{keyOf(t, "pool"): "超级公海", keyOf(t, "name"): "贸易公司", keyOf(t, "status"): "初访", keyOf(t, "email"): "a@b.cn"}}
	if err := createRun(t.Context(), o); err != nil {
		t.Fatal(err)
	}
	want := "POST /api/v2/common_customers\nContent-Type: application/x-www-form-urlencoded\n\n" +
		"common_id=48942\ncustomer[name]=贸易公司\ncustomer[status]=7\ncustomer[address_attributes][email]=a@b.cn\n"
	if e.Out.String() != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", e.Out.String(), want)
	}
	for _, r := range srv.Requests() {
		if r.Method != "GET" {
			t.Errorf("a dry run sent %s", r)
		}
	}
}

// Bad input: a clear error before anything is written (look-ups may have been made).
func TestCreateRunBadInput(t *testing.T) {
	srv := formAPI(t)
	for _, tc := range []struct {
		name, stdin string
		args        []string
		msg         string
	}{
		{"missing pool", "", []string{"--name", "x"}, "--pool is required"},
		{"missing name", "", []string{"--pool", "45"}, "--name is required"},
		{"blank name", "", []string{"--pool", "45", "--name", "  "}, "--name is required"},
		{"missing name, dry run", "", []string{"--pool", "45", "--dry-run"}, "--name is required"},
		{"blank name in a file", `{"common_id": 45, "name": " "}`, []string{"--from-file", "-"}, "--name is required"},
		{"unknown label", "", []string{"--pool", "45", "--name", "x", "--status", "初仿"}, `status (跟进状态): unknown option "初仿"; did you mean "初访"? (valid: 待联系, 初访)`},
		{"disabled label", "", []string{"--pool", "45", "--name", "x", "--status", "停用的"}, `option "停用的" is disabled`},
		{"unknown pool", "", []string{"--pool", "公海", "--name", "x"}, `no pool is named or numbered "公海"`},
		{"unknown department", "", []string{"--pool", "45", "--name", "x", "--department-id", "sales"}, `department (所属部门): no department is named or numbered "sales"`},
		{"non-numeric id", "", []string{"--pool", "45", "--name", "x", "--parent-id", "sales"}, `parent-id (上级客户): "sales" is not a positive integer id`},
		{"bad email", "", []string{"--pool", "45", "--name", "x", "--email", "a@"}, "is not an email address"},
		{"malformed field key", "", []string{"--pool", "45", "--field", "customer[x=1"}, "malformed key"},
		{"unknown field", "", []string{"--pool", "45", "--name", "x", "--field", "Bad Key=1"}, `Bad Key: no field is named "Bad Key"`},
		{"unreadable file", "", []string{"--from-file", filepath.Join(t.TempDir(), "nope.json")}, "no such file"},
		{"malformed file", `{"name":`, []string{"--from-file", "-"}, "malformed JSON"},
		{"file not an object", `[1]`, []string{"--from-file", "-"}, "expected an object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv.Reset()
			e := cmdtest.New(t, srv.URL)
			e.In.WriteString(tc.stdin)
			err := e.Run(NewCmdCreate(e.Factory, nil), tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("%v, want an error with %q", err, tc.msg)
			}
			if e.Out.String() != "" {
				t.Errorf("stdout: %q", e.Out.String())
			}
			for _, r := range srv.Requests() {
				if r.Method != "GET" {
					t.Errorf("sent %s", r)
				}
			}
		})
	}
}
