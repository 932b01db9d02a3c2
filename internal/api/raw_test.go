package api

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestResolvePath(t *testing.T) {
	for in, want := range map[string]string{
		"user/list":                               "/api/v2/user/list",
		"/api/v2/user/list":                       "/api/v2/user/list",
		"api/v2/departments":                      "/api/v2/departments",
		" common_customers/18 ":                   "/api/v2/common_customers/18",
		"duplicates/matching_name?name=%E7%94%B2": "/api/v2/duplicates/matching_name",
		"field_maps/customer.json":                "/api/v2/field_maps/customer.json",
	} {
		got, _, err := ResolvePath(in)
		if err != nil || got != want {
			t.Errorf("ResolvePath(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	_, q, err := ResolvePath("duplicates/matching_name?name=%E7%94%B2&page=2")
	if err != nil || q.Get("name") != "甲" || q.Get("page") != "2" {
		t.Errorf("query: %v, %v", q, err)
	}
	// Nothing that could carry the token to another host, or out of /api/.
	for _, bad := range []string{
		"", "https://evil.example/api/v2/user/info", "http://127.0.0.1:1/api/v2/x", "//evil.example/api/v2/x",
		"HTTPS://evil.example/x", "evil.example:443/api", "javascript:alert(1)", "/etc/passwd", "/user/list",
		"user/../../admin", "/api/v2/./x", "/api/v2/%2e%2e/x", "user/list#frag", "\\\\evil\\x", "user list",
		"mailto:a@b.c",
	} {
		if p, _, err := ResolvePath(bad); err == nil {
			t.Errorf("ResolvePath(%q) = %q, want an error", bad, p)
		}
	}
}

func TestCheckHeaderRefusesTheClientsOwn(t *testing.T) {
	for _, h := range []http.Header{
		{"Authorization": {"Token token=x"}}, {"authorization": {"x"}}, {"Host": {"evil"}},
		{"Content-Length": {"1"}}, {"X-A": {"a\r\nAuthorization: x"}}, {"Bad Name": {"x"}}, {"X:Y": {"x"}},
	} {
		if err := CheckHeader(h); err == nil {
			t.Errorf("CheckHeader(%v) = nil", h)
		}
	}
	if err := CheckHeader(http.Header{"X-Request-Id": {"abc"}, "Content-Type": {"application/json"}}); err != nil {
		t.Errorf("plain headers refused: %v", err)
	}
}

func TestRawSendsBodyHeadersAndChecksEnvelope(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		switch n {
		case 1:
			w.WriteHeader(http.StatusTooManyRequests)
			w.Write([]byte("Retry later")) // a throttled POST was not processed: sent again
		case 2:
			writeJSON(w, `{"code":0,"data":{"id":7}}`)
		default:
			writeJSON(w, `{"code":100100,"message":"记录不存在","error":"active_record/record_not_found"}`)
		}
	})
	c, sr := newTestClient(t, f.URL)
	res, err := c.Raw(context.Background(), RawRequest{
		Method: "post", Path: "/api/v2/common_customers", Query: url.Values{"x": {"1"}},
		Body: []byte(`{"common_id":45}`), ContentType: "application/json",
		Header: http.Header{"X-Trace": {"t1"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if string(res.Data) != `{"id":7}` || string(res.Envelope) != `{"code":0,"data":{"id":7}}` || res.Status != 200 {
		t.Errorf("answer: %+v", res)
	}
	reqs := f.Requests()
	if len(reqs) != 2 || len(sr.waits()) != 1 {
		t.Fatalf("%d requests, %d waits; want the throttled one sent again", len(reqs), len(sr.waits()))
	}
	for _, r := range reqs {
		if r.Method != "POST" || r.Path != "/api/v2/common_customers" || r.RawQuery != "x=1" || r.Body != `{"common_id":45}` ||
			r.Header.Get("Content-Type") != "application/json" || r.Header.Get("X-Trace") != "t1" || r.Header.Get("Authorization") != wantAuth {
			t.Errorf("request: %+v", r)
		}
	}
	_, err = c.Raw(context.Background(), RawRequest{Path: "/api/v2/common_customers/1"})
	var ae *Error
	if !errors.As(err, &ae) || ae.Code != 100100 || !strings.Contains(err.Error(), "记录不存在") {
		t.Errorf("a non-zero code: %v", err)
	}
	if _, err := c.Raw(context.Background(), RawRequest{Path: "/x"}); err == nil {
		t.Error("a path outside /api/ was sent")
	}
	if _, err := c.Raw(context.Background(), RawRequest{Path: "/api/v2/x", Header: http.Header{"Authorization": {"Token token=other"}}}); err == nil {
		t.Error("an Authorization header was accepted")
	}
	if n := len(f.Requests()); n != 3 {
		t.Errorf("%d requests, want 3 (refused calls send nothing)", n)
	}
}

func TestRedact(t *testing.T) {
	c, _ := newTestClient(t, "http://127.0.0.1:1")
	got := c.Redact([]byte(`{"t":"` + testToken + `"}`))
	if bytes.Contains(got, []byte(testToken)) || string(got) != `{"t":"***"}` {
		t.Errorf("Redact: %s", got)
	}
}

func TestDebugShowsAJSONBodyAsText(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) { writeJSON(w, `{"code":0,"data":{}}`) })
	var dbg bytes.Buffer
	c, _ := newTestClient(t, f.URL, func(o *Options) { o.Debug = &dbg })
	_, err := c.Raw(context.Background(), RawRequest{Method: "POST", Path: "/api/v2/x",
		Body: []byte(`{"name":"甲","password":"hunter2","t":"` + testToken + `"}`), ContentType: "application/json"})
	if err != nil {
		t.Fatal(err)
	}
	out := dbg.String()
	if !strings.Contains(out, `"name":"甲"`) || strings.Contains(out, "hunter2") || strings.Contains(out, testToken) {
		t.Errorf("debug:\n%s", out)
	}
}
