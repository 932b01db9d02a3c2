package fieldmaps

import (
	"errors"
	"strings"
	"testing"

	"github.com/crmctl/crmctl/internal/apitest"
	"github.com/crmctl/crmctl/internal/cmdutil"
	"github.com/crmctl/crmctl/internal/cmdutil/cmdtest"
	"github.com/crmctl/crmctl/internal/i18n"
)

// customerMaps is field_maps/customer's data: enabled options out of position order,
// a disabled one, options named "name" instead of "value", and an empty field.
const customerMaps = `{"customer":[
 {"id":101,"field_name":"status","field_type":"select","field_values":[
   {"id":3462,"value":"待联系","position":1,"status":"enable"},
   {"id":7,"value":"初访","position":2,"status":"enable"},
   {"id":3463,"value":"停用的","position":3,"status":"disable"}]},
 {"id":102,"field_name":"category","field_values":[{"id":15131,"value":"B(普通客户)","position":2,"status":"enable"},{"id":15130,"value":"A(重点客户)","position":1,"status":"enable"}]},
 {"field_name":"source","field_values":[{"id":"201","name":"电话营销","status":"enable"}]},
 {"field_name":"industry","field_values":[]},
 {"field_name":"staff_size","field_values":[{"id":301,"value":"1-20人","position":1,"status":"enable"}]}]}`

func TestNewCmdShow(t *testing.T) {
	for _, c := range []struct {
		args   []string
		entity string
		all    bool
		usage  string
	}{
		{nil, "customer", false, ""},
		{[]string{"lead", "--all"}, "lead", true, ""},
		{[]string{"invoices"}, "", false, `unknown entity "invoices": use one of customer, lead, contact, opportunity, contract`},
		{[]string{"lead", "contact"}, "", false, "accepts at most 1 arg(s), received 2"},
	} {
		e := cmdtest.New(t, "")
		runF, got := cmdtest.Capture[ShowOptions]()
		err := e.Run(NewCmdShow(e.Factory, runF), c.args...)
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
		if o := *got; o.Entity != c.entity || o.All != c.all || o.Printer == nil || o.Lookups == nil {
			t.Errorf("%q: %+v", c.args, o)
		}
	}
}

func showOpts(e *cmdtest.Env, entity string, all bool) *ShowOptions {
	return &ShowOptions{Printer: e.Factory.Printer, Lookups: e.Factory.Lookups, Entity: entity, All: all}
}

func TestShowRun(t *testing.T) {
	srv := apitest.New(t)
	srv.Register("GET", "/api/v2/field_maps/customer", apitest.Data(customerMaps)).Times(2)
	e := cmdtest.New(t, srv.URL)
	e.Vars["CRMCTL_CACHE_TTL"] = "0"
	if err := showRun(t.Context(), showOpts(e, "customer", false)); err != nil {
		t.Fatal(err)
	}
	want := "status (跟进状态)\t3462\t待联系\nstatus (跟进状态)\t7\t初访\n" +
		"category (客户类型)\t15130\tA(重点客户)\ncategory (客户类型)\t15131\tB(普通客户)\n" +
		"source (客户来源)\t201\t电话营销\nstaff_size (人员规模)\t301\t1-20人\n"
	if e.Out.String() != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", e.Out.String(), want)
	}
	e.Out.Reset()
	if err := showRun(t.Context(), showOpts(e, "customer", true)); err != nil {
		t.Fatal(err)
	}
	if out := e.Out.String(); !strings.Contains(out, "3463\t停用的\tdisabled") || !strings.Contains(out, "7\t初访\tenabled") {
		t.Errorf("--all:\n%s", out)
	}
}

// At a terminal the statuses are in the chosen language.
func TestShowRunChineseAtATerminal(t *testing.T) {
	srv := apitest.New(t)
	srv.Register("GET", "/api/v2/field_maps/customer", apitest.Data(customerMaps))
	e := cmdtest.New(t, srv.URL)
	e.IO.SetLang(i18n.Chinese)
	e.TTY(true)
	if err := showRun(t.Context(), showOpts(e, "customer", true)); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"字段", "名称", "跟进状态", "停用", "启用"} {
		if !strings.Contains(e.Out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, e.Out.String())
		}
	}
}

// An entity without select fields says so, instead of printing nothing; JSON is the
// empty list.
func TestShowRunSaysWhenThereIsNothing(t *testing.T) {
	for _, c := range []struct {
		data   string
		all    bool
		lang   i18n.Lang
		stderr string
	}{
		{`{"contact":[]}`, false, i18n.English, "contact has no select fields\n"},
		{`{"contact":[]}`, false, i18n.Chinese, "contact 没有下拉字段\n"},
		{`{"contact":[{"field_name":"x","field_values":[{"id":1,"value":"a","status":"disable"}]}]}`, false, i18n.English,
			"contact has no enabled options in its select fields (--all shows the disabled ones)\n"},
		{`{"contact":[{"field_name":"x","field_values":[]}]}`, true, i18n.English, "contact has no options in its select fields\n"},
	} {
		srv := apitest.New(t)
		srv.Register("GET", "/api/v2/field_maps/contact", apitest.Data(c.data))
		e := cmdtest.New(t, srv.URL)
		e.IO.SetLang(c.lang)
		if err := showRun(t.Context(), showOpts(e, "contact", c.all)); err != nil {
			t.Fatal(err)
		}
		if e.Out.String() != "" || e.ErrOut.String() != c.stderr {
			t.Errorf("%s: stdout %q, stderr %q, want %q", c.data, e.Out.String(), e.ErrOut.String(), c.stderr)
		}
	}
	srv := apitest.New(t)
	srv.Register("GET", "/api/v2/field_maps/contact", apitest.Data(`{"contact":[]}`))
	e := cmdtest.New(t, srv.URL)
	e.Vars["CRMCTL_OUTPUT"] = "json"
	if err := showRun(t.Context(), showOpts(e, "contact", false)); err != nil {
		t.Fatal(err)
	}
	if e.Out.String() != "[]\n" || e.ErrOut.String() != "" {
		t.Errorf("json: stdout %q, stderr %q", e.Out.String(), e.ErrOut.String())
	}
}
