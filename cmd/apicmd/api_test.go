package apicmd

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/crmctl/crmctl/internal/apitest"
	"github.com/crmctl/crmctl/internal/cmdutil"
	"github.com/crmctl/crmctl/internal/cmdutil/cmdtest"
	"github.com/crmctl/crmctl/internal/i18n"
)

func TestNewCmdAPI(t *testing.T) {
	note := filepath.Join(t.TempDir(), "note.txt")
	if err := os.WriteFile(note, []byte("第一行\n第二行"), 0o600); err != nil {
		t.Fatal(err)
	}
	e := cmdtest.New(t, "")
	runF, got := cmdtest.Capture[Options]()
	// -f with Rails brackets, -F reading a file and null: a POST of the fields.
	if err := e.Run(NewCmdAPI(e.Factory, runF), "common_customers", "-f", "customer[name]=贸易公司", "-F", "common_id=45", "-F", "customer[note]=@"+note, "-F", "customer[parent_id]=null", "-H", "X-Request-Id: abc"); err != nil {
		t.Fatal(err)
	}
	o := *got
	if o.Method != "POST" || o.Path != "/api/v2/common_customers" || o.Form.Get("customer[name]") != "贸易公司" || o.Form.Get("common_id") != "45" ||
		o.Form.Get("customer[note]") != "第一行\n第二行" || !o.Form.Has("customer[parent_id]") || o.Form.Get("customer[parent_id]") != "" || o.Header.Get("X-Request-Id") != "abc" {
		t.Errorf("options: %+v", o)
	}
	// A GET by default, with the path's query; -X in any case.
	if err := e.Run(NewCmdAPI(e.Factory, runF), "user/list?per_page=40", "--paginate"); err != nil || (*got).Method != "GET" || (*got).Query.Get("per_page") != "40" || !(*got).Paginate {
		t.Errorf("GET: %v %+v", err, *got)
	}
	if err := e.Run(NewCmdAPI(e.Factory, runF), "-X", "put", "common_customers/18/transfer", "-F", "user_id=3"); err != nil || (*got).Method != "PUT" {
		t.Errorf("-X put: %v %+v", err, *got)
	}
	// --input -: a JSON body.
	e.In.WriteString(`{"common_id":45}`)
	if err := e.Run(NewCmdAPI(e.Factory, runF), "common_customers", "--input", "-"); err != nil || string((*got).Body) != `{"common_id":45}` || (*got).Header.Get("Content-Type") != "application/json" {
		t.Errorf("--input: %v %+v", err, *got)
	}
}

// Refused before anything is sent, as usage errors: the Authorization header, a
// non-JSON --input, a bad field, --paginate with POST, a method that is none, another
// host, and auth/login.
func TestNewCmdAPIRefuses(t *testing.T) {
	other := httptest.NewServer(http.NotFoundHandler())
	defer other.Close()
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"user/info", "-H", "Authorization: Token token=other"}, "Authorization"},
		{[]string{"user/info", "-H", "nocolon"}, `-H "nocolon": expected 'Name: value'`},
		{[]string{"common_customers", "--input", "-"}, "--input -: not JSON"},
		{[]string{"common_customers", "-f", "novalue"}, `-f "novalue": expected key=value`},
		{[]string{"common_customers", "-F", "a=@-", "-F", "b=@-"}, "-F b: standard input is read once"},
		{[]string{"user/list", "--paginate", "-X", "POST"}, "--paginate reads lists: it needs GET, not POST"},
		{[]string{"user/info", "-X", "G E T"}, `-X "G E T": not an HTTP method`},
		{[]string{other.URL + "/api/v2/user/info"}, ""},
		{[]string{"/etc/passwd"}, ""},
		{[]string{"auth/login"}, "crmctl api does not log in"},
		{[]string{"/api/v2/auth/login"}, "crmctl api does not log in"},
	} {
		e := cmdtest.New(t, "")
		e.In.WriteString("not json")
		runF, got := cmdtest.Capture[Options]()
		err := e.Run(NewCmdAPI(e.Factory, runF), c.args...)
		var usage *cmdutil.UsageError
		if !errors.As(err, &usage) || !strings.Contains(err.Error(), c.msg) || *got != nil {
			t.Errorf("%q: %v, want a usage error with %q", c.args, err, c.msg)
		}
	}
	e := cmdtest.New(t, "")
	e.IO.SetLang(i18n.Chinese)
	err := e.Run(NewCmdAPI(e.Factory, nil), "common_customers", "-f", "novalue")
	if got := e.IO.T().Error(err); got != `-f "novalue"：应为 key=value` {
		t.Errorf("in Chinese: %q", got)
	}
}

