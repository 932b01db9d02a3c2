package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func openMem(t testing.TB, opts Options) *Server {
	t.Helper()
	opts.Memory = true
	s, err := Open(opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func openDir(t testing.TB, dir string) *Server {
	t.Helper()
	s, err := Open(Options{DataDir: dir})
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func tokenHeader(tok string) string {
	return "Token token=" + tok + ", device=open_api, version_code=9.9.9"
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) json(t testing.TB) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(r.body))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("body is not a JSON object (%v): %q", err, r.body)
	}
	if r.status != http.StatusOK {
		t.Fatalf("envelope with HTTP %d, want 200: %s", r.status, r.body)
	}
	return m
}

func (r resp) code(t testing.TB) int64 {
	t.Helper()
	m := r.json(t)
	n, ok := m["code"].(json.Number)
	if !ok {
		t.Fatalf("no numeric code in %s", r.body)
	}
	c, _ := n.Int64()
	return c
}

func (r resp) data(t testing.TB) map[string]any {
	t.Helper()
	m := r.json(t)
	if c := m["code"].(json.Number).String(); c != "0" {
		t.Fatalf("code %s, want 0: %s", c, r.body)
	}
	d, ok := m["data"].(map[string]any)
	if !ok {
		t.Fatalf("data is not an object: %s", r.body)
	}
	return d
}

// do serves one request with h. hdr may set Authorization and Content-Type.
func do(t testing.TB, h http.Handler, method, target string, body io.Reader, hdr map[string]string) resp {
	t.Helper()
	req := httptest.NewRequest(method, target, body)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return resp{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}

func get(t testing.TB, s *Server, tok, target string) resp {
	t.Helper()
	return do(t, s.Handler(), "GET", target, nil, map[string]string{"Authorization": tokenHeader(tok)})
}

func postForm(t testing.TB, s *Server, tok string, form string) resp {
	t.Helper()
	return do(t, s.Handler(), "POST", "/api/v2/common_customers", strings.NewReader(form), map[string]string{
		"Authorization": tokenHeader(tok), "Content-Type": "application/x-www-form-urlencoded"})
}

func postJSON(t testing.TB, s *Server, tok string, body string) resp {
	t.Helper()
	return do(t, s.Handler(), "POST", "/api/v2/common_customers", strings.NewReader(body), map[string]string{
		"Authorization": tokenHeader(tok), "Content-Type": "application/json"})
}

// transfer sends PUT /api/v2/common_customers/:id/transfer with a form body.
func transfer(t testing.TB, s *Server, tok string, id any, form string) resp {
	t.Helper()
	return do(t, s.Handler(), "PUT", fmt.Sprintf("/api/v2/common_customers/%v/transfer", id), strings.NewReader(form), map[string]string{
		"Authorization": tokenHeader(tok), "Content-Type": "application/x-www-form-urlencoded"})
}

func loginForm(login, password string) string {
	return url.Values{"login": {login}, "password": {password}, "device": {"open_api"}, "version_code": {"9.9.9"}}.Encode()
}

func login(t testing.TB, s *Server) string {
	t.Helper()
	l, p := s.Account()
	r := do(t, s.Handler(), "POST", "/api/v2/auth/login", strings.NewReader(loginForm(l, p)),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	tok, _ := r.data(t)["user_token"].(string)
	if tok == "" {
		t.Fatalf("no token: %s", r.body)
	}
	return tok
}

func defaultToken(t testing.TB, s *Server) string {
	t.Helper()
	tok, err := s.DefaultToken(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func idOf(t testing.TB, d map[string]any) int64 {
	t.Helper()
	n, ok := d["id"].(json.Number)
	if !ok {
		t.Fatalf("no id in %v", d)
	}
	id, err := n.Int64()
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// sameJSON reports whether body and want hold the same JSON value (key order aside).
func sameJSON(t testing.TB, body []byte, want string) bool {
	t.Helper()
	var a, b any
	if err := json.Unmarshal(body, &a); err != nil {
		t.Fatalf("body is not JSON (%v): %q", err, body)
	}
	if err := json.Unmarshal([]byte(want), &b); err != nil {
		t.Fatalf("want is not JSON: %v", err)
	}
	return reflect.DeepEqual(a, b)
}

func str(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case nil:
		return "<nil>"
	}
	b, _ := json.Marshal(v)
	return string(b)
}
