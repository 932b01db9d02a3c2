package sandbox

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// startServe runs `sandbox serve` with args (on 127.0.0.1:0 unless --addr is given)
// until the test ends; mod adjusts the options. It returns the base URL and stderr.
func startServe(t *testing.T, env map[string]string, mod func(*ServeOptions), args ...string) (string, *syncBuffer) {
	t.Helper()
	f, _, _, errOut := testFactory(t, t.TempDir())
	f.Getenv = func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	ready := make(chan string, 1)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	serve := newCmdServe(f, func(o *ServeOptions) error {
		o.ready = func(u string) { ready <- u }
		if mod != nil {
			mod(o)
		}
		return serveRun(ctx, o)
	})
	serve.SetArgs(append([]string{"--addr", "127.0.0.1:0", "--memory", "--rate-limit", "off"}, args...))
	go func() { done <- serve.Execute() }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	select {
	case base := <-ready:
		return base, errOut
	case err := <-done:
		t.Fatalf("serve ended: %v\n%s", err, errOut.String())
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not start")
	}
	return "", nil
}

func loginForm(password string) url.Values {
	return url.Values{"login": {"13800000000"}, "password": {password}, "device": {"open_api"}, "version_code": {"9.9.9"}}
}

// postLogin posts a login with the given Host and Origin headers ("" for none) and
// returns the HTTP status and body.
func postLogin(t *testing.T, base, host, origin, password string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("POST", base+"/api/v2/auth/login", strings.NewReader(loginForm(password).Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if host != "" {
		req.Host = host
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// On loopback, only loopback Host names are served (no DNS rebinding), and no request
// a browser sends for another site's page (an Origin header) is.
func TestServeRefusesForeignHostAndOrigin(t *testing.T) {
	base, _ := startServe(t, nil, nil)
	port := base[strings.LastIndex(base, ":")+1:]
	for _, tc := range []struct {
		host, origin string
		ok           bool
	}{
		{"", "", true},
		{"localhost:" + port, "", true},
		{"[::1]:" + port, "", true},
		{"127.0.0.1:" + port, "http://127.0.0.1:" + port, true},
		{"evil.example:" + port, "", false},
		{"localhost.:" + port, "", false},
		{"127.0.0.1.nip.io:" + port, "", false},
		{"", "http://evil.example", false},
		{"", "null", false},
	} {
		status, body := postLogin(t, base, tc.host, tc.origin, "sandbox")
		if got := status == 200 && strings.Contains(body, "user_token"); got != tc.ok {
			t.Errorf("Host %q, Origin %q: HTTP %d %q, want served %v", tc.host, tc.origin, status, body, tc.ok)
		}
	}
}

// Listening on every address, any Host is served (the user chose to expose it), but
// browsers' cross-site requests still are not.
func TestServeNonLoopbackAcceptsAnyHost(t *testing.T) {
	base, _ := startServe(t, nil, nil, "--addr", "0.0.0.0:0")
	if status, body := postLogin(t, base, "crm-sandbox.lan", "", "sandbox"); status != 200 || !strings.Contains(body, "user_token") {
		t.Errorf("non-loopback server refused Host crm-sandbox.lan: %d %s", status, body)
	}
	if status, _ := postLogin(t, base, "", "http://evil.example", "sandbox"); status == 200 {
		t.Error("non-loopback server served a cross-site request")
	}
}

// The password may come from CRMCTL_SANDBOX_PASSWORD (out of ps); it is not printed.
func TestServePasswordFromEnvironment(t *testing.T) {
	base, errOut := startServe(t, map[string]string{EnvPassword: "env-secret-42"}, nil)
	if _, body := postLogin(t, base, "", "", "sandbox"); strings.Contains(body, "user_token") {
		t.Error("the default password still works")
	}
	if _, body := postLogin(t, base, "", "", "env-secret-42"); !strings.Contains(body, "user_token") {
		t.Errorf("the environment's password does not work: %s", body)
	}
	out := errOut.String()
	if strings.Contains(out, "env-secret-42") || !strings.Contains(out, "password from "+EnvPassword) {
		t.Errorf("stderr:\n%s", out)
	}
}

// A client that never finishes its body is cut off by the read timeout instead of
// holding the connection.
func TestServeClosesSlowBodies(t *testing.T) {
	lim := serveLimits{ReadHeader: time.Second, Read: 300 * time.Millisecond, Idle: time.Second, MaxConns: 8}
	base, _ := startServe(t, nil, func(o *ServeOptions) { o.limits = &lim })
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "POST /api/v2/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nlogin="); err != nil {
		t.Fatal(err)
	}
	// The server ends the connection (with or without an answer) instead of waiting
	// for the rest of the body; the deadline only keeps a broken server from hanging
	// the test.
	_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	_, err = io.ReadAll(bufio.NewReader(conn))
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatal("the server kept a connection with an unfinished body open")
	}
}

// At most MaxConns connections are served at once: one more waits until one closes.
func TestServeCapsConnections(t *testing.T) {
	lim := serveLimits{ReadHeader: 10 * time.Second, Read: 10 * time.Second, Idle: time.Minute, MaxConns: 1}
	base, _ := startServe(t, nil, func(o *ServeOptions) { o.limits = &lim })
	first, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	// A request on the first connection makes sure the server has accepted it.
	if _, err := io.WriteString(first, "GET /api/v2/user/info HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(first), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	answered := make(chan struct{})
	go func() {
		tr := &http.Transport{DisableKeepAlives: true}
		defer tr.CloseIdleConnections()
		resp, err := (&http.Client{Transport: tr}).PostForm(base+"/api/v2/auth/login", loginForm("sandbox"))
		if err == nil {
			resp.Body.Close()
		}
		close(answered)
	}()
	select {
	case <-answered:
		t.Fatal("a second connection was served while the first one, idle, held the only slot")
	case <-time.After(300 * time.Millisecond):
	}
	first.Close()
	select {
	case <-answered:
	case <-time.After(20 * time.Second):
		t.Fatal("the second connection was not served after the first one closed")
	}
}
