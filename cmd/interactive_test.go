package cmd

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/crmctl/crmctl/internal/iostreams"
	"github.com/crmctl/crmctl/internal/prompter"
)

// runPrompted runs crmctl on forced terminals with a scripted prompter.
func (e *env) runPrompted(p prompter.Prompter, args ...string) result {
	e.t.Helper()
	ios, _, out, errOut := iostreams.Test()
	ios.SetStdinTTY(true)
	ios.SetStdoutTTY(true)
	ios.SetStderrTTY(true)
	ios.SetNoColor(true)
	ios.SetWidth(60)
	f, cleanup := NewFactory(context.Background(), ios, e.lookup)
	defer cleanup()
	f.Prompter = p
	code := Execute(context.Background(), f, args)
	return result{stdout: out.String(), stderr: errOut.String(), code: code}
}

func posts(api *fakeAPI) []apiCall {
	var out []apiCall
	for _, c := range api.Calls() {
		if c.Method == "POST" {
			out = append(out, c)
		}
	}
	return out
}

func TestInteractiveCreateFullWalk(t *testing.T) {
	api := newFakeAPI(t)
	e := newEnv(t, api)
	fake := prompter.NewFake(t)
	pool := fake.ExpectSelect("Pool (公海)").AnswerWith("超级公海 (48942)")
	name := fake.ExpectInput("Name (客户名称)").Answers("  ", "王's 贸易公司")
	status := fake.ExpectSelect("Status (跟进状态)").AnswerWith("初访")
	fake.ExpectSelect("Category (客户类型)").AnswerWith("(skip 跳过)")
	fake.ExpectSelect("Source (客户来源)").AnswerWith("电话营销")
	fake.ExpectSelect("Staff size (人员规模)").AnswerDefault() // industry has no options: not asked
	more := fake.ExpectMultiSelect("More fields? (更多字段)").AnswerWith("Email (邮箱)", "Department (所属部门)",
		"基本信息 › 客户标签", "基本信息 › 客户级别", "业务信息 › 签约日期", "业务信息 › 经营品类")
	email := fake.ExpectInput("Email (邮箱)").Answers("not-an-email", "a@b.cn")
	dept := fake.ExpectSelect("Department (所属部门)").AnswerWith("华南销售部")
	fake.ExpectInput("基本信息 › 客户标签").Answer("VIP a=b")
	level := fake.ExpectSelect("基本信息 › 客户级别").AnswerWith("VIP")
	date := fake.ExpectInput("业务信息 › 签约日期").Answers("2024/1/2", "2024-01-02")
	fake.ExpectMultiSelect("业务信息 › 经营品类").AnswerWith("家电", "数码")
	fake.ExpectConfirm("Create this customer? (创建客户)").Answer(true)

	r := e.runPrompted(fake, "customers", "create")
	if r.code != 0 {
		t.Fatal(r)
	}
	if got := pool.Options(); strings.Join(got, "|") != "公司公海 (45)|超级公海 (48942)" {
		t.Errorf("pool options %v", got)
	}
	if got := status.Options(); strings.Join(got, "|") != "(skip 跳过)|待联系|初访" {
		t.Errorf("status options (enabled, by position, skip first): %v", got)
	}
	if len(name.ValidationErrors()) != 1 || len(email.ValidationErrors()) != 1 || len(date.ValidationErrors()) != 1 {
		t.Errorf("re-asks: name %v, email %v, date %v", name.ValidationErrors(), email.ValidationErrors(), date.ValidationErrors())
	}
	if opts := strings.Join(more.Options(), "|"); strings.Contains(opts, "Name (") || !strings.Contains(opts, "Telephone (电话)") ||
		!strings.Contains(opts, "业务信息 › 星级") || strings.Contains(opts, "旧编码") {
		t.Errorf("more fields offered (the form's enabled fields by group, not the disabled one) %v", opts)
	}
	if got := strings.Join(dept.Options(), "|"); got != "(skip 跳过)|总部|销售部|华南销售部" {
		t.Errorf("department pick-list: %s", got)
	}
	if got := strings.Join(level.Options(), "|"); got != "(skip 跳过)|VIP|普通" {
		t.Errorf("custom select pick-list: %s", got)
	}
	p := posts(api)
	if len(p) != 1 {
		t.Fatalf("posts: %d", len(p))
	}
	want := map[string]string{"common_id": "48942", "customer[name]": "王's 贸易公司", "customer[status]": "7",
		"customer[source]": "201", "customer[address_attributes][email]": "a@b.cn", "customer[want_department_id]": "3",
		"customer[text_asset_9320d8d7]": "VIP a=b", "customer[text_asset_77aa01]": "sel_6010", "customer[datetime_asset_77aa02]": "2024-01-02"}
	if got := p[0].Form["customer[text_asset_77aa07][]"]; strings.Join(got, ",") != "select_e2e1cfb1,select_e2e1cfb2" {
		t.Errorf("multi_select: %v", got)
	}
	delete(p[0].Form, "customer[text_asset_77aa07][]")
	if len(p[0].Form) != len(want) {
		t.Errorf("form %v", p[0].Form)
	}
	for k, v := range want {
		if p[0].Form.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, p[0].Form.Get(k), v)
		}
	}
	if !strings.Contains(r.stdout, "王's 贸易公司") {
		t.Errorf("stdout: %s", r.stdout)
	}
	line := `crmctl customers create --pool 48942 --name '王'\''s 贸易公司' --status 初访 --source 电话营销 --email a@b.cn --department 华南销售部 ` +
		`--field 签约日期=2024-01-02 --field 客户级别=VIP --field 经营品类=家电,数码 --field '客户标签=VIP a=b'`
	if !strings.Contains(r.stderr, line) {
		t.Errorf("stderr lacks the equivalent command\n%s\nwant\n%s", r.stderr, line)
	}
	if !summaryRow(r.stderr, "Pool (公海)", "超级公海 (48942)") || !summaryRow(r.stderr, "Status (跟进状态)", "初访") || !strings.Contains(r.stderr, "┌") {
		t.Errorf("summary:\n%s", r.stderr)
	}
}

