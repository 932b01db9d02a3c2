package cmd

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// userListRoute answers GET user/list like the API: 33 users, page and per_page (15
// unless asked) and total_count beside them.
func userListRoute(w http.ResponseWriter, r *http.Request) {
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	if page < 1 {
		page = 1
	}
	per := 15
	if n, err := strconv.Atoi(r.URL.Query().Get("per_page")); err == nil && n > 0 {
		per = n
	}
	users := []map[string]any{}
	for id := (page-1)*per + 1; id <= min(page*per, 33); id++ {
		users = append(users, map[string]any{"id": id, "name": fmt.Sprintf("用户%d", id)})
	}
	b, _ := json.Marshal(map[string]any{"code": 0, "data": map[string]any{"users": users, "page": page, "per_page": per, "total_count": 33}})
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}

func newAPIEnv(t *testing.T) (*fakeAPI, *env) {
	t.Helper()
	api := newFakeAPI(t)
	api.route("GET /api/v2/user/list", userListRoute)
	e := newEnv(t, api)
	e.vars["CRMCTL_RATE"] = "off" // a local server: no pacing
	return api, e
}

func TestAPIGetPrintsTheData(t *testing.T) {
	api, e := newAPIEnv(t)
	r := e.run("", "api", "user/info")
	if r.code != 0 || r.stderr != "" {
		t.Fatal(r)
	}
	var data map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &data); err != nil || data["name"] != "test" || data["code"] != nil {
		t.Errorf("stdout is not the data payload: %v\n%s", err, r.stdout)
	}
	c := api.Calls()
	if len(c) != 1 || c[0].String() != "GET /api/v2/user/info" || c[0].Auth != wantAuth {
		t.Errorf("calls: %+v", c)
	}
	// The same with the absolute path, --raw (the envelope), and --jq.
	if r := e.run("", "api", "/api/v2/user/info", "--raw", "--jq", ".code, .data.id"); r.code != 0 || r.stdout != "0\n2\n" {
		t.Errorf("--raw --jq:\n%s", r)
	}
	// A query in the path, and the fields of a GET (-X: fields alone mean POST), go in
	// the query string.
	api.Reset()
	if r := e.run("", "api", "-X", "GET", "user/list?per_page=40", "-f", "name=王", "--jq", ".users | length"); r.code != 0 || r.stdout != "33\n" {
		t.Errorf("query:\n%s", r)
	}
	if c := api.Calls(); len(c) != 1 || c[0].Query.Get("per_page") != "40" || c[0].Query.Get("name") != "王" || c[0].Method != "GET" {
		t.Errorf("query calls: %+v", c)
	}
}

func TestAPIFieldsBodyAndHeaders(t *testing.T) {
	api, e := newAPIEnv(t)
	var got []string
	api.route("PUT /api/v2/common_customers/18/transfer", func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Header.Get("Content-Type"), r.Header.Get("X-Request-Id"))
		canned(`{"code":0,"data":{"id":18}}`)(w, r)
	})
	note := filepath.Join(t.TempDir(), "note.txt")
	if err := os.WriteFile(note, []byte("第一行\n第二行"), 0o600); err != nil {
		t.Fatal(err)
	}
	// -f with Rails brackets, -F reading a file and null: a form-encoded POST.
	r := e.run("", "api", "common_customers", "-f", "customer[name]=贸易公司", "-F", "common_id=45", "-F", "customer[note]=@"+note, "-F", "customer[parent_id]=null")
	if r.code != 0 {
		t.Fatal(r)
	}
	p := posts(api)
	if len(p) != 1 || p[0].ContentType != "application/x-www-form-urlencoded" || p[0].Form.Get("customer[name]") != "贸易公司" ||
		p[0].Form.Get("common_id") != "45" || p[0].Form.Get("customer[note]") != "第一行\n第二行" || !p[0].Form.Has("customer[parent_id]") || p[0].Form.Get("customer[parent_id]") != "" {
		t.Errorf("the POST: %+v", p)
	}
	// -X and -H.
	if r := e.run("", "api", "-X", "put", "common_customers/18/transfer", "-F", "user_id=3", "-H", "X-Request-Id: abc"); r.code != 0 || strings.Join(got, ",") != "application/x-www-form-urlencoded,abc" {
		t.Errorf("PUT: %v\n%s", got, r)
	}
	// --input -: a JSON body, fields in the query.
	api.Reset()
	var body string
	api.route("POST /api/v2/common_customers", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		body = string(b)
		canned(`{"code":0,"data":{"id":19}}`)(w, r)
	})
	r = e.run(`{"common_id":45,"customer":{"name":"贸易公司"}}`, "api", "common_customers", "--input", "-", "-f", "x=1", "--jq", ".id")
	c := api.Calls()
	if r.code != 0 || r.stdout != "19\n" || body != `{"common_id":45,"customer":{"name":"贸易公司"}}` || len(c) != 1 || c[0].ContentType != "application/json" || c[0].Query.Get("x") != "1" {
		t.Errorf("--input: %q %+v\n%s", body, c, r)
	}
}

