package api

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

func TestCheckBaseURL(t *testing.T) {
	good := map[string]string{
		"https://lxcrm.weiwenjia.com":         "https://lxcrm.weiwenjia.com",
		"https://lxcrm.weiwenjia.com/":        "https://lxcrm.weiwenjia.com",
		" https://E.LixiaoCRM.com// ":         "https://e.lixiaocrm.com",
		"https://proxy.example.com:8443/crm/": "https://proxy.example.com:8443/crm",
		"http://127.0.0.1:8080":               "http://127.0.0.1:8080",
		"http://127.9.9.9":                    "http://127.9.9.9",
		"http://localhost:3000/":              "http://localhost:3000",
		"http://LOCALHOST":                    "http://localhost",
		"http://[::1]:9000":                   "http://[::1]:9000",
		"HTTPS://api.ikcrm.com":               "https://api.ikcrm.com",
	}
	for in, want := range good {
		u, err := CheckBaseURL(in)
		if err != nil {
			t.Errorf("CheckBaseURL(%q): %v", in, err)
			continue
		}
		if u.String() != want {
			t.Errorf("CheckBaseURL(%q) = %q, want %q", in, u.String(), want)
		}
	}
	bad := map[string]string{
		"":                                   "no API base URL",
		"lxcrm.weiwenjia.com":                "absolute",
		"/api/v2":                            "absolute",
		"ftp://lxcrm.weiwenjia.com":          "scheme",
		"http://lxcrm.weiwenjia.com":         "https is required",
		"http://10.0.0.1":                    "https is required",
		"http://localhost.example.com":       "https is required",
		"http://localhost.":                  "https is required",
		"http://localhost.:8710":             "https is required",
		"http://[::2]":                       "https is required",
		"https://user:hunter2@lxcrm.com":     "user name or password",
		"https://lxcrm.weiwenjia.com/?a=1":   "query",
		"https://lxcrm.weiwenjia.com?":       "query",
		"https://lxcrm.weiwenjia.com/#frag":  "fragment",
		"https://lxcrm.weiwenjia.com:99999":  "port",
		"https://:443":                       "host",
		"https:lxcrm.weiwenjia.com":          "absolute",
		"https://lxcrm weiwenjia.com":        "invalid",
		"https://lxcrm.weiwenjia.com/%zz":    "invalid",
		"mailto:someone@lxcrm.weiwenjia.com": "absolute",
	}
	for in, want := range bad {
		_, err := CheckBaseURL(in)
		if err == nil {
			t.Errorf("CheckBaseURL(%q) accepted", in)
			continue
		}
		if !strings.Contains(err.Error(), want) {
			t.Errorf("CheckBaseURL(%q) = %q, want it to say %q", in, err, want)
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("CheckBaseURL(%q) repeats the password: %v", in, err)
		}
	}
}

func TestNewChecksOptions(t *testing.T) {
	if _, err := New(Options{BaseURL: "http://crm.example.com"}); err == nil {
		t.Error("New accepted plain http for a remote host")
	}
	_, err := New(Options{BaseURL: "https://lxcrm.weiwenjia.com", Token: "abc\r\nX-Evil: 1"})
	if err == nil || strings.Contains(err.Error(), "abc") {
		t.Errorf("New with a bad token: %v", err)
	}
	c, err := New(Options{BaseURL: "https://lxcrm.weiwenjia.com/", Token: testToken})
	if err != nil {
		t.Fatal(err)
	}
	if c.BaseURL() != "https://lxcrm.weiwenjia.com" || c.opts.Timeout != DefaultTimeout || c.opts.MaxRetries != DefaultMaxRetries {
		t.Errorf("defaults: base %s, opts %+v", c.BaseURL(), c.opts)
	}
	if c.Stats() != (Stats{}) {
		t.Errorf("fresh stats = %+v", c.Stats())
	}
}

// A derived client keeps every option it does not change, including "no retries".
func TestWithKeepsOptions(t *testing.T) {
	srv := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) { w.WriteHeader(http.StatusTooManyRequests) })
	var waits atomic.Int32
	c, _ := newTestClient(t, srv.URL, func(o *Options) { o.MaxRetries = -1 })
	d, err := c.With(func(o *Options) { o.Wait = func(context.Context) error { waits.Add(1); return nil } })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.UserInfo(context.Background()); err == nil {
		t.Fatal("no error")
	}
	if n := len(srv.Requests()); n != 1 || waits.Load() != 1 {
		t.Errorf("requests = %d, waits = %d; want 1 and 1", n, waits.Load())
	}
	if d.opts.Transport != c.opts.Transport {
		t.Error("the derived client does not share the transport")
	}
	e, err := c.WithToken("fedcba9876543210fedcba9876543210")
	if err != nil || e.opts.Token == c.opts.Token || e.opts.UserAgent != "crmctl/test" {
		t.Errorf("WithToken: %+v, %v", e, err)
	}
	if c.Stats() != (Stats{}) || d.Stats().Requests != 1 {
		t.Errorf("stats: c %+v, d %+v", c.Stats(), d.Stats())
	}
}
