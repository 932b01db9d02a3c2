package sandbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Set(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).Add(d)
}

func TestThrottleSlidingWindow(t *testing.T) {
	clock := &fakeClock{}
	clock.Set(0)
	s := openMem(t, Options{RateLimit: 3, RateWindow: 10 * time.Second, Now: clock.Now})
	tok := defaultToken(t, s)
	okAt := func(at time.Duration) {
		t.Helper()
		clock.Set(at)
		if r := get(t, s, tok, "/api/v2/user/info"); r.status != 200 || r.code(t) != 0 {
			t.Fatalf("at %v: HTTP %d %s", at, r.status, r.body)
		}
	}
	throttledAt := func(at time.Duration, retryAfter string) {
		t.Helper()
		clock.Set(at)
		r := get(t, s, tok, "/api/v2/user/info")
		if r.status != http.StatusTooManyRequests || string(r.body) != "Retry later" ||
			!strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") || r.header.Get("Retry-After") != retryAfter {
			t.Fatalf("at %v: HTTP %d %q %q Retry-After %q, want 429 Retry later text/plain %s",
				at, r.status, r.body, r.header.Get("Content-Type"), r.header.Get("Retry-After"), retryAfter)
		}
	}
	okAt(0)
	okAt(time.Second)
	okAt(2 * time.Second)
	throttledAt(2*time.Second, "8")
	throttledAt(9500*time.Millisecond, "1") // ceil(0.5s)
	okAt(10 * time.Second)                  // the request at 0 left the window
	// A fixed window starting at 10s would allow two more now; a sliding one does not.
	throttledAt(10500*time.Millisecond, "1")
	okAt(11 * time.Second)
	okAt(12 * time.Second)
	throttledAt(12*time.Second, "8")

	// A throttled create is not processed.
	clock.Set(time.Minute)
	first := idOf(t, postForm(t, s, tok, "common_id=45").data(t))
	okAt(time.Minute)
	okAt(time.Minute)
	clock.Set(time.Minute)
	r := postForm(t, s, tok, "common_id=45&customer[name]=throttled")
	if r.status != http.StatusTooManyRequests {
		t.Fatalf("create not throttled: %d", r.status)
	}
	clock.Set(2 * time.Minute)
	next := idOf(t, postForm(t, s, tok, "common_id=45").data(t))
	if next != first+1 {
		t.Errorf("throttled create used an id: %d after %d", next, first)
	}
	found, _ := get(t, s, tok, "/api/v2/duplicates/matching_name?name=throttled").data(t)["customers"].([]any)
	if len(found) != 0 {
		t.Errorf("throttled create was stored: %v", found)
	}
}

func TestLimiterOff(t *testing.T) {
	s := openMem(t, Options{})
	tok := defaultToken(t, s)
	for i := 0; i < 50; i++ {
		if r := get(t, s, tok, "/api/v2/user/info"); r.status != 200 {
			t.Fatalf("request %d: HTTP %d", i, r.status)
		}
	}
}

// outcomes sends n requests through the in-memory transport and records each outcome.
func outcomes(t *testing.T, s *Server, tok string, n int) string {
	t.Helper()
	c := &http.Client{Transport: s.Transport()}
	var b strings.Builder
	for i := 0; i < n; i++ {
		req, _ := http.NewRequest("GET", "http://sandbox.invalid/api/v2/user/info", nil)
		req.Header.Set("Authorization", tokenHeader(tok))
		resp, err := c.Do(req)
		switch {
		case err != nil:
			if !errors.Is(err, ErrDropped) || !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("unexpected error: %v", err)
			}
			b.WriteByte('D')
		case resp.StatusCode == http.StatusBadGateway:
			body, _ := io.ReadAll(resp.Body)
			if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !bytes.Contains(body, []byte("502 Bad Gateway")) {
				t.Fatalf("502 without an HTML page: %q %s", resp.Header.Get("Content-Type"), body)
			}
			b.WriteByte('5')
		case resp.StatusCode == 200:
			body, _ := io.ReadAll(resp.Body)
			if !bytes.HasPrefix(body, []byte(`{"code":0,`)) {
				t.Fatalf("bad success: %s", body)
			}
			b.WriteByte('.')
		default:
			t.Fatalf("HTTP %d", resp.StatusCode)
		}
		if resp != nil {
			resp.Body.Close()
		}
	}
	return b.String()
}

