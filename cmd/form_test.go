package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The create form against the fake API, which answers by_group and departments from
// testdata/form (the documented shape, written apart from the sandbox's seed).

func TestCreateCustomFieldsByLabel(t *testing.T) {
	api := newFakeAPI(t)
	e := newEnv(t, api)
	r := e.run("", "customers", "create", "--pool", "45", "--name", "标签公司",
		"--field", "客户级别=VIP", "--field", "经营品类=家电，数码", "--field", "签约日期=2024-03-01",
		"--field", "回访时间=2024-03-01 09:30", "--field", "年采购额=12.5", "--field", "text_asset_fbf817=简称",
		"--field", "邮箱地址=a@b.cn", "--field", "手机号码=13800000000", "--field", "官网=www.example.com",
		"--field", "星级=五星", "--department", "华南销售部", "--status", "7")
	if r.code != 0 {
		t.Fatal(r)
	}
	p := posts(api)
	if len(p) != 1 {
		t.Fatalf("posts: %v", callNames(api.Calls()))
	}
	want := map[string]string{
		"common_id": "45", "customer[name]": "标签公司", "customer[want_department_id]": "3", "customer[status]": "7",
		"customer[text_asset_77aa01]": "sel_6010", "customer[datetime_asset_77aa02]": "2024-03-01",
		"customer[datetime_asset_77aa03]": "2024-03-01 09:30", "customer[numeric_asset_e2955b70]": "12.5",
		"customer[text_asset_fbf817]": "简称", "customer[text_asset_77aa05]": "a@b.cn", "customer[text_asset_77aa06]": "13800000000",
		"customer[text_asset_77aa04]": "www.example.com", "customer[text_asset_77aa09]": "五星",
	}
	form := p[0].Form
	if got := form["customer[text_asset_77aa07][]"]; strings.Join(got, ",") != "select_e2e1cfb1,select_e2e1cfb2" {
		t.Errorf("multi_select: %v", got)
	}
	if len(form) != len(want)+1 {
		t.Errorf("form has %d fields, want %d: %v", len(form), len(want)+1, form)
	}
	for k, v := range want {
		if got := form[k]; len(got) != 1 || got[0] != v {
			t.Errorf("%s = %v, want %q", k, got, v)
		}
	}

	// Warm cache: the same create, custom fields and department by name, is one request.
	api.Reset()
	r = e.run("", "customers", "create", "--pool", "公司公海", "--name", "第二家", "--field", "客户级别=普通",
		"--field", "经营品类=数码", "--department", "销售部", "--status", "初访")
	if r.code != 0 {
		t.Fatal(r)
	}
	if got := callNames(api.Calls()); got != "POST /api/v2/common_customers" {
		t.Errorf("warm create with custom fields sent: %s", got)
	}
}

// A business template's form: the template id selects it (?custom_field_template_id=),
// its required field must be given, by label.
func TestCreateWithTemplate(t *testing.T) {
	api := newFakeAPI(t)
	e := newEnv(t, api)
	r := e.run("", "customers", "create", "--pool", "45", "--name", "进口商", "--template-id", "7")
	if r.code != 2 || !strings.Contains(r.stderr, "进口方式 (text_asset_4b74a32b): required by business template 7's form, and not given") {
		t.Fatalf("missing required field: %s", r)
	}
	if n := len(posts(api)); n != 0 {
		t.Fatalf("%d creates sent", n)
	}
	var asked bool
	for _, c := range api.Calls() {
		asked = asked || (c.Path == "/api/v2/custom_fields/customer/by_group" && c.Query.Get("custom_field_template_id") == "7")
	}
	if !asked {
		t.Errorf("the template's form was not asked for: %v", api.Calls())
	}
	r = e.run("", "customers", "create", "--pool", "45", "--name", "进口商", "--template-id", "7", "--field", "进口方式=中规")
	if r.code != 0 {
		t.Fatal(r)
	}
	if f := posts(api)[0].Form; f.Get("customer[text_asset_4b74a32b]") != "sel_6012" || f.Get("customer[custom_field_template_id]") != "7" {
		t.Errorf("form: %v", f)
	}
	// The template's field is not on the plain form.
	r = e.run("", "customers", "create", "--pool", "45", "--name", "x", "--field", "进口方式=中规")
	if r.code != 2 || !strings.Contains(r.stderr, `no field is named "进口方式"`) {
		t.Errorf("template field without the template: %s", r)
	}
	// An unknown template: the API's 100100 is an error, nothing is sent.
	api.Reset()
	if r = e.run("", "customers", "create", "--pool", "45", "--name", "x", "--template-id", "8"); r.code == 0 || len(posts(api)) != 0 {
		t.Errorf("unknown template: %s", r)
	}
}

