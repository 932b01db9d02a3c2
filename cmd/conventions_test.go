package cmd

import (
	"context"
	"strings"
	"testing"

	"github.com/crmctl/crmctl/internal/iostreams"
	"github.com/crmctl/crmctl/internal/prompter"
)

// --version prints what `crmctl version` prints.
func TestVersionFlag(t *testing.T) {
	e := newEnv(t, nil)
	want := e.run("", "version")
	r := e.run("", "--version")
	if r.code != 0 || want.code != 0 || r.stdout != want.stdout || !strings.HasPrefix(r.stdout, "crmctl ") {
		t.Errorf("--version: %s\nversion: %s", r, want)
	}
}

// Flags users reach for that crmctl refuses on purpose get the way to do it instead.
func TestUnknownFlagHints(t *testing.T) {
	e := newEnv(t, nil)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--token", "abc", "pools", "list"}, "hint: a token is never a flag (it would show in shell history and ps): set CRMCTL_TOKEN, or run `crmctl auth login --with-token`"},
		{[]string{"pools", "list", "--token", "abc"}, "CRMCTL_TOKEN"},
		{[]string{"auth", "login", "--password", "x"}, "hint: a password is never a flag: pipe it to `crmctl auth login --password-stdin`"},
	} {
		r := e.run("", tc.args...)
		if r.code != ExitUsage || !strings.Contains(r.stderr, "unknown flag") || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("crmctl %v: %s", tc.args, r)
		}
		if strings.Contains(r.stderr, "abc") {
			t.Errorf("crmctl %v repeats the token: %s", tc.args, r)
		}
	}
	if r := e.run("", "pools", "list", "--frobnicate"); r.code != ExitUsage || strings.Contains(r.stderr, "hint:") {
		t.Errorf("an unknown flag with no hint of its own: %s", r)
	}
}

// Verbs the API has no call for are explained; a typo gets the nearest command.
func TestCustomersMissingVerbsAndTypos(t *testing.T) {
	e := newEnv(t, nil)
	r := e.run("", "customers", "list")
	if r.code != ExitUsage || !strings.Contains(r.stderr, "crmctl: the ikcrm open API has no call that lists public-pool customers\n") || !strings.Contains(r.stderr, "`crmctl customers find --name NAME`") {
		t.Errorf("customers list: %s", r)
	}
	r = e.run("", "customers", "delete", "18")
	if r.code != ExitUsage || !strings.Contains(r.stderr, "no call that deletes a customer") {
		t.Errorf("customers delete: %s", r)
	}
	r = e.run("", "customers", "creat")
	if r.code != ExitUsage || !strings.Contains(r.stderr, `unknown command "creat" for "crmctl customers"; did you mean create?`) {
		t.Errorf("customers creat: %s", r)
	}
	r = e.run("", "customers", "frobnicate")
	if r.code != ExitUsage || strings.Contains(r.stderr, "did you mean") {
		t.Errorf("customers frobnicate: %s", r)
	}
}

// Offline, auth status cannot tell whether the token works: it says so, instead of "no".
func TestAuthStatusOffline(t *testing.T) {
	e := newEnv(t, nil)
	e.vars["CRMCTL_TOKEN"] = testToken
	e.vars["CRMCTL_BASE_URL"] = "http://" + closedPort(t)
	r := e.run("", "auth", "status")
	if r.code != ExitNetwork || !strings.Contains(r.stdout, "Logged in: unknown (network error)\n") || strings.Contains(r.stdout, "Logged in: no") {
		t.Errorf("offline: %s", r)
	}
	r = e.run("", "auth", "status", "-o", "json")
	if r.code != ExitNetwork || !strings.Contains(r.stdout, `"logged_in": null`) {
		t.Errorf("offline, JSON: %s", r)
	}
	// a rejected token is still a plain no
	fake := newFakeAPI(t)
	e = newEnv(t, fake)
	e.vars["CRMCTL_TOKEN"] = "ffffffffffffffffffffffffffffffff"
	if r := e.run("", "auth", "status"); r.code != ExitAuth || !strings.Contains(r.stdout, "Logged in: no\n") {
		t.Errorf("rejected token: %s", r)
	}
}