func TestFaultInjection(t *testing.T) {
	s1 := openMem(t, Options{FailRate: 0.3, Seed: 42})
	s2 := openMem(t, Options{FailRate: 0.3, Seed: 42})
	a := outcomes(t, s1, defaultToken(t, s1), 400)
	b := outcomes(t, s2, defaultToken(t, s2), 400)
	if a != b {
		t.Errorf("same seed, different faults:\n%s\n%s", a, b)
	}
	drops, bad, good := strings.Count(a, "D"), strings.Count(a, "5"), strings.Count(a, ".")
	t.Logf("seed 42, rate 0.3: %d ok, %d 502, %d dropped", good, bad, drops)
	if drops == 0 || bad == 0 || good < 220 || good > 340 {
		t.Errorf("fault mix off for rate 0.3: %d ok, %d 502, %d dropped", good, bad, drops)
	}
	if none := outcomes(t, openMem(t, Options{}), defaultToken(t, s1), 0); none != "" {
		t.Error("impossible")
	}
}

func TestFaultsOverHTTP(t *testing.T) {
	s := openMem(t, Options{FailRate: 1, Seed: 7})
	tok := defaultToken(t, s)
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	var drops, bad int
	for i := 0; i < 30; i++ {
		req, _ := http.NewRequest("GET", srv.URL+"/api/v2/user/info", nil)
		req.Header.Set("Authorization", tokenHeader(tok))
		resp, err := c.Do(req)
		if err != nil {
			drops++
			continue
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadGateway || !bytes.Contains(body, []byte("<html>")) {
			t.Fatalf("fail rate 1 gave HTTP %d %s", resp.StatusCode, body)
		}
		bad++
	}
	if drops == 0 || bad == 0 {
		t.Errorf("over HTTP: %d dropped, %d 502", drops, bad)
	}
}

func TestTransportRoundTrip(t *testing.T) {
	var log bytes.Buffer
	s := openMem(t, Options{Log: &log})
	c := &http.Client{Transport: s.Transport()}
	resp, err := c.Post("http://127.0.0.1:8710/api/v2/auth/login", "application/x-www-form-urlencoded",
		strings.NewReader(loginForm(DefaultLogin, DefaultPassword)))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Request == nil || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("login: %d %v %s", resp.StatusCode, resp.Header, body)
	}
	tok := resp2(t, body)["user_token"].(string)
	req, _ := http.NewRequest("POST", "http://127.0.0.1:8710/api/v2/common_customers",
		strings.NewReader(`{"common_id":45,"customer":{"name":"内存传输公司","status":"7"}}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", tokenHeader(tok))
	resp, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if d := resp2(t, body); d["name"] != "内存传输公司" || d["status_mapped"] != "初访" {
		t.Errorf("create: %s", body)
	}
	// Unknown route: a real 404.
	resp, err = c.Get("http://127.0.0.1:8710/nothing")
	if err != nil || resp.StatusCode != 404 {
		t.Errorf("404: %v %v", resp, err)
	}
	resp.Body.Close()
	lines := strings.Split(strings.TrimSpace(log.String()), "\n")
	if len(lines) != 3 || !strings.Contains(lines[0], "POST /api/v2/auth/login 200 code=0") ||
		!strings.Contains(lines[1], "POST /api/v2/common_customers 200 code=0") || !strings.Contains(lines[2], "GET /nothing 404 code=-") {
		t.Errorf("log:\n%s", log.String())
	}
}

func resp2(t *testing.T, body []byte) map[string]any {
	t.Helper()
	return resp{status: 200, body: body}.data(t)
}

func TestTransportContext(t *testing.T) {
	s := openMem(t, Options{Latency: 5 * time.Second})
	c := &http.Client{Transport: s.Transport()}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", "http://x/api/v2/departments", nil)
	start := time.Now()
	resp, err := c.Do(req)
	if err == nil {
		resp.Body.Close()
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want deadline exceeded", err)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("returned after %v: latency not context-aware", el)
	}
	ctx2, cancel2 := context.WithCancel(context.Background())
	cancel2()
	req, _ = http.NewRequestWithContext(ctx2, "GET", "http://x/api/v2/departments", nil)
	resp, err = c.Do(req)
	if err == nil {
		resp.Body.Close()
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
}

func TestLatency(t *testing.T) {
	s := openMem(t, Options{Latency: 60 * time.Millisecond})
	start := time.Now()
	do(t, s.Handler(), "GET", "/api/v2/departments", nil, nil)
	if el := time.Since(start); el < 60*time.Millisecond {
		t.Errorf("answered after %v, latency 60ms", el)
	}
}

func TestLogNeverShowsToken(t *testing.T) {
	var log bytes.Buffer
	s := openMem(t, Options{Log: &log})
	tok := defaultToken(t, s)
	do(t, s.Handler(), "GET", "/api/v2/user/info?user_token="+tok+"&device=open_api&version_code=9.9.9", nil, nil)
	if strings.Contains(log.String(), tok) || !strings.Contains(log.String(), "GET /api/v2/user/info 200 code=0") {
		t.Errorf("log: %s", log.String())
	}
}

func TestDefaultToken(t *testing.T) {
	s := openMem(t, Options{})
	a := defaultToken(t, s)
	if !hex32.MatchString(a) {
		t.Fatalf("token %q", a)
	}
	if b := defaultToken(t, s); b != a {
		t.Errorf("second call made a new token %s (ends the first)", b)
	}
	if r := get(t, s, a, "/api/v2/user/info"); r.code(t) != 0 {
		t.Errorf("default token refused: %s", r.body)
	}
	l := login(t, s)
	if r := get(t, s, a, "/api/v2/user/info"); r.code(t) != CodeUnauthorized {
		t.Errorf("a login did not end the default token: %s", r.body)
	}
	if c := defaultToken(t, s); c != l {
		t.Errorf("DefaultToken = %s, want the live login token %s", c, l)
	}
}

func TestParseRate(t *testing.T) {
	for in, want := range map[string]string{
		"10/10s": "10 10s", "100/1s": "100 1s", "off": "0 0s", "OFF": "0 0s", "": "0 0s", "5/m": "5 1m0s", " 3 / 2s ": "3 2s",
	} {
		n, w, err := ParseRate(in)
		if err != nil || fmt.Sprintf("%d %v", n, w) != want {
			t.Errorf("ParseRate(%q) = %d %v %v, want %s", in, n, w, err, want)
		}
	}
	for _, in := range []string{"abc", "10", "10/", "-1/10s", "0/10s", "10/0s", "10/-1s", "x/10s", "10/abc"} {
		if _, _, err := ParseRate(in); err == nil {
			t.Errorf("ParseRate(%q): no error", in)
		}
	}
}

func TestOversizedBodyOverHTTP(t *testing.T) {
	s := openMem(t, Options{})
	tok := defaultToken(t, s)
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	for i := 0; i < 2; i++ { // twice: the connection stays usable or is replaced cleanly
		req, _ := http.NewRequest("POST", srv.URL+"/api/v2/common_customers",
			strings.NewReader("common_id=45&customer[note]="+strings.Repeat("x", 4<<20)))
		req.Header.Set("Authorization", tokenHeader(tok))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !bytes.Contains(body, []byte(`"code":100413`)) {
			t.Errorf("oversized body: HTTP %d %s", resp.StatusCode, body)
		}
	}
}
