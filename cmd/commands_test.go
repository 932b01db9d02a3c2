package cmd

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestJQ(t *testing.T) {
	api := newFakeAPI(t)
	e := newEnv(t, api)
	r := e.run("", "pools", "list", "--jq", ".[].name")
	if r.code != 0 || r.stdout != "公司公海\n超级公海\n" {
		t.Fatal(r)
	}
	api.Reset()
	r = e.run("", "pools", "list", "--jq", ".[")
	if r.code != 2 || !strings.Contains(r.stderr, "--jq") {
		t.Fatal(r)
	}
	if n := len(api.Calls()); n != 0 {
		t.Errorf("an invalid --jq still sent %d requests", n)
	}
}

// Look-ups are cached per profile within the TTL; the global --refresh fetches anew.
func TestLookupsCachedUntilRefresh(t *testing.T) {
	api := newFakeAPI(t)
	e := newEnv(t, api)
	for _, args := range [][]string{{"fieldmaps", "show"}, {"fieldmaps", "show", "--all"}} {
		if r := e.run("", args...); r.code != 0 {
			t.Fatal(r)
		}
	}
	if n := len(api.Calls()); n != 1 {
		t.Errorf("two fieldmaps shows within the TTL sent %d requests, want 1: %s", n, callNames(api.Calls()))
	}
	r := e.run("", "fieldmaps", "show", "--refresh")
	if r.code != 0 || len(api.Calls()) != 2 {
		t.Errorf("--refresh did not fetch anew: %s", callNames(api.Calls()))
	}
}

func TestCreateSendsTheExactRequestAndOneRequestWhenWarm(t *testing.T) {
	api := newFakeAPI(t)
	e := newEnv(t, api)
	r := e.run("", "customers", "create", "--pool", "公司公海", "--name", "贸易公司", "--status", "初访",
		"--category", "15131", "--tel", "010-64881989", "--contact-name", "王经理", "--opportunity-title", "首单",
		"--field", "text_asset_9320d8d7=a=b", "--country-id", "4")
	if r.code != 0 {
		t.Fatal(r)
	}
	if want := "18\t贸易公司\t公司公海\t初访\t\t\t\t\t2026-11-27 12:00\n"; r.stdout != want {
		t.Errorf("stdout %q, want %q", r.stdout, want)
	}
	calls := api.Calls()
	if callNames(calls) != "GET /api/v2/common_customers/common_settings, GET /api/v2/custom_fields/customer/by_group, GET /api/v2/field_maps/customer, POST /api/v2/common_customers" {
		t.Fatalf("calls: %s", callNames(calls))
	}
	post := calls[3]
	if post.ContentType != "application/x-www-form-urlencoded" || post.Auth != wantAuth {
		t.Errorf("headers: %+v", post)
	}
	want := map[string]string{
		"common_id":                                    "45",
		"customer[name]":                               "贸易公司",
		"customer[status]":                             "7",
		"customer[category]":                           "15131",
		"customer[address_attributes][tel]":            "010-64881989",
		"customer[address_attributes][country_id]":     "4",
		"customer[contacts_attributes][0][name]":       "王经理",
		"customer[opportunities_attributes][0][title]": "首单",
		"customer[text_asset_9320d8d7]":                "a=b",
	}
	if len(post.Form) != len(want) {
		t.Errorf("form has %d fields, want %d: %v", len(post.Form), len(want), post.Form)
	}
	for k, v := range want {
		if got := post.Form[k]; len(got) != 1 || got[0] != v {
			t.Errorf("form %s = %v, want %q", k, got, v)
		}
	}

	// Warm cache: the second create is exactly one request.
	api.Reset()
	r = e.run("", "customers", "create", "--pool", "45", "--name", "第二家", "--status", "待联系")
	if r.code != 0 {
		t.Fatal(r)
	}
	if calls := api.Calls(); callNames(calls) != "POST /api/v2/common_customers" {
		t.Errorf("warm create sent: %s", callNames(calls))
	}
}

