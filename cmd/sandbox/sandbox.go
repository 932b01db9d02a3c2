// Package sandbox is `crmctl sandbox`: run the local emulator of the ikcrm API over HTTP,
// and reset its data.
package sandbox

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/crmctl/crmctl/internal/cmdutil"
	"github.com/crmctl/crmctl/internal/iostreams"
	"github.com/crmctl/crmctl/internal/sandbox"
)

// DefaultAddr is where `sandbox serve` listens unless told otherwise.
const DefaultAddr = "127.0.0.1:8710"

// NewCmdSandbox builds `crmctl sandbox`.
func NewCmdSandbox(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sandbox <command>",
		Short: "Run a local emulator of the ikcrm API",
		Long: `The sandbox is a local emulator of the ikcrm open API: a seeded organisation
(public pools 公司公海, 超级公海 and 华东区公海, field maps with a disabled option,
custom fields and a business template (12 渠道客户) in the API's by_group shape,
departments, one login account), the API's rules (token header, device/version check,
one live token per account, HTTP 200 envelopes with codes, throttling with "Retry
later") and a store in the
data folder, so what one command creates the next one can read.

Every command also takes --sandbox, which runs the same emulator inside the command.`,
		Example: `  crmctl sandbox serve
  echo sandbox | CRMCTL_BASE_URL=http://127.0.0.1:8710 crmctl auth login --login 13800000000 --password-stdin
  crmctl --sandbox pools list
  crmctl sandbox reset --yes`,
	}
	cmd.AddCommand(newCmdServe(f, nil), newCmdReset(f, nil))
	return cmd
}

// ServeOptions are the inputs of `sandbox serve`.
type ServeOptions struct {
	IO       *iostreams.IOStreams
	DataDir  func() (string, error)
	Addr     string
	Rate     string
	Latency  time.Duration
	FailRate float64
	Data     string
	Memory   bool
	Login    string
	Password string

	// ready, when set, receives the base URL once the server listens (tests).
	ready func(baseURL string)
}

func newCmdServe(f *cmdutil.Factory, runF func(*ServeOptions) error) *cobra.Command {
	opts := &ServeOptions{IO: f.IOStreams, DataDir: settingsDataDir(f)}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the emulated API over HTTP",
		Long: `Serve the emulated ikcrm API over HTTP until interrupted (Ctrl-C).

The base URL and the seeded account are printed on standard error at start, and one line
per request (method, path, HTTP status, API code, duration) after that. Data is kept in
sandbox.db in the data folder (--data), shared with --sandbox and with other servers on the
same folder; --memory keeps it in memory only.

It listens on loopback unless --addr says otherwise. --rate-limit, --latency and
--fail-rate make it behave like a busy or faulty API, for testing scripts.`,
		Example: `  crmctl sandbox serve
  crmctl sandbox serve --addr 127.0.0.1:9000 --rate-limit off
  crmctl sandbox serve --memory --latency 300ms --fail-rate 0.1
  echo sandbox | CRMCTL_BASE_URL=http://127.0.0.1:8710 crmctl auth login --login 13800000000 --password-stdin`,
		Args: cmdutil.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if _, _, err := sandbox.ParseRate(opts.Rate); err != nil {
				return cmdutil.UsageErrorf("--rate-limit: %v", err)
			}
			if opts.FailRate < 0 || opts.FailRate > 1 || math.IsNaN(opts.FailRate) {
				return cmdutil.UsageErrorf("--fail-rate must be between 0 and 1, got %v", opts.FailRate)
			}
			if opts.Latency < 0 {
				return cmdutil.UsageErrorf("--latency must not be negative, got %v", opts.Latency)
			}
			if opts.Memory && opts.Data != "" {
				return cmdutil.UsageErrorf("--memory and --data cannot be used together")
			}
			if strings.TrimSpace(opts.Addr) == "" {
				return cmdutil.UsageErrorf("--addr must not be empty")
			}
			if runF != nil {
				return runF(opts)
			}
			return serveRun(ctxOf(c), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Addr, "addr", DefaultAddr, "`HOST:PORT` to listen on")
	fl.StringVar(&opts.Rate, "rate-limit", "10/10s", "requests allowed per sliding window, `N/DURATION`, or off")
	fl.DurationVar(&opts.Latency, "latency", 0, "`DURATION` added to every request")
	fl.Float64Var(&opts.FailRate, "fail-rate", 0, "share (0..1) of requests answered with a 502 page or a dropped connection")
	fl.StringVar(&opts.Data, "data", "", "data `FOLDER` for sandbox.db (default: crmctl's data folder)")
	fl.BoolVar(&opts.Memory, "memory", false, "keep the data in memory only")
	fl.StringVar(&opts.Login, "login", sandbox.DefaultLogin, "the seeded account's login")
	fl.StringVar(&opts.Password, "password", sandbox.DefaultPassword, "the seeded account's password")
	return cmd
}

func ctxOf(c *cobra.Command) context.Context {
	if ctx := c.Context(); ctx != nil {
		return ctx
	}
	return context.Background()
}

