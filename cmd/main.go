// Package cmd holds crmctl's commands. Main builds the dependencies, runs the root
// command and maps errors to exit codes; it is the only place that prints an error.
package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/crmctl/crmctl/internal/api"
	"github.com/crmctl/crmctl/internal/cmdutil"
	"github.com/crmctl/crmctl/internal/config"
	"github.com/crmctl/crmctl/internal/fields"
	"github.com/crmctl/crmctl/internal/i18n"
	"github.com/crmctl/crmctl/internal/iostreams"
	"github.com/crmctl/crmctl/internal/output"
	"github.com/crmctl/crmctl/internal/prompter"
	"github.com/crmctl/crmctl/internal/team"
)

// Exit codes of the contract.
const (
	ExitOK          = 0
	ExitError       = 1
	ExitUsage       = 2
	ExitAuth        = 3
	ExitNetwork     = 4
	ExitPartial     = 5
	ExitInterrupted = 130
)

// Main runs crmctl with the process's arguments, streams and environment.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return Run(ctx, iostreams.System(), os.Args[1:], config.OSEnv)
}

// Run runs crmctl with the given arguments and returns the exit code.
func Run(ctx context.Context, ios *iostreams.IOStreams, args []string, env func(string) (string, bool)) int {
	f, cleanup := NewFactory(ctx, ios, env)
	defer cleanup()
	return Execute(ctx, f, args)
}

// Execute runs the command tree on a built factory (tests swap its Prompter) and
// returns the exit code.
func Execute(ctx context.Context, f *cmdutil.Factory, args []string) int {
	ios := f.IOStreams
	root := NewRootCmd(f)
	root.SetArgs(args)
	root.SetIn(ios.In)
	root.SetOut(ios.Out)
	root.SetErr(ios.ErrOut)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	code := ExitCode(err)
	printError(f, err, code)
	return code
}

// ExitCode maps an error to the contract's exit code.
func ExitCode(err error) int {
	var (
		usage     *cmdutil.UsageError
		invalid   *config.InvalidError
		problem   *fields.Problem
		problems  fields.Problems
		authLocal *cmdutil.AuthError
		apiErr    *api.Error
		netErr    *api.NetworkError
		throttled *api.ThrottledError
		respErr   *api.ResponseError
		partial   *cmdutil.PartialError
		silent    *cmdutil.SilentError
		teamErr   *team.UnavailableError
	)
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &silent):
		return silent.Code
	case errors.Is(err, cmdutil.ErrCancel), errors.Is(err, prompter.ErrCancelled), errors.Is(err, context.Canceled):
		return ExitInterrupted
	case errors.As(err, &usage), errors.As(err, &invalid), errors.As(err, &problem), errors.As(err, &problems):
		return ExitUsage
	case errors.As(err, &authLocal), errors.Is(err, api.ErrNoToken):
		return ExitAuth
	case errors.As(err, &apiErr):
		if apiErr.IsAuth() {
			return ExitAuth
		}
		return ExitError
	case errors.As(err, &partial):
		return ExitPartial
	case errors.As(err, &netErr), errors.As(err, &throttled), errors.Is(err, context.DeadlineExceeded),
		errors.As(err, &teamErr):
		return ExitNetwork
	case errors.As(err, &respErr):
		if respErr.StatusCode >= 500 {
			return ExitNetwork
		}
		return ExitError
	case isCobraUsage(err):
		return ExitUsage
	default:
		return ExitError
	}
}

// isCobraUsage recognises the errors cobra makes itself for bad commands and arguments.
func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "accepts ", "requires at least", "requires at most", "invalid argument", "flag needs an argument", "required flag"} {
		if strings.HasPrefix(msg, p) || strings.Contains(msg, " "+p) {
			return true
		}
	}
	return false
}