func apiOpts(e *cmdtest.Env, method, path string) *Options {
	f := e.Factory
	return &Options{IO: e.IO, Settings: f.Settings, Client: f.Client, Printer: f.Printer, LoginClient: f.LoginClient, Getenv: f.Getenv,
		Method: method, Path: path}
}

// userList answers GET user/list like the API: 33 users, page and per_page (15 unless
// asked) and total_count beside them.
func userList(w http.ResponseWriter, r *http.Request) {
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	per := 15
	if n, err := strconv.Atoi(r.URL.Query().Get("per_page")); err == nil && n > 0 {
		per = n
	}
	users := []map[string]any{}
	for id := (page-1)*per + 1; id <= min(page*per, 33); id++ {
		users = append(users, map[string]any{"id": id, "name": fmt.Sprintf("用户%d", id)})
	}
	apitest.OK(map[string]any{"users": users, "page": page, "per_page": per, "total_count": 33})(w, r)
}

func TestAPIRunPrintsTheData(t *testing.T) {
	srv := apitest.New(t)
	srv.Register("GET", "/api/v2/user/info", apitest.Data(`{"id":2,"name":"test"}`)).Times(2)
	e := cmdtest.New(t, srv.URL)
	if err := apiRun(t.Context(), apiOpts(e, "GET", "/api/v2/user/info")); err != nil {
		t.Fatal(err)
	}
	if e.Out.String() != "{\n  \"id\": 2,\n  \"name\": \"test\"\n}\n" || e.ErrOut.String() != "" {
		t.Errorf("stdout %q, stderr %q", e.Out.String(), e.ErrOut.String())
	}
	if h := srv.Requests()[0].Header.Get("Authorization"); h != apitest.Authorization {
		t.Errorf("Authorization = %q", h)
	}
	e = e.Again()
	o := apiOpts(e, "GET", "/api/v2/user/info")
	o.Raw = true
	if err := apiRun(t.Context(), o); err != nil || !strings.Contains(e.Out.String(), `"code": 0`) {
		t.Errorf("--raw: %v\n%s", err, e.Out.String())
	}
}

func TestAPIRunPaginate(t *testing.T) {
	srv := apitest.New(t)
	srv.Register("GET", "/api/v2/user/list", userList).Always()
	e := cmdtest.New(t, srv.URL)
	o := apiOpts(e, "GET", "/api/v2/user/list")
	o.Paginate = true
	if err := apiRun(t.Context(), o); err != nil {
		t.Fatal(err)
	}
	var data struct {
		Users      []struct{ ID int } `json:"users"`
		TotalCount int                `json:"total_count"`
	}
	if err := json.Unmarshal(e.Out.Bytes(), &data); err != nil || len(data.Users) != 33 || data.TotalCount != 33 {
		t.Fatalf("%v: %d users\n%s", err, len(data.Users), e.Out.String())
	}
	for i, u := range data.Users {
		if u.ID != i+1 {
			t.Fatalf("user %d has id %d: pages out of order", i, u.ID)
		}
	}
	var pages []string
	for _, r := range srv.Requests() {
		pages = append(pages, r.Query.Get("page"))
	}
	if strings.Join(pages, ",") != "1,2,3" {
		t.Errorf("pages asked: %v", pages)
	}
}

func TestAPIRunDryRunSendsNothing(t *testing.T) {
	srv := apitest.New(t)
	e := cmdtest.New(t, srv.URL)
	o := apiOpts(e, "POST", "/api/v2/common_customers")
	o.Form = map[string][]string{"customer[name]": {"贸易公司"}, "common_id": {"45"}}
	o.Header = http.Header{"X-A": {"b"}}
	o.DryRun = true
	if err := apiRun(t.Context(), o); err != nil {
		t.Fatal(err)
	}
	want := "POST " + srv.URL + "/api/v2/common_customers\n" +
		"Authorization: Token token=***, device=open_api, version_code=9.9.9\n" +
		"Content-Type: application/x-www-form-urlencoded\nX-A: b\n\n" +
		"common_id=45&customer%5Bname%5D=%E8%B4%B8%E6%98%93%E5%85%AC%E5%8F%B8\n"
	if e.Out.String() != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", e.Out.String(), want)
	}
	e = e.Again()
	e.IO.SetLang(i18n.Chinese)
	o = apiOpts(e, "GET", "/api/v2/user/list")
	o.Paginate, o.DryRun = true, true
	if err := apiRun(t.Context(), o); err != nil || !strings.HasSuffix(e.Out.String(), "（然后是后续各页，直到 total_count）\n") {
		t.Errorf("--paginate in Chinese: %v\n%s", err, e.Out.String())
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("--dry-run sent %d requests", n)
	}
}
