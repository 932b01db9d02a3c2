// Package apicmd is `crmctl api`: any call of the ikcrm open API, with crmctl's token,
// base URL, pacing, retries and output.
package apicmd

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/crmctl/crmctl/internal/api"
	"github.com/crmctl/crmctl/internal/cmdutil"
	"github.com/crmctl/crmctl/internal/config"
	"github.com/crmctl/crmctl/internal/i18n"
	"github.com/crmctl/crmctl/internal/iostreams"
	"github.com/crmctl/crmctl/internal/output"
)

// maxInput caps --input and an @file field.
const maxInput = 16 << 20

// maxPages bounds --paginate, in case a server ignores page.
const maxPages = 1000

// Options are the inputs of `crmctl api`.
type Options struct {
	IO       *iostreams.IOStreams
	Settings func() (*config.Settings, error)
	Client   func() (*api.Client, error)
	Printer  func() (*output.Printer, error)
	// LoginClient and Getenv log in again after code 100401, when CRMCTL_LOGIN (or the
	// profile's login) and CRMCTL_PASSWORD are set, as an import does.
	LoginClient func() (*api.Client, error)
	Getenv      func(string) (string, bool)

	Method   string // upper case
	Path     string // resolved: /api/...
	Query    url.Values
	Form     url.Values  // -f and -F: the body (or the query of a GET, or with --input)
	Body     []byte      // --input
	Header   http.Header // -H, and the Content-Type of --input
	Raw      bool
	Paginate bool
	DryRun   bool
}