func TestAPIExitCodesPerErrorClass(t *testing.T) {
	api, e := newAPIEnv(t)
	api.route("GET /api/v2/contacts/1", canned(`{"code":100100,"message":"记录不存在或没有权限","error":"active_record/record_not_found"}`))
	api.route("GET /api/v2/expired", canned(`{"code":100401,"data":null,"message":"您的登录已经过期,请重新登录!"}`))
	api.route("GET /api/v2/device", canned(`{"code":100000,"message":"device参数错误","error":"invalid_app_error"}`))
	api.route("GET /api/v2/html", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<html><title>Welcome to nginx</title></html>"))
	})
	for _, c := range []struct {
		path string
		code int
		msg  string
	}{
		{"contacts/1", 1, "记录不存在或没有权限 (code 100100, active_record/record_not_found)"},
		{"expired", 3, "您的登录已经过期,请重新登录!"},
		{"device", 3, "device参数错误"},
		{"html", 1, "Welcome to nginx"},
	} {
		r := e.run("", "api", c.path)
		if r.code != c.code || r.stdout != "" || !strings.Contains(r.stderr, c.msg) {
			t.Errorf("%s: want exit %d with %q\n%s", c.path, c.code, c.msg, r)
		}
	}
	// -o json: the error as JSON, with the API's code.
	r := e.run("", "api", "contacts/1", "-o", "json")
	if r.code != 1 || !strings.Contains(r.stderr, `"api_code":100100`) {
		t.Errorf("-o json:\n%s", r)
	}
	// A network failure: nothing listens.
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	e.vars["CRMCTL_BASE_URL"] = dead.URL
	if r := e.run("", "api", "user/info"); r.code != 4 || strings.Contains(r.stderr, testToken) {
		t.Errorf("network: %s", r)
	}
	// No token.
	delete(e.vars, "CRMCTL_TOKEN")
	if r := e.run("", "api", "user/info"); r.code != 3 {
		t.Errorf("no token: %s", r)
	}
}

// A throttled call is sent again after the wait the API asks for, like every call.
func TestAPIThrottledCallIsRetried(t *testing.T) {
	api, e := newAPIEnv(t)
	n := 0
	api.route("POST /api/v2/common_customers", func(w http.ResponseWriter, r *http.Request) {
		n++
		if n == 1 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			w.Write([]byte("Retry later"))
			return
		}
		canned(`{"code":0,"data":{"id":20}}`)(w, r)
	})
	r := e.run("", "api", "common_customers", "-f", "common_id=45", "--jq", ".id")
	if r.code != 0 || r.stdout != "20\n" || n != 2 {
		t.Errorf("%d requests\n%s", n, r)
	}
	// Still throttled after every retry: exit 4.
	api.route("GET /api/v2/user/info", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "0")
		w.WriteHeader(http.StatusTooManyRequests)
		w.Write([]byte("Retry later"))
	})
	if r := e.run("", "api", "user/info"); r.code != 4 || !strings.Contains(r.stderr, "still throttled") {
		t.Errorf("always throttled:\n%s", r)
	}
}

