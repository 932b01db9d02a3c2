package cmd

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crmctl/crmctl/internal/prompter"
)

// matchingJSON is a matching_name answer with two customers named 贸易公司 (in two
// pools, with different numbers) and one that left its pool for an owner.
const matchingJSON = `{"code":0,"data":{"customers":[
 {"id":18,"name":"贸易公司","user_id":2,"common_id":45,"common_setting_name":"公司公海","status":"7","status_mapped":"初访","created_at":"2015-07-03 17:31","address":{"tel":"010-64881989","phone":""}},
 {"id":19,"name":"贸易公司","user_id":2,"common_id":48942,"status":"","created_at":"2016-01-01 09:00","address":{"tel":"","phone":"13800000000"}},
 {"id":20,"name":"贸易公司","user_id":3,"user_name":"李娜","common_id":null,"created_at":"2017-01-01 09:00"}]}}`

func withMatching(api *fakeAPI) {
	api.route("GET /api/v2/duplicates/matching_name", canned(matchingJSON))
}

func TestFindListsTheCustomersOfTheName(t *testing.T) {
	api := newFakeAPI(t)
	withMatching(api)
	e := newEnv(t, api)
	r := e.run("", "customers", "find", "--name", " 贸易公司 ")
	if r.code != 0 {
		t.Fatal(r)
	}
	want := "18\t贸易公司\t公司公海\t初访\t010-64881989\t2015-07-03 17:31\n" +
		"19\t贸易公司\t48942\t\t13800000000\t2016-01-01 09:00\n" +
		"20\t贸易公司\towner 李娜\t\t\t2017-01-01 09:00\n"
	if r.stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", r.stdout, want)
	}
	calls := api.Calls()
	if len(calls) != 1 || calls[0].String() != "GET /api/v2/duplicates/matching_name" || calls[0].Query.Get("name") != "贸易公司" || calls[0].Auth != wantAuth {
		t.Errorf("calls: %+v", calls)
	}

	// The cached pools name the pool the record does not.
	e.run("", "pools", "list")
	if r := e.run("", "customers", "find", "--name", "贸易公司", "--phone", "138 0000 0000"); r.stdout != "19\t贸易公司\t超级公海\t\t13800000000\t2016-01-01 09:00\n20\t贸易公司\towner 李娜\t\t\t2017-01-01 09:00\n" {
		t.Errorf("--phone (20 carries no numbers: not ruled out):\n%s", r)
	}
	// JSON: the records as sent, narrowed; [] when none.
	r = e.run("", "customers", "find", "--name", "贸易公司", "--tel", "01064881989", "-o", "json")
	var got []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || len(got) != 2 || fmt.Sprint(got[0]["id"]) != "18" || got[0]["status_mapped"] != "初访" {
		t.Errorf("-o json: %v\n%s", err, r)
	}
	api.route("GET /api/v2/duplicates/matching_name", canned(`{"code":0,"data":{"customers":[]}}`))
	if r := e.run("", "customers", "find", "--name", "无", "-o", "json"); r.code != 0 || strings.TrimSpace(r.stdout) != "[]" {
		t.Errorf("none, -o json:\n%s", r)
	}
}