// NewCmdAPI builds `crmctl api`.
func NewCmdAPI(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: f.IOStreams, Settings: f.Settings, Client: f.Client, Printer: f.Printer,
		LoginClient: f.LoginClient, Getenv: f.Getenv}
	var (
		method            string
		rawFields, fields []string
		headers           []string
		input             string
	)
	cmd := &cobra.Command{
		Use:   "api PATH",
		Short: "Call any endpoint of the ikcrm open API / 调用 ikcrm 开放 API 的任意接口",
		Long: `Send a request to the ikcrm open API and print the answer, with what every crmctl command
uses: the profile's token (in the Authorization header), its base URL, the pacing under
the API's rate limit, retries (a GET after a network failure or an error page; any
method when throttled, as a throttled request was not processed), and the check of the
answer's envelope.

PATH is under the base URL: /api/v2/user/list, or relative to /api/v2/, as user/list. A
query string may be part of it. A full URL is refused: the token goes only to the
profile's host (--base-url). auth/login is refused too: a new login would end the stored
session; use ` + "`crmctl auth login`" + `.

FIELDS AND BODY
  -f key=value adds a field as text; keys are sent as written, so Rails brackets work
  (-f 'customer[name]=贸易公司'). -F key=value is the same, but reads @FILE (the file's
  content) and @- (standard input), and sends null as an empty value; numbers, true and
  false are sent as written (the form has no other types). Fields go in the query string
  of a GET, and form-encoded in the body of any other method. --input FILE (- for
  standard input) sends FILE as the body, as JSON unless -H gives another Content-Type;
  fields then go in the query string. The method is GET, or POST when there are fields
  or --input; -X sets it. -H 'Name: value' adds a header (not Authorization, which is
  crmctl's own).

OUTPUT
  The answer's data payload as JSON, whatever -o says; --raw prints the whole envelope
  ({"code":0,"data":...}); --jq filters either. --paginate fetches every page of a list
  (page, per_page, total_count beside one list, as user/list answers) and prints the
  first page's data with the list holding every page's items. --dry-run prints the
  request (the token hidden) and sends nothing. The token never appears in the output,
  --debug or errors.

EXIT STATUS
  0 code 0; 1 another code (the API's message is shown), an error page or an unreadable
  answer; 2 bad usage; 3 code 100401 or 100000, or no token; 4 network failure, timeout,
  or still throttled after retries. After code 100401, with CRMCTL_LOGIN (or the
  profile's login) and CRMCTL_PASSWORD set, crmctl logs in once, stores the new token and
  sends the request again (it was refused, not carried out), as an import does.

Which endpoints exist, with their parameters and answers: the ikcrm open API docs
(https://apidoc.weiwenjia.com/docs/crm_open_api/) and the sandbox's (` + "`crmctl sandbox --help`" + `),
which answers the calls crmctl makes and user/list.`,
		Example: `  crmctl api user/info
  crmctl api user/list --paginate --jq '.users[].name'
  crmctl api 'duplicates/matching_name?name=贸易公司' --jq '.customers[].id'
  crmctl api departments --raw
  crmctl api -X PUT common_customers/18/transfer -F user_id=3
  crmctl api common_customers -f common_id=45 -f 'customer[name]=贸易公司' --dry-run
  echo '{"common_id":45,"customer":{"name":"贸易公司"}}' | crmctl api common_customers --input -`,
		Args: cmdutil.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			path, query, err := api.ResolvePath(args[0])
			if err != nil {
				return &cmdutil.UsageError{Err: err}
			}
			if strings.HasSuffix(strings.TrimSuffix(path, ".json"), "/auth/login") {
				return cmdutil.WithHint(cmdutil.UsageErrorf("crmctl api does not log in: a new login ends the stored token's session"),
					"run `crmctl auth login`")
			}
			opts.Path, opts.Query = path, query
			if opts.Header, err = parseHeaders(headers); err != nil {
				return &cmdutil.UsageError{Err: err}
			}
			if opts.Form, err = parseFields(rawFields, fields, opts.IO.In); err != nil {
				return &cmdutil.UsageError{Err: err}
			}
			if input != "" {
				if opts.Body, err = readInput(input, opts.IO.In); err != nil {
					return &cmdutil.UsageError{Err: err}
				}
				if opts.Header.Get("Content-Type") == "" {
					if !json.Valid(opts.Body) {
						return cmdutil.UsageErrorf("--input %s: not JSON; give its type with -H 'Content-Type: ...' to send it as it is", input)
					}
					opts.Header.Set("Content-Type", "application/json")
				}
			}
			opts.Method = strings.ToUpper(strings.TrimSpace(method))
			switch {
			case opts.Method != "":
				if strings.IndexFunc(opts.Method, func(r rune) bool { return r < 'A' || r > 'Z' }) >= 0 {
					return cmdutil.UsageErrorf("-X %q: not an HTTP method", method)
				}
			case len(opts.Form) > 0 || input != "":
				opts.Method = http.MethodPost
			default:
				opts.Method = http.MethodGet
			}
			if opts.Paginate && opts.Method != http.MethodGet {
				return cmdutil.UsageErrorf("--paginate reads lists: it needs GET, not %s", opts.Method)
			}
			if runF != nil {
				return runF(opts)
			}
			return apiRun(c.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&method, "method", "X", "", "HTTP method (default GET, or POST with fields or --input)")
	fl.StringArrayVarP(&rawFields, "raw-field", "f", nil, "add a text field key=value (repeatable)")
	fl.StringArrayVarP(&fields, "field", "F", nil, "add a field key=value; @FILE reads a file, @- standard input, null is empty (repeatable)")
	fl.StringVar(&input, "input", "", "send FILE as the body (- for standard input), as JSON unless -H sets Content-Type")
	fl.StringArrayVarP(&headers, "header", "H", nil, "add a header 'Name: value' (repeatable; not Authorization)")
	fl.BoolVar(&opts.Raw, "raw", false, "print the whole envelope, not only its data")
	fl.BoolVar(&opts.Paginate, "paginate", false, "fetch every page of a list (page/per_page/total_count) and print them as one")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "print the request (the token hidden); send nothing")
	_ = cmd.RegisterFlagCompletionFunc("method", cobra.FixedCompletions([]string{"GET", "POST", "PUT", "PATCH", "DELETE"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func parseHeaders(list []string) (http.Header, error) {
	h := http.Header{}
	for _, s := range list {
		k, v, ok := strings.Cut(s, ":")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, i18n.Errorf("-H %q: expected 'Name: value'", s)
		}
		h.Add(k, strings.TrimSpace(v))
	}
	if err := api.CheckHeader(h); err != nil {
		return nil, i18n.Errorf("-H: %w", err)
	}
	return h, nil
}

// parseFields reads -f (text) and -F (typed) fields, in the order -f then -F; a key given
// twice is sent twice.
func parseFields(raw, typed []string, stdin io.Reader) (url.Values, error) {
	form := url.Values{}
	stdinUsed := false
	for _, kv := range raw {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, i18n.Errorf("-f %q: expected key=value", kv)
		}
		form.Add(k, v)
	}
	for _, kv := range typed {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, i18n.Errorf("-F %q: expected key=value", kv)
		}
		switch {
		case v == "null":
			v = ""
		case strings.HasPrefix(v, "@"):
			if v == "@-" {
				if stdinUsed {
					return nil, i18n.Errorf("-F %s: standard input is read once", k)
				}
				stdinUsed = true
			}
			b, err := readInput(v[1:], stdin)
			if err != nil {
				return nil, i18n.Errorf("-F %s: %w", k, err)
			}
			v = string(b)
		}
		form.Add(k, v)
	}
	return form, nil
}

