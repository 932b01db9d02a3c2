package fieldscmd

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crmctl/crmctl/internal/apitest"
	"github.com/crmctl/crmctl/internal/cmdutil"
	"github.com/crmctl/crmctl/internal/cmdutil/cmdtest"
	"github.com/crmctl/crmctl/internal/i18n"
)

// The customer field maps: status with a disabled option.
const customerMaps = `{"customer":[
 {"id":101,"field_name":"status","field_type":"select","field_values":[
   {"id":3462,"value":"待联系","position":1,"status":"enable"},
   {"id":7,"value":"初访","position":2,"status":"enable"},
   {"id":3463,"value":"停用的","position":3,"status":"disable"}]}]}`

// form reads an answer of custom_fields/customer/by_group shared with the root's tests
// (cmd/testdata/form): the documented shape, independent of the sandbox's seed.
func form(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "form", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func formAPI(t *testing.T) *apitest.Server {
	srv := apitest.New(t)
	srv.Register("GET", "/api/v2/field_maps/customer", apitest.JSON(`{"code":0,"data":`+customerMaps+`}`)).Always()
	srv.Register("GET", "/api/v2/custom_fields/customer/by_group", apitest.JSON(form(t, "by_group.json"))).Always()
	srv.Register("GET", "/api/v2/custom_fields/customer/by_group", apitest.JSON(form(t, "by_group_template_7.json"))).Query("custom_field_template_id", "7").Always()
	return srv
}

func TestNewCmdList(t *testing.T) {
	for _, c := range []struct {
		args     []string
		template string
		all      bool
		usage    string
	}{
		{nil, "", false, ""},
		{[]string{"--template", " 12 ", "--all"}, "12", true, ""},
		{[]string{"--template", "x"}, "", false, `--template "x": expected a business template id (a positive integer)`},
		{[]string{"status"}, "", false, `unknown command "status" for "list"`},
	} {
		e := cmdtest.New(t, "")
		runF, got := cmdtest.Capture[ListOptions]()
		err := e.Run(NewCmdList(e.Factory, runF), c.args...)
		if c.usage != "" {
			var usage *cmdutil.UsageError
			if !errors.As(err, &usage) || err.Error() != c.usage {
				t.Errorf("%q: %v, want the usage error %q", c.args, err, c.usage)
			}
			continue
		}
		if err != nil || *got == nil {
			t.Fatalf("%q: %v", c.args, err)
		}
		if o := *got; o.Template != c.template || o.All != c.all || o.Printer == nil || o.Lookups == nil {
			t.Errorf("%q: %+v", c.args, o)
		}
	}
}

func listOpts(e *cmdtest.Env, template string, all bool) *ListOptions {
	return &ListOptions{Printer: e.Factory.Printer, Lookups: e.Factory.Lookups, Template: template, All: all}
}

func TestListRun(t *testing.T) {
	e := cmdtest.New(t, formAPI(t).URL)
	if err := listRun(t.Context(), listOpts(e, "", false)); err != nil {
		t.Fatal(err)
	}
	out := e.Out.String()
	for _, line := range []string{
		"--pool\t公海\tpool\trequired\t\t\n",
		"--status\t跟进状态\tselect\t\t\t待联系=3462, 初访=7\n",
		"text_asset_77aa01\t客户级别\tselect\t\t基本信息\tVIP=sel_6010, 普通=sel_6011\n",
		"text_asset_77aa09\t星级\ttext\t\t业务信息\t\n", // an unknown field_type is text
	} {
		if !strings.Contains(out, line) {
			t.Errorf("stdout lacks %q:\n%s", line, out)
		}
	}
	if strings.Contains(out, "旧编码") || strings.Contains(out, "停用的") {
		t.Errorf("disabled field or option without --all:\n%s", out)
	}
}

func TestListRunAllOfATemplateAsJSON(t *testing.T) {
	e := cmdtest.New(t, formAPI(t).URL)
	e.Vars["CRMCTL_OUTPUT"] = "json"
	if err := listRun(t.Context(), listOpts(e, "7", true)); err != nil {
		t.Fatal(err)
	}
	var rows []struct {
		Key, Label, Type  string
		FieldType         string `json:"field_type"`
		Flag              string
		Required, Enabled bool
		Options           []struct {
			Value, Label string
			Enabled      bool
		}
	}
	if err := json.Unmarshal(e.Out.Bytes(), &rows); err != nil {
		t.Fatal(err)
	}
	byKey := map[string]int{}
	for i, row := range rows {
		byKey[row.Key] = i
	}
	if i, ok := byKey["text_asset_4b74a32b"]; !ok || !rows[i].Required || rows[i].Type != "select" || len(rows[i].Options) != 2 || rows[i].Options[1].Value != "sel_6012" {
		t.Errorf("the template's required select: %+v", rows)
	}
	if i, ok := byKey["text_asset_77aa08"]; !ok || rows[i].Enabled {
		t.Errorf("--all lists the disabled field, marked: %+v", rows[i])
	}
	if i := byKey["status"]; rows[i].Flag != "status" || len(rows[i].Options) != 3 || rows[i].Options[2].Enabled {
		t.Errorf("status with its disabled option: %+v", rows[i])
	}
	if i := byKey["text_asset_77aa09"]; rows[i].Type != "text" || rows[i].FieldType != "rate_field" {
		t.Errorf("unknown type: %+v", rows[i])
	}
}

// At a terminal the marks are in the chosen language; through a pipe they stay English.
func TestListRunMarksInChinese(t *testing.T) {
	e := cmdtest.New(t, formAPI(t).URL)
	e.IO.SetLang(i18n.Chinese)
	e.TTY(true)
	if err := listRun(t.Context(), listOpts(e, "", true)); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"类型", "必填", "分组", "选项", "停用的=3463（停用）", "启用", "停用"} {
		if !strings.Contains(e.Out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, e.Out.String())
		}
	}
	e.Out.Reset()
	e.TTY(false)
	if err := listRun(t.Context(), listOpts(e, "", true)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.Out.String(), "--pool\t公海\tpool\trequired\t") || !strings.Contains(e.Out.String(), "停用的=3463 (disabled)") {
		t.Errorf("piped:\n%s", e.Out.String())
	}
}