func TestFindIsRetriedAndReportsAPIErrors(t *testing.T) {
	api := newFakeAPI(t)
	n := 0
	api.route("GET /api/v2/duplicates/matching_name", func(w http.ResponseWriter, r *http.Request) {
		n++
		if n == 1 {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		canned(matchingJSON)(w, r)
	})
	e := newEnv(t, api)
	if r := e.run("", "customers", "find", "--name", "贸易公司", "-o", "json", "--jq", "length"); r.code != 0 || r.stdout != "3\n" || n != 2 {
		t.Errorf("a 502 then the answer: %d requests\n%s", n, r)
	}
	api.route("GET /api/v2/duplicates/matching_name", canned(`{"code":100401,"data":null,"message":"您的登录已经过期,请重新登录!"}`))
	if r := e.run("", "customers", "find", "--name", "x"); r.code != 3 {
		t.Errorf("100401:\n%s", r)
	}
}

// --if-exists skip: an existing customer (same name, pool and telephone) is printed as
// a create prints its own, with one request and no POST.
func TestCreateIfExistsSkipPrintsTheExistingOne(t *testing.T) {
	api := newFakeAPI(t)
	withMatching(api)
	e := newEnv(t, api)
	e.run("", "pools", "list")
	e.run("", "fields", "list") // the form, which every create checks
	api.Reset()
	r := e.run("", "customers", "create", "--pool", "公司公海", "--name", "贸易公司", "--tel", "010 64881989", "--if-exists", "skip")
	if r.code != 0 || r.stdout != "18\t贸易公司\t公司公海\t初访\t\t\t\t\t2015-07-03 17:31\n" {
		t.Fatal(r)
	}
	if !strings.Contains(r.stderr, `customer "贸易公司" exists (18 贸易公司, 公司公海, 010-64881989): not created (--if-exists skip)`) {
		t.Errorf("stderr:\n%s", r.stderr)
	}
	if got := callNames(api.Calls()); got != "GET /api/v2/duplicates/matching_name" {
		t.Errorf("calls: %s", got)
	}
	// -o json prints the record.
	r = e.run("", "customers", "create", "--pool", "45", "--name", "贸易公司", "--if-exists", "skip", "-o", "json", "--jq", ".id")
	if r.code != 0 || r.stdout != "18\n" || len(posts(api)) != 0 {
		t.Errorf("-o json:\n%s", r)
	}
	// Another pool, with the mobile: 19 only.
	r = e.run("", "customers", "create", "--pool", "48942", "--name", "贸易公司", "--phone", "13800000000", "--if-exists", "skip", "--jq", ".id")
	if r.code != 0 || r.stdout != "19\n" {
		t.Errorf("pool 48942:\n%s", r)
	}
	if len(posts(api)) != 0 {
		t.Error("a POST was sent")
	}
	// A new telephone: 18 has another, 19 is in another pool, 20 in none: created.
	r = e.run("", "customers", "create", "--pool", "45", "--name", "贸易公司", "--tel", "021-1", "--if-exists", "skip", "--jq", ".id")
	if r.code != 0 || len(posts(api)) != 1 {
		t.Errorf("--tel 021-1:\n%s", r)
	}
}

func TestCreateIfExistsSkipWithSeveralIsAnError(t *testing.T) {
	api := newFakeAPI(t)
	e := newEnv(t, api)
	// 20 does not say which pool it is in: it cannot be ruled out.
	api.route("GET /api/v2/duplicates/matching_name", canned(strings.Replace(matchingJSON, `"common_id":null,`, "", 1)))
	r := e.run("", "customers", "create", "--pool", "45", "--name", "贸易公司", "--if-exists", "skip")
	wantStderr(t, r, 1, `customer "贸易公司" exists 2 times, and --if-exists skip needs exactly one to print: not created`,
		"  18 贸易公司, 公司公海, 010-64881989\n  20 贸易公司, owner 李娜\n",
		"hint: `crmctl customers find --name 贸易公司` lists the customers of that name")
	if len(posts(api)) != 0 {
		t.Error("a POST was sent")
	}
}

func TestCreateIfExistsFailNamesTheCustomers(t *testing.T) {
	api := newFakeAPI(t)
	withMatching(api)
	e := newEnv(t, api)
	r := e.run("", "customers", "create", "--pool", "48942", "--name", "贸易公司", "--phone", "13800000000", "--if-exists", "fail")
	wantStderr(t, r, 1, `crmctl: customer "贸易公司" exists: not created (--if-exists fail)`, "  19 贸易公司, 超级公海, 13800000000\n")
	r = e.run("", "customers", "create", "--pool", "48942", "--name", "贸易公司", "--if-exists", "fail", "-o", "json")
	if r.code != 1 || !strings.Contains(r.stderr, `"exit_code":1`) || !strings.Contains(r.stderr, "19 贸易公司") {
		t.Errorf("-o json:\n%s", r)
	}
	if len(posts(api)) != 0 {
		t.Error("a POST was sent")
	}
	if r := e.run("", "customers", "create", "--pool", "45", "--name", "x", "--if-exists", "maybe"); r.code != 2 || !strings.Contains(r.stderr, "use create, skip or fail") {
		t.Errorf("a bad value:\n%s", r)
	}
}

// A new customer costs the check and the create; --if-exists create (the default)
// makes no check at all.
func TestCreateIfExistsCreatesANewOne(t *testing.T) {
	api := newFakeAPI(t)
	e := newEnv(t, api)
	e.run("", "pools", "list")
	e.run("", "fields", "list") // the form, which every create checks
	for _, mode := range []string{"skip", "fail"} {
		api.Reset()
		r := e.run("", "customers", "create", "--pool", "45", "--name", "新客户", "--if-exists", mode)
		if r.code != 0 || !strings.HasPrefix(r.stdout, "18\t新客户\t公司公海") && !strings.HasPrefix(r.stdout, "19\t新客户\t公司公海") {
			t.Fatalf("%s:\n%s", mode, r)
		}
		if got := callNames(api.Calls()); got != "GET /api/v2/duplicates/matching_name, POST /api/v2/common_customers" {
			t.Errorf("%s: calls %s", mode, got)
		}
	}
	api.Reset()
	withMatching(api)
	if r := e.run("", "customers", "create", "--pool", "45", "--name", "贸易公司"); r.code != 0 || callNames(api.Calls()) != "POST /api/v2/common_customers" {
		t.Errorf("the default: %s\n%s", callNames(api.Calls()), r)
	}
	// A failed check sends nothing.
	api.Reset()
	api.route("GET /api/v2/duplicates/matching_name", canned(`{"code":100100,"message":"没有权限","error":"active_record/record_not_found"}`))
	r := e.run("", "customers", "create", "--pool", "45", "--name", "贸易公司", "--if-exists", "skip")
	wantStderr(t, r, 1, `--if-exists skip: checking whether customer "贸易公司" exists (nothing was created): 没有权限`)
	if len(posts(api)) != 0 {
		t.Error("a POST was sent after a failed check")
	}
}

// The walk-through shows the customers of the name typed and asks whether to go on.
func TestInteractiveCreateWarnsOfExistingCustomers(t *testing.T) {
	api := newFakeAPI(t)
	withMatching(api)
	e := newEnv(t, api)

	stop := prompter.NewFake(t)
	stop.ExpectInput("Name (客户名称)").Answer("贸易公司")
	stop.ExpectConfirm("Create another customer of this name? (仍然创建)").Answer(false)
	r := e.runPrompted(stop, "customers", "create", "--pool", "45")
	if r.code != 130 || len(posts(api)) != 0 {
		t.Fatalf("stopping:\n%s", r)
	}
	for _, want := range []string{"已存在 / exists: 18 贸易公司, 公司公海, 010-64881989\n", "已存在 / exists: 20 贸易公司, owner 李娜\n", "nothing was sent"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}

	goOn := prompter.NewFake(t)
	goOn.ExpectInput("Name (客户名称)").Answer("贸易公司")
	goOn.ExpectConfirm("Create another customer of this name? (仍然创建)").Answer(true)
	goOn.ExpectSelect("Category (客户类型)").AnswerDefault()
	goOn.ExpectSelect("Source (客户来源)").AnswerDefault()
	goOn.ExpectSelect("Staff size (人员规模)").AnswerDefault()
	goOn.ExpectMultiSelect("More fields? (更多字段)").AnswerWith()
	r = e.runPrompted(goOn, "customers", "create", "--pool", "45", "--status", "初访", "--yes")
	if r.code != 0 || len(posts(api)) != 1 {
		t.Fatalf("going on:\n%s", r)
	}

	// No namesake: no question.
	api.route("GET /api/v2/duplicates/matching_name", canned(`{"code":0,"data":{"customers":[]}}`))
	quiet := prompter.NewFake(t)
	quiet.ExpectInput("Name (客户名称)").Answer("新的")
	quiet.ExpectSelect("Category (客户类型)").AnswerDefault()
	quiet.ExpectSelect("Source (客户来源)").AnswerDefault()
	quiet.ExpectSelect("Staff size (人员规模)").AnswerDefault()
	quiet.ExpectMultiSelect("More fields? (更多字段)").AnswerWith()
	if r := e.runPrompted(quiet, "customers", "create", "--pool", "45", "--status", "初访", "--yes"); r.code != 0 || strings.Contains(r.stderr, "exists") {
		t.Errorf("no namesake:\n%s", r)
	}

	// With --if-exists skip, the check after the walk-through reuses the answer.
	withMatching(api)
	api.Reset()
	skip := prompter.NewFake(t)
	skip.ExpectInput("Name (客户名称)").Answer("贸易公司")
	skip.ExpectSelect("Category (客户类型)").AnswerDefault()
	skip.ExpectSelect("Source (客户来源)").AnswerDefault()
	skip.ExpectSelect("Staff size (人员规模)").AnswerDefault()
	skip.ExpectMultiSelect("More fields? (更多字段)").AnswerWith()
	r = e.runPrompted(skip, "customers", "create", "--pool", "48942", "--phone", "13800000000", "--status", "初访", "--yes", "--if-exists", "skip")
	if r.code != 0 || len(posts(api)) != 0 || r.stdout == "" || !strings.Contains(r.stderr, "(--if-exists skip)") || len(api.Calls()) != 1 {
		t.Errorf("--if-exists skip in the walk-through:\n%s", r)
	}
}

// import --if-exists asks matching_name for each row before sending it: a row whose
// customer exists sends no POST.
func TestImportIfExistsChecksEveryRow(t *testing.T) {
	api := newFakeAPI(t)
	api.route("GET /api/v2/duplicates/matching_name", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("name") == "贸易公司" {
			canned(matchingJSON)(w, r)
			return
		}
		canned(`{"code":0,"data":{"customers":[]}}`)(w, r)
	})
	e := newEnv(t, api)
	e.vars["CRMCTL_RATE"] = "off"
	dir := t.TempDir()
	file := filepath.Join(dir, "rows.csv")
	if err := os.WriteFile(file, []byte("客户名称,电话\n贸易公司,010-64881989\n新客户,\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	results := filepath.Join(dir, "out.csv")
	r := e.run("", "customers", "import", file, "--pool", "45", "--if-exists", "skip", "--results", results, "-o", "json", "--jq", "[.created, .exists, .requests_per_row] | join(\",\")")
	if r.code != 0 || r.stdout != "1,1,2\n" {
		t.Fatal(r)
	}
	var order []string
	for _, c := range api.Calls() {
		if c.Method == "POST" {
			order = append(order, "POST "+c.Form.Get("customer[name]"))
		} else if c.Path == "/api/v2/duplicates/matching_name" {
			order = append(order, "check "+c.Query.Get("name"))
		}
	}
	if got := strings.Join(order, ", "); got != "check 贸易公司, check 新客户, POST 新客户" {
		t.Errorf("requests: %s", got)
	}
	out, _ := os.ReadFile(results)
	if !strings.Contains(string(out), "2,skipped,贸易公司,18,,exists in the CRM (--if-exists skip)") {
		t.Errorf("results:\n%s", out)
	}
}
