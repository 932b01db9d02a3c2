package cmd

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/crmctl/crmctl/internal/apitest"
	"github.com/crmctl/crmctl/internal/iostreams"
	"github.com/crmctl/crmctl/internal/pace/pacetest"
)

const testToken = "0123456789abcdef0123456789abcdef"

// wantAuth is the exact Authorization header of the API docs.
const wantAuth = "Token token=" + testToken + ", device=open_api, version_code=9.9.9"

// apiCall is one request the fake API received.
type apiCall struct {
	Method, Path, Auth, ContentType, UserAgent string
	Query, Form                                url.Values
}

func (c apiCall) String() string { return c.Method + " " + c.Path }

// fakeAPI is the shared fake API (internal/apitest) with the routes of the ikcrm API the
// commands use: it records every request, answers any request without the exact token
// header but login as an expired token, and answers from canned payloads. A test
// replaces a route with route (the newest wins); a path with no route is a 404.
type fakeAPI struct {
	*apitest.Server
	t      testing.TB
	mu     sync.Mutex
	nextID int
}

const poolsJSON = `{"code":0,"data":{"common_settings":[
 {"id":45,"organization_id":49,"name":"公司公海","admin_list":{"user_ids":[]},"member_list":{"all":1,"department_ids":["0"],"user_ids":[]},"rule_type":0,"rule_config":{"owner":{"max_unfollow_day":"10"}},"limit_grab_enable":false,"limit_grab_day":10},
 {"id":48942,"organization_id":49,"name":"超级公海","rule_type":2,"rule_config":{"unsold":{"max_unfollow_day":"60"}},"limit_grab_enable":true,"limit_grab_day":"7","limit_grab_count":"20"}]}}`

const fieldMapsJSON = `{"code":0,"data":{"customer":[
 {"id":101,"field_name":"status","field_type":"select","field_values":[
   {"id":3462,"value":"待联系","position":1,"status":"enable"},
   {"id":7,"value":"初访","position":2,"status":"enable"},
   {"id":3463,"value":"停用的","position":3,"status":"disable"}]},
 {"id":102,"field_name":"category","field_values":[{"id":15131,"value":"B(普通客户)","position":2,"status":"enable"},{"id":15130,"value":"A(重点客户)","position":1,"status":"enable"}]},
 {"field_name":"source","field_values":[{"id":"201","name":"电话营销","status":"enable"}]},
 {"field_name":"industry","field_values":[]},
 {"field_name":"staff_size","field_values":[{"id":301,"value":"1-20人","position":1,"status":"enable"}]}]}}`

func newFakeAPI(t testing.TB) *fakeAPI {
	t.Helper()
	f := &fakeAPI{Server: apitest.New(t), t: t, nextID: 18}
	f.Guard(func(r *http.Request) apitest.Responder {
		if r.URL.Query().Has("user_token") {
			t.Errorf("%s %s: the token is in the URL", r.Method, r.URL.Path)
		}
		if r.URL.Path != "/api/v2/auth/login" && r.Header.Get("Authorization") != wantAuth {
			return apitest.TokenExpired()
		}
		return nil
	})
	f.Fallback(http.NotFound)
	f.route("GET /api/v2/common_customers/common_settings", canned(poolsJSON))
	f.route("GET /api/v2/field_maps/customer", canned(fieldMapsJSON))
	f.route("GET /api/v2/user/info", canned(`{"code":0,"data":{"id":2,"name":"test","email":"wp@qq.com","organization_id":49,"department_name":"销售部"}}`))
	f.route("POST /api/v2/auth/login", canned(`{"code":0,"data":{"user_token":"`+testToken+`","user_id":2}}`))
	f.route("GET /api/v2/custom_fields/customer/by_group", byGroup)
	f.route("GET /api/v2/departments", canned(fixture(t, "departments.json")))
	f.route("POST /api/v2/common_customers", f.create)
	f.route("GET /api/v2/common_customers/18", canned(`{"code":0,"data":{"id":18,"name":"贸易公司","status":"7","status_mapped":"初访","category":"","category_mapped":"","staff_size":0,"common_id":45,"created_at":"2015-07-03 17:31","text_asset_9320d8d7":"","address":{"tel":"010-64881989"}}}`))
	f.route("GET /api/v2/duplicates/matching_name", canned(`{"code":0,"data":{"customers":[]}}`))
	f.route("GET /api/v2/common_customers/404", canned(`{"code":100100,"message":"记录不存在","error":"active_record/record_not_found"}`))
	return f
}

