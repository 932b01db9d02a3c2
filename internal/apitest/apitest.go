// Package apitest is the one fake ikcrm API for tests: a loopback HTTP server that
// answers from stubs registered by method and path, records every request, and checks
// at the end of the test that every stub it was told to expect was used.
//
// A test starts one with New, points the client at Server.URL, and registers stubs:
//
//	srv := apitest.New(t)
//	srv.Register("GET", "/api/v2/user/info", apitest.OK(map[string]any{"id": 2}))
//	srv.Register("POST", "/api/v2/common_customers", apitest.Sequence(
//		apitest.Status(http.StatusServiceUnavailable, ""),
//		apitest.Data(`{"id":18,"name":"贸易公司"}`),
//	)).Times(2)
//	srv.Register("GET", "/api/v2/common_customers/{id}", apitest.APIError(100100, "记录不存在", "active_record/record_not_found")).Always()
//
// Stubs:
//   - Register(method, pattern, responder) adds a stub that expects exactly one request;
//     Stub.Times(n) expects n, Stub.Always() any number including none (canned routes).
//     Stub.Query(key, value) narrows a stub to requests with that query value.
//   - A pattern is a path, matched against the path as sent (escaped); a segment {name}
//     matches any one segment and {name...} the rest of the path. The responder reads
//     them, unescaped, with r.PathValue(name).
//   - Configure a stub (Times, Always, Query) before the requests it answers arrive.
//   - A request goes to the first expected (counted) stub, in registration order, that
//     matches and is not used up; failing that to the newest matching Always stub, so a
//     test can override a canned route by registering another; failing that to the
//     Fallback handler; with none, the test fails and the answer is 404.
//   - Guard(f) runs f on every request first: when f returns a Responder, that answers
//     instead of the stubs (for example, TokenExpired for a request without the token).
//
// Responders (a Responder is any func(http.ResponseWriter, *http.Request), so an
// http.HandlerFunc or a handler's ServeHTTP fits): JSON (a body as written), OK and Data
// (the {"code":0,"data":...} envelope), APIError and TokenExpired (a non-zero code),
// Status (an HTTP status with a body), HangUp (the connection closed without an
// answer), Sequence (one answer per call, the last repeated). Nth(r) is the request's
// number on its server (1-based), for handlers that answer by call.
//
// Records: Requests returns every request received (method, path, query, headers, body
// and, for a form, its values), Count counts those to one method and path, Reset forgets
// them. Verify (run at the end of the test, or earlier by hand) fails the test for each
// expected stub not used as many times as expected.
//
// Token and Authorization are the token the fakes use and the exact header the client
// sends with it.
package apitest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// Token is a well-formed API token for tests.
const Token = "0123456789abcdef0123456789abcdef"

// Authorization is the Authorization header the client sends with Token (the API
// documentation's exact form).
const Authorization = "Token token=" + Token + ", device=open_api, version_code=9.9.9"

// A Responder writes the answer to one request. The request's body can be read again
// (the server has recorded it).
type Responder func(w http.ResponseWriter, r *http.Request)

// Request is one request the server received.
type Request struct {
	Method string
	// Path is the path as sent (escaped); RawQuery and Query are its query.
	Path     string
	RawQuery string
	Query    url.Values
	Host     string
	Header   http.Header
	Body     string
	// Form holds the body's values when it is form-encoded (empty otherwise).
	Form url.Values
}

// String is "METHOD /path".
func (r Request) String() string { return r.Method + " " + r.Path }

// Server is a fake API server. Its methods are safe for use by concurrent requests.
type Server struct {
	// URL is the server's base URL, http://127.0.0.1:port.
	URL string

	t   testing.TB
	srv *httptest.Server

	mu       sync.Mutex
	stubs    []*Stub
	reqs     []Request
	guards   []func(*http.Request) Responder
	fallback Responder
}

// New starts a fake API server for the test; it is closed and verified (Verify) when
// the test ends.
func New(t testing.TB) *Server {
	t.Helper()
	s := &Server{t: t}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	t.Cleanup(func() {
		s.srv.Close()
		s.Verify()
	})
	return s
}

// Close shuts the server down at once (later requests fail to connect); the test's end
// still verifies the stubs.
func (s *Server) Close() { s.srv.Close() }

// Register adds a stub for requests with method and a path matching pattern, answered
// by r. It expects exactly one request; see Stub.Times and Stub.Always.
func (s *Server) Register(method, pattern string, r Responder) *Stub {
	st := &Stub{method: method, pattern: pattern, segs: splitPath(pattern), responder: r, times: 1}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stubs = append(s.stubs, st)
	return st
}

// Guard adds a check run on every request before the stubs; when f returns a
// Responder, it answers the request.
func (s *Server) Guard(f func(r *http.Request) Responder) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.guards = append(s.guards, f)
}

// Fallback sets the answer to requests no stub matches (for example a whole fake CRM's
// handler, or http.NotFound). Without one, such a request fails the test.
func (s *Server) Fallback(r Responder) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fallback = r
}