// An answer missing keys or with unknown types is read as far as it goes: no crash, a
// field without a key is left out, a field without a label is named by its key; data
// that is not the documented shape is an error.
func TestListRunTolerantOfMissingKeys(t *testing.T) {
	srv := apitest.New(t)
	srv.Register("GET", "/api/v2/field_maps/customer", apitest.Data(customerMaps)).Always()
	srv.Register("GET", "/api/v2/custom_fields/customer/by_group", apitest.Data(`{"custom_field_groups":[
		{"custom_fields":[{"name":"text_asset_aa11"},{},{"name":"text_asset_aa12","label":"评级","field_type":"star","input_field_options":[]},
		 {"name":"text_asset_aa13","label":"类型","field_type":"select","input_field_options":{"collection_options":[{"label":"无值"},{"value":7}]}}]},
		{},{"label":"空","custom_fields":null}]}`))
	e := cmdtest.New(t, srv.URL)
	e.Vars["CRMCTL_CACHE_TTL"] = "0"
	if err := listRun(t.Context(), listOpts(e, "", false)); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"text_asset_aa11\ttext_asset_aa11\ttext\t", "text_asset_aa12\t评级\ttext\t", "text_asset_aa13\t类型\tselect\t\t\t7=7\n"} {
		if !strings.Contains(e.Out.String(), line) {
			t.Errorf("stdout lacks %q:\n%s", line, e.Out.String())
		}
	}
	srv.Register("GET", "/api/v2/custom_fields/customer/by_group", apitest.Data(`{"custom_field_groups":"none"}`))
	err := listRun(t.Context(), listOpts(e, "", false))
	if err == nil || !strings.Contains(err.Error(), "custom_field_groups") {
		t.Errorf("malformed: %v", err)
	}
}
