package pools

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/crmctl/crmctl/internal/api"
	"github.com/crmctl/crmctl/internal/apitest"
	"github.com/crmctl/crmctl/internal/cmdutil"
	"github.com/crmctl/crmctl/internal/cmdutil/cmdtest"
	"github.com/crmctl/crmctl/internal/i18n"
)

// poolsData is common_settings' data: a pool that never takes customers back and has no
// claim limit, and one that takes them back after 60 days without a deal with a limit
// of 20 per 7 days (numbers as strings, as the API sends some).
const poolsData = `{"common_settings":[
 {"id":45,"organization_id":49,"name":"公司公海","admin_list":{"user_ids":[]},"member_list":{"all":1,"department_ids":["0"],"user_ids":[]},"rule_type":0,"rule_config":{"owner":{"max_unfollow_day":"10"}},"limit_grab_enable":false,"limit_grab_day":10},
 {"id":48942,"organization_id":49,"name":"超级公海","rule_type":2,"rule_config":{"unsold":{"max_unfollow_day":"60"}},"limit_grab_enable":true,"limit_grab_day":"7","limit_grab_count":"20"}]}`

func poolsAPI(t *testing.T) *apitest.Server {
	srv := apitest.New(t)
	srv.Register("GET", "/api/v2/common_customers/common_settings", apitest.Data(poolsData))
	return srv
}

func TestNewCmdList(t *testing.T) {
	e := cmdtest.New(t, "")
	runF, got := cmdtest.Capture[ListOptions]()
	if err := e.Run(NewCmdList(e.Factory, runF)); err != nil {
		t.Fatal(err)
	}
	if *got == nil || (*got).Printer == nil || (*got).Lookups == nil {
		t.Fatalf("options not assembled: %+v", *got)
	}
	err := e.Run(NewCmdList(e.Factory, runF), "extra")
	var usage *cmdutil.UsageError
	if !errors.As(err, &usage) {
		t.Errorf("an argument: %v, want a usage error", err)
	}
}

func TestListRunPiped(t *testing.T) {
	srv := poolsAPI(t)
	e := cmdtest.New(t, srv.URL)
	if err := listRun(t.Context(), &ListOptions{Printer: e.Factory.Printer, Lookups: e.Factory.Lookups}); err != nil {
		t.Fatal(err)
	}
	want := "45\t公司公海\tnever\tnone\n48942\t超级公海\tafter 60 days without a deal\t20 per 7 days\n"
	if e.Out.String() != want {
		t.Errorf("stdout:\n%q\nwant\n%q", e.Out.String(), want)
	}
	if e.ErrOut.String() != "" {
		t.Errorf("stderr: %q", e.ErrOut.String())
	}
	reqs := srv.Requests()
	if len(reqs) != 1 {
		t.Fatalf("requests: %v", reqs)
	}
	if got := reqs[0].Header.Get("Authorization"); got != apitest.Authorization {
		t.Errorf("Authorization = %q", got)
	}
	if got := reqs[0].Header.Get("User-Agent"); !strings.HasPrefix(got, "crmctl/") {
		t.Errorf("User-Agent = %q", got)
	}
}

func TestListRunTerminalTable(t *testing.T) {
	srv := poolsAPI(t)
	e := cmdtest.New(t, srv.URL)
	e.TTY(true)
	if err := listRun(t.Context(), &ListOptions{Printer: e.Factory.Printer, Lookups: e.Factory.Lookups}); err != nil {
		t.Fatal(err)
	}
	out := e.Out.String()
	for _, want := range []string{"ID", "NAME (名称)", "RETURN RULE (回收规则)", "CLAIM LIMIT (领取上限)", "公司公海", "48942", "│", "after 60 days without a deal"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b[") {
		t.Errorf("colour codes in a table that asked for none:\n%q", out)
	}
}

// At a terminal the headers and the rules are in the chosen language; through a pipe
// they stay English, for scripts.
func TestListRunChinese(t *testing.T) {
	srv := apitest.New(t)
	srv.Register("GET", "/api/v2/common_customers/common_settings", apitest.Data(poolsData)).Times(2)
	e := cmdtest.New(t, srv.URL)
	e.IO.SetLang(i18n.Chinese)
	e.Vars["CRMCTL_CACHE_TTL"] = "0"
	e.TTY(true)
	opts := &ListOptions{Printer: e.Factory.Printer, Lookups: e.Factory.Lookups}
	if err := listRun(t.Context(), opts); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"回收规则", "领取上限", "不回收", "不限", "60 天未成交", "每 7 天 20 个"} {
		if !strings.Contains(e.Out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, e.Out.String())
		}
	}
	e.Out.Reset()
	e.TTY(false)
	if err := listRun(t.Context(), opts); err != nil {
		t.Fatal(err)
	}
	if want := "45\t公司公海\tnever\tnone\n"; !strings.HasPrefix(e.Out.String(), want) {
		t.Errorf("piped in Chinese:\n%q\nwant it to start with %q", e.Out.String(), want)
	}
}

func TestListRunJSONIsThePayloadAsItCame(t *testing.T) {
	srv := poolsAPI(t)
	e := cmdtest.New(t, srv.URL)
	e.Vars["CRMCTL_OUTPUT"] = "json"
	if err := listRun(t.Context(), &ListOptions{Printer: e.Factory.Printer, Lookups: e.Factory.Lookups}); err != nil {
		t.Fatal(err)
	}
	var pools []map[string]any
	if err := json.Unmarshal(e.Out.Bytes(), &pools); err != nil {
		t.Fatalf("%v\n%s", err, e.Out.String())
	}
	if len(pools) != 2 || pools[1]["limit_grab_day"] != "7" || pools[0]["rule_config"] == nil {
		t.Errorf("payload changed on the way: %s", e.Out.String())
	}
}

func TestRulesAndLimits(t *testing.T) {
	for _, c := range []struct {
		pool        string
		rule, limit string
	}{
		{`{"rule_type":0}`, "never", "none"},
		{`{"rule_type":1,"rule_config":{"owner":{"max_unfollow_day":1}},"limit_grab_enable":true,"limit_grab_day":1,"limit_grab_count":5}`, "after 1 day without follow-up", "5 a day"},
		{`{"rule_type":1,"rule_config":{"owner":{"max_unfollow_day":0}},"limit_grab_enable":true,"limit_grab_count":5}`, "no follow-up", "5"},
		{`{"rule_type":2,"limit_grab_enable":true,"limit_grab_day":3}`, "no deal", "limited (count not given) per 3 days"},
		{`{"rule_type":9,"limit_grab_enable":true}`, "rule 9", "limited"},
	} {
		var p api.Pool
		if err := json.Unmarshal([]byte(c.pool), &p); err != nil {
			t.Fatal(err)
		}
		if got := returnRule(p).String(); got != c.rule {
			t.Errorf("%s: rule %q, want %q", c.pool, got, c.rule)
		}
		if got := claimLimit(p).String(); got != c.limit {
			t.Errorf("%s: limit %q, want %q", c.pool, got, c.limit)
		}
	}
}
