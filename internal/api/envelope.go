package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/crmctl/crmctl/internal/i18n"
)

var (
	errEmptyBody = i18n.Errorf("the answer is empty")
	errHTML      = i18n.Errorf("the answer is an HTML page, not JSON")
	errNotJSON   = i18n.Errorf("the answer is not JSON")
)

// DecodeEnvelope reads the API's envelope, {"code":0,"data":...}, and returns data as
// sent ("null" when absent). The code may be a number or a string. A non-zero code is an
// *Error carrying the envelope's message and "error" key verbatim. A body that is not a
// JSON envelope (empty, an HTML page, truncated or other text) is a *ResponseError with
// a short printable snippet.
func DecodeEnvelope(body []byte) (data json.RawMessage, err error) {
	trimmed := bytes.TrimSpace(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")))
	if len(trimmed) == 0 {
		return nil, &ResponseError{Err: errEmptyBody}
	}
	if trimmed[0] != '{' {
		e := errNotJSON
		if looksLikeHTML(trimmed) {
			e = errHTML
		}
		return nil, &ResponseError{Err: e, Snippet: Snippet(body)}
	}
	var env map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &env); err != nil {
		return nil, &ResponseError{Err: i18n.Errorf("the answer is not valid JSON (%s)", jsonProblem(err)), Snippet: Snippet(body)}
	}
	rawCode, ok := env["code"]
	if !ok {
		return nil, &ResponseError{Err: i18n.Errorf(`the answer has no "code"`), Snippet: Snippet(body)}
	}
	code, err := parseCode(rawCode)
	if err != nil {
		return nil, &ResponseError{Err: err, Snippet: Snippet(body)}
	}
	if code != CodeOK {
		return nil, &Error{Code: code, Message: looseText(env["message"]), Key: looseText(env["error"])}
	}
	data = env["data"]
	if len(data) == 0 {
		data = json.RawMessage("null")
	}
	return data, nil
}

// parseCode reads the envelope's code: a JSON integer or a string holding one.
func parseCode(raw json.RawMessage) (int, error) {
	s, err := flexText(raw)
	if err != nil || strings.TrimSpace(s) == "" {
		return 0, i18n.Errorf(`the answer's "code" is not a number`)
	}
	s = strings.TrimSpace(s)
	if n, err := strconv.Atoi(s); err == nil {
		return n, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > math.MaxInt32 {
		return 0, i18n.Errorf(`the answer's "code" is not a number`)
	}
	return int(f), nil
}

// looseText renders a JSON value as text: a string as is, a scalar as written, an
// object or array as its compact JSON.
func looseText(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	if s, err := flexText(raw); err == nil {
		return s
	}
	var buf bytes.Buffer
	if json.Compact(&buf, raw) == nil {
		return buf.String()
	}
	return string(raw)
}

// jsonProblem says briefly what is wrong with a JSON text that failed to decode.
func jsonProblem(err error) any {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		if strings.Contains(se.Error(), "unexpected end") {
			return i18n.M("truncated")
		}
		return i18n.M("syntax error at byte %d", se.Offset)
	}
	return err
}

func looksLikeHTML(b []byte) bool {
	head := strings.ToLower(string(b[:min(len(b), 512)]))
	return strings.HasPrefix(head, "<!doctype html") || strings.HasPrefix(head, "<html") ||
		strings.Contains(head, "<html") || strings.Contains(head, "<head") || strings.Contains(head, "<body") ||
		strings.Contains(head, "<title")
}

const snippetLen = 120

var (
	titleRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`) })
	tagRE   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?s)<[^>]*>`) })
)

// Snippet returns a short, printable excerpt of an answer for an error message: the
// title of an HTML page, or the first characters of the text, control characters
// dropped and white space collapsed.
func Snippet(body []byte) string {
	b := body[:min(len(body), 8192)]
	s := strings.ToValidUTF8(string(b), "")
	if looksLikeHTML(bytes.TrimSpace(b)) {
		if m := titleRE().FindStringSubmatch(s); m != nil && strings.TrimSpace(m[1]) != "" {
			s = m[1]
		} else {
			s = tagRE().ReplaceAllString(s, " ")
		}
	}
	var sb strings.Builder
	n := 0
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = sb.Len() > 0
			continue
		}
		if !unicode.IsPrint(r) {
			continue
		}
		if space {
			sb.WriteByte(' ')
			n++
			space = false
		}
		if n >= snippetLen {
			sb.WriteString("…")
			break
		}
		sb.WriteRune(r)
		n++
	}
	out := sb.String()
	if len(body) > len(b) && !strings.HasSuffix(out, "…") && utf8.RuneCountInString(out) >= snippetLen {
		out += "…"
	}
	return out
}