// hintFor chooses the line printed under an error, in tr's language: the hint the
// error carries, else one that fits its class.
func hintFor(tr *i18n.Printer, err error, code int) string {
	var (
		h         *cmdutil.HintError
		throttled *api.ThrottledError
		respErr   *api.ResponseError
		apiErr    *api.Error
	)
	switch {
	case errors.As(err, &h):
		return h.LocalHint(tr)
	case errors.As(err, &apiErr) && apiErr.EndedElsewhere():
		return tr.Sprintf("a newer login of this account ended this token: on another machine, in a CI job, or by a crmctl with another config file. `crmctl auth login` gets a new one, and ends that session in turn")
	case code == ExitNetwork && errors.As(err, &throttled):
		return tr.Sprintf("the API limits how many requests an account may send: wait, then run the command again")
	case code == ExitNetwork && errors.As(err, &respErr):
		return tr.Sprintf("the server failed to answer the request: try again later; --debug shows each request")
	case code == ExitNetwork && errors.As(err, new(*team.UnavailableError)):
		return tr.Sprintf("nothing was sent: check that the team's Redis runs and that CRMCTL_REDIS_URL (or the profile's redis_url) names it")
	}
	switch code {
	case ExitAuth:
		return tr.Sprintf("run `crmctl auth login`, or set CRMCTL_TOKEN (try `--sandbox` for the local emulator)")
	case ExitNetwork:
		return tr.Sprintf("check the network and --base-url; --timeout bounds each call's wait, retries included, and --debug shows each attempt")
	}
	return ""
}

// interruptedMessage says "interrupted" for a bare signal or cancel, and for a request
// cut short by one ("GET /api/v2/…: context canceled", also under a prefix such as
// "listing pools: "). Commands wrap a cancellation with what was left undone; such an
// error explains itself and is printed as it is. It speaks tr's language.
func interruptedMessage(tr *i18n.Printer, err error) string {
	// Only a bare cancellation: a wrapped one says what was left undone and is printed as it is.
	if err == context.Canceled || err == prompter.ErrCancelled || err == cmdutil.ErrCancel { //nolint:errorlint // identity on purpose, see above
		return tr.Sprintf("interrupted")
	}
	msg := tr.Error(err)
	raw := context.Canceled.Error()
	var ce *api.CanceledError
	if errors.As(err, &ce) {
		raw = ce.Error()
	}
	if !strings.HasSuffix(msg, raw) {
		return msg
	}
	prefix := strings.TrimRight(strings.TrimSuffix(msg, raw), ":; ：")
	switch lower := strings.ToLower(prefix); {
	case prefix == "" && ce != nil && ce.MaybeSent && ce.Method != "GET":
		return tr.Sprintf("interrupted (the %s %s request may have reached the server)", ce.Method, ce.Path)
	case prefix == "":
		return tr.Sprintf("interrupted")
	case strings.Contains(lower, "interrupt"), strings.Contains(lower, "cancel"), strings.Contains(prefix, "中断"), strings.Contains(prefix, "取消"):
		return prefix // it says so already; the raw cause adds nothing
	default:
		return tr.Sprintf("%s: interrupted", prefix)
	}
}

func printError(f *cmdutil.Factory, err error, code int) {
	var silent *cmdutil.SilentError
	if errors.As(err, &silent) {
		return
	}
	errOut := f.IOStreams.ErrOut
	tr := f.IOStreams.T()
	msg := tr.Error(err)
	if code == ExitInterrupted {
		msg = interruptedMessage(tr, err)
	}
	if f.WantsJSON() {
		obj := map[string]any{"exit_code": code, "message": msg}
		var apiErr *api.Error
		if errors.As(err, &apiErr) {
			obj["api_code"] = apiErr.Code
			if apiErr.Key != "" {
				obj["api_error"] = apiErr.Key
			}
		}
		b, _ := output.Marshal(map[string]any{"error": obj})
		fmt.Fprintln(errOut, string(b))
		return
	}
	// Messages quote the API and the user's files: what could drive the terminal is
	// escaped (the JSON form above is escaped by its encoding).
	lines := strings.Split(iostreams.Sanitize(msg), "\n")
	fmt.Fprintf(errOut, "crmctl: %s\n", lines[0])
	for _, l := range lines[1:] {
		fmt.Fprintf(errOut, "  %s\n", l)
	}
	if hint := hintFor(tr, err, code); hint != "" {
		tr.Fprintf(iostreams.SafeWriter(errOut), "hint: %s\n", hint)
	}
}
