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
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/net/netutil"

	"github.com/crmctl/crmctl/internal/cmdutil"
	"github.com/crmctl/crmctl/internal/i18n"
	"github.com/crmctl/crmctl/internal/iostreams"
	"github.com/crmctl/crmctl/internal/sandbox"
)

// DefaultAddr is where `sandbox serve` listens unless told otherwise.
const DefaultAddr = "127.0.0.1:8710"

// EnvPassword sets the seeded account's password instead of --password, which other
// users of the machine could read in ps.
const EnvPassword = "CRMCTL_SANDBOX_PASSWORD"

// Limits of the HTTP server: a client that sends its headers or body slowly, or keeps
// idle connections open, cannot hold the server's connections (or file descriptors).
type serveLimits struct {
	ReadHeader time.Duration // to read a request's headers
	Read       time.Duration // to read a whole request, body included
	Idle       time.Duration // an idle keep-alive connection is closed after this
	MaxConns   int           // connections open at once; more wait to be accepted
}

var defaultLimits = serveLimits{ReadHeader: 10 * time.Second, Read: 30 * time.Second, Idle: 60 * time.Second, MaxConns: 128}

// NewCmdSandbox builds `crmctl sandbox`.
func NewCmdSandbox(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sandbox <command>",
		Short: "Run a local emulator of the ikcrm API / 运行本地 API 模拟器（沙箱）",
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
	// PasswordFrom names where a password other than the default came from (the flag
	// or EnvPassword): "" for the default, which is printed at start.
	PasswordFrom string

	// ready, when set, receives the base URL once the server listens (tests).
	ready func(baseURL string)
	// limits are the HTTP server's limits (defaultLimits unless a test sets them).
	limits *serveLimits
}

func newCmdServe(f *cmdutil.Factory, runF func(*ServeOptions) error) *cobra.Command {
	opts := &ServeOptions{IO: f.IOStreams, DataDir: settingsDataDir(f)}
	getenv := f.Getenv
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the emulated API over HTTP / 通过 HTTP 提供模拟 API",
		Long: `Serve the emulated ikcrm API over HTTP until interrupted (Ctrl-C).

The base URL and the seeded account are printed on standard error at start, and one line
per request (method, path, HTTP status, API code, duration) after that. Data is kept in
sandbox.db in the data folder (--data), shared with --sandbox and with other servers on the
same folder; --memory keeps it in memory only.

It listens on loopback unless --addr says otherwise. On loopback it answers only
requests addressed to a loopback name or address (the Host header), so that a web page
cannot reach it through DNS rebinding; requests a browser sends for another site's page
(an Origin header) are refused on any address. Slow or idle connections are closed
after a while, and at most 128 are served at once.

The seeded account's password is "sandbox", or CRMCTL_SANDBOX_PASSWORD, or --password
(which other users of the machine can read in ps). A password that is not the default
is not printed.

--rate-limit, --latency and --fail-rate make it behave like a busy or faulty API, for
testing scripts.`,
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
			switch {
			case c.Flags().Changed("password"):
				opts.PasswordFrom = "--password"
			case getenv != nil:
				if v, ok := getenv(EnvPassword); ok && v != "" {
					opts.Password, opts.PasswordFrom = v, EnvPassword
				}
			}
			if opts.Password == "" {
				return cmdutil.UsageErrorf("the sandbox account's password must not be empty")
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
	fl.StringVar(&opts.Password, "password", sandbox.DefaultPassword, "the seeded account's password (visible in ps: prefer env "+EnvPassword+")")
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
			return "", i18n.Errorf("no data folder: use --data")
		}
		s, err := f.Settings()
		if err != nil {
			return "", err
		}
		if s.DataDir == "" {
			return "", i18n.Errorf("no data folder: use --data")
		}
		return s.DataDir, nil
	}
}