func TestCreateJSONOutput(t *testing.T) {
	api := newFakeAPI(t)
	r := newEnv(t, api).run("", "customers", "create", "--pool", "45", "--name", "x", "-o", "json")
	if r.code != 0 {
		t.Fatal(r)
	}
	var c map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &c); err != nil || c["id"] != float64(18) || c["name"] != "x" {
		t.Errorf("%v %s", err, r.stdout)
	}
	// No select value given: the field maps are not fetched (the form is: its required
	// fields must be given).
	if callNames(api.Calls()) != "GET /api/v2/common_customers/common_settings, GET /api/v2/custom_fields/customer/by_group, POST /api/v2/common_customers" {
		t.Errorf("calls: %s", callNames(api.Calls()))
	}
}

func TestCreateFromFile(t *testing.T) {
	api := newFakeAPI(t)
	e := newEnv(t, api)
	doc := `{"common_id": 45, "name": "文件里的", "note": "from file", "address_attributes": {"tel": "1"}}`
	r := e.run(doc, "customers", "create", "--from-file", "-", "--name", "flag wins", "--dry-run", "-o", "json", "--jq", ".body")
	if r.code != 0 {
		t.Fatal(r)
	}
	if want := "common_id=45&customer%5Baddress_attributes%5D%5Btel%5D=1&customer%5Bname%5D=flag+wins&customer%5Bnote%5D=from+file\n"; r.stdout != want {
		t.Errorf("body %q, want %q", r.stdout, want)
	}
	path := filepath.Join(e.home, "c.yaml")
	if err := os.WriteFile(path, []byte("pool: 公司公海\nname: 从YAML\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r = e.run("", "customers", "create", "--from-file", path, "--dry-run")
	if r.code != 0 || !strings.Contains(r.stdout, "customer[name]=从YAML") || !strings.Contains(r.stdout, "common_id=45") {
		t.Error(r)
	}
}

// Bad input of each kind (a usage error, a field's problem, an unreadable file, a flag
// cobra refuses) is exit 2 with the message after "crmctl: ", and no write.
func TestCreateBadInput(t *testing.T) {
	api := newFakeAPI(t)
	e := newEnv(t, api)
	missing := filepath.Join(e.home, "nope.json")
	cases := []struct {
		name   string
		stdin  string
		args   []string
		stderr string
	}{
		{"missing name", "", []string{"--pool", "45"}, "--name is required"},
		{"unknown label", "", []string{"--pool", "45", "--name", "x", "--status", "初仿"}, `status (跟进状态): unknown option "初仿"`},
		{"unknown field", "", []string{"--pool", "45", "--name", "x", "--field", "Bad Key=1"}, `Bad Key: no field is named "Bad Key"`},
		{"unreadable file", "", []string{"--from-file", missing}, "no such file"},
		{"malformed file", `{"name":`, []string{"--from-file", "-"}, "malformed JSON"},
		{"malformed field", "", []string{"--pool", "45", "--field", "novalue"}, "expected NAME=VALUE"},
		{"positional arg", "", []string{"extra"}, "unknown command"},
		{"unknown flag", "", []string{"--nope"}, "unknown flag: --nope"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			api.Reset()
			r := e.run(tc.stdin, append([]string{"customers", "create"}, tc.args...)...)
			if r.code != 2 {
				t.Fatalf("exit %d, want 2\n%s", r.code, r)
			}
			if !strings.Contains(r.stderr, tc.stderr) || !strings.HasPrefix(r.stderr, "crmctl: ") {
				t.Errorf("stderr %q lacks %q", r.stderr, tc.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout: %q", r.stdout)
			}
			for _, c := range api.Calls() {
				if c.Method != "GET" {
					t.Errorf("sent %s", c)
				}
			}
		})
	}
}

func TestMissingPoolOnATerminalDoesNotPrompt(t *testing.T) {
	api := newFakeAPI(t)
	r := newEnv(t, api).runTTY(true, "", "customers", "create", "--name", "x", "--no-input")
	if r.code != 2 || !strings.Contains(r.stderr, "--pool") {
		t.Fatal(r)
	}
	if len(api.Calls()) != 0 {
		t.Errorf("calls: %s", callNames(api.Calls()))
	}
}

func TestAPIErrorsMapToExitCodes(t *testing.T) {
	cases := []struct {
		name   string
		body   string
		ctype  string
		code   int
		stderr string
	}{
		{"expired token", `{"code":100401,"data":null,"message":"您的登录已经过期,请重新登录!"}`, "application/json", 3, "您的登录已经过期,请重新登录!"},
		{"bad device", `{"code":100000,"message":"device参数错误","error":"invalid_app_error"}`, "application/json", 3, "device参数错误"},
		{"other code", `{"code":100422,"message":"客户名称不能为空"}`, "application/json", 1, "客户名称不能为空"},
		{"html page", `<html><body>Bad Gateway</body></html>`, "text/html", 1, "unexpected answer"},
		{"truncated json", `{"code":0,"data":{"common_settings":[{"id":4`, "application/json", 1, "unexpected answer"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			api := newFakeAPI(t)
			api.route("GET /api/v2/common_customers/common_settings", func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", tc.ctype)
				w.Write([]byte(tc.body))
			})
			e := newEnv(t, api)
			r := e.run("", "pools", "list")
			if r.code != tc.code || !strings.Contains(r.stderr, tc.stderr) || r.stdout != "" {
				t.Fatal(r)
			}
			if strings.Count(r.stderr, "crmctl: ") != 1 {
				t.Errorf("the error is not printed once: %q", r.stderr)
			}
			if strings.Contains(r.stderr, testToken) {
				t.Error("the token leaked into stderr")
			}
			r = e.run("", "pools", "list", "-o", "json")
			var obj struct {
				Error struct {
					ExitCode int    `json:"exit_code"`
					APICode  int    `json:"api_code"`
					Message  string `json:"message"`
				} `json:"error"`
			}
			if err := json.Unmarshal([]byte(r.stderr), &obj); err != nil || obj.Error.ExitCode != tc.code || obj.Error.Message == "" {
				t.Errorf("JSON error: %v %q", err, r.stderr)
			}
		})
	}
}

