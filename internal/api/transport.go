package api

import (
	"github.com/crmctl/crmctl/internal/i18n"

	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

const (
	maxBodySize   = 32 << 20         // a larger answer is refused
	backoffStart  = time.Second      // first backoff (before jitter)
	backoffCap    = 15 * time.Second // longest backoff
	maxRetryAfter = 2 * time.Minute  // a longer Retry-After is reported, not waited out

	// maxFailedAttempts bounds the attempts of a call that fails on the network or gets
	// a server error page: a host that does not answer twice in a row rarely answers a
	// third time soon after.
	maxFailedAttempts = 3
	// refusedBackoff is the wait before the one retry of a refused connection: nothing
	// listens there, and only a server restarting at that moment is worth a second look.
	refusedBackoff = 300 * time.Millisecond
)

// budget is what is left of Options.Timeout for one call: the time spent waiting for
// answers and between failed attempts. Waits for the rate limit are not counted.
type budget struct{ limit, spent time.Duration }

func (b *budget) left() time.Duration { return b.limit - b.spent }

// request is one API call as the typed calls describe it.
type request struct {
	method string
	path   string     // escaped, under the base URL: /api/v2/...
	query  url.Values // nil: none
	form   url.Values // nil: no body
	auth   bool       // send the Authorization header
	// body and contentType are a body given as it is (Raw); used when form is nil.
	body        []byte
	contentType string
	header      http.Header // extra headers (Raw)
}

// answer is what one attempt (redirects followed) came back with.
type answer struct {
	status int
	header http.Header
	body   []byte
	err    error // a *NetworkError, or an error that must not be retried
	// sent is true when the failing request had been written to the connection.
	sent bool
}

// CanceledError is returned when the caller's context ends a call. It wraps the
// context's error (errors.Is(err, context.Canceled) holds). MaybeSent is true when a
// request had been written before it was cancelled.
type CanceledError struct {
	Method, Path string
	MaybeSent    bool
	Err          error
}

func (e *CanceledError) Error() string { return fmt.Sprintf("%s %s: %v", e.Method, e.Path, e.Err) }
func (e *CanceledError) Unwrap() error { return e.Err }

// timeoutError is an attempt that got no complete answer within Options.Timeout.
type timeoutError struct{ d time.Duration }

func (e *timeoutError) Error() string { return e.Localize(i18n.New(i18n.English)) }
func (e *timeoutError) Localize(p *i18n.Printer) string {
	return p.Sprintf("no answer within %s (timeout)", i18n.Duration(e.d))
}
func (e *timeoutError) Timeout() bool { return true }
func (e *timeoutError) Unwrap() error { return context.DeadlineExceeded }

// do sends r, with retries, and returns the envelope's data.
func (c *Client) do(ctx context.Context, r request) (json.RawMessage, error) {
	data, _, err := c.exchange(ctx, r)
	return data, err
}

// exchange sends r, with retries, and returns the envelope's data and the last answer.
func (c *Client) exchange(ctx context.Context, r request) (json.RawMessage, answer, error) {
	var none answer
	if r.auth && c.opts.Token == "" {
		return nil, none, ErrNoToken
	}
	target, err := url.Parse(c.base.String() + r.path)
	if err != nil {
		return nil, none, fmt.Errorf("%s %s: %w", r.method, r.path, err)
	}
	if len(r.query) > 0 {
		target.RawQuery = r.query.Encode()
	}
	body := r.body
	if r.form != nil {
		body = []byte(r.form.Encode())
	}
	maxAttempts := max(c.opts.MaxRetries, 0) + 1
	t := &tries{r: r, target: target, maxAttempts: maxAttempts, maxFailed: min(maxAttempts, maxFailedAttempts),
		budget: &budget{limit: c.opts.Timeout}}
	for t.attempt = 1; ; t.attempt++ {
		if t.attempt > 1 {
			c.retries.Add(1)
		}
		a := c.attempt(ctx, r, target, body, t.budget)
		data, again, err := c.judge(ctx, t, a)
		if !again {
			return data, a, err
		}
	}
}

// tries is one call's attempts so far and their limits.
type tries struct {
	r      request
	target *url.URL
	// attempt is the current attempt (1-based); failed counts the attempts that failed
	// on the network or with a server error page.
	attempt, failed        int
	maxAttempts, maxFailed int
	budget                 *budget
}

// judge reads an attempt's answer: the envelope's data, or another try (after its
// wait), or the call's error.
func (c *Client) judge(ctx context.Context, t *tries, a answer) (data json.RawMessage, again bool, err error) {
	switch {
	case a.err != nil && ctx.Err() != nil:
		return nil, false, &CanceledError{Method: t.r.method, Path: t.r.path, MaybeSent: a.sent, Err: ctx.Err()}
	case a.err != nil:
		again, err = c.afterFailure(ctx, t, a)
		return nil, again, err
	case isThrottled(a.status, a.body):
		again, err = c.afterThrottle(ctx, t, a)
		return nil, again, err
	}
	data, derr := DecodeEnvelope(a.body)
	if a.status >= 500 {
		again, err = c.afterServerError(ctx, t, a, derr)
		return nil, again, err
	}
	data, err = c.result(t.r, a, data, derr)
	return data, false, err
}

// afterFailure decides whether an attempt that failed (on the network, or before it
// was sent) is tried again. A GET can always be sent again; anything else only when it
// never left. A failure that another try cannot mend (a bad certificate, an unknown
// host) is reported at once, and so is one whose retry would outlast the call's time
// limit.
func (c *Client) afterFailure(ctx context.Context, t *tries, a answer) (bool, error) {
	var ne *NetworkError
	if !errors.As(a.err, &ne) {
		return false, a.err
	}
	t.failed++
	limit, wait := t.maxFailed, backoff(t.failed)
	if refused(ne.Err) {
		limit, wait = min(t.maxFailed, 2), refusedBackoff
	}
	if t.failed < limit && (t.r.method == http.MethodGet || !a.sent) && !permanent(ne.Err) && wait < t.budget.left() {
		return c.backOff(ctx, t, limit, wait, ne.Err)
	}
	ne.Attempts = t.attempt
	return false, ne
}

// afterThrottle waits out a throttled answer ("Retry later", HTTP 429) before another
// try, for any method, unless the tries are spent or the wait is too long.
func (c *Client) afterThrottle(ctx context.Context, t *tries, a answer) (bool, error) {
	c.throttled.Add(1)
	wait, ok := retryAfter(a.header, time.Now())
	if !ok {
		wait = backoff(t.attempt)
	}
	if t.attempt >= t.maxAttempts || wait > maxRetryAfter {
		return false, &ThrottledError{Method: t.r.method, Path: t.r.path, Attempts: t.attempt, RetryAfter: wait}
	}
	if c.opts.OnThrottle != nil {
		c.opts.OnThrottle(wait)
	}
	if err := c.sleep(ctx, t.r, wait); err != nil {
		return false, err
	}
	return true, nil
}

// afterServerError handles a server error page: a GET is sent again; a POST may have
// been processed, so it is reported as it is.
func (c *Client) afterServerError(ctx context.Context, t *tries, a answer, derr error) (bool, error) {
	t.failed++
	wait, ok := retryAfter(a.header, time.Now())
	if !ok || wait > backoffCap {
		wait = backoff(t.failed)
	}
	if t.attempt < t.maxAttempts && t.failed < t.maxFailed && t.r.method == http.MethodGet && wait < t.budget.left() {
		return c.backOff(ctx, t, t.maxFailed, wait, serverError(a.status))
	}
	var ae *Error
	if errors.As(derr, &ae) {
		return false, c.redactError(ae)
	}
	return false, c.responseError(t.r, a, serverError(a.status))
}

func serverError(status int) error {
	return i18n.Errorf("server error %d %s", status, http.StatusText(status))
}

// backOff reports the coming retry (the failed'th of limit), waits, and spends the wait
// from the call's time budget.
func (c *Client) backOff(ctx context.Context, t *tries, limit int, wait time.Duration, cause error) (bool, error) {
	c.retrying(t.r, t.target, t.failed+1, limit, wait, cause)
	t.budget.spent += wait
	if err := c.sleep(ctx, t.r, wait); err != nil {
		return false, err
	}
	return true, nil
}

// result is the outcome of an answer that is neither throttled nor a server error:
// the envelope's data, or the API's error, or an answer that cannot be read.
func (c *Client) result(r request, a answer, data json.RawMessage, derr error) (json.RawMessage, error) {
	if derr != nil {
		var ae *Error
		if errors.As(derr, &ae) {
			return nil, c.redactError(ae)
		}
		var re *ResponseError
		if errors.As(derr, &re) {
			return nil, c.responseError(r, a, re.Err)
		}
		return nil, c.responseError(r, a, derr)
	}
	if a.status < 200 || a.status > 299 {
		return nil, c.responseError(r, a, i18n.Errorf("HTTP status %d %s", a.status, http.StatusText(a.status)))
	}
	return data, nil
}

// responseError builds a *ResponseError for an answer, its snippet cleared of secrets.
func (c *Client) responseError(r request, a answer, err error) *ResponseError {
	return &ResponseError{
		Method:     r.method,
		Path:       r.path,
		StatusCode: a.status,
		Snippet:    c.redactSecrets(Snippet(a.body), nil),
		Err:        err,
	}
}

// attempt sends one request and follows its redirects: only for GET (and HEAD), and
// only on the same scheme, host and port. A redirect of any other request, or to
// another origin, is reported, never followed: a login's form carries the password
// and a create's form the customer, and neither may be replayed somewhere else.
func (c *Client) attempt(ctx context.Context, r request, target *url.URL, body []byte, b *budget) answer {
	u := target
	for hop := 0; ; hop++ {
		if c.opts.Wait != nil {
			if err := c.opts.Wait(ctx); err != nil {
				if ctx.Err() != nil {
					return answer{err: ctx.Err()}
				}
				return answer{err: fmt.Errorf("%s %s: %w", r.method, r.path, err)}
			}
		}
		a := c.roundTrip(ctx, r, r.method, u, body, r.auth, b)
		if a.err != nil || !isRedirect(a.status) {
			return a
		}
		loc := a.header.Get("Location")
		if loc == "" {
			return a
		}
		refuse := func(err error) answer {
			return answer{err: &ResponseError{Method: r.method, Path: r.path, StatusCode: a.status, Err: err}, sent: true}
		}
		if hop >= maxRedirects {
			return refuse(i18n.Errorf("stopped after %d redirects", maxRedirects))
		}
		next, err := u.Parse(loc)
		if err != nil {
			// %v, not %w: the *url.Error inside is a net.Error and would make a refused redirect a network failure.
			return refuse(i18n.Errorf("the answer redirects to an invalid location: %v", err))
		}
		next.Fragment, next.RawFragment = "", ""
		if err := checkRedirect(r.method, a.status, target, next); err != nil {
			return refuse(err)
		}
		u = next
	}
}

// canonicalHost is u's host and port in lower case, the scheme's default port dropped.
func canonicalHost(u *url.URL) string {
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if port == "" || (port == "443" && u.Scheme == "https") || (port == "80" && u.Scheme == "http") {
		return host
	}
	return net.JoinHostPort(host, port)
}

// origin is u's scheme, host and port: what a redirect may not change.
func origin(u *url.URL) string {
	return strings.ToLower(u.Scheme) + "://" + canonicalHost(u)
}

func isRedirect(status int) bool {
	switch status {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// checkRedirect says why a redirect of a method-request from the base URL's origin to
// `to` is not followed, or nil when it is: a GET (or HEAD) that stays on the same
// scheme, host and port.
func checkRedirect(method string, status int, from, to *url.URL) error {
	shown := to.Redacted()
	if to.RawQuery != "" {
		c := *to
		c.RawQuery = ""
		shown = c.Redacted() + "?…" // a query may hold anything; the path is enough to see
	}
	if origin(to) != origin(from) {
		return i18n.Errorf("the server redirected (HTTP %d) to another host, %s: not followed, since crmctl never sends a request or token to a host other than --base-url (%s); if the API has moved, point --base-url at the new host", status, shown, origin(from))
	}
	if to.User != nil {
		return i18n.Errorf("the server redirected (HTTP %d) to a URL with credentials: not followed", status)
	}
	if method != http.MethodGet && method != http.MethodHead {
		return i18n.Errorf("the server redirected (HTTP %d) the %s to %s: not followed, since crmctl follows redirects only for GET requests and never sends a form again elsewhere", status, method, shown)
	}
	return nil
}

// roundTrip sends one HTTP request and reads its answer within what is left of the
// call's time limit, and counts the time it took against it.
func (c *Client) roundTrip(ctx context.Context, r request, method string, u *url.URL, body []byte, auth bool, b *budget) answer {
	if b.left() <= 0 {
		return answer{err: &NetworkError{Method: r.method, Path: r.path, Err: &timeoutError{d: c.opts.Timeout}}}
	}
	start := time.Now()
	defer func() { b.spent += time.Since(start) }()
	actx, cancel := context.WithTimeout(ctx, b.left())
	defer cancel()
	var wrote atomic.Bool
	actx = httptrace.WithClientTrace(actx, &httptrace.ClientTrace{
		WroteRequest: func(i httptrace.WroteRequestInfo) {
			if i.Err == nil {
				wrote.Store(true)
			}
		},
	})
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(actx, method, u.String(), rd)
	if err != nil {
		return answer{err: fmt.Errorf("%s %s: %w", r.method, r.path, err)}
	}
	req.Header.Set("Accept", "application/json")
	if c.opts.UserAgent != "" {
		req.Header.Set("User-Agent", c.opts.UserAgent)
	}
	for k, vs := range r.header {
		req.Header[k] = append([]string(nil), vs...)
	}
	if body != nil && req.Header.Get("Content-Type") == "" {
		ct := r.contentType
		if ct == "" {
			ct = "application/x-www-form-urlencoded"
		}
		req.Header.Set("Content-Type", ct)
	}
	if auth {
		req.Header.Set("Authorization", authHeader(c.opts.Token))
	}

	resp, err := c.hc.Do(req)
	if err != nil {
		sent := wrote.Load()
		if sent {
			c.requests.Add(1)
		}
		err = c.netError(ctx, actx, err)
		c.debug(req, body, nil, nil, err, time.Since(start))
		return answer{err: &NetworkError{Method: r.method, Path: r.path, MaybeSent: sent, Err: err}, sent: sent}
	}
	c.requests.Add(1)
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBodySize+1))
	resp.Body.Close()
	if err != nil {
		err = c.netError(ctx, actx, err)
		c.debug(req, body, resp, data, err, time.Since(start))
		return answer{err: &NetworkError{Method: r.method, Path: r.path, MaybeSent: true, Err: err}, sent: true}
	}
	c.debug(req, body, resp, data, nil, time.Since(start))
	if len(data) > maxBodySize {
		return answer{err: &ResponseError{Method: r.method, Path: r.path, StatusCode: resp.StatusCode,
			Err: i18n.Errorf("the answer is larger than %d MiB", maxBodySize>>20)}, sent: true}
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: data, sent: true}
}

// netError makes a transport error readable: the URL is dropped (the method and path
// are shown beside it) and running out of the call's time limit says so.
func (c *Client) netError(ctx, actx context.Context, err error) error {
	if ctx.Err() == nil && errors.Is(actx.Err(), context.DeadlineExceeded) {
		return &timeoutError{d: c.opts.Timeout}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func authHeader(token string) string {
	return "Token token=" + token + ", device=" + Device + ", version_code=" + VersionCode
}

// isThrottled reports whether an answer is the rate limiter's: HTTP 429, or the
// plain-text "Retry later" body whatever the status.
func isThrottled(status int, body []byte) bool {
	if status == http.StatusTooManyRequests {
		return true
	}
	b := bytes.TrimSpace(body)
	if len(b) > 64 {
		return false
	}
	return bytes.HasPrefix(bytes.ToLower(b), []byte("retry later"))
}

// retryAfter reads a Retry-After header: seconds, or an HTTP date.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseFloat(v, 64); err == nil {
		if n < 0 || n != n {
			return 0, false
		}
		if n > 24*3600 {
			n = 24 * 3600
		}
		return time.Duration(n * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}

// backoff is the wait before retry n (1-based): exponential from about a second,
// capped, with jitter so that clients do not retry in step.
func backoff(n int) time.Duration {
	d := backoffCap
	if n >= 1 && n <= 5 {
		d = min(backoffStart<<(n-1), backoffCap)
	}
	half := d / 2
	return half + rand.N(half+1)
}

// sleep waits d with Options.Sleep; a cancelled context ends the call.
func (c *Client) sleep(ctx context.Context, r request, d time.Duration) error {
	if err := c.opts.Sleep(ctx, d); err != nil {
		if ctx.Err() != nil {
			return &CanceledError{Method: r.method, Path: r.path, Err: ctx.Err()}
		}
		return fmt.Errorf("%s %s: %w", r.method, r.path, err)
	}
	return nil
}

// Sleep waits d, or returns early with the context's error: the default Options.Sleep.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// retrying reports a retry after a failed attempt: a line in the debug trace (the host,
// the failure and the wait) and Options.OnRetry.
func (c *Client) retrying(r request, target *url.URL, next, of int, wait time.Duration, err error) {
	if c.opts.Debug != nil {
		c.debugMu.Lock()
		// i18n:keep: --debug trace
		fmt.Fprintf(c.opts.Debug, "* %s %s to %s failed: %s\n* retrying (%d/%d) in %s\n",
			r.method, r.path, target.Host, sanitize(err.Error()), next, of, wait.Round(time.Millisecond))
		c.debugMu.Unlock()
	}
	if c.opts.OnRetry != nil {
		c.opts.OnRetry(Retry{Method: r.method, Path: r.path, Host: target.Host, Attempt: next, Of: of, Wait: wait, Err: err})
	}
}

// refused reports whether a transport failure is a refused connection: nothing listens
// at the address.
func refused(err error) bool {
	if errors.Is(err, syscall.ECONNREFUSED) {
		return true
	}
	msg := strings.ToLower(err.Error())
	return strings.Contains(msg, "connection refused") || strings.Contains(msg, "actively refused")
}

// permanent reports whether a transport failure will not go away by trying again soon.
func permanent(err error) bool {
	var (
		cv   *tls.CertificateVerificationError
		ua   x509.UnknownAuthorityError
		he   x509.HostnameError
		ci   x509.CertificateInvalidError
		dnse *net.DNSError
	)
	switch {
	case errors.As(err, &cv), errors.As(err, &ua), errors.As(err, &he), errors.As(err, &ci):
		return true
	case errors.As(err, &dnse):
		return dnse.IsNotFound
	}
	return false
}