// At a terminal, get shows every field the record has, named in English and Chinese;
// through a pipe it keeps the documented columns.
func TestCustomerDetailAtATerminal(t *testing.T) {
	fake := newFakeAPI(t)
	fake.route("GET /api/v2/common_customers/21", canned(`{"code":0,"data":{"id":21,"name":"贸易公司","common_id":45,"common_setting_name":"公司公海",
 "status":"7","status_mapped":"初访","category":"","category_mapped":"","staff_size":0,"note":"主营外贸",
 "text_asset_9320d8d7":"进口","numeric_asset_e2955b70":123,"created_at":"2026-11-27 12:00",
 "address":{"tel":"010-64881989","phone":"13900001111","email":"a@b.cn","detail_address":"朝阳门外大街18号","country":{"id":4,"name":"中国"},"province":{},"country_id":4,"province_id":0},
 "contacts":[{"id":5,"name":"王经理"}],
 "user":{"id":2,"name":"test"},"owned_department":{"id":2,"name":"销售部"}}}`))
	e := newEnv(t, fake)
	r := e.runTTY(true, "", "customers", "get", "21")
	if r.code != 0 {
		t.Fatal(r)
	}
	for _, want := range []string{"Name (客户名称)", "Pool (公海)", "Status (跟进状态)", "初访", "Note (备注)", "主营外贸",
		"Telephone (电话)", "010-64881989", "Mobile (手机)", "13900001111", "Email (邮箱)", "a@b.cn",
		"Address (地址详情)", "朝阳门外大街18号", "Country id (国家)", "中国", "Contact name (联系人姓名)", "王经理",
		"Department (所属部门)", "销售部", "Owner (负责人)", "test", "text_asset_9320d8d7", "进口", "numeric_asset_e2955b70", "123"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the terminal view lacks %q:\n%s", want, r.stdout)
		}
	}
	for _, absent := range []string{"Category (客户类型)", "Staff size", "Province id"} {
		if strings.Contains(r.stdout, absent) {
			t.Errorf("the terminal view shows the empty field %q:\n%s", absent, r.stdout)
		}
	}
	r = e.run("", "customers", "get", "21")
	if r.code != 0 || r.stdout != "21\t贸易公司\t公司公海\t初访\t\t\t\t\t2026-11-27 12:00\n" {
		t.Errorf("through a pipe: %s", r)
	}
}

// JSON that crmctl writes itself keeps & < > as they are.
func TestJSONOutputDoesNotEscapeHTML(t *testing.T) {
	e := newEnv(t, newFakeAPI(t))
	r := e.run("", "customers", "create", "--pool", "45", "--name", "A&B <贸易>", "--dry-run", "-o", "json")
	if r.code != 0 || !strings.Contains(r.stdout, `"value": "A&B <贸易>"`) || strings.Contains(r.stdout, `\u0026`) {
		t.Errorf("%s", r)
	}
}

// --jq with an explicit -o table is a contradiction, not a silent choice.
func TestJQWithTableIsAnError(t *testing.T) {
	e := newEnv(t, newFakeAPI(t))
	if r := e.run("", "pools", "list", "-o", "table", "--jq", ".[].name"); r.code != ExitUsage || !strings.Contains(r.stderr, "--jq filters JSON output: it cannot be used with --output table") {
		t.Errorf("-o table --jq: %s", r)
	}
	e.vars["CRMCTL_OUTPUT"] = "table"
	if r := e.run("", "pools", "list", "--jq", ".[].name"); r.code != ExitUsage || !strings.Contains(r.stderr, "CRMCTL_OUTPUT table") {
		t.Errorf("CRMCTL_OUTPUT=table --jq: %s", r)
	}
	delete(e.vars, "CRMCTL_OUTPUT")
	if r := e.run("", "pools", "list", "--jq", ".[].name"); r.code != 0 || r.stdout != "公司公海\n超级公海\n" {
		t.Errorf("--jq alone: %s", r)
	}
}

// The walk-through's summary goes to the terminal of the prompts when stderr is
// redirected; with --dry-run it ends with the command that creates the customer.
func TestWalkThroughSummaryAndDryRun(t *testing.T) {
	fake := newFakeAPI(t)
	e := newEnv(t, fake)
	p := prompter.NewFake(t)
	p.ExpectInput("Name (客户名称)").Answer("贸易公司")
	p.ExpectSelect("Status (跟进状态)").AnswerWith("初访")
	p.ExpectSelect("Category (客户类型)").AnswerWith("(skip 跳过)")
	p.ExpectSelect("Source (客户来源)").AnswerWith("(skip 跳过)")
	p.ExpectSelect("Staff size (人员规模)").AnswerWith("(skip 跳过)")
	p.ExpectMultiSelect("More fields? (更多字段)").AnswerWith()

	ios, _, out, errOut := iostreams.Test()
	ios.SetStdinTTY(true)
	ios.SetStdoutTTY(true)
	ios.SetStderrTTY(false) // 2> log
	ios.SetNoColor(true)
	ios.SetWidth(80)
	f, cleanup := NewFactory(context.Background(), ios, e.lookup)
	defer cleanup()
	f.Prompter = p
	code := Execute(context.Background(), f, []string{"customers", "create", "--pool", "45", "--dry-run"})
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(out.String(), "About to create:") || strings.Contains(errOut.String(), "About to create:") {
		t.Errorf("the summary is not on the prompts' terminal:\nstdout:\n%s\nstderr:\n%s", out, errOut)
	}
	if !strings.Contains(errOut.String(), "To create it, as one command:\n  crmctl customers create --pool 45 --name 贸易公司 --status 初访\n") {
		t.Errorf("no equivalent command after --dry-run:\n%s", errOut)
	}
	if n := len(posts(fake)); n != 0 {
		t.Errorf("--dry-run sent %d POSTs", n)
	}
}