func settingsDataDir(f *cmdutil.Factory) func() (string, error) {
	return func() (string, error) {
		if f.Settings == nil {
			return "", errors.New("no data folder: use --data")
		}
		s, err := f.Settings()
		if err != nil {
			return "", err
		}
		if s.DataDir == "" {
			return "", errors.New("no data folder: use --data")
		}
		return s.DataDir, nil
	}
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

func serveRun(ctx context.Context, opts *ServeOptions) error {
	n, window, _ := sandbox.ParseRate(opts.Rate)
	so := sandbox.Options{
		Login: opts.Login, Password: opts.Password,
		RateLimit: n, RateWindow: window, Latency: opts.Latency, FailRate: opts.FailRate,
		Memory: opts.Memory, DataDir: opts.Data, Log: opts.IO.ErrOut,
	}
	if !so.Memory && so.DataDir == "" {
		dir, err := opts.DataDir()
		if err != nil {
			return err
		}
		so.DataDir = dir
	}
	host, _, err := net.SplitHostPort(opts.Addr)
	if err != nil {
		return cmdutil.UsageErrorf("--addr %q: %v", opts.Addr, err)
	}
	srv, err := sandbox.Open(so)
	if err != nil {
		return err
	}
	defer srv.Close()

	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", opts.Addr)
	if err != nil {
		return fmt.Errorf("sandbox: listen on %s: %w", opts.Addr, err)
	}
	errOut := opts.IO.ErrOut
	if !isLoopback(host) {
		fmt.Fprintf(errOut, "crmctl: warning: listening on %s, which is not a loopback address: anyone who can reach it can use the sandbox and its account\n", opts.Addr)
	}
	baseURL := localURL(ln.Addr())
	login, password := srv.Account()
	limit := "off"
	if n > 0 {
		limit = fmt.Sprintf("%d requests per %v", n, window)
	}
	fmt.Fprintf(errOut, "crmctl sandbox listening on %s\n", baseURL)
	fmt.Fprintf(errOut, "  account:    login %s, password %s\n", login, password)
	fmt.Fprintf(errOut, "  data:       %s\n", srv.Path())
	fmt.Fprintf(errOut, "  rate limit: %s\n", limit)
	if opts.Latency > 0 || opts.FailRate > 0 {
		fmt.Fprintf(errOut, "  faults:     latency %v, fail rate %v\n", opts.Latency, opts.FailRate)
	}
	fmt.Fprintf(errOut, "Try:  echo %s | CRMCTL_BASE_URL=%s crmctl auth login --login %s --password-stdin\n", password, baseURL, login)
	fmt.Fprintf(errOut, "Press Ctrl-C to stop.\n")

	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	if opts.ready != nil {
		opts.ready(baseURL)
	}
	select {
	case err := <-served:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return fmt.Errorf("sandbox: serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		_ = hs.Close()
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("sandbox: serve: %w", err)
	}
	fmt.Fprintln(errOut, "crmctl sandbox stopped")
	return nil
}

// localURL is the base URL a local client should use: a wildcard address becomes 127.0.0.1.
func localURL(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return "http://" + a.String()
	}
	ip := tcp.IP
	if ip == nil || ip.IsUnspecified() {
		ip = net.IPv4(127, 0, 0, 1)
	}
	return "http://" + net.JoinHostPort(ip.String(), fmt.Sprint(tcp.Port))
}

// ResetOptions are the inputs of `sandbox reset`.
type ResetOptions struct {
	IO      *iostreams.IOStreams
	DataDir func() (string, error)
	Data    string
	Yes     bool
}

func newCmdReset(f *cmdutil.Factory, runF func(*ResetOptions) error) *cobra.Command {
	opts := &ResetOptions{IO: f.IOStreams, DataDir: settingsDataDir(f)}
	cmd := &cobra.Command{
		Use:   "reset",
		Short: "Delete the sandbox's data and seed it again",
		Long: `Delete every customer, contact and token of the sandbox's store and seed it again
(pools, field maps and the sample customers come back). Ids keep increasing: no id is
given twice, even across a reset.

It asks for confirmation on a terminal; elsewhere it needs --yes.`,
		Example: `  crmctl sandbox reset
  crmctl sandbox reset --yes
  crmctl sandbox reset --data ./tmp/sandbox --yes`,
		Args: cmdutil.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if !opts.Yes && !opts.IO.CanPrompt() {
				return cmdutil.UsageErrorf("--yes is required to reset the sandbox when not running interactively")
			}
			if runF != nil {
				return runF(opts)
			}
			return resetRun(ctxOf(c), opts)
		},
	}
	cmd.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "reset without asking")
	cmd.Flags().StringVar(&opts.Data, "data", "", "data `FOLDER` of sandbox.db (default: crmctl's data folder)")
	return cmd
}

func resetRun(ctx context.Context, opts *ResetOptions) error {
	dir := opts.Data
	if dir == "" {
		d, err := opts.DataDir()
		if err != nil {
			return err
		}
		dir = d
	}
	if !opts.Yes {
		fmt.Fprintf(opts.IO.ErrOut, "Delete all sandbox data in %s and seed it again? [y/N] ", dir)
		answer, err := readLine(ctx, opts.IO.In)
		if err != nil {
			return cmdutil.ErrCancel
		}
		switch strings.ToLower(strings.TrimSpace(answer)) {
		case "y", "yes":
		default:
			return cmdutil.ErrCancel
		}
	}
	srv, err := sandbox.Open(sandbox.Options{DataDir: dir})
	if err != nil {
		return err
	}
	defer srv.Close()
	if err := srv.Reset(ctx); err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.ErrOut, "Sandbox data reset: %s\n", srv.Path())
	return nil
}

// readLine reads one line, giving up when ctx ends.
func readLine(ctx context.Context, in io.Reader) (string, error) {
	type result struct {
		s   string
		err error
	}
	ch := make(chan result, 1)
	go func() {
		s, err := bufio.NewReader(in).ReadString('\n')
		if err != nil && !(errors.Is(err, io.EOF) && s != "") {
			ch <- result{"", err}
			return
		}
		ch <- result{s, nil}
	}()
	select {
	case r := <-ch:
		return r.s, r.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}
