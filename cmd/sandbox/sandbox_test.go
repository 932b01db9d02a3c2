package sandbox

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crmctl/crmctl/internal/cmdutil"
	"github.com/crmctl/crmctl/internal/config"
	"github.com/crmctl/crmctl/internal/iostreams"
	"github.com/crmctl/crmctl/internal/sandbox"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func testFactory(t *testing.T, dataDir string) (*cmdutil.Factory, *iostreams.IOStreams, *bytes.Buffer, *syncBuffer) {
	t.Helper()
	ios, in, _, _ := iostreams.Test()
	errOut := &syncBuffer{}
	ios.ErrOut = errOut
	f := &cmdutil.Factory{
		IOStreams: ios,
		Settings: func() (*config.Settings, error) {
			return &config.Settings{DataDir: dataDir}, nil
		},
	}
	return f, ios, in, errOut
}

func TestServeFlags(t *testing.T) {
	f, _, _, _ := testFactory(t, t.TempDir())
	var got *ServeOptions
	run := func(args ...string) error {
		cmd := newCmdServe(f, func(o *ServeOptions) error { got = o; return nil })
		cmd.SetArgs(args)
		cmd.SetOut(io.Discard)
		cmd.SetErr(io.Discard)
		return cmd.Execute()
	}
	if err := run(); err != nil {
		t.Fatal(err)
	}
	if got.Addr != "127.0.0.1:8710" || got.Rate != "10/10s" || got.Login != "13800000000" || got.Password != "sandbox" || got.Memory {
		t.Errorf("defaults: %+v", got)
	}
	if err := run("--addr", "127.0.0.1:0", "--rate-limit", "off", "--latency", "200ms", "--fail-rate", "0.25",
		"--data", "/tmp/x", "--login", "13900000000", "--password", "pw"); err != nil {
		t.Fatal(err)
	}
	if got.Rate != "off" || got.Latency != 200*time.Millisecond || got.FailRate != 0.25 || got.Data != "/tmp/x" || got.Login != "13900000000" {
		t.Errorf("flags: %+v", got)
	}
	for _, args := range [][]string{
		{"--rate-limit", "abc"},
		{"--rate-limit", "0/10s"},
		{"--fail-rate", "2"},
		{"--fail-rate", "-0.1"},
		{"--latency", "-1s"},
		{"--memory", "--data", "/tmp/x"},
		{"--addr", ""},
	} {
		err := run(args...)
		var ue *cmdutil.UsageError
		if !errors.As(err, &ue) {
			t.Errorf("%v: err = %v, want a usage error", args, err)
		}
	}
}

