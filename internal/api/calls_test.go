package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/crmctl/crmctl/internal/apitest"
)

func TestCallsSendExactRequests(t *testing.T) {
	form := url.Values{}
	form.Set("common_id", "45")
	form.Set("customer[name]", "贸易公司 & Co")
	form.Set("customer[address_attributes][tel]", "010-64881989")
	form.Set("customer[contacts_attributes][0][name]", "张三")

	tests := []struct {
		name      string
		call      func(c *Client) (any, error)
		answer    string
		method    string
		path      string
		query     string
		body      string
		wantCType string
	}{
		{
			name:   "user info",
			call:   func(c *Client) (any, error) { return c.UserInfo(context.Background()) },
			answer: `{"code":0,"data":{"id":2,"name":"test","phone":13800000000}}`,
			method: "GET", path: "/api/v2/user/info",
		},
		{
			name:   "pools",
			call:   func(c *Client) (any, error) { return c.Pools(context.Background()) },
			answer: `{"code":0,"data":{"common_settings":[{"id":45,"name":"公司公海"}]}}`,
			method: "GET", path: "/api/v2/common_customers/common_settings",
		},
		{
			name:   "field maps",
			call:   func(c *Client) (any, error) { return c.FieldMaps(context.Background(), "customer") },
			answer: `{"code":0,"data":{"customer":[]}}`,
			method: "GET", path: "/api/v2/field_maps/customer",
		},
		{
			name:   "create",
			call:   func(c *Client) (any, error) { return c.CreateCommonCustomer(context.Background(), form) },
			answer: `{"code":0,"data":{"id":18,"name":"贸易公司 & Co"}}`,
			method: "POST", path: "/api/v2/common_customers",
			body: form.Encode(), wantCType: "application/x-www-form-urlencoded",
		},
		{
			name:   "get customer",
			call:   func(c *Client) (any, error) { return c.CommonCustomer(context.Background(), "18") },
			answer: `{"code":0,"data":{"id":"18","name":"贸易公司"}}`,
			method: "GET", path: "/api/v2/common_customers/18",
		},
		{
			name:   "get customer escapes the id",
			call:   func(c *Client) (any, error) { return c.CommonCustomer(context.Background(), "1/2?x") },
			answer: `{"code":0,"data":{"id":"1"}}`,
			method: "GET", path: "/api/v2/common_customers/1%2F2%3Fx",
		},
		{
			name:   "matching name",
			call:   func(c *Client) (any, error) { return c.MatchingName(context.Background(), "贸易 公司&x=1") },
			answer: `{"code":0,"data":{"customers":[{"id":1,"name":"贸易 公司&x=1","user_id":2}]}}`,
			method: "GET", path: "/api/v2/duplicates/matching_name",
			query: "name=" + url.QueryEscape("贸易 公司&x=1"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := apitest.New(t)
			srv.Register(tt.method, tt.path, apitest.JSON(tt.answer))
			c, _ := newTestClient(t, srv.URL)
			got, err := tt.call(c)
			if err != nil {
				t.Fatalf("call: %v", err)
			}
			if got == nil {
				t.Fatal("nil result")
			}
			reqs := srv.Requests()
			if len(reqs) != 1 {
				t.Fatalf("server saw %d requests, want 1", len(reqs))
			}
			r := reqs[0]
			if r.Method != tt.method || r.Path != tt.path || r.RawQuery != tt.query {
				t.Errorf("request = %s %s ?%s, want %s %s ?%s", r.Method, r.Path, r.RawQuery, tt.method, tt.path, tt.query)
			}
			if got := r.Header.Get("Authorization"); got != wantAuth {
				t.Errorf("Authorization = %q, want %q", got, wantAuth)
			}
			if got := r.Header.Get("User-Agent"); got != "crmctl/test" {
				t.Errorf("User-Agent = %q", got)
			}
			if got := r.Header.Get("Accept"); got != "application/json" {
				t.Errorf("Accept = %q", got)
			}
			if got := r.Header.Get("Content-Type"); got != tt.wantCType {
				t.Errorf("Content-Type = %q, want %q", got, tt.wantCType)
			}
			if r.Body != tt.body {
				t.Errorf("body = %q, want %q", r.Body, tt.body)
			}
			if strings.Contains(r.RawQuery, testToken) || strings.Contains(r.Path, testToken) {
				t.Error("token in the URL")
			}
			if s := c.Stats(); s.Requests != 1 || s.Retries != 0 || s.Throttled != 0 {
				t.Errorf("stats = %+v", s)
			}
		})
	}
}