// --paginate from the page asked, with per_page kept; --raw wraps the whole in an
// envelope, which --jq reads.
func TestAPIPaginateRawJQ(t *testing.T) {
	api, e := newAPIEnv(t)
	// From the page asked, with per_page kept; --raw wraps the whole in an envelope.
	r := e.run("", "api", "user/list?page=2&per_page=10", "--paginate", "--raw", "--jq", `.code, (.data.users | length)`)
	if r.code != 0 || r.stdout != "0\n23\n" || len(api.Calls()) != 3 {
		t.Errorf("from page 2, 10 a page: %s\n%s", callNames(api.Calls()), r)
	}
	// An answer that is no list is printed as it came, after one request.
	api.Reset()
	if r := e.run("", "api", "user/info", "--paginate", "--jq", ".id"); r.code != 0 || r.stdout != "2\n" || len(api.Calls()) != 1 {
		t.Errorf("no list:\n%s", r)
	}
}

func TestAPIDryRunSendsNothing(t *testing.T) {
	api, e := newAPIEnv(t)
	r := e.run("", "api", "common_customers", "-f", "customer[name]=贸易公司", "-F", "common_id=45", "-H", "X-A: b", "--dry-run")
	want := "POST " + api.URL + "/api/v2/common_customers\n" +
		"Authorization: Token token=***, device=open_api, version_code=9.9.9\n" +
		"Content-Type: application/x-www-form-urlencoded\nX-A: b\n\n" +
		"common_id=45&customer%5Bname%5D=%E8%B4%B8%E6%98%93%E5%85%AC%E5%8F%B8\n"
	if r.code != 0 || r.stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", r.stdout, want)
	}
	r = e.run("", "api", "user/list", "--paginate", "--dry-run", "-o", "json", "--jq", ".method, .url, .paginate")
	if r.code != 0 || r.stdout != "GET\n"+api.URL+"/api/v2/user/list\ntrue\n" {
		t.Errorf("-o json:\n%s", r)
	}
	if len(api.Calls()) != 0 {
		t.Errorf("--dry-run sent %s", callNames(api.Calls()))
	}
}

// The token appears nowhere: not in --debug, not in an answer that echoes it.
func TestAPITokenNeverShown(t *testing.T) {
	api, e := newAPIEnv(t)
	api.route("GET /api/v2/echo", canned(`{"code":0,"data":{"seen":"Token token=`+testToken+`"}}`))
	api.route("GET /api/v2/fail", canned(`{"code":100422,"message":"bad token `+testToken+`"}`))
	for _, args := range [][]string{
		{"api", "echo", "--debug"}, {"api", "echo", "--raw"}, {"api", "fail", "--debug"}, {"api", "fail", "-o", "json"},
	} {
		r := e.run("", args...)
		if strings.Contains(r.stdout+r.stderr, testToken) {
			t.Errorf("%v shows the token:\n%s", args, r)
		}
	}
}

// After code 100401, with a login and password in the environment, crmctl api logs in
// once, stores the new token and sends the refused request again.
func TestAPIReloginAfterExpiredToken(t *testing.T) {
	api, e := newAPIEnv(t)
	e.vars["CRMCTL_TOKEN"] = "ffffffffffffffffffffffffffffffff" // refused by the fake
	if r := e.run("", "api", "user/info"); r.code != 3 {
		t.Fatalf("without a password: %s", r)
	}
	e.vars["CRMCTL_LOGIN"] = "13800000000"
	e.vars["CRMCTL_PASSWORD"] = "secret-pw"
	api.Reset()
	r := e.run("", "api", "-X", "POST", "common_customers", "-f", "common_id=45", "-f", "customer[name]=重登", "--jq", ".name")
	if r.code != 0 || r.stdout != "重登\n" || !strings.Contains(r.stderr, "logging in again as 13800000000") {
		t.Fatal(r)
	}
	if got := callNames(api.Calls()); got != "POST /api/v2/common_customers, POST /api/v2/auth/login, POST /api/v2/common_customers" {
		t.Errorf("calls: %s", got)
	}
	if strings.Contains(r.stdout+r.stderr, "secret-pw") || strings.Contains(r.stdout+r.stderr, testToken) {
		t.Errorf("a secret was shown:\n%s", r)
	}
	cfg, err := os.ReadFile(filepath.Join(e.home, ".config", "crmctl", "config.yaml"))
	if err != nil || !strings.Contains(string(cfg), testToken) {
		t.Errorf("the new token was not stored: %v\n%s", err, cfg)
	}
}