// isLoopback reports whether host is the literal name localhost or a literal loopback
// address (a name with a root dot, "localhost.", is resolved by DNS: it is not).
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// guard refuses what a web browser could send the sandbox on a page's behalf. With
// loopbackOnly, the Host header must name a loopback host (literal localhost or a
// loopback address): a DNS-rebound name (evil.example resolving to 127.0.0.1) is
// refused. On any address, a request with an Origin header (a browser's cross-site
// form post or fetch) is refused unless it comes from the sandbox's own origin:
// crmctl and scripts send none.
func guard(loopbackOnly bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		if loopbackOnly && !isLoopback(host) {
			// i18n:keep: an HTTP answer to a client, in the API's manner
			http.Error(w, fmt.Sprintf("crmctl sandbox: Host %q is not a loopback name or address: refused (the sandbox answers only requests addressed to 127.0.0.1, ::1 or localhost)", r.Host), http.StatusMisdirectedRequest)
			return
		}
		if o := r.Header.Get("Origin"); o != "" && o != "http://"+r.Host {
			http.Error(w, "crmctl sandbox: requests from web pages (Origin "+strconv.Quote(o)+") are refused", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
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
		return i18n.Errorf("sandbox: listen on %s: %w", opts.Addr, err)
	}
	errOut, tr := opts.IO.ErrOut, opts.IO.T()
	if !isLoopback(host) {
		tr.Fprintf(errOut, "crmctl: warning: listening on %s, which is not a loopback address: anyone who can reach it can use the sandbox and its account\n", opts.Addr)
	}
	baseURL := localURL(ln.Addr())
	login, password := srv.Account()
	limit := i18n.M("off")
	if n > 0 {
		limit = i18n.M("%d requests per %v", n, i18n.Duration(window))
	}
	tr.Fprintf(errOut, "crmctl sandbox listening on %s\n", baseURL)
	shownPassword := i18n.M("%s", password)
	if opts.PasswordFrom != "" {
		shownPassword = i18n.M("from %s", opts.PasswordFrom)
		password = "PASSWORD"
	}
	tr.Fprintf(errOut, "  account:    login %s, password %s\n", login, shownPassword)
	tr.Fprintf(errOut, "  data:       %s\n", srv.Path())
	tr.Fprintf(errOut, "  rate limit: %s\n", limit)
	if opts.Latency > 0 || opts.FailRate > 0 {
		tr.Fprintf(errOut, "  faults:     latency %v, fail rate %v\n", i18n.Duration(opts.Latency), opts.FailRate)
	}
	tr.Fprintf(errOut, "Try:  echo %s | CRMCTL_BASE_URL=%s crmctl auth login --login %s --password-stdin\n", password, baseURL, login)
	tr.Fprintf(errOut, "Press Ctrl-C to stop.\n")

	lim := defaultLimits
	if opts.limits != nil {
		lim = *opts.limits
	}
	hs := &http.Server{
		Handler:           guard(isLoopback(host), srv.Handler()),
		ReadHeaderTimeout: lim.ReadHeader,
		ReadTimeout:       lim.Read,
		IdleTimeout:       lim.Idle,
		MaxHeaderBytes:    64 << 10,
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(netutil.LimitListener(ln, lim.MaxConns)) }()
	if opts.ready != nil {
		opts.ready(baseURL)
	}
	select {
	case err := <-served:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return i18n.Errorf("sandbox: serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		_ = hs.Close()
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return i18n.Errorf("sandbox: serve: %w", err)
	}
	tr.Fprintf(errOut, "crmctl sandbox stopped\n")
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
		Short: "Delete the sandbox's data and seed it again / 清空沙箱数据并重新初始化",
		Long: `Delete every customer, contact and token of the sandbox's store and seed it again
(pools, field maps and the sample customers come back). Ids keep increasing: no id is
given twice, even across a reset. Every token of the sandbox ends: a profile logged in
to ` + "`crmctl sandbox serve`" + ` logs in again.

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
		opts.IO.T().Fprintf(opts.IO.ErrOut, "Delete all sandbox data in %s and seed it again? [y/N] ", dir)
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
	tr := opts.IO.T()
	tr.Fprintf(opts.IO.ErrOut, "Sandbox data reset: %s\n", srv.Path())
	tr.Fprintf(opts.IO.ErrOut, "Every sandbox token ended with it: a profile logged in to `crmctl sandbox serve` needs `crmctl auth login` again (--sandbox commands log in by themselves).\n")
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
