package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"
)

// Answer codes. 0, 100000, 100100 and 100401 are the API's own (ikcrm-api.md §3). The
// codes for validation errors, failed logins, oversized bodies and internal errors are
// not public; the ones below are the sandbox's choice, and a client must treat any
// non-zero code it does not know as an API error and show the message.
const (
	CodeOK            = 0
	CodeInvalidApp    = 100000 // bad device / version_code
	CodeNotFound      = 100100 // no such record (or no permission)
	CodeUnauthorized  = 100401 // token missing, unknown, or ended by a newer login
	CodeLoginFailed   = 100402 // sandbox's choice: wrong login, password or corp_id
	CodeBodyTooLarge  = 100413 // sandbox's choice: request body over MaxBodyBytes
	CodeInvalidParams = 100422 // sandbox's choice: validation error or malformed body
	CodeInternal      = 100500 // sandbox's choice: unexpected server error
)

// MaxBodyBytes caps a request body.
const MaxBodyBytes = 1 << 20

// The two 100401 messages of the API.
const (
	msgExpired  = "您的登录已经过期,请重新登录!"
	msgReplaced = "你的帐号已在其他地方登录,本地已经下线"
)

const (
	wantDevice  = "open_api"
	wantVersion = "9.9.9"
)

type reqInfoKey struct{}

// reqInfo carries what the log line needs from deep inside the handler.
type reqInfo struct{ code *int }

func (s *Server) buildHandler() http.Handler {
	var h http.Handler = s.route(s.routes())
	h = s.throttle(h)
	h = s.faults(h)
	h = s.latency(h)
	h = s.recoverer(h)
	h = s.logger(h)
	return h
}

// envelope writes an HTTP 200 JSON answer. Errors come in the API's two shapes
// (ikcrm-api.md §3): {"code":100401,"data":null,"message":...} for an ended or unknown
// token, and {"code":...,"message":...,"error":...}, with no data key, for the others
// (fail).
func envelope(w http.ResponseWriter, r *http.Request, body map[string]any) {
	if info, ok := r.Context().Value(reqInfoKey{}).(*reqInfo); ok {
		if c, ok := body["code"].(int); ok {
			info.code = &c
		}
	}
	b, err := json.Marshal(body)
	if err != nil {
		b = []byte(fmt.Sprintf(`{"code":%d,"message":"服务器内部错误 (cannot encode the answer)","error":"internal_error"}`, CodeInternal))
		if info, ok := r.Context().Value(reqInfoKey{}).(*reqInfo); ok {
			c := CodeInternal
			info.code = &c
		}
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

func ok(w http.ResponseWriter, r *http.Request, data any) {
	envelope(w, r, map[string]any{"code": CodeOK, "data": data})
}

// fail writes an error in the second shape: code, message and error, no data key, as the
// API's own examples of 100000 and 100100 show.
func fail(w http.ResponseWriter, r *http.Request, code int, errName, msg string) {
	envelope(w, r, map[string]any{"code": code, "message": msg, "error": errName})
}

// unauthorized writes a 100401 in the first shape, with "data":null.
func unauthorized(w http.ResponseWriter, r *http.Request, msg string) {
	envelope(w, r, map[string]any{"code": CodeUnauthorized, "data": nil, "message": msg, "error": "user_authentication_error"})
}

func notFoundRecord(w http.ResponseWriter, r *http.Request, what string) {
	fail(w, r, CodeNotFound, "active_record/record_not_found", "记录不存在或没有权限 (record not found: "+what+")")
}

func internal(w http.ResponseWriter, r *http.Request, err error) {
	fail(w, r, CodeInternal, "internal_error", "服务器内部错误 (internal error: "+err.Error()+")")
}

// route dispatches like the Rails router: an unknown path or method is a plain 404. A
// trailing ".json" or "/" is dropped first; a path that is not clean (empty, "." or ".."
// segments) is unknown rather than redirected.
func (s *Server) route(mux *http.ServeMux) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p := strings.TrimSuffix(r.URL.Path, ".json")
		p = strings.TrimSuffix(p, "/")
		if p == "" || path.Clean(p) != p {
			http.NotFound(w, r)
			return
		}
		u := *r.URL
		u.Path, u.RawPath = p, ""
		r2 := *r
		r2.URL = &u
		mux.ServeHTTP(w, &r2)
	}
}

