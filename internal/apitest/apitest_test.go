package apitest

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// recordingT is a testing.TB that keeps the failures for the test to inspect and runs
// the cleanups when asked.
type recordingT struct {
	testing.TB
	mu       sync.Mutex
	errs     []string
	cleanups []func()
}

func (r *recordingT) Helper() {}
func (r *recordingT) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}
func (r *recordingT) Cleanup(f func()) { r.cleanups = append(r.cleanups, f) }
func (r *recordingT) finish() []string {
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		r.cleanups[i]()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.errs
}

func get(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestStubsAnswerInOrderAndAreVerified(t *testing.T) {
	rt := &recordingT{TB: t}
	s := New(rt)
	s.Register("GET", "/api/v2/user/info", Status(http.StatusServiceUnavailable, "busy"))
	s.Register("GET", "/api/v2/user/info", OK(map[string]any{"id": 2}))
	s.Register("GET", "/api/v2/departments", Data(`{"departments":[]}`)) // never called

	if code, body := get(t, s.URL+"/api/v2/user/info"); code != 503 || body != "busy" {
		t.Errorf("first = %d %q", code, body)
	}
	if code, body := get(t, s.URL+"/api/v2/user/info"); code != 200 || body != `{"code":0,"data":{"id":2}}` {
		t.Errorf("second = %d %q", code, body)
	}
	errs := rt.finish()
	if len(errs) != 1 || !strings.Contains(errs[0], "GET /api/v2/departments: 0 of 1 calls") {
		t.Errorf("failures = %q, want the unused departments stub", errs)
	}
}

func TestUnmatchedRequestFailsTheTestWithoutFallback(t *testing.T) {
	rt := &recordingT{TB: t}
	s := New(rt)
	s.Register("GET", "/api/v2/user/info", JSON(`{}`)) // used once; the second call is unmatched
	get(t, s.URL+"/api/v2/user/info")
	if code, _ := get(t, s.URL+"/api/v2/user/info"); code != http.StatusNotFound {
		t.Errorf("unmatched answered %d, want 404", code)
	}
	errs := rt.finish()
	if len(errs) != 1 || !strings.Contains(errs[0], "no stub for GET /api/v2/user/info") {
		t.Errorf("failures = %q", errs)
	}
}

func TestAlwaysStubsNewestWinsAndFallback(t *testing.T) {
	s := New(t)
	s.Register("GET", "/api/v2/common_customers/{id}", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "canned "+r.PathValue("id"))
	}).Always()
	s.Register("GET", "/api/v2/common_customers/404", APIError(100100, "记录不存在", "active_record/record_not_found")).Always()
	s.Register("GET", "/api/v2/never", JSON(`{}`)).Always() // not required
	s.Register("GET", "/files/{rest...}", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.PathValue("rest"))
	}).Times(2)
	s.Fallback(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "fallback") })

	for _, tt := range []struct{ path, want string }{
		{"/api/v2/common_customers/18", "canned 18"},
		{"/api/v2/common_customers/18", "canned 18"},
		{"/api/v2/common_customers/404", `{"code":100100,"data":null,"error":"active_record/record_not_found","message":"记录不存在"}`},
		{"/api/v2/common_customers/18/extra", "fallback"},
		{"/files/a/b", "a/b"},
		{"/files", ""},
		{"/api/v2/common_customers/1%2F2", "canned 1/2"},
	} {
		if _, body := get(t, s.URL+tt.path); body != tt.want {
			t.Errorf("%s = %q, want %q", tt.path, body, tt.want)
		}
	}
	if n := s.Count("GET", "/api/v2/common_customers/18"); n != 2 {
		t.Errorf("Count = %d, want 2", n)
	}
	if n := s.Count("GET", "/api/v2/common_customers/1%2F2"); n != 1 {
		t.Errorf("Count = %d, want 2", n)
	}
}

func TestQueryNarrowsAStub(t *testing.T) {
	s := New(t)
	s.Register("GET", "/api/v2/custom_fields/customer/by_group", JSON(`"template 7"`)).Query("custom_field_template_id", "7")
	s.Register("GET", "/api/v2/custom_fields/customer/by_group", JSON(`"default"`)).Query("custom_field_template_id", "")
	if _, body := get(t, s.URL+"/api/v2/custom_fields/customer/by_group"); body != `"default"` {
		t.Errorf("no template = %q", body)
	}
	if _, body := get(t, s.URL+"/api/v2/custom_fields/customer/by_group?custom_field_template_id=7"); body != `"template 7"` {
		t.Errorf("template 7 = %q", body)
	}
}

func TestGuardAnswersFirstAndRequestsAreRecorded(t *testing.T) {
	s := New(t)
	s.Guard(func(r *http.Request) Responder {
		if r.URL.Path != "/api/v2/auth/login" && r.Header.Get("Authorization") != Authorization {
			return TokenExpired()
		}
		return nil
	})
	s.Register("POST", "/api/v2/auth/login", Data(`{"user_token":"`+Token+`"}`))
	s.Register("GET", "/api/v2/user/info", Sequence(JSON(`1`), JSON(`2`))).Times(3)

	resp, err := http.PostForm(s.URL+"/api/v2/auth/login", url.Values{"login": {"a b"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if _, body := get(t, s.URL+"/api/v2/user/info"); !strings.Contains(body, `"code":100401`) {
		t.Errorf("without the token = %q, want 100401", body)
	}
	var bodies []string
	for range 3 {
		req, _ := http.NewRequest("GET", s.URL+"/api/v2/user/info?x=1", nil)
		req.Header.Set("Authorization", Authorization)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		bodies = append(bodies, string(b))
	}
	if got := strings.Join(bodies, ","); got != "1,2,2" {
		t.Errorf("sequence = %s", got)
	}
	reqs := s.Requests()
	if len(reqs) != 5 || reqs[0].String() != "POST /api/v2/auth/login" || reqs[0].Form.Get("login") != "a b" ||
		reqs[0].Body != "login=a+b" || reqs[4].Query.Get("x") != "1" || reqs[4].RawQuery != "x=1" {
		t.Errorf("requests = %+v", reqs)
	}
	s.Reset()
	if len(s.Requests()) != 0 {
		t.Error("Reset kept the requests")
	}
}

func TestNthAndHangUp(t *testing.T) {
	s := New(t)
	s.Register("GET", "/n", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, Nth(r)) }).Times(2)
	s.Register("GET", "/gone", HangUp())
	get(t, s.URL+"/n")
	if _, body := get(t, s.URL+"/n"); body != "2" {
		t.Errorf("Nth = %s, want 2", body)
	}
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}} // a reused connection would be retried
	resp, err := fresh.Get(s.URL + "/gone")
	if err == nil {
		resp.Body.Close()
		t.Errorf("hang up: answered %s, want a broken connection", resp.Status)
	}
}
