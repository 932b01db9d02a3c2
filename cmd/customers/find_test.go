package customers

import (
	"errors"
	"testing"

	"github.com/crmctl/crmctl/internal/api"
	"github.com/crmctl/crmctl/internal/apitest"
	"github.com/crmctl/crmctl/internal/cmdutil"
	"github.com/crmctl/crmctl/internal/cmdutil/cmdtest"
	"github.com/crmctl/crmctl/internal/i18n"
)

// matching is a matching_name answer with two customers named 贸易公司 (in two pools,
// with different numbers) and one that left its pool for an owner.
const matching = `{"customers":[
 {"id":18,"name":"贸易公司","user_id":2,"common_id":45,"common_setting_name":"公司公海","status":"7","status_mapped":"初访","created_at":"2015-07-03 17:31","address":{"tel":"010-64881989","phone":""}},
 {"id":19,"name":"贸易公司","user_id":2,"common_id":48942,"status":"","created_at":"2016-01-01 09:00","address":{"tel":"","phone":"13800000000"}},
 {"id":20,"name":"贸易公司","user_id":3,"user_name":"李娜","common_id":null,"created_at":"2017-01-01 09:00"}]}`

func TestNewCmdFind(t *testing.T) {
	e := cmdtest.New(t, "")
	runF, got := cmdtest.Capture[FindOptions]()
	if err := e.Run(NewCmdFind(e.Factory, runF), "--name", " 贸易公司 ", "--phone", "138", "--tel", "010"); err != nil {
		t.Fatal(err)
	}
	if o := *got; o == nil || o.Name != "贸易公司" || o.Phone != "138" || o.Tel != "010" || o.IO != e.IO || o.Client == nil {
		t.Errorf("options: %+v", o)
	}
	for _, args := range [][]string{{}, {"--name", " "}, {"--name", "x", "y"}} {
		*got = nil
		var usage *cmdutil.UsageError
		if err := e.Run(NewCmdFind(e.Factory, runF), args...); !errors.As(err, &usage) || *got != nil {
			t.Errorf("%q: %v, want a usage error", args, err)
		}
	}
}

func findOpts(e *cmdtest.Env, name, phone string, pools []api.Pool) *FindOptions {
	return &FindOptions{IO: e.IO, Printer: e.Factory.Printer, Client: e.Factory.Client,
		CachedPools: func() []api.Pool { return pools }, Name: name, Phone: phone}
}

func TestFindRun(t *testing.T) {
	srv := apitest.New(t)
	srv.Register("GET", "/api/v2/duplicates/matching_name", apitest.Data(matching)).Query("name", "贸易公司").Times(2)
	e := cmdtest.New(t, srv.URL)
	if err := findRun(t.Context(), findOpts(e, "贸易公司", "", nil)); err != nil {
		t.Fatal(err)
	}
	want := "18\t贸易公司\t公司公海\t初访\t010-64881989\t2015-07-03 17:31\n" +
		"19\t贸易公司\t48942\t\t13800000000\t2016-01-01 09:00\n" +
		"20\t贸易公司\towner 李娜\t\t\t2017-01-01 09:00\n"
	if e.Out.String() != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", e.Out.String(), want)
	}
	// The cached pools name the pool the record does not; --phone narrows (20 carries
	// no numbers: not ruled out).
	e = e.Again()
	if err := findRun(t.Context(), findOpts(e, "贸易公司", "138 0000 0000", []api.Pool{{ID: "48942", Name: "超级公海"}})); err != nil {
		t.Fatal(err)
	}
	if want := "19\t贸易公司\t超级公海\t\t13800000000\t2016-01-01 09:00\n20\t贸易公司\towner 李娜\t\t\t2017-01-01 09:00\n"; e.Out.String() != want {
		t.Errorf("--phone:\n%s\nwant:\n%s", e.Out.String(), want)
	}
}

// None found: said on stderr, in the chosen language; stdout stays empty.
func TestFindRunNone(t *testing.T) {
	srv := apitest.New(t)
	srv.Register("GET", "/api/v2/duplicates/matching_name", apitest.Data(`{"customers":[]}`)).Times(2)
	for _, c := range []struct {
		lang i18n.Lang
		want string
	}{
		{i18n.English, "no customer is named \"无\"\n"},
		{i18n.Chinese, ""},
	} {
		e := cmdtest.New(t, srv.URL)
		e.IO.SetLang(c.lang)
		if err := findRun(t.Context(), findOpts(e, "无", "", nil)); err != nil {
			t.Fatal(err)
		}
		if e.Out.String() != "" || e.ErrOut.String() == "" || (c.want != "" && e.ErrOut.String() != c.want) {
			t.Errorf("%s: stdout %q, stderr %q", c.lang, e.Out.String(), e.ErrOut.String())
		}
		if c.lang == i18n.Chinese && e.ErrOut.String() == "no customer is named \"无\"\n" {
			t.Errorf("Chinese: %q", e.ErrOut.String())
		}
	}
}