// signedHandler is an endpoint behind the token: it gets the merged parameters and the
// signed-in user.
type signedHandler func(w http.ResponseWriter, r *http.Request, params map[string]any, user seedUser)

// routes maps each endpoint to its handler. "/" catches every other path and every other
// method of a known path, so neither gets the mux's 405.
func (s *Server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/", http.NotFound)
	mux.HandleFunc("POST /api/v2/auth/login", func(w http.ResponseWriter, r *http.Request) {
		if params, ok := s.params(w, r); ok {
			s.handleLogin(w, r, params)
		}
	})
	signed := func(pattern string, h signedHandler) {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			params, ok := s.params(w, r)
			if !ok {
				return
			}
			user, ok := s.authenticate(w, r, params)
			if !ok {
				return
			}
			h(w, r, params, user)
		})
	}
	signed("GET /api/v2/user/info", s.handleUserInfo)
	signed("GET /api/v2/user/list", s.handleUserList)
	signed("GET /api/v2/departments", s.handleDepartments)
	signed("GET /api/v2/common_customers/common_settings", s.handlePools)
	signed("GET /api/v2/field_maps/{entity}", func(w http.ResponseWriter, r *http.Request, _ map[string]any, _ seedUser) {
		s.handleFieldMap(w, r, r.PathValue("entity"))
	})
	signed("GET /api/v2/custom_fields/{entity}/by_group", func(w http.ResponseWriter, r *http.Request, p map[string]any, _ seedUser) {
		s.handleCustomFields(w, r, r.PathValue("entity"), p)
	})
	signed("POST /api/v2/common_customers", s.handleCreate)
	signed("GET /api/v2/common_customers/{id}", func(w http.ResponseWriter, r *http.Request, _ map[string]any, u seedUser) {
		s.handleGet(w, r, r.PathValue("id"), u)
	})
	signed("GET /api/v2/common_customers/{id}/contacts", func(w http.ResponseWriter, r *http.Request, p map[string]any, _ seedUser) {
		s.handleContacts(w, r, r.PathValue("id"), p)
	})
	signed("PUT /api/v2/common_customers/{id}/transfer", func(w http.ResponseWriter, r *http.Request, p map[string]any, u seedUser) {
		s.handleTransfer(w, r, r.PathValue("id"), p, u)
	})
	signed("GET /api/v2/duplicates/matching_name", s.handleMatchingName)
	return mux
}

// params merges the query string and the body (form, multipart or JSON) into one tree,
// as Rails does. It answers the error itself when it returns false.
func (s *Server) params(w http.ResponseWriter, r *http.Request) (map[string]any, bool) {
	tree := map[string]any{}
	if err := parseForm(tree, r.URL.RawQuery); err != nil {
		fail(w, r, CodeInvalidParams, "parameter_parse_error", "参数格式错误 (malformed query string: "+err.Error()+")")
		return nil, false
	}
	if r.Body == nil || r.Method == http.MethodGet || r.Method == http.MethodHead {
		return tree, true
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	if err != nil {
		fail(w, r, CodeInvalidParams, "parameter_parse_error", "无法读取请求体 (cannot read the request body: "+err.Error()+")")
		return nil, false
	}
	if len(body) > MaxBodyBytes {
		fail(w, r, CodeBodyTooLarge, "request_entity_too_large",
			fmt.Sprintf("请求体过大 (request body over %d bytes)", MaxBodyBytes))
		return nil, false
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return tree, true
	}
	ct := r.Header.Get("Content-Type")
	mt, mparams, _ := mime.ParseMediaType(ct)
	switch {
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		obj, err := parseJSONObject(body)
		if err != nil {
			fail(w, r, CodeInvalidParams, "parameter_parse_error", "参数格式错误 ("+err.Error()+")")
			return nil, false
		}
		for k, v := range obj {
			tree[k] = v
		}
	case mt == "" || mt == "application/x-www-form-urlencoded":
		if err := parseForm(tree, string(body)); err != nil {
			fail(w, r, CodeInvalidParams, "parameter_parse_error", "参数格式错误 (malformed form body: "+err.Error()+")")
			return nil, false
		}
	case mt == "multipart/form-data":
		if err := parseMultipart(tree, body, mparams["boundary"]); err != nil {
			fail(w, r, CodeInvalidParams, "parameter_parse_error", "参数格式错误 (malformed multipart body: "+err.Error()+")")
			return nil, false
		}
	default:
		fail(w, r, CodeInvalidParams, "parameter_parse_error",
			"不支持的请求格式 (unsupported Content-Type "+strconv.Quote(ct)+"; send form-encoded or JSON)")
		return nil, false
	}
	return tree, true
}

func parseMultipart(tree map[string]any, body []byte, boundary string) error {
	if boundary == "" {
		return errors.New("no boundary")
	}
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if part.FileName() != "" {
			return errors.New("file uploads are not supported")
		}
		val, err := io.ReadAll(part)
		if err != nil {
			return err
		}
		path, err := splitKey(part.FormName())
		if err != nil {
			return err
		}
		if err := setPath(tree, path, string(val), part.FormName()); err != nil {
			return err
		}
	}
}