func TestAuthHintOnExpiredToken(t *testing.T) {
	api := newFakeAPI(t)
	e := newEnv(t, api)
	e.vars["CRMCTL_TOKEN"] = "ffffffffffffffffffffffffffffffff"
	r := e.run("", "pools", "list")
	if r.code != 3 || !strings.Contains(r.stderr, "crmctl auth login") {
		t.Fatal(r)
	}
}

func TestNoTokenIsExit3WithoutARequest(t *testing.T) {
	api := newFakeAPI(t)
	e := newEnv(t, api)
	delete(e.vars, "CRMCTL_TOKEN")
	r := e.run("", "pools", "list")
	if r.code != 3 || !strings.Contains(r.stderr, "not logged in") {
		t.Fatal(r)
	}
	if len(api.Calls()) != 0 {
		t.Errorf("calls: %s", callNames(api.Calls()))
	}
}

func TestSettingsErrorsAreUsage(t *testing.T) {
	api := newFakeAPI(t)
	e := newEnv(t, api)
	r := e.run("", "--base-url", "http://example.com", "pools", "list")
	if r.code != 2 || !strings.Contains(r.stderr, "https") {
		t.Error(r)
	}
	r = e.run("", "--profile", "nope", "pools", "list")
	if r.code != 2 || !strings.Contains(r.stderr, `unknown profile "nope"`) {
		t.Error(r)
	}
	cfg := filepath.Join(e.home, "bad.yaml")
	if err := os.WriteFile(cfg, []byte("profiles: [oops\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r = e.run("", "--config", cfg, "pools", "list")
	if r.code != 2 || !strings.Contains(r.stderr, cfg) {
		t.Error(r)
	}
	r = e.run("", "--timeout", "soon", "pools", "list")
	if r.code != 2 {
		t.Error(r)
	}
	r = e.run("", "-o", "xml", "pools", "list")
	if r.code != 2 {
		t.Error(r)
	}
	if len(api.Calls()) != 0 {
		t.Errorf("calls: %s", callNames(api.Calls()))
	}
}

func TestThrottlingThatNeverEndsIsExit4(t *testing.T) {
	api := newFakeAPI(t)
	api.route("GET /api/v2/common_customers/common_settings", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("Retry-After", "0")
		w.WriteHeader(http.StatusTooManyRequests)
		w.Write([]byte("Retry later"))
	})
	r := newEnv(t, api).run("", "pools", "list")
	if r.code != 4 || !strings.Contains(r.stderr, "throttled") {
		t.Fatal(r)
	}
	if !strings.Contains(r.stderr, "hint: the API limits") || strings.Contains(r.stderr, "check the network") {
		t.Errorf("throttling needs its own hint: %s", r)
	}
	if n := len(api.Calls()); n < 2 || n > 10 {
		t.Errorf("%d attempts: retries must happen and be bounded", n)
	}
}

// customers get names the pool from the pools another command cached, with no request
// of its own for them; --jq reads the record.
func TestCustomersGetNamesThePoolFromTheCache(t *testing.T) {
	api := newFakeAPI(t)
	e := newEnv(t, api)
	e.run("", "pools", "list")
	api.Reset()
	r := e.run("", "customers", "get", "18")
	if r.code != 0 || r.stdout != "18\t贸易公司\t公司公海\t初访\t\t\t\t\t2015-07-03 17:31\n" || len(api.Calls()) != 1 {
		t.Fatal(r)
	}
	r = e.run("", "customers", "get", "18", "--jq", ".address.tel")
	if r.code != 0 || r.stdout != "010-64881989\n" {
		t.Fatal(r)
	}
}

// The POOL column is the pool's name from the record itself: the same whether or not the
// pools are cached, on a terminal and through a pipe.
func TestCustomerPoolColumnIsStable(t *testing.T) {
	api := newFakeAPI(t)
	api.route("GET /api/v2/common_customers/19", canned(`{"code":0,"data":{"id":19,"name":"外贸","common_id":45,"common_setting_name":"公司公海","status":"","created_at":"2026-11-27 12:00"}}`))
	e := newEnv(t, api)
	const want = "19\t外贸\t公司公海\t\t\t\t\t\t2026-11-27 12:00\n"
	r := e.run("", "customers", "get", "19")
	if r.code != 0 || r.stdout != want {
		t.Fatalf("cold cache: %s", r)
	}
	r = e.runTTY(true, "", "customers", "get", "19")
	if r.code != 0 || !regexp.MustCompile(`Pool \(公海\)\s*│\s*公司公海\s`).MatchString(r.stdout) {
		t.Fatalf("cold cache, terminal: %s", r)
	}
	e.run("", "pools", "list")
	if r = e.run("", "customers", "get", "19"); r.code != 0 || r.stdout != want {
		t.Fatalf("warm cache: %s", r)
	}

	// A create answer that names the pool is shown with that name, even when the cached
	// pools call it otherwise (renamed since they were fetched).
	api.route("POST /api/v2/common_customers", canned(`{"code":0,"data":{"id":20,"name":"新的","common_id":45,"common_setting_name":"公司公海(改名)","created_at":"2026-11-27 12:00"}}`))
	r = e.run("", "customers", "create", "--pool", "45", "--name", "新的")
	if r.code != 0 || r.stdout != "20\t新的\t公司公海(改名)\t\t\t\t\t\t2026-11-27 12:00\n" {
		t.Fatal(r)
	}
}

func TestHelpReadsNoConfig(t *testing.T) {
	e := newEnv(t, nil)
	e.vars["CRMCTL_CONFIG"] = filepath.Join(e.home, "broken.yaml")
	if err := os.WriteFile(e.vars["CRMCTL_CONFIG"], []byte(":::"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"--help"}, {"customers", "create", "--help"}, {"version"}, {"completion", "bash"}} {
		if r := e.run("", args...); r.code != 0 {
			t.Errorf("%v: %s", args, r)
		}
	}
}

func TestEveryCommandIsPacedThroughTheSharedState(t *testing.T) {
	api := newFakeAPI(t)
	e := newEnv(t, api)
	for i := 0; i < 3; i++ {
		if r := e.run("", "pools", "list", "--refresh"); r.code != 0 {
			t.Fatal(r)
		}
	}
	files, _ := filepath.Glob(filepath.Join(e.home, ".local", "share", "crmctl", "ratelimit", "default-*.json"))
	if len(files) != 1 {
		t.Fatalf("pacing state files: %v", files)
	}
	data, _ := os.ReadFile(files[0])
	var st struct {
		Sends []int64 `json:"sends"`
	}
	if err := json.Unmarshal(data, &st); err != nil || len(st.Sends) != 3 {
		t.Errorf("the shared state records %d sends, want 3: %s", len(st.Sends), data)
	}
}

func TestCrmctlRate(t *testing.T) {
	api := newFakeAPI(t)
	e := newEnv(t, api)
	e.vars["CRMCTL_RATE"] = "off"
	if r := e.run("", "pools", "list"); r.code != 0 {
		t.Fatal(r)
	}
	if files, _ := filepath.Glob(filepath.Join(e.home, ".local", "share", "crmctl", "ratelimit", "*.json")); len(files) != 0 {
		t.Errorf("CRMCTL_RATE=off still paced: %v", files)
	}
	e.vars["CRMCTL_RATE"] = "lots"
	if r := e.run("", "pools", "list", "--refresh"); r.code != 2 || !strings.Contains(r.stderr, "CRMCTL_RATE") {
		t.Error(r)
	}
	e.vars["CRMCTL_RATE"] = "100/1s"
	if r := e.run("", "pools", "list", "--refresh"); r.code != 0 {
		t.Error(r)
	}
}

func TestProfileRateKey(t *testing.T) {
	api := newFakeAPI(t)
	e := newEnv(t, api)
	cfg := filepath.Join(e.home, ".config", "crmctl", "config.yaml")
	if err := os.MkdirAll(filepath.Dir(cfg), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, []byte("profiles:\n  default:\n    rate: sometimes\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := e.run("", "pools", "list"); r.code != 2 || !strings.Contains(r.stderr, "profile default (rate)") {
		t.Fatal(r)
	}
	if err := os.WriteFile(cfg, []byte("profiles:\n  default:\n    rate: \"off\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := e.run("", "pools", "list"); r.code != 0 {
		t.Fatal(r)
	}
	if files, _ := filepath.Glob(filepath.Join(e.home, ".local", "share", "crmctl", "ratelimit", "*.json")); len(files) != 0 {
		t.Errorf("rate: off in the profile still paced: %v", files)
	}
}

func TestSandboxIgnoresARealToken(t *testing.T) {
	e := newEnv(t, nil)
	e.vars["CRMCTL_TOKEN"] = testToken // meant for a real API
	r := e.run("", "--sandbox", "auth", "status")
	if r.code != 0 || !strings.Contains(r.stdout, "Logged in: yes") || !strings.Contains(r.stdout, "the embedded sandbox's account") {
		t.Fatal(r)
	}
}

// A --sandbox command keeps its cache entries apart: the profile's pools stay cached.
func TestSandboxCommandKeepsTheProfileCache(t *testing.T) {
	api := newFakeAPI(t)
	e := newEnv(t, api)
	if r := e.run("", "pools", "list"); r.code != 0 {
		t.Fatal(r)
	}
	if r := e.run("", "--sandbox", "pools", "list"); r.code != 0 {
		t.Fatal(r)
	}
	api.Reset()
	if r := e.run("", "pools", "list"); r.code != 0 || len(api.Calls()) != 0 {
		t.Fatalf("%s\ncalls after a --sandbox command: %s", r, callNames(api.Calls()))
	}
}

// A login stores the token; later commands use it without logging in again, until a
// logout, after which status is exit 3.
func TestLoginOnceThenCommandsUseTheStoredToken(t *testing.T) {
	api := newFakeAPI(t)
	e := newEnv(t, api)
	delete(e.vars, "CRMCTL_TOKEN")
	e.vars["CRMCTL_LOGIN"] = "13800000000"
	e.vars["CRMCTL_PASSWORD"] = "s3cret"
	if r := e.run("", "auth", "login"); r.code != 0 {
		t.Fatal(r)
	}
	api.Reset()
	if r := e.run("", "auth", "status"); r.code != 0 || callNames(api.Calls()) != "GET /api/v2/user/info" || api.Calls()[0].Auth != wantAuth {
		t.Fatalf("%s\ncalls: %s", r, callNames(api.Calls()))
	}
	api.Reset()
	if r := e.run("", "pools", "list"); r.code != 0 || callNames(api.Calls()) != "GET /api/v2/common_customers/common_settings" {
		t.Fatalf("%s\ncalls: %s", r, callNames(api.Calls()))
	}
	if r := e.run("", "auth", "logout"); r.code != 0 {
		t.Fatal(r)
	}
	if r := e.run("", "auth", "status"); r.code != 3 || !strings.Contains(r.stdout, "Logged in: no") {
		t.Fatal(r)
	}
}