func TestLogin(t *testing.T) {
	for _, corp := range []string{"", "corp-9"} {
		srv := apitest.New(t)
		srv.Register("POST", "/api/v2/auth/login", apitest.Data(`{"user_token":"fedcba9876543210fedcba9876543210","user_id":123,"extra":1}`))
		c, _ := newTestClient(t, srv.URL, func(o *Options) { o.Token = "" })
		res, err := c.Login(context.Background(), LoginParams{Login: "13800000000", Password: "p@ss w&rd", CorpID: corp})
		if err != nil {
			t.Fatal(err)
		}
		if res.UserToken != "fedcba9876543210fedcba9876543210" || res.UserID != "123" {
			t.Errorf("result = %+v", res)
		}
		r := srv.Requests()[0]
		if r.Method != "POST" || r.Path != "/api/v2/auth/login" || r.RawQuery != "" {
			t.Errorf("request = %s %s?%s", r.Method, r.Path, r.RawQuery)
		}
		if _, ok := r.Header["Authorization"]; ok {
			t.Error("login sent an Authorization header")
		}
		if got := r.Header.Get("Content-Type"); got != "application/x-www-form-urlencoded" {
			t.Errorf("Content-Type = %q", got)
		}
		want := "device=open_api&login=13800000000&password=p%40ss+w%26rd&version_code=9.9.9"
		if corp != "" {
			want = "corp_id=corp-9&" + want
		}
		if r.Body != want {
			t.Errorf("body = %q, want %q", r.Body, want)
		}
	}
}

// A token from the server larger than MaxTokenLen is refused, not stored; a long but
// bounded one that is not 32 hex digits is tolerated.
func TestLoginTokenSizeCapped(t *testing.T) {
	for _, tc := range []struct {
		token string
		ok    bool
	}{
		{strings.Repeat("a", 5<<20), false},
		{strings.Repeat("a", MaxTokenLen+1), false},
		{strings.Repeat("A", MaxTokenLen), true},
	} {
		srv := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
			writeJSON(w, `{"code":0,"data":{"user_token":"`+tc.token+`","user_id":123}}`)
		})
		c, _ := newTestClient(t, srv.URL, func(o *Options) { o.Token = "" })
		res, err := c.Login(context.Background(), LoginParams{Login: "13800000000", Password: "pw"})
		switch {
		case tc.ok && (err != nil || res.UserToken != tc.token):
			t.Errorf("a %d-byte token: err = %v", len(tc.token), err)
		case !tc.ok && err == nil:
			t.Errorf("a %d-byte token was accepted", len(tc.token))
		case !tc.ok && (!strings.Contains(err.Error(), "bytes long") || strings.Contains(err.Error(), "aaaaaaaa")):
			t.Errorf("a %d-byte token: err = %.200v", len(tc.token), err)
		}
	}
	if _, err := New(Options{BaseURL: "https://lxcrm.weiwenjia.com", Token: strings.Repeat("a", MaxTokenLen+1)}); err == nil {
		t.Error("New accepted an oversized token (CRMCTL_TOKEN)")
	}
}

