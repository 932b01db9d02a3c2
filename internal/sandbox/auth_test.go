package sandbox

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var hex32 = regexp.MustCompile(`^[0-9a-f]{32}$`)

func TestLoginForms(t *testing.T) {
	s := openMem(t, Options{})
	form := loginForm(DefaultLogin, DefaultPassword)
	jsonBody := `{"login":"13800000000","password":"sandbox","device":"open_api","version_code":"9.9.9"}`
	cases := []struct {
		name, target, body, ct string
	}{
		{"form", "/api/v2/auth/login", form, "application/x-www-form-urlencoded"},
		{"form without content type", "/api/v2/auth/login", form, ""},
		{"json", "/api/v2/auth/login", jsonBody, "application/json; charset=utf-8"},
		{"query", "/api/v2/auth/login?" + form, "", ""},
		{"multipart-free form with corp_id", "/api/v2/auth/login", form + "&corp_id=49", "application/x-www-form-urlencoded"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hdr := map[string]string{}
			if c.ct != "" {
				hdr["Content-Type"] = c.ct
			}
			d := do(t, s.Handler(), "POST", c.target, strings.NewReader(c.body), hdr).data(t)
			if tok := str(d["user_token"]); !hex32.MatchString(tok) {
				t.Errorf("user_token %q is not 32 lowercase hex", tok)
			}
			if str(d["user_id"]) != "2" {
				t.Errorf("user_id = %v, want 2", d["user_id"])
			}
		})
	}
}