func readInput(path string, stdin io.Reader) ([]byte, error) {
	r := stdin
	if path != "-" {
		fh, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer fh.Close()
		r = fh
	}
	b, err := io.ReadAll(io.LimitReader(r, maxInput+1))
	if err != nil {
		return nil, i18n.Errorf("%s: %w", path, err)
	}
	if len(b) > maxInput {
		return nil, i18n.Errorf("%s: larger than %d MiB", path, maxInput>>20)
	}
	return b, nil
}

// request is the call the options describe: fields in the query of a GET (or HEAD) and
// beside --input, in a form-encoded body otherwise.
func (o *Options) request() api.RawRequest {
	q := url.Values{}
	for k, vs := range o.Query {
		q[k] = slices.Clone(vs)
	}
	req := api.RawRequest{Method: o.Method, Path: o.Path, Header: o.Header.Clone()}
	switch {
	case o.Body != nil:
		req.Body = o.Body
		req.ContentType = o.Header.Get("Content-Type")
		addAll(q, o.Form)
	case o.Method == http.MethodGet || o.Method == http.MethodHead:
		addAll(q, o.Form)
	case len(o.Form) > 0:
		req.Body = []byte(o.Form.Encode())
		req.ContentType = "application/x-www-form-urlencoded"
	}
	req.Query = q
	return req
}

func addAll(dst, src url.Values) {
	for k, vs := range src {
		dst[k] = append(dst[k], vs...)
	}
}

func apiRun(ctx context.Context, opts *Options) error {
	p, err := opts.Printer()
	if err != nil {
		return err
	}
	req := opts.request()
	if opts.DryRun {
		return printDryRun(p, opts, req)
	}
	client, err := opts.Client()
	if err != nil {
		return err
	}
	out, err := call(ctx, client, opts, req)
	var ae *api.Error
	if err != nil && errors.As(err, &ae) && ae.Code == api.CodeUnauthorized {
		// The request was refused, not carried out: after a new login it is sent again.
		fresh, lerr := relogin(ctx, opts, client)
		if lerr != nil {
			return lerr
		}
		if fresh != nil {
			client = fresh
			out, err = call(ctx, client, opts, req)
		}
	}
	if err != nil {
		return err
	}
	return p.PrintJSON(client.Redact(out))
}

// call sends the request (every page with --paginate) and returns what to print.
func call(ctx context.Context, client *api.Client, opts *Options, req api.RawRequest) (json.RawMessage, error) {
	if opts.Paginate {
		data, err := paginate(ctx, client, req)
		if err != nil || !opts.Raw {
			return data, err
		}
		return json.Marshal(map[string]any{"code": 0, "data": data})
	}
	res, err := client.Raw(ctx, req)
	if err != nil {
		return nil, err
	}
	if opts.Raw {
		return res.Envelope, nil
	}
	return res.Data, nil
}

// relogin logs in with CRMCTL_LOGIN (or the profile's login) and CRMCTL_PASSWORD, stores
// the new token in the profile, and returns a client carrying it; nil, nil when no
// password is given (the 100401 stands, exit 3).
func relogin(ctx context.Context, opts *Options, client *api.Client) (*api.Client, error) {
	if opts.Getenv == nil || opts.LoginClient == nil || opts.Settings == nil {
		return nil, nil
	}
	s, err := opts.Settings()
	if err != nil || s.Sandbox.V {
		return nil, nil
	}
	password, _ := opts.Getenv(config.EnvPassword)
	login, _ := opts.Getenv(config.EnvLogin)
	if login == "" {
		login = s.Login.V
	}
	if password == "" || login == "" {
		return nil, nil
	}
	corp, _ := opts.Getenv(config.EnvCorpID)
	if corp == "" {
		corp = s.CorpID.V
	}
	opts.IO.T().Fprintf(opts.IO.ErrOut, "crmctl: the token was refused (code %d): logging in again as %s\n", api.CodeUnauthorized, login)
	lc, err := opts.LoginClient()
	if err != nil {
		return nil, err
	}
	res, err := lc.Login(ctx, api.LoginParams{Login: login, Password: password, CorpID: corp})
	if err != nil {
		return nil, i18n.Errorf("logging in again after code %d: %w", api.CodeUnauthorized, err)
	}
	if err := config.SaveProfile(s.ConfigFile, s.Profile.V, func(p *config.Profile) {
		p.Token = res.UserToken
		if p.Login == "" {
			p.Login = login
		}
	}); err != nil {
		opts.IO.T().Fprintf(opts.IO.ErrOut, "crmctl: warning: the new token could not be stored: %v\n", err)
	}
	return client.WithToken(res.UserToken)
}

