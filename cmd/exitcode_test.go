package cmd

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/crmctl/crmctl/internal/api"
	"github.com/crmctl/crmctl/internal/cmdutil"
	"github.com/crmctl/crmctl/internal/config"
	"github.com/crmctl/crmctl/internal/fields"
	"github.com/crmctl/crmctl/internal/i18n"
	"github.com/crmctl/crmctl/internal/prompter"
)

func TestExitCode(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("doing something: %w", err) }
	cases := []struct {
		err  error
		want int
	}{
		{nil, 0},
		{errors.New("boom"), 1},
		{cmdutil.UsageErrorf("bad"), 2},
		{wrap(&config.InvalidError{Err: errors.New("bad file")}), 2},
		{fields.Problems{&fields.Problem{Reason: i18n.M("x")}}, 2},
		{&fields.Problem{Reason: i18n.M("x")}, 2},
		{errors.New("unknown command \"x\" for \"crmctl\""), 2},
		{&cmdutil.AuthError{Err: errors.New("no token")}, 3},
		{wrap(&api.Error{Code: api.CodeUnauthorized}), 3},
		{&api.Error{Code: api.CodeInvalidApp}, 3},
		{api.ErrNoToken, 3},
		{&api.Error{Code: api.CodeRecordNotFound}, 1},
		{&api.Error{Code: 100422}, 1},
		{wrap(&api.NetworkError{Err: errors.New("refused")}), 4},
		{&api.ThrottledError{Attempts: 5}, 4},
		{context.DeadlineExceeded, 4},
		{&api.ResponseError{StatusCode: 502}, 4},
		{&api.ResponseError{StatusCode: 200}, 1},
		{&cmdutil.PartialError{Err: errors.New("3 rows failed")}, 5},
		{context.Canceled, 130},
		{wrap(cmdutil.ErrCancel), 130},
		{prompter.ErrCancelled, 130},
		{&cmdutil.SilentError{Code: 5}, 5},
	}
	for _, tc := range cases {
		if got := ExitCode(tc.err); got != tc.want {
			t.Errorf("ExitCode(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}

func TestHintFitsTheError(t *testing.T) {
	cases := []struct {
		err       error
		want, not string
	}{
		{api.ErrNoToken, "crmctl auth login", ""},
		{&api.Error{Code: api.CodeUnauthorized}, "crmctl auth login", ""},
		{&api.NetworkError{Err: errors.New("connection refused")}, "check the network", ""},
		{context.DeadlineExceeded, "--timeout", ""},
		{&api.ThrottledError{Attempts: 5, RetryAfter: 10 * time.Minute}, "wait, then run the command again", "network"},
		{&api.ResponseError{StatusCode: 502}, "try again later", "network"},
		{cmdutil.WithHint(&api.ThrottledError{Attempts: 1}, "its own"), "its own", "wait"},
		{&api.ResponseError{StatusCode: 200}, "", ""},
		{errors.New("boom"), "", ""},
	}
	for _, tc := range cases {
		got := hintFor(i18n.New(i18n.English), tc.err, ExitCode(tc.err))
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) || (tc.not != "" && strings.Contains(got, tc.not)) {
			t.Errorf("hint for %v: %q, want one with %q (and not %q)", tc.err, got, tc.want, tc.not)
		}
	}
}

func TestInterruptedMessage(t *testing.T) {
	get := &api.CanceledError{Method: "GET", Path: "/api/v2/common_customers/common_settings", Err: context.Canceled}
	post := &api.CanceledError{Method: "POST", Path: "/api/v2/auth/login", MaybeSent: true, Err: context.Canceled}
	cases := []struct {
		err  error
		want string
	}{
		{context.Canceled, "interrupted"},
		{cmdutil.ErrCancel, "interrupted"},
		{get, "interrupted"},
		{fmt.Errorf("listing pools: %w", get), "listing pools: interrupted"},
		{post, "interrupted (the POST /api/v2/auth/login request may have reached the server)"},
		// errors that explain themselves are printed as they are
		{fmt.Errorf("%w; nothing was sent", cmdutil.ErrCancel), "cancelled; nothing was sent"},
		{fmt.Errorf("interrupted: the customer may have been created: %w", post), "interrupted: the customer may have been created"},
		{fmt.Errorf("%w; the customer was not created", get), "GET /api/v2/common_customers/common_settings: context canceled; the customer was not created"},
	}
	for _, tc := range cases {
		if got := interruptedMessage(i18n.New(i18n.English), tc.err); got != tc.want {
			t.Errorf("interruptedMessage(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}

// A signal during a request: exit 130 and "interrupted", not the raw context error.
func TestInterruptDuringARequest(t *testing.T) {
	fake := newFakeAPI(t)
	r := newEnv(t, fake).runInterrupted(fake, "GET /api/v2/common_customers/common_settings", "pools", "list")
	if r.code != 130 || r.stderr != "crmctl: interrupted\n" || r.stdout != "" {
		t.Errorf("%s", r)
	}
}

func TestDebugRedactsTheToken(t *testing.T) {
	api := newFakeAPI(t)
	r := newEnv(t, api).run("", "--debug", "customers", "create", "--pool", "45", "--name", "x")
	if r.code != 0 {
		t.Fatal(r)
	}
	if !strings.Contains(r.stderr, "POST /api/v2/common_customers") || !strings.Contains(r.stderr, "GET /api/v2/common_customers/common_settings") {
		t.Errorf("no trace:\n%s", r.stderr)
	}
	if strings.Contains(r.stderr, testToken) || strings.Contains(r.stdout, testToken) {
		t.Errorf("the token leaked:\n%s", r.stderr)
	}
}

// closedPort is a loopback address where nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// A refused connection fails after one quick retry; at a terminal the retry is announced,
// the error says how many attempts were made, and --debug names the host and the back-off.
func TestRefusedConnectionExplainsItself(t *testing.T) {
	addr := closedPort(t)
	e := newEnv(t, nil)
	e.vars["CRMCTL_TOKEN"] = testToken
	e.vars["CRMCTL_BASE_URL"] = "http://" + addr

	r := e.runTTY(true, "", "pools", "list")
	if r.code != ExitNetwork || !strings.Contains(r.stderr, "connection refused; retrying (2/2) in 300ms…\n") || !strings.Contains(r.stderr, "(2 attempts)") {
		t.Errorf("at a terminal: %s", r)
	}
	r = e.run("", "pools", "list")
	if r.code != ExitNetwork || strings.Contains(r.stderr, "retrying") || !strings.Contains(r.stderr, "(2 attempts)") {
		t.Errorf("through a pipe: %s", r)
	}
	r = e.run("", "--debug", "pools", "list")
	if r.code != ExitNetwork || !strings.Contains(r.stderr, "to "+addr+" failed: ") || !strings.Contains(r.stderr, "* retrying (2/2) in 300ms") {
		t.Errorf("--debug: %s", r)
	}
}