func TestLoginFailures(t *testing.T) {
	s := openMem(t, Options{Login: "13911112222", Password: "s3cret"})
	if l, p := s.Account(); l != "13911112222" || p != "s3cret" {
		t.Fatalf("Account() = %q, %q", l, p)
	}
	post := func(form string) resp {
		return do(t, s.Handler(), "POST", "/api/v2/auth/login", strings.NewReader(form),
			map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	}
	// device / version_code
	for _, form := range []string{
		url.Values{"login": {"13911112222"}, "password": {"s3cret"}, "version_code": {"9.9.9"}}.Encode(),
		url.Values{"login": {"13911112222"}, "password": {"s3cret"}, "device": {"ios"}, "version_code": {"9.9.9"}}.Encode(),
		url.Values{"login": {"13911112222"}, "password": {"s3cret"}, "device": {"open_api"}, "version_code": {"1.0"}}.Encode(),
	} {
		// The API's own example, with no data key (ikcrm-api.md §2).
		r := post(form)
		if !sameJSON(t, r.body, `{"code":100000,"message":"device参数错误","error":"invalid_app_error"}`) {
			t.Errorf("%s: %s", form, r.body)
		}
	}
	for _, form := range []string{
		loginForm("13911112222", "wrong"),
		loginForm("13800000000", "s3cret"),
		loginForm("13911112222", ""),
		loginForm("13911112222", "s3cret") + "&corp_id=12345",
	} {
		r := post(form)
		m := r.json(t)
		if r.code(t) != CodeLoginFailed {
			t.Errorf("%s: code %v, want %d", form, m["code"], CodeLoginFailed)
		}
		msg := str(m["message"])
		if !regexp.MustCompile(`\p{Han}`).MatchString(msg) {
			t.Errorf("%s: message %q has no Chinese", form, msg)
		}
		if _, has := m["data"]; has && m["data"] != nil {
			t.Errorf("%s: data %v on failure", form, m["data"])
		}
	}
	// A GET login is not a route.
	if r := do(t, s.Handler(), "GET", "/api/v2/auth/login?"+loginForm("13911112222", "s3cret"), nil, nil); r.status != http.StatusNotFound {
		t.Errorf("GET login: HTTP %d, want 404", r.status)
	}
}

func TestOneLiveTokenPerAccount(t *testing.T) {
	s := openMem(t, Options{})
	first := login(t, s)
	if r := get(t, s, first, "/api/v2/user/info"); r.code(t) != 0 {
		t.Fatalf("first token refused: %s", r.body)
	}
	second := login(t, s)
	if first == second {
		t.Fatal("a new login gave the same token")
	}
	r := get(t, s, first, "/api/v2/user/info")
	m := r.json(t)
	if r.code(t) != CodeUnauthorized || m["message"] != "你的帐号已在其他地方登录,本地已经下线" ||
		m["error"] != "user_authentication_error" || m["data"] != nil {
		t.Errorf("ended token: %s", r.body)
	}
	if _, has := m["data"]; !has {
		t.Errorf("100401 without a data key: %s", r.body)
	}
	if r := get(t, s, second, "/api/v2/user/info"); r.code(t) != 0 {
		t.Errorf("newest token refused: %s", r.body)
	}
}

func TestUnauthenticated(t *testing.T) {
	s := openMem(t, Options{})
	expired := `{"code":100401,"data":null,"error":"user_authentication_error","message":"您的登录已经过期,请重新登录!"}`
	for name, hdr := range map[string]string{
		"unknown token": tokenHeader(strings.Repeat("ab", 16)),
		"empty token":   "Token token=, device=open_api, version_code=9.9.9",
		"no token":      "Token device=open_api, version_code=9.9.9",
	} {
		r := do(t, s.Handler(), "GET", "/api/v2/user/info", nil, map[string]string{"Authorization": hdr})
		if got := strings.TrimSpace(string(r.body)); r.status != 200 || got != expired {
			t.Errorf("%s: HTTP %d %s", name, r.status, got)
		}
	}
	// Legacy parameters without a token.
	r := do(t, s.Handler(), "GET", "/api/v2/user/info?device=open_api&version_code=9.9.9", nil, nil)
	if r.code(t) != CodeUnauthorized {
		t.Errorf("no token: %s", r.body)
	}
	// Nothing at all: no token to check, 100401 (not the device check's 100000).
	r = do(t, s.Handler(), "GET", "/api/v2/user/info", nil, nil)
	if got := strings.TrimSpace(string(r.body)); got != expired {
		t.Errorf("no auth at all: %s", r.body)
	}
}

func TestAuthHeaderVariants(t *testing.T) {
	s := openMem(t, Options{})
	tok := defaultToken(t, s)
	good := []string{
		"Token token=" + tok + ", device=open_api, version_code=9.9.9",
		"Token token=" + tok + ",device=open_api,version_code=9.9.9",
		`Token token="` + tok + `", device="open_api", version_code="9.9.9"`,
		`Token token="` + tok + `",device="open_api",version_code="9.9.9"`,
		"Token version_code=9.9.9, token=" + tok + ", device=open_api",
		"token token=" + tok + ",  device=open_api,   version_code=9.9.9",
		// The vendor's own scripts send a bare token: a device or version left out is no error.
		"Token token=" + tok,
		`Token token="` + tok + `"`,
		"Token token=" + tok + ", version_code=9.9.9",
		"Token token=" + tok + ", device=open_api",
	}
	for _, h := range good {
		r := do(t, s.Handler(), "GET", "/api/v2/user/info", nil, map[string]string{"Authorization": h})
		if r.code(t) != 0 {
			t.Errorf("%q refused: %s", h, r.body)
		}
	}
	bad := map[string]string{
		"other device":             "Token token=" + tok + ", device=ios, version_code=9.9.9",
		"other version":            "Token token=" + tok + ", device=open_api, version_code=9.9.8",
		"other device, no version": "Token token=" + tok + ", device=web",
		"bearer":                   "Bearer " + tok,
	}
	for name, h := range bad {
		r := do(t, s.Handler(), "GET", "/api/v2/user/info", nil, map[string]string{"Authorization": h})
		m := r.json(t)
		if r.code(t) != CodeInvalidApp || m["message"] != "device参数错误" || m["error"] != "invalid_app_error" {
			t.Errorf("%s: %s", name, r.body)
		}
	}
}

func TestLegacyParams(t *testing.T) {
	s := openMem(t, Options{})
	tok := defaultToken(t, s)
	q := url.Values{"user_token": {tok}, "device": {"open_api"}, "version_code": {"9.9.9"}}
	if r := do(t, s.Handler(), "GET", "/api/v2/user/info?"+q.Encode(), nil, nil); r.code(t) != 0 {
		t.Errorf("query params refused: %s", r.body)
	}
	form := q.Encode() + "&common_id=45&customer[name]=" + url.QueryEscape("表单令牌公司")
	r := do(t, s.Handler(), "POST", "/api/v2/common_customers", strings.NewReader(form),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	if d := r.data(t); d["name"] != "表单令牌公司" {
		t.Errorf("form params: %s", r.body)
	}
	bad := url.Values{"user_token": {tok}, "device": {"android"}, "version_code": {"9.9.9"}}
	if r := do(t, s.Handler(), "GET", "/api/v2/user/info?"+bad.Encode(), nil, nil); r.code(t) != CodeInvalidApp {
		t.Errorf("legacy wrong device: %s", r.body)
	}
}