// Requests returns the requests received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.reqs...)
}

// Count returns how many requests with method and path (as sent, or unescaped) were
// received.
func (s *Server) Count(method, path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.reqs {
		if r.Method == method && (r.Path == path || unescape(r.Path) == path) {
			n++
		}
	}
	return n
}

// Reset forgets the requests received so far (the stubs keep their counts).
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs = nil
}

// Verify fails the test for each expected stub that was not used as often as expected.
func (s *Server) Verify() {
	s.t.Helper()
	for _, p := range s.Pending() {
		s.t.Errorf("apitest: stub not used as expected: %s", p)
	}
}

// Pending describes the expected stubs not yet used as often as expected.
func (s *Server) Pending() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, st := range s.stubs {
		if !st.always && st.calls != st.times {
			out = append(out, fmt.Sprintf("%s %s%s: %d of %d calls", st.method, st.pattern, st.queryText(), st.calls, st.times))
		}
	}
	return out
}

type nthKey struct{}

// Nth returns the number of the request on its server (1 for the first), or 0 for a
// request that did not come through a Server.
func Nth(r *http.Request) int {
	n, _ := r.Context().Value(nthKey{}).(int)
	return n
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	rec := Request{Method: r.Method, Path: r.URL.EscapedPath(), RawQuery: r.URL.RawQuery, Query: r.URL.Query(),
		Host: r.Host, Header: r.Header.Clone(), Body: string(body), Form: url.Values{}}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		if form, err := url.ParseQuery(string(body)); err == nil {
			rec.Form = form
		}
	}
	s.mu.Lock()
	s.reqs = append(s.reqs, rec)
	n := len(s.reqs)
	guards := append([]func(*http.Request) Responder(nil), s.guards...)
	s.mu.Unlock()
	r = r.WithContext(context.WithValue(r.Context(), nthKey{}, n))

	for _, g := range guards {
		if resp := g(r); resp != nil {
			resp(w, r)
			return
		}
	}
	if resp := s.match(r); resp != nil {
		resp(w, r)
		return
	}
	s.t.Errorf("apitest: no stub for %s %s", r.Method, r.URL.RequestURI())
	http.NotFound(w, r)
}

// match picks the stub for r (counting the call) and returns its responder, or the
// fallback, or nil.
func (s *Server) match(r *http.Request) Responder {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, st := range s.stubs {
		if !st.always && st.calls < st.times && st.matches(r) {
			st.calls++
			return st.responder
		}
	}
	for i := len(s.stubs) - 1; i >= 0; i-- {
		if st := s.stubs[i]; st.always && st.matches(r) {
			st.calls++
			return st.responder
		}
	}
	return s.fallback
}

// Stub is one registered answer.
type Stub struct {
	method, pattern string
	segs            []string
	query           url.Values
	responder       Responder
	times, calls    int
	always          bool
}

// Times makes the stub expect exactly n requests (it answers no more).
func (st *Stub) Times(n int) *Stub {
	st.times = n
	return st
}

// Always makes the stub answer any number of requests, none included.
func (st *Stub) Always() *Stub {
	st.always = true
	return st
}

// Query narrows the stub to requests whose query has key set to value.
func (st *Stub) Query(key, value string) *Stub {
	if st.query == nil {
		st.query = url.Values{}
	}
	st.query.Set(key, value)
	return st
}

func (st *Stub) queryText() string {
	if len(st.query) == 0 {
		return ""
	}
	return "?" + st.query.Encode()
}

// matches reports whether r is for the stub, and sets r's path values if so.
func (st *Stub) matches(r *http.Request) bool {
	if r.Method != st.method {
		return false
	}
	q := r.URL.Query()
	for k := range st.query {
		if q.Get(k) != st.query.Get(k) {
			return false
		}
	}
	vals, ok := matchPath(st.segs, splitPath(r.URL.EscapedPath()))
	if !ok {
		return false
	}
	for k, v := range vals {
		r.SetPathValue(k, v)
	}
	return true
}

func splitPath(p string) []string {
	return strings.Split(strings.TrimPrefix(p, "/"), "/")
}

// matchPath matches a path's segments against a pattern's, returning the wildcards'
// values.
func matchPath(pat, segs []string) (map[string]string, bool) {
	vals := map[string]string{}
	for i, p := range pat {
		name, wild := strings.CutPrefix(p, "{")
		name, _ = strings.CutSuffix(name, "}")
		if wild && strings.HasSuffix(name, "...") {
			vals[strings.TrimSuffix(name, "...")] = unescape(strings.Join(segs[min(i, len(segs)):], "/"))
			return vals, true
		}
		if i >= len(segs) {
			return nil, false
		}
		switch {
		case wild && segs[i] != "":
			vals[name] = unescape(segs[i])
		case p != segs[i]:
			return nil, false
		}
	}
	return vals, len(pat) == len(segs)
}

func unescape(p string) string {
	if u, err := url.PathUnescape(p); err == nil {
		return u
	}
	return p
}