// paginate fetches every page of a list, from the query's page (1 when none), and
// returns the first page's data with its list holding every page's items. An answer
// that is not a list (no object with exactly one array) is returned as it came. It stops
// at an empty page, at the page that reaches total_count, at a page shorter than per_page when the
// answer has no total_count, or after maxPages pages.
func paginate(ctx context.Context, client *api.Client, req api.RawRequest) (json.RawMessage, error) {
	page := 1
	if v := req.Query.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, cmdutil.UsageErrorf("--paginate: page=%q is not a page number", v)
		}
		page = n
	}
	var (
		first   map[string]json.RawMessage
		listKey string
		items   []json.RawMessage
		skipped int // the items of the pages before the first one asked
	)
	for n := 0; n < maxPages; n++ {
		req.Query.Set("page", strconv.Itoa(page))
		res, err := client.Raw(ctx, req)
		if err != nil {
			if n == 0 {
				return nil, err
			}
			return nil, i18n.Errorf("page %d, after %d item(s) of %d page(s): %w", page, len(items), n, err)
		}
		obj, key := listOf(res.Data)
		if n == 0 {
			if key == "" {
				return res.Data, nil
			}
			first, listKey = obj, key
			if per, ok := number(obj["per_page"]); ok {
				skipped = (page - 1) * per
			}
		} else if key != listKey {
			return nil, i18n.Errorf("page %d: the answer has no %q list like the first page's", page, listKey)
		}
		var got []json.RawMessage
		if err := json.Unmarshal(obj[key], &got); err != nil {
			return nil, i18n.Errorf("page %d: %q: %w", page, key, err)
		}
		items = append(items, got...)
		total, hasTotal := number(obj["total_count"])
		perPage, _ := number(obj["per_page"])
		if len(got) == 0 || (hasTotal && skipped+len(items) >= total) || (!hasTotal && perPage > 0 && len(got) < perPage) {
			break
		}
		page++
	}
	if items == nil {
		items = []json.RawMessage{}
	}
	all, err := json.Marshal(items)
	if err != nil {
		return nil, err
	}
	first[listKey] = all
	return json.Marshal(first)
}

// listOf reads data as an object and names its one array-valued key ("" when data is no
// object, or holds no array or several).
func listOf(data json.RawMessage) (map[string]json.RawMessage, string) {
	var obj map[string]json.RawMessage
	if json.Unmarshal(data, &obj) != nil {
		return nil, ""
	}
	key := ""
	for k, v := range obj {
		if v = bytes.TrimSpace(v); len(v) > 0 && v[0] == '[' {
			if key != "" {
				return obj, ""
			}
			key = k
		}
	}
	return obj, key
}

// number reads a JSON number or a string holding one.
func number(raw json.RawMessage) (int, bool) {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return 0, false
	}
	switch x := v.(type) {
	case float64:
		return int(x), true
	case string:
		n, err := strconv.Atoi(strings.TrimSpace(x))
		return n, err == nil
	}
	return 0, false
}

// redactedAuth is the Authorization header as --dry-run shows it.
const redactedAuth = "Token token=***, device=" + api.Device + ", version_code=" + api.VersionCode

func printDryRun(p *output.Printer, opts *Options, req api.RawRequest) error {
	s, err := opts.Settings()
	if err != nil {
		return err
	}
	base := s.BaseURL.V
	if s.Sandbox.V {
		base = "(the embedded sandbox)" // i18n:keep: a URL's stand-in, the same in JSON and text
	}
	target := strings.TrimRight(base, "/") + req.Path
	if len(req.Query) > 0 {
		target += "?" + req.Query.Encode()
	}
	headers := map[string]string{"Authorization": redactedAuth}
	for k, vs := range req.Header {
		headers[k] = strings.Join(vs, ", ")
	}
	if req.Body != nil && req.ContentType != "" {
		headers["Content-Type"] = req.ContentType
	}
	if p.JSON() {
		b, err := json.Marshal(map[string]any{
			"method": req.Method, "url": target, "headers": headers, "body": string(req.Body), "paginate": opts.Paginate,
		})
		if err != nil {
			return err
		}
		return p.PrintJSON(b)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n", req.Method, target)
	for _, k := range slices.Sorted(maps.Keys(headers)) {
		fmt.Fprintf(&b, "%s: %s\n", k, headers[k])
	}
	if req.Body != nil {
		b.WriteString("\n")
		b.Write(req.Body)
		if !bytes.HasSuffix(req.Body, []byte("\n")) {
			b.WriteString("\n")
		}
	}
	if opts.Paginate {
		opts.IO.T().Fprintf(&b, "(then the next pages, up to total_count)\n")
	}
	_, err = io.WriteString(opts.IO.Out, b.String())
	return err
}