func TestLoginRefused(t *testing.T) {
	srv := apitest.New(t)
	srv.Register("POST", "/api/v2/auth/login", apitest.APIError(100001, "用户名或密码错误", ""))
	c, _ := newTestClient(t, srv.URL, func(o *Options) { o.Token = "" })
	_, err := c.Login(context.Background(), LoginParams{Login: "a", Password: "b"})
	var ae *Error
	if !errors.As(err, &ae) || ae.Code != 100001 || ae.Message != "用户名或密码错误" {
		t.Fatalf("err = %#v", err)
	}
}

func TestNoTokenIsAuthError(t *testing.T) {
	srv := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) { writeJSON(w, `{"code":0,"data":{}}`) })
	c, _ := newTestClient(t, srv.URL, func(o *Options) { o.Token = "" })
	_, err := c.UserInfo(context.Background())
	if !errors.Is(err, ErrNoToken) || !IsAuthError(err) {
		t.Fatalf("err = %v", err)
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("server saw %d requests", n)
	}
}

func TestFieldMapsValidatesEntity(t *testing.T) {
	srv := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) { writeJSON(w, `{"code":0,"data":{}}`) })
	c, _ := newTestClient(t, srv.URL)
	for _, e := range []string{"", "../user", "Customer", "cust omer", "customer/1"} {
		if _, err := c.FieldMaps(context.Background(), e); err == nil {
			t.Errorf("FieldMaps(%q) accepted", e)
		}
	}
	if _, err := c.CommonCustomer(context.Background(), ".."); err == nil {
		t.Error(`CommonCustomer("..") accepted`)
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("server saw %d requests", n)
	}
}

func TestDecodedCallResults(t *testing.T) {
	pools := `[{"id":45,"organization_id":49,"name":"公司公海","admin_list":{"user_ids":[]},
	  "rule_type":"0","rule_config":{"owner":{"max_unfollow_day":"10"}},"limit_grab_enable":false,"limit_grab_day":"10"},
	 {"id":"48942","name":"超级公海","rule_type":2,"limit_grab_enable":1}]`
	srv := apitest.New(t)
	srv.Register("GET", "/api/v2/common_customers/common_settings", apitest.Data(`{"common_settings":`+pools+`,"total_count":2}`))
	srv.Register("GET", "/api/v2/field_maps/lead", apitest.JSON(`{"code":"0","data":{"lead":null}}`))
	srv.Register("GET", "/api/v2/user/info", apitest.Data(`{"id":"2","name":"test","department_name":"销售部","new_key":[1]}`))
	srv.Register("GET", "/api/v2/duplicates/matching_name", apitest.Data(`{}`)).Query("name", "x")
	c, _ := newTestClient(t, srv.URL)
	ctx := context.Background()
	pl, err := c.Pools(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(pl.Pools) != 2 || pl.Pools[0].ID != "45" || pl.Pools[1].ID != "48942" || pl.Pools[0].LimitGrabDay != 10 ||
		pl.Pools[1].RuleType != 2 || !pl.Pools[1].LimitGrabEnable || pl.Pools[0].LimitGrabEnable {
		t.Errorf("pools = %+v", pl.Pools)
	}
	if string(pl.Raw) != pools {
		t.Errorf("Raw = %s", pl.Raw)
	}
	fm, err := c.FieldMaps(ctx, "lead")
	if err != nil {
		t.Fatal(err)
	}
	if string(fm.Raw) != "[]" || len(fm.Fields) != 0 || fm.Entity != "lead" {
		t.Errorf("field maps = %+v", fm)
	}
	u, err := c.UserInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if u.ID != "2" || u.DepartmentName != "销售部" || !json.Valid(u.Raw) || !strings.Contains(string(u.Raw), `"new_key"`) {
		t.Errorf("user = %+v", u)
	}
	cl, err := c.MatchingName(ctx, "x")
	if err != nil {
		t.Fatal(err)
	}
	if string(cl.Raw) != "[]" || len(cl.Customers) != 0 {
		t.Errorf("customers = %+v", cl)
	}
}