// A business template's required field is a basic question: a pick-list without skip.
func TestInteractiveCreateAsksTheTemplatesRequiredFields(t *testing.T) {
	api := newFakeAPI(t)
	e := newEnv(t, api)
	fake := prompter.NewFake(t)
	fake.ExpectInput("Name (客户名称)").Answer("进口商")
	fake.ExpectSelect("Status (跟进状态)").AnswerDefault()
	fake.ExpectSelect("Category (客户类型)").AnswerDefault()
	fake.ExpectSelect("Source (客户来源)").AnswerDefault()
	fake.ExpectSelect("Staff size (人员规模)").AnswerDefault()
	way := fake.ExpectSelect("进口信息 › 进口方式 *").AnswerWith("中规")
	fake.ExpectMultiSelect("More fields? (更多字段)").AnswerWith()
	fake.ExpectConfirm("Create this customer? (创建客户)").Answer(true)
	r := e.runPrompted(fake, "customers", "create", "--pool", "45", "--template-id", "7")
	if r.code != 0 {
		t.Fatal(r)
	}
	if got := strings.Join(way.Options(), "|"); got != "平行进口|中规" {
		t.Errorf("a required select offers no skip: %s", got)
	}
	p := posts(api)
	if len(p) != 1 || p[0].Form.Get("customer[text_asset_4b74a32b]") != "sel_6012" || p[0].Form.Get("customer[custom_field_template_id]") != "7" {
		t.Fatalf("posts: %v", p)
	}
	if !strings.Contains(r.stderr, "--template-id 7 --field 进口方式=中规") {
		t.Errorf("equivalent command:\n%s", r.stderr)
	}
}

func TestInteractiveCreateAsksOnlyWhatIsMissing(t *testing.T) {
	api := newFakeAPI(t)
	e := newEnv(t, api)
	fake := prompter.NewFake(t)
	fake.ExpectInput("Name (客户名称)").Answer("x")
	fake.ExpectSelect("Category (客户类型)").AnswerWith("A(重点客户)")
	fake.ExpectSelect("Source (客户来源)").AnswerDefault()
	fake.ExpectSelect("Staff size (人员规模)").AnswerDefault()
	fake.ExpectMultiSelect("More fields? (更多字段)").AnswerWith()
	r := e.runPrompted(fake, "--base-url", api.URL, "customers", "create", "--pool", "公司公海", "--status", "待联系", "--tel", "010", "--yes")
	if r.code != 0 {
		t.Fatal(r)
	}
	if p := posts(api); len(p) != 1 || p[0].Form.Get("customer[category]") != "15130" || p[0].Form.Get("customer[address_attributes][tel]") != "010" {
		t.Fatalf("posts %v", p)
	}
	if !strings.Contains(r.stderr, "crmctl --base-url "+api.URL+" customers create --pool 公司公海 --name x --status 待联系 --category A\\(重点客户\\) --tel 010") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
}