// parseTokenHeader reads `Token token=<t>, device=open_api, version_code=9.9.9`, with or
// without spaces after the commas and quotes around the values.
func parseTokenHeader(h string) map[string]string {
	h = strings.TrimSpace(h)
	scheme, rest, _ := strings.Cut(h, " ")
	if !strings.EqualFold(scheme, "Token") {
		return nil
	}
	out := map[string]string{}
	for _, part := range strings.FieldsFunc(rest, func(r rune) bool { return r == ',' || r == ';' || r == '\t' }) {
		k, v, found := strings.Cut(strings.TrimSpace(part), "=")
		if !found {
			continue
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
			v = v[1 : len(v)-1]
		}
		out[strings.TrimSpace(k)] = v
	}
	return out
}

func param(params map[string]any, key string) string {
	s, _ := scalarString(params[key])
	return s
}

// authenticate checks the device, version and token (header first, then the legacy
// user_token/device/version_code parameters). A device or version_code that is given must
// be open_api and 9.9.9 (100000); one that is left out is no error, since the vendor's own
// scripts send a bare "Token token=<t>". A request with no credentials at all is 100401:
// there is no token to check. It answers the error when it returns false.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request, params map[string]any) (seedUser, bool) {
	hdr := parseTokenHeader(r.Header.Get("Authorization"))
	pick := func(hkey, pkey string) (string, bool) {
		if v, ok := hdr[hkey]; ok {
			return v, true
		}
		_, given := params[pkey]
		return param(params, pkey), given
	}
	token, _ := pick("token", "user_token")
	device, hasDevice := pick("device", "device")
	version, hasVersion := pick("version_code", "version_code")
	if auth := strings.TrimSpace(r.Header.Get("Authorization")); auth != "" && hdr == nil && token == "" {
		// Another scheme (Bearer, Basic): not the API's header.
		fail(w, r, CodeInvalidApp, "invalid_app_error", "device参数错误")
		return seedUser{}, false
	}
	if (hasDevice && device != wantDevice) || (hasVersion && version != wantVersion) {
		fail(w, r, CodeInvalidApp, "invalid_app_error", "device参数错误")
		return seedUser{}, false
	}
	if token == "" {
		unauthorized(w, r, msgExpired)
		return seedUser{}, false
	}
	userID, state, err := s.session(r.Context(), token)
	if err != nil {
		internal(w, r, err)
		return seedUser{}, false
	}
	switch state {
	case sessionLive:
		if u, found := s.seed.user(userID); found {
			if u.ID == s.user.ID {
				u = s.user
			}
			return u, true
		}
		fallthrough
	case sessionUnknown:
		unauthorized(w, r, msgExpired)
	default:
		unauthorized(w, r, msgReplaced)
	}
	return seedUser{}, false
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
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