// route answers "METHOD /path" with h from now on, in place of its earlier answer.
func (f *fakeAPI) route(key string, h http.HandlerFunc) {
	method, path, _ := strings.Cut(key, " ")
	f.Register(method, path, apitest.Responder(h)).Always()
}

// fixture reads testdata/form/NAME: an answer of the API in the documented shape
// (ikcrm-api.md §5, §7), written for these tests, independent of the sandbox's seed.
func fixture(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "form", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// byGroup answers custom_fields/customer/by_group: the form without a template, or
// template 7's (which adds a group with a required select); another template is 100100.
func byGroup(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	name := "by_group.json"
	switch r.URL.Query().Get("custom_field_template_id") {
	case "":
	case "7":
		name = "by_group_template_7.json"
	default:
		io.WriteString(w, `{"code":100100,"message":"记录不存在","error":"active_record/record_not_found"}`)
		return
	}
	b, err := os.ReadFile(filepath.Join("testdata", "form", name))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Write(b)
}

func canned(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		io.WriteString(w, body)
	}
}

func (f *fakeAPI) create(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	form, _ := url.ParseQuery(string(body))
	f.mu.Lock()
	id := f.nextID
	f.nextID++
	f.mu.Unlock()
	labels := map[string]string{"7": "初访", "3462": "待联系"}
	resp := map[string]any{"code": 0, "data": map[string]any{
		"id": id, "name": form.Get("customer[name]"), "common_id": form.Get("common_id"),
		"status": form.Get("customer[status]"), "status_mapped": labels[form.Get("customer[status]")],
		"category": "", "category_mapped": "", "staff_size": 0, "created_at": "2026-11-27 12:00",
	}}
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(resp); err != nil {
		f.t.Errorf("fake API: %v", err)
	}
}

// Calls are the requests received so far, in order.
func (f *fakeAPI) Calls() []apiCall {
	var calls []apiCall
	for _, r := range f.Requests() {
		form, _ := url.ParseQuery(r.Body)
		path := r.Path
		if p, err := url.PathUnescape(path); err == nil {
			path = p
		}
		calls = append(calls, apiCall{Method: r.Method, Path: path, Auth: r.Header.Get("Authorization"),
			ContentType: r.Header.Get("Content-Type"), UserAgent: r.Header.Get("User-Agent"), Query: r.Query, Form: form})
	}
	return calls
}

// callNames lists the calls as "METHOD /path".
func callNames(calls []apiCall) string {
	var s []string
	for _, c := range calls {
		s = append(s, c.String())
	}
	return strings.Join(s, ", ")
}

// env is a test environment: a fresh HOME and XDG folders, the fake API, a token, and a
// fake clock shared by its runs: retries, throttled waits and pacing take no real time.
type env struct {
	t     testing.TB
	vars  map[string]string
	home  string
	clock *pacetest.Clock
}

func newEnv(t testing.TB, api *fakeAPI) *env {
	t.Helper()
	home := t.TempDir()
	e := &env{t: t, home: home, clock: pacetest.NewClock(), vars: map[string]string{
		"HOME":            home,
		"XDG_CONFIG_HOME": filepath.Join(home, ".config"),
		"XDG_CACHE_HOME":  filepath.Join(home, ".cache"),
		"XDG_DATA_HOME":   filepath.Join(home, ".local", "share"),
	}}
	if api != nil {
		e.vars["CRMCTL_BASE_URL"] = api.URL
		e.vars["CRMCTL_TOKEN"] = testToken
	}
	return e
}

func (e *env) lookup(name string) (string, bool) {
	v, ok := e.vars[name]
	return v, ok
}

type result struct {
	stdout, stderr string
	code           int
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout\n%s--- stderr\n%s", r.code, r.stdout, r.stderr)
}

// run runs crmctl through a pipe (no terminal).
func (e *env) run(stdin string, args ...string) result {
	return e.runTTY(false, stdin, args...)
}

// runTTY runs crmctl with stdin, stdout and stderr forced to be terminals (or not).
func (e *env) runTTY(tty bool, stdin string, args ...string) result {
	e.t.Helper()
	ios, in, out, errOut := iostreams.Test()
	in.WriteString(stdin)
	ios.SetStdinTTY(tty)
	ios.SetStdoutTTY(tty)
	ios.SetStderrTTY(tty)
	ios.SetWidth(120)
	f, cleanup := NewFactory(context.Background(), ios, e.lookup)
	defer cleanup()
	f.Clock = e.clock
	code := Execute(context.Background(), f, args)
	return result{stdout: out.String(), stderr: errOut.String(), code: code}
}