func TestCreateCustomFieldProblems(t *testing.T) {
	api := newFakeAPI(t)
	e := newEnv(t, api)
	cases := []struct {
		field, stderr string
	}{
		{"客户等级=VIP", `客户等级: no field is named "客户等级"; did you mean`},
		{"text_asset_abcdef=1", "the customer form has no custom field text_asset_abcdef"},
		{"旧编码=A1", "旧编码 (text_asset_77aa08): the field is disabled"},
		{"客户级别=VIPP", `客户级别 (text_asset_77aa01): unknown option "VIPP"; did you mean "VIP"? (valid: VIP, 普通)`},
		{"经营品类=家电,手机", `经营品类 (text_asset_77aa07): unknown option "手机"`},
		{"年采购额=十万", `年采购额 (numeric_asset_e2955b70): "十万" is not a number`},
		{"签约日期=2024-3-1", `签约日期 (datetime_asset_77aa02): "2024-3-1" is not a date: write YYYY-MM-DD`},
		{"回访时间=2024-03-01", `回访时间 (datetime_asset_77aa03): "2024-03-01" is not a date and time: write YYYY-MM-DD HH:MM`},
		{"邮箱地址=a@", `邮箱地址 (text_asset_77aa05): "a@" is not an email address`},
		{"手机号码=1380000", `手机号码 (text_asset_77aa06): "1380000" is not a mobile number`},
		{"官网=http://", `官网 (text_asset_77aa04): "http://" is not a web address`},
	}
	for _, tc := range cases {
		for _, dry := range []bool{false, true} {
			api.Reset()
			args := []string{"customers", "create", "--pool", "45", "--name", "x", "--field", tc.field}
			if dry {
				args = append(args, "--dry-run")
			}
			r := e.run("", args...)
			if r.code != 2 || !strings.Contains(r.stderr, tc.stderr) || r.stdout != "" {
				t.Errorf("%s (dry run %v): want exit 2 and %q\n%s", tc.field, dry, tc.stderr, r)
			}
			if n := len(posts(api)); n != 0 {
				t.Errorf("%s: %d creates sent", tc.field, n)
			}
		}
	}
	// The same checks on --from-file, whose keys may be labels.
	r := e.run(`{"name":"x","客户级别":"金牌","年采购额":"很多"}`, "customers", "create", "--pool", "45", "--from-file", "-")
	if r.code != 2 || !strings.Contains(r.stderr, `unknown option "金牌"`) || !strings.Contains(r.stderr, `"很多" is not a number`) {
		t.Errorf("from file: %s", r)
	}
	r = e.run(`{"name":"x","客户级别":"VIP","经营品类":"家电"}`, "customers", "create", "--pool", "45", "--from-file", "-", "--dry-run")
	if r.code != 0 || !strings.Contains(r.stdout, "customer[text_asset_77aa01]=sel_6010\n") || !strings.Contains(r.stdout, "customer[text_asset_77aa07][]=select_e2e1cfb1\n") {
		t.Errorf("from file by labels: %s", r)
	}
	// One field by label and by key.
	r = e.run("", "customers", "create", "--pool", "45", "--name", "x", "--field", "客户级别=VIP", "--field", "text_asset_77aa01=sel_6011")
	if r.code != 2 || !strings.Contains(r.stderr, "given twice") {
		t.Errorf("twice: %s", r)
	}
	// --department and --department-id are one field.
	r = e.run("", "customers", "create", "--pool", "45", "--name", "x", "--department", "销售部", "--department-id", "2")
	if r.code != 2 || !strings.Contains(r.stderr, "--department and --department-id are the same field") {
		t.Errorf("department twice: %s", r)
	}
	if r = e.run("", "customers", "create", "--pool", "45", "--name", "x", "--department-id", "2", "--dry-run"); r.code != 0 ||
		!strings.Contains(r.stdout, "customer[want_department_id]=2\n") {
		t.Errorf("--department-id still works: %s", r)
	}
}

// A create takes custom fields of a form whose answer lacks keys or has unknown types.
func TestCreateWithAFormMissingKeys(t *testing.T) {
	api := newFakeAPI(t)
	api.route("GET /api/v2/custom_fields/customer/by_group", canned(`{"code":0,"data":{"custom_field_groups":[
		{"custom_fields":[{"name":"text_asset_aa11"},{},{"name":"text_asset_aa12","label":"评级","field_type":"star","input_field_options":[]},
		 {"name":"text_asset_aa13","label":"类型","field_type":"select","input_field_options":{"collection_options":[{"label":"无值"},{"value":7}]}}]},
		{},{"label":"空","custom_fields":null}]}}`))
	e := newEnv(t, api)
	if r := e.run("", "customers", "create", "--pool", "45", "--name", "x", "--field", "评级=5", "--field", "类型=7", "--dry-run"); r.code != 0 {
		t.Errorf("create with that form: %s", r)
	}
}

