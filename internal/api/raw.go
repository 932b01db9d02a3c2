package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/crmctl/crmctl/internal/i18n"
)

// RawRequest is any call of the API, made with the client's token, base URL, pacing and
// retries (`crmctl api`).
type RawRequest struct {
	Method string
	// Path is the path under the base URL, as ResolvePath returns it: /api/...
	Path  string
	Query url.Values
	// Body is sent as it is, with ContentType (form-encoded when ""); nil sends none.
	Body        []byte
	ContentType string
	// Header holds extra headers. Authorization is the client's own and is refused.
	Header http.Header
}

// RawResponse is the answer to a RawRequest whose envelope said code 0.
type RawResponse struct {
	Status int
	Header http.Header
	// Envelope is the answer as it came; Data is its data payload ("null" when absent).
	Envelope json.RawMessage
	Data     json.RawMessage
}

// Raw sends req like every typed call: the token header, pacing, retries (a GET is sent
// again after a failure; another method only when it certainly did not reach the server,
// or was throttled), redirects on the same terms, and the envelope checked (a non-zero
// code is an *Error). It refuses a path that is not under /api/ and an Authorization
// header.
func (c *Client) Raw(ctx context.Context, req RawRequest) (*RawResponse, error) {
	method := strings.ToUpper(strings.TrimSpace(req.Method))
	if method == "" {
		method = http.MethodGet
	}
	if !validMethod(method) {
		return nil, i18n.Errorf("invalid HTTP method %q", req.Method)
	}
	if !strings.HasPrefix(req.Path, "/api/") || strings.ContainsAny(req.Path, "?#") {
		return nil, i18n.Errorf("invalid API path %q: it must start with /api/", req.Path)
	}
	if err := CheckHeader(req.Header); err != nil {
		return nil, err
	}
	r := request{method: method, path: req.Path, query: req.Query, auth: true,
		body: req.Body, contentType: req.ContentType, header: req.Header}
	data, a, err := c.exchange(ctx, r)
	if err != nil {
		return nil, err
	}
	return &RawResponse{Status: a.status, Header: a.header, Envelope: bytes.TrimSpace(a.body), Data: data}, nil
}

// Redact replaces the client's token wherever it appears in b: what the API answers is
// printed as it came, but never with the token in it.
func (c *Client) Redact(b []byte) []byte {
	if len(c.opts.Token) < 4 || !bytes.Contains(b, []byte(c.opts.Token)) {
		return b
	}
	return bytes.ReplaceAll(b, []byte(c.opts.Token), []byte("***"))
}

func validMethod(m string) bool {
	if m == "" {
		return false
	}
	for _, r := range m {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}

// ResolvePath turns what a user gives as the path of a call into one under the base URL:
// "/api/v2/user/list" as it is, "user/list" (or "api/v2/user/list") under /api/v2/. A
// query string in it is returned apart. An absolute URL, or anything that could send the
// request (and the token) to another host, is refused, and so are "." and ".." segments
// and a fragment.
func ResolvePath(p string) (string, url.Values, error) {
	p = strings.TrimSpace(p)
	if p == "" {
		return "", nil, i18n.Errorf("no API path given (e.g. user/list or /api/v2/user/list)")
	}
	if strings.Contains(p, "://") || strings.HasPrefix(p, "//") || strings.ContainsAny(p, "\\\x00\r\n\t ") {
		return "", nil, i18n.Errorf("%q is not a path under the base URL: give a path such as user/list or /api/v2/user/list; "+
			"the request goes to the profile's host (--base-url), the only one the token is for", p)
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.Opaque != "" || u.User != nil {
		return "", nil, i18n.Errorf("%q is not a path under the base URL: give a path such as user/list or /api/v2/user/list", p)
	}
	if u.Fragment != "" || strings.Contains(p, "#") {
		return "", nil, i18n.Errorf("invalid API path %q: a fragment (#...) is never sent", p)
	}
	path := u.EscapedPath()
	switch {
	case strings.HasPrefix(path, "/api/"):
	case strings.HasPrefix(path, "/"):
		return "", nil, i18n.Errorf("invalid API path %q: API paths start with /api/v2/ (or give one relative to it, e.g. user/list)", p)
	case strings.HasPrefix(path, "api/"):
		path = "/" + path
	default:
		path = "/api/v2/" + path
	}
	for _, seg := range strings.Split(path, "/") {
		if seg == "." || seg == ".." || strings.EqualFold(seg, "%2e") || strings.EqualFold(seg, "%2e%2e") {
			return "", nil, i18n.Errorf("invalid API path %q: no . or .. segments", p)
		}
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return "", nil, i18n.Errorf("invalid API path %q: bad query string: %w", p, err)
	}
	return path, q, nil
}

// CheckHeader refuses extra headers that would replace what the client sends itself
// (Authorization, Host, Content-Length) or that cannot be sent (bad names, line breaks).
func CheckHeader(h http.Header) error {
	for k, vs := range h {
		switch http.CanonicalHeaderKey(k) {
		case "Authorization":
			return i18n.Errorf("the Authorization header is crmctl's own (the stored token): it cannot be replaced")
		case "Host", "Content-Length", "Transfer-Encoding", "Connection":
			return i18n.Errorf("the %s header is set by crmctl and cannot be given", http.CanonicalHeaderKey(k))
		}
		if k == "" || strings.IndexFunc(k, func(r rune) bool {
			return r <= ' ' || r >= 0x7f || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, r)
		}) >= 0 {
			return i18n.Errorf("invalid header name %q", k)
		}
		for _, v := range vs {
			if strings.ContainsAny(v, "\r\n\x00") {
				return i18n.Errorf("invalid value of header %s: it contains a line break", k)
			}
		}
	}
	return nil
}

// redactError clears the client's token from an API error's message and key: they are
// shown verbatim, and a server could echo the token.
func (c *Client) redactError(e *Error) *Error {
	e.Message = c.redactSecrets(e.Message, nil)
	e.Key = c.redactSecrets(e.Key, nil)
	return e
}
