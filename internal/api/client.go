package api

import (
	"github.com/crmctl/crmctl/internal/i18n"

	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Fixed values the open API expects from every client.
const (
	Device      = "open_api"
	VersionCode = "9.9.9"
)

// Defaults used when Options leave a setting at its zero value.
const (
	DefaultTimeout    = 30 * time.Second
	DefaultMaxRetries = 4
	maxRedirects      = 10
)

// ErrNoToken is returned by an authenticated call on a client built without a token.
var ErrNoToken = i18n.Errorf("no API token: log in first")

// Client is the ikcrm v2 API client: one transport (auth header, envelope, errors,
// retries, pacing, redirects, debug trace) and the typed calls built on it. A Client is
// safe for concurrent use.
type Client struct {
	opts Options // as given, defaults filled in (New(c.opts) builds an equal client)
	base *url.URL
	hc   *http.Client

	debugMu sync.Mutex // one debug block at a time

	requests  atomic.Int64
	throttled atomic.Int64
	retries   atomic.Int64
}

// Stats counts what a Client did since it was built.
type Stats struct {
	Requests  int64 // HTTP requests actually sent (retries and redirect hops included)
	Throttled int64 // answers that said "Retry later" (HTTP 429 or the plain-text body)
	Retries   int64 // attempts made after a first one failed or was throttled
}

// New checks the options and builds a Client.
func New(o Options) (*Client, error) {
	base, err := CheckBaseURL(o.BaseURL)
	if err != nil {
		return nil, err
	}
	o.Token = strings.TrimSpace(o.Token)
	if err := checkToken(o.Token); err != nil {
		return nil, err
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxRetries == 0 {
		o.MaxRetries = DefaultMaxRetries
	}
	if o.Sleep == nil {
		o.Sleep = Sleep
	}
	rt := o.Transport
	if rt == nil {
		rt = http.DefaultTransport.(*http.Transport).Clone()
		o.Transport = rt // a client derived by With shares the connections
	}
	c := &Client{
		opts: o,
		base: base,
		hc: &http.Client{
			Transport: rt,
			// Redirects are followed by the client itself (see transport.go): the
			// standard policy turns a redirected POST into a GET and cannot be told to
			// refuse a downgrade.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
	return c, nil
}

// BaseURL returns the checked base URL (without a trailing slash).
func (c *Client) BaseURL() string { return c.base.String() }

// Stats returns the client's counters.
func (c *Client) Stats() Stats {
	return Stats{
		Requests:  c.requests.Load(),
		Throttled: c.throttled.Load(),
		Retries:   c.retries.Load(),
	}
}

// MaxTokenLen bounds a token's length. The API's tokens are 32 hex digits; a longer
// one is tolerated (the format is not the client's to police) up to this size, so that
// a broken or hostile server cannot have megabytes stored in the config file and sent
// with every request.
const MaxTokenLen = 4096

// checkToken refuses a token that cannot be put in a header safely, or that is larger
// than MaxTokenLen. The token itself is never part of the message.
func checkToken(t string) error {
	if len(t) > MaxTokenLen {
		return i18n.Errorf("the API token is %d bytes long, more than the %d a token may have", len(t), MaxTokenLen)
	}
	for _, r := range t {
		if r <= ' ' || r >= 0x7f || r == ',' || r == '"' || r == '\\' {
			return i18n.Errorf("the API token contains characters a token cannot have (spaces, quotes, commas or control characters)")
		}
	}
	return nil
}

// CheckBaseURL validates an API base URL: an absolute http(s) URL, https unless the
// host is loopback (127.0.0.0/8, ::1, localhost), with no user info, query or fragment.
// A trailing slash is trimmed.
func CheckBaseURL(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, i18n.Errorf("no API base URL given (e.g. https://lxcrm.weiwenjia.com)")
	}
	shown := strconv.Quote(raw)
	if strings.Contains(raw, "@") {
		shown = "(hidden: it may hold credentials)"
	}
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, i18n.Errorf("invalid API base URL %s: %w", shown, err)
	}
	if u.Scheme == "" || u.Opaque != "" || u.Host == "" {
		return nil, i18n.Errorf("invalid API base URL %s: it must be an absolute URL such as https://lxcrm.weiwenjia.com", shown)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return nil, i18n.Errorf("invalid API base URL %s: the scheme must be https (or http for a loopback host), not %q", shown, u.Scheme)
	}
	if u.User != nil {
		return nil, i18n.Errorf("invalid API base URL: it must not contain a user name or password")
	}
	if u.RawQuery != "" || u.ForceQuery {
		return nil, i18n.Errorf("invalid API base URL %s: it must not contain a query (?...)", shown)
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return nil, i18n.Errorf("invalid API base URL %s: it must not contain a fragment (#...)", shown)
	}
	host := u.Hostname()
	if host == "" {
		return nil, i18n.Errorf("invalid API base URL %s: no host name", shown)
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, i18n.Errorf("invalid API base URL %s: bad port %q", shown, p)
		}
	}
	if u.Scheme == "http" && !isLoopback(host) {
		return nil, i18n.Errorf("invalid API base URL %s: https is required for %s (plain http is allowed only for 127.0.0.1, ::1 and localhost)", shown, host)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = strings.TrimRight(u.RawPath, "/")
	if u.RawPath != "" && u.RawPath == u.Path {
		u.RawPath = ""
	}
	u.Host = strings.ToLower(u.Host)
	return u, nil
}

// isLoopback reports whether host (without port) is the literal name localhost or a
// literal loopback address. "localhost." (with the root dot) is a name a DNS server
// answers for, and may point anywhere: it is not loopback.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"))
	return ip != nil && ip.IsLoopback()
}