// An import's columns may be custom labels; the whole-file check runs the same checks as
// a create (the row and the column named), and the rows go with keys and codes.
func TestImportCustomColumns(t *testing.T) {
	api := newFakeAPI(t)
	e := newEnv(t, api)
	path := filepath.Join(e.home, "rows.csv")
	bad := "客户名称,客户级别,经营品类,年采购额,签约日期,所属部门,业务模版\n" +
		"好公司,VIP,家电,12,2024-03-01,销售部,\n" +
		"坏级别,VPI,,,,,\n" +
		"坏数字,,,很多,2024/03/01,研发部,\n" +
		"缺必填,,,,,,7\n"
	if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	r := e.run("", "customers", "import", path, "--pool", "45", "--dry-run")
	if r.code != 2 {
		t.Fatalf("want exit 2:\n%s", r)
	}
	for _, want := range []string{
		`row 3: column 客户级别: unknown option "VPI"`,
		`row 4: column 年采购额: "很多" is not a number`, `row 4: column 签约日期: "2024/03/01" is not a date: write YYYY-MM-DD`,
		`row 4: column 所属部门: no department is named or numbered "研发部"`,
		`row 5: column 进口方式 (text_asset_4b74a32b): required by business template 7's form, and not given`,
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if n := len(posts(api)); n != 0 {
		t.Fatalf("%d creates sent by a dry run", n)
	}
	good := "客户名称,客户级别,经营品类,text_asset_9320d8d7,所属部门\n好公司,VIP,\"家电,数码\",标签,华南销售部\n"
	if err := os.WriteFile(path, []byte(good), 0o600); err != nil {
		t.Fatal(err)
	}
	if r = e.run("", "customers", "import", path, "--pool", "45", "--rate", "off"); r.code != 0 {
		t.Fatal(r)
	}
	p := posts(api)
	if len(p) != 1 {
		t.Fatalf("posts: %s", callNames(api.Calls()))
	}
	f := p[0].Form
	if f.Get("customer[text_asset_77aa01]") != "sel_6010" || strings.Join(f["customer[text_asset_77aa07][]"], ",") != "select_e2e1cfb1,select_e2e1cfb2" ||
		f.Get("customer[text_asset_9320d8d7]") != "标签" || f.Get("customer[want_department_id]") != "3" {
		t.Errorf("form: %v", f)
	}
}

// At a terminal, get and create name custom fields by their labels in the cached form
// (the record's business template's form first), falling back to the key; they send no
// request for it. Pipes and JSON keep the keys.
func TestCustomFieldsByLabelAtATerminal(t *testing.T) {
	api := newFakeAPI(t)
	record := `{"id":21,"name":"进口商","common_id":45,"custom_field_template_id":7,
 "text_asset_9320d8d7":"老客户","text_asset_4b74a32b":"sel_6012","text_asset_ffff99":"未知的","created_at":"2026-11-27 12:00"}`
	api.route("GET /api/v2/common_customers/21", canned(`{"code":0,"data":`+record+`}`))
	e := newEnv(t, api)

	// a cold cache: the keys, and no request for the form
	r := e.runTTY(true, "", "customers", "get", "21")
	if r.code != 0 || !strings.Contains(r.stdout, "text_asset_9320d8d7") || !strings.Contains(r.stdout, "text_asset_4b74a32b") {
		t.Fatalf("cold cache: %s", r)
	}
	if got := callNames(api.Calls()); got != "GET /api/v2/common_customers/21" {
		t.Errorf("cold cache sent: %s", got)
	}

	for _, args := range [][]string{{"fields", "list"}, {"fields", "list", "--template", "7"}} {
		if r := e.run("", args...); r.code != 0 {
			t.Fatalf("warming the cache with %v: %s", args, r)
		}
	}
	api.Reset()
	r = e.runTTY(true, "", "customers", "get", "21")
	if r.code != 0 {
		t.Fatal(r)
	}
	for _, want := range []string{"客户标签", "老客户", "进口方式", "sel_6012", "text_asset_ffff99", "未知的"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("warm cache: %q missing:\n%s", want, r.stdout)
		}
	}
	for _, absent := range []string{"text_asset_9320d8d7", "text_asset_4b74a32b"} {
		if strings.Contains(r.stdout, absent) {
			t.Errorf("warm cache: the key %q shown instead of its label:\n%s", absent, r.stdout)
		}
	}
	if got := callNames(api.Calls()); got != "GET /api/v2/common_customers/21" {
		t.Errorf("warm cache sent: %s", got)
	}
	if r := e.run("", "customers", "get", "21", "-o", "json"); r.code != 0 || !strings.Contains(r.stdout, `"text_asset_4b74a32b": "sel_6012"`) || strings.Contains(r.stdout, "进口方式") {
		t.Errorf("-o json: %s", r)
	}
	if r := e.run("", "customers", "get", "21"); r.code != 0 || strings.Contains(r.stdout, "客户标签") || strings.Contains(r.stdout, "进口方式") {
		t.Errorf("through a pipe: %s", r)
	}

	// create at a terminal prints the created record the same way
	api.route("POST /api/v2/common_customers", canned(`{"code":0,"data":`+record+`}`))
	r = e.runTTY(true, "", "customers", "create", "--pool", "45", "--name", "进口商", "--template-id", "7", "--field", "进口方式=中规", "--field", "客户标签=老客户")
	if r.code != 0 || !strings.Contains(r.stdout, "进口方式") || !strings.Contains(r.stdout, "客户标签") || strings.Contains(r.stdout, "text_asset_4b74a32b") {
		t.Errorf("create at a terminal: %s", r)
	}
}
