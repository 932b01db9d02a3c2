package api

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

const debugBodyLimit = 2048

// secretKeys are form, query and JSON keys whose values never appear in debug output.
var secretKeys = map[string]bool{"password": true, "user_token": true, "token": true}

// secretJSONRE finds a secret key of a JSON answer and its string value: submatch 1 is
// what precedes the value, 2 the key, 3 the value.
var secretJSONRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`("(password|user_token|token)"\s*:\s*)"((?:[^"\\]|\\.)*)"`)
})

// debug writes one block for one HTTP exchange to Options.Debug, secrets redacted:
// a password where it is sent (the form, the query), the token wherever it appears (the
// client's own, and one that the answer hands out). Only the token is searched for in
// the rest of the text: a password (a short word, often) masked there would redact
// unrelated text and show that it contains the password.
func (c *Client) debug(req *http.Request, body []byte, resp *http.Response, respBody []byte, err error, elapsed time.Duration) {
	if c.opts.Debug == nil {
		return
	}
	var b strings.Builder
	c.debugRequest(&b, req, body)
	ms := elapsed.Round(time.Millisecond).Milliseconds()
	var tokens []string
	if resp == nil {
		fmt.Fprintf(&b, "< error: %v (%dms)\n", err, ms) // i18n:keep: --debug trace
	} else {
		tokens = debugResponse(&b, resp, respBody, err, ms)
	}
	b.WriteByte('\n')
	out := sanitize(c.redactSecrets(b.String(), tokens))
	c.debugMu.Lock()
	defer c.debugMu.Unlock()
	_, _ = io.WriteString(c.opts.Debug, out)
}

// debugRequest writes the request's lines: the target (the query's secrets masked),
// the headers (the token masked) and the body.
func (c *Client) debugRequest(b *strings.Builder, req *http.Request, body []byte) {
	target := req.URL.EscapedPath()
	if !strings.EqualFold(req.URL.Host, c.base.Host) || req.URL.Scheme != c.base.Scheme {
		target = req.URL.Scheme + "://" + req.URL.Host + target
	}
	if req.URL.RawQuery != "" {
		target += "?" + redactForm(req.URL.Query()).Encode()
	}
	fmt.Fprintf(b, "> %s %s\n", req.Method, target) // i18n:keep: --debug trace
	for _, k := range slices.Sorted(maps.Keys(req.Header)) {
		for _, v := range req.Header[k] {
			if k == "Authorization" {
				v = "Token token=***, device=" + Device + ", version_code=" + VersionCode
			}
			fmt.Fprintf(b, "> %s: %s\n", k, v) // i18n:keep: --debug trace
		}
	}
	switch {
	case body == nil:
	case !isFormBody(req.Header.Get("Content-Type")):
		// A JSON (or other) body of `crmctl api`: shown as text, secret keys masked.
		b.WriteString(">\n")
		text := secretJSONRE().ReplaceAll(body, []byte(`$1"***"`))
		for _, line := range strings.Split(truncateText(text, debugBodyLimit), "\n") {
			b.WriteString(">   " + line + "\n")
		}
	default:
		b.WriteString(">\n")
		debugForm(b, body)
	}
}

// debugForm writes a form body's values, one a line, secrets masked.
func debugForm(b *strings.Builder, body []byte) {
	form, perr := url.ParseQuery(string(body))
	if perr != nil {
		fmt.Fprintf(b, "> (%d bytes)\n", len(body)) // i18n:keep: --debug trace
	}
	for _, k := range slices.Sorted(maps.Keys(form)) {
		for _, v := range form[k] {
			if secretKeys[strings.ToLower(k)] {
				v = "***"
			}
			fmt.Fprintf(b, ">   %s=%s\n", k, strings.ReplaceAll(v, "\n", `\n`)) // i18n:keep: --debug trace
		}
	}
}

// debugResponse writes the answer's lines: the status, the headers (cookies masked),
// the body (secret keys masked) and err. It returns the tokens the body hands out, to
// be masked wherever they appear.
func debugResponse(b *strings.Builder, resp *http.Response, respBody []byte, err error, ms int64) []string {
	fmt.Fprintf(b, "< %d (%dms)\n", resp.StatusCode, ms) // i18n:keep: --debug trace
	for _, k := range slices.Sorted(maps.Keys(resp.Header)) {
		for _, v := range resp.Header[k] {
			if k == "Set-Cookie" || k == "Authorization" {
				v = "***"
			}
			fmt.Fprintf(b, "< %s: %s\n", k, v) // i18n:keep: --debug trace
		}
	}
	var tokens []string
	if len(respBody) > 0 {
		b.WriteString("<\n")
		for _, m := range secretJSONRE().FindAllSubmatch(respBody, -1) {
			if string(m[2]) != "password" {
				tokens = append(tokens, string(m[3]))
			}
		}
		text := secretJSONRE().ReplaceAll(respBody, []byte(`$1"***"`))
		for _, line := range strings.Split(truncateText(text, debugBodyLimit), "\n") {
			b.WriteString("< " + line + "\n")
		}
	}
	if err != nil {
		fmt.Fprintf(b, "< error: %v\n", err) // i18n:keep: --debug trace
	}
	return tokens
}

// redactSecrets replaces the client's token and the given tokens wherever they appear.
func (c *Client) redactSecrets(s string, tokens []string) string {
	for _, sec := range append([]string{c.opts.Token}, tokens...) {
		if len(sec) >= 4 {
			s = strings.ReplaceAll(s, sec, "***")
		}
	}
	return s
}

func redactForm(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		if secretKeys[strings.ToLower(k)] {
			out[k] = []string{"***"}
			continue
		}
		out[k] = vs
	}
	return out
}

// truncateText returns at most limit bytes of b as valid UTF-8, saying how much was cut.
func truncateText(b []byte, limit int) string {
	if len(b) <= limit {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(b[cut]) {
		cut--
	}
	return strings.ToValidUTF8(string(bytes.TrimRight(b[:cut], "\n")), "\uFFFD") +
		fmt.Sprintf("… (%d more bytes)", len(b)-cut) // i18n:keep: --debug trace
}

// sanitize keeps a debug block from driving the terminal: control characters other than
// newline and tab are shown escaped.
func sanitize(s string) string {
	if !strings.ContainsFunc(s, isControl) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if isControl(r) {
			fmt.Fprintf(&b, "\\x%02x", r) // i18n:keep: an escape, not words
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isControl(r rune) bool {
	return (r < 0x20 && r != '\n' && r != '\t') || (r >= 0x7f && r < 0xa0)
}

// isFormBody reports whether a Content-Type is a form's (or none, which is sent as one).
func isFormBody(ct string) bool {
	mt, _, _ := strings.Cut(ct, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	return mt == "" || mt == "application/x-www-form-urlencoded"
}