func TestPoolAndNameGivenMeansNoPromptAtAll(t *testing.T) {
	// A terminal, but the command line gives the pool and the name: it runs as given,
	// with no question and no confirmation (the fake fails the test on any prompt).
	api := newFakeAPI(t)
	e := newEnv(t, api)
	fake := prompter.NewFake(t)
	r := e.runPrompted(fake, "customers", "create", "--pool", "45", "--name", "x", "--status", "初访")
	if r.code != 0 || len(posts(api)) != 1 {
		t.Fatal(r)
	}
	if strings.Contains(r.stderr, "The same, as one command") {
		t.Errorf("a command line was echoed back: %s", r.stderr)
	}
	// The same through a file.
	path := e.home + "/c.json"
	if err := os.WriteFile(path, []byte(`{"common_id":45,"name":"y"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if r = e.runPrompted(fake, "customers", "create", "--from-file", path); r.code != 0 || len(posts(api)) != 2 {
		t.Fatal(r)
	}
}

func TestNoInputOnATerminalNeverPrompts(t *testing.T) {
	api := newFakeAPI(t)
	e := newEnv(t, api)
	fake := prompter.NewFake(t) // no expectations: any prompt fails the test
	r := e.runPrompted(fake, "--no-input", "customers", "create", "--pool", "45", "--name", "x")
	if r.code != 0 || len(posts(api)) != 1 {
		t.Fatal(r)
	}
	e.vars["CRMCTL_NO_INPUT"] = "1"
	r = e.runPrompted(fake, "customers", "create", "--name", "x")
	if r.code != 2 || !strings.Contains(r.stderr, "--pool is required") {
		t.Fatal(r)
	}
}

func TestInteractiveCancelAndDecline(t *testing.T) {
	api := newFakeAPI(t)
	e := newEnv(t, api)

	fake := prompter.NewFake(t)
	fake.ExpectSelect("Pool (公海)").Cancel()
	r := e.runPrompted(fake, "customers", "create")
	if r.code != 130 || len(posts(api)) != 0 {
		t.Fatal(r)
	}
	if lines := strings.Count(strings.TrimSpace(r.stderr), "\n"); lines != 0 || !strings.Contains(r.stderr, "nothing was sent") {
		t.Errorf("want one line on stderr, got %q", r.stderr)
	}

	fake = prompter.NewFake(t)
	fake.ExpectInput("Name (客户名称)").Answer("x")
	fake.ExpectMultiSelect("More fields? (更多字段)").AnswerWith()
	fake.ExpectConfirm("Create this customer? (创建客户)").Answer(false)
	r = e.runPrompted(fake, "customers", "create", "--pool", "45", "--status", "7", "--category", "15131", "--source", "201", "--staff-size", "301")
	if r.code != 130 || len(posts(api)) != 0 || !strings.Contains(r.stderr, "nothing was sent") {
		t.Fatal(r)
	}
}

func TestInteractiveBadFlagFailsBeforeAsking(t *testing.T) {
	api := newFakeAPI(t)
	fake := prompter.NewFake(t)
	r := newEnv(t, api).runPrompted(fake, "customers", "create", "--status", "初仿")
	if r.code != 2 || !strings.Contains(r.stderr, `did you mean "初访"`) {
		t.Fatal(r)
	}
}

func TestInteractiveLogin(t *testing.T) {
	api := newFakeAPI(t)
	e := newEnv(t, api)
	delete(e.vars, "CRMCTL_TOKEN")
	delete(e.vars, "CRMCTL_BASE_URL")
	fake := prompter.NewFake(t)
	edition := fake.ExpectSelect("Edition (版本)").AnswerWith("Another URL (其他地址)")
	url := fake.ExpectInput("API base URL (接口地址)").Answers("http://example.com", api.URL)
	fake.ExpectInput("Account (手机号)").Answer("13800000000")
	fake.ExpectPassword("Password (密码)").Answer("s3cret")
	fake.ExpectInput("Corp id (企业ID, optional)").Answer("")
	r := e.runPrompted(fake, "auth", "login")
	if r.code != 0 {
		t.Fatal(r)
	}
	if opts := strings.Join(edition.Options(), "|"); !strings.Contains(opts, "DingTalk 钉钉版 (https://dingtalk.e.ikcrm.com)") || !strings.Contains(opts, "WeCom 企业微信版 (https://e.lixiaocrm.com)") {
		t.Errorf("editions: %s", opts)
	}
	if len(url.ValidationErrors()) != 1 {
		t.Errorf("plain http to a remote host was not refused where typed: %v", url.ValidationErrors())
	}
	c := api.Calls()
	if len(c) != 1 || c[0].Form.Get("password") != "s3cret" || c[0].Form.Has("corp_id") {
		t.Fatalf("login: %v", c)
	}
	if strings.Contains(r.stdout+r.stderr, "s3cret") {
		t.Error("the password was printed")
	}
	// The profile now holds the base URL and the token: status works with no flag.
	api.Reset()
	r = e.run("", "auth", "status")
	if r.code != 0 || !strings.Contains(r.stdout, "Logged in: yes, as test") || !strings.Contains(r.stdout, api.URL) {
		t.Fatal(r)
	}

	fake = prompter.NewFake(t)
	fake.ExpectSelect("Edition (版本)").AnswerIndex(0)
	fake.ExpectInput("Account (手机号)").AnswerDefault()
	fake.ExpectPassword("Password (密码)").Cancel()
	api.Reset()
	r = e.runPrompted(fake, "auth", "login")
	if r.code != 130 || len(api.Calls()) != 0 {
		t.Fatal(r)
	}
}

// summaryRow reports whether a line of the summary table pairs field with value.
func summaryRow(screen, field, value string) bool {
	for _, l := range strings.Split(screen, "\n") {
		if i := strings.Index(l, field); i >= 0 && strings.Contains(l[i+len(field):], value) {
			return true
		}
	}
	return false
}