func TestServeRunsAndStops(t *testing.T) {
	f, _, _, errOut := testFactory(t, t.TempDir())
	ready := make(chan string, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	serve := newCmdServe(f, func(o *ServeOptions) error {
		o.ready = func(u string) { ready <- u }
		return serveRun(ctx, o)
	})
	serve.SetArgs([]string{"--addr", "127.0.0.1:0", "--rate-limit", "off"})
	go func() { done <- serve.Execute() }()
	var base string
	select {
	case base = <-ready:
	case err := <-done:
		t.Fatalf("serve ended: %v\n%s", err, errOut.String())
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not start")
	}
	if !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("base URL %q", base)
	}
	resp, err := http.PostForm(base+"/api/v2/auth/login", url.Values{
		"login": {"13800000000"}, "password": {"sandbox"}, "device": {"open_api"}, "version_code": {"9.9.9"}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Contains(body, []byte(`"user_token"`)) {
		t.Errorf("login over HTTP: %s", body)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve returned %v after cancellation", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop on cancellation")
	}
	out := errOut.String()
	for _, want := range []string{
		"listening on " + base, "login 13800000000, password sandbox", "CRMCTL_BASE_URL=" + base + " crmctl auth login",
		"POST /api/v2/auth/login 200 code=0", "stopped",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stderr lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "warning") {
		t.Errorf("warning on loopback:\n%s", out)
	}
}

func TestServeReportsBusyPort(t *testing.T) {
	f, _, _, _ := testFactory(t, t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan string, 1)
	first := newCmdServe(f, func(o *ServeOptions) error {
		o.ready = func(u string) { ready <- u }
		return serveRun(ctx, o)
	})
	first.SetArgs([]string{"--addr", "127.0.0.1:0", "--memory"})
	done := make(chan error, 1)
	go func() { done <- first.Execute() }()
	base := <-ready
	second := newCmdServe(f, nil)
	second.SetArgs([]string{"--addr", strings.TrimPrefix(base, "http://"), "--memory"})
	second.SetContext(ctx)
	if err := second.Execute(); err == nil || !strings.Contains(err.Error(), "listen") {
		t.Errorf("second server on a busy port: %v", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("first server: %v", err)
	}
}

func TestIsLoopback(t *testing.T) {
	for host, want := range map[string]bool{
		"127.0.0.1": true, "localhost": true, "::1": true, "[::1]": true, "127.1.2.3": true,
		"0.0.0.0": false, "": false, "192.168.1.5": false, "example.com": false,
	} {
		if got := isLoopback(host); got != want {
			t.Errorf("isLoopback(%q) = %v", host, got)
		}
	}
}

func TestResetNeedsYesWithoutTerminal(t *testing.T) {
	f, _, _, _ := testFactory(t, t.TempDir())
	cmd := newCmdReset(f, nil)
	cmd.SetArgs(nil)
	err := cmd.Execute()
	var ue *cmdutil.UsageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "--yes") {
		t.Errorf("err = %v, want a usage error naming --yes", err)
	}
}

func seedCustomer(t *testing.T, dir string) (*sandbox.Server, string) {
	t.Helper()
	s, err := sandbox.Open(sandbox.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := s.DefaultToken(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	return s, tok
}

func tokenWorks(t *testing.T, dir, tok string) bool {
	t.Helper()
	s, err := sandbox.Open(sandbox.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	req, _ := http.NewRequest("GET", "http://x/api/v2/user/info", nil)
	req.Header.Set("Authorization", "Token token="+tok+", device=open_api, version_code=9.9.9")
	resp, err := (&http.Client{Transport: s.Transport()}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return bytes.HasPrefix(body, []byte(`{"code":0`))
}

func TestResetWithYes(t *testing.T) {
	dir := t.TempDir()
	_, tok := seedCustomer(t, dir)
	f, _, _, errOut := testFactory(t, dir)
	cmd := newCmdReset(f, nil)
	cmd.SetArgs([]string{"--yes"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if tokenWorks(t, dir, tok) {
		t.Error("the store was not reset (old token still live)")
	}
	if !strings.Contains(errOut.String(), "reset") || !strings.Contains(errOut.String(), "Every sandbox token ended with it") {
		t.Errorf("stderr: %s", errOut.String())
	}
}

func TestResetPrompts(t *testing.T) {
	for _, c := range []struct {
		answer string
		reset  bool
	}{{"y\n", true}, {"yes\n", true}, {"n\n", false}, {"\n", false}, {"", false}} {
		dir := t.TempDir()
		_, tok := seedCustomer(t, dir)
		f, ios, in, errOut := testFactory(t, dir)
		ios.SetStdinTTY(true)
		ios.SetStdoutTTY(true)
		in.WriteString(c.answer)
		cmd := newCmdReset(f, nil)
		cmd.SetArgs(nil)
		err := cmd.Execute()
		if c.reset && err != nil || !c.reset && !errors.Is(err, cmdutil.ErrCancel) {
			t.Errorf("answer %q: err = %v", c.answer, err)
		}
		if !strings.Contains(errOut.String(), "[y/N]") {
			t.Errorf("answer %q: no prompt: %s", c.answer, errOut.String())
		}
		if got := !tokenWorks(t, dir, tok); got != c.reset {
			t.Errorf("answer %q: reset = %v", c.answer, got)
		}
	}
}

func TestCommandsHaveExamples(t *testing.T) {
	f, _, _, _ := testFactory(t, t.TempDir())
	root := NewCmdSandbox(f)
	for _, c := range append(root.Commands(), root) {
		if strings.TrimSpace(c.Example) == "" {
			t.Errorf("%s has no Example", c.CommandPath())
		}
	}
}

func TestNewCmdResetFlags(t *testing.T) {
	f, _, _, _ := testFactory(t, t.TempDir())
	var got *ResetOptions
	cmd := newCmdReset(f, func(o *ResetOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--yes", "--data", "some/folder"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got == nil || !got.Yes || got.Data != "some/folder" {
		t.Errorf("options = %+v, want Yes and Data some/folder", got)
	}
}
