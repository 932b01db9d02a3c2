package api

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestDecodeEnvelopeSuccess(t *testing.T) {
	tests := []struct{ body, data string }{
		{`{"code":0,"data":{"id":1}}`, `{"id":1}`},
		{`{"code":"0","data":[1,2]}`, `[1,2]`},
		{` {"data":"x","code":0.0,"extra":{"a":1}} `, `"x"`},
		{"\xef\xbb\xbf{\"code\":0,\"data\":null}", `null`},
		{`{"code":0}`, `null`},
		{`{"code":0,"data":null,"message":"ok"}`, `null`},
	}
	for _, tt := range tests {
		data, err := DecodeEnvelope([]byte(tt.body))
		if err != nil {
			t.Errorf("DecodeEnvelope(%q): %v", tt.body, err)
			continue
		}
		if string(data) != tt.data {
			t.Errorf("DecodeEnvelope(%q) = %s, want %s", tt.body, data, tt.data)
		}
	}
}

func TestDecodeEnvelopeAPIErrors(t *testing.T) {
	tests := []struct {
		body           string
		code           int
		msg, key       string
		auth, notFound bool
	}{
		{`{"code":100401,"data":null,"message":"您的登录已经过期,请重新登录!"}`, 100401, "您的登录已经过期,请重新登录!", "", true, false},
		{`{"code":"100401","message":"你的帐号已在其他地方登录,本地已经下线","error":"user_authentication_error"}`, 100401, "你的帐号已在其他地方登录,本地已经下线", "user_authentication_error", true, false},
		{`{"code":100000,"message":"device参数错误","error":"invalid_app_error"}`, 100000, "device参数错误", "invalid_app_error", true, false},
		{`{"code":100100,"message":"没有权限","error":"active_record/record_not_found"}`, 100100, "没有权限", "active_record/record_not_found", false, true},
		{`{"code":422001,"message":"客户名称不能为空 <b>x</b>","data":{"x":1}}`, 422001, "客户名称不能为空 <b>x</b>", "", false, false},
		{`{"code":500,"message":{"name":["重复"]}}`, 500, `{"name":["重复"]}`, "", false, false},
		{`{"code":-1}`, -1, "", "", false, false},
	}
	for _, tt := range tests {
		_, err := DecodeEnvelope([]byte(tt.body))
		var ae *Error
		if !errors.As(err, &ae) {
			t.Errorf("DecodeEnvelope(%s) err = %v, want *Error", tt.body, err)
			continue
		}
		if ae.Code != tt.code || ae.Message != tt.msg || ae.Key != tt.key {
			t.Errorf("DecodeEnvelope(%s) = %+v", tt.body, *ae)
		}
		if ae.IsAuth() != tt.auth || IsAuthError(err) != tt.auth || ae.IsNotFound() != tt.notFound {
			t.Errorf("DecodeEnvelope(%s): IsAuth=%v IsNotFound=%v", tt.body, ae.IsAuth(), ae.IsNotFound())
		}
		if tt.msg != "" && !strings.Contains(ae.Error(), tt.msg) {
			t.Errorf("Error() = %q lacks the message", ae.Error())
		}
	}
}

func TestDecodeEnvelopeBadBodies(t *testing.T) {
	html := "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body>" + strings.Repeat("<p>nginx filler text</p>", 500) + "</body></html>"
	tests := []struct {
		name, body, snippet, errText string
	}{
		{"empty", "", "", "empty"},
		{"blank", " \n\t", "", "empty"},
		{"html", html, "502 Bad Gateway", "HTML"},
		{"truncated", `{"code":0,"data":{"id":1,"name":"贸`, `{"code":0,"data":{"id":1,"name":"贸`, "truncated"},
		{"text", "Internal Server Error", "Internal Server Error", "not JSON"},
		{"array", `[1,2]`, "[1,2]", "not JSON"},
		{"no code", `{"data":{}}`, `{"data":{}}`, "no \"code\""},
		{"code object", `{"code":{"a":1}}`, `{"code":{"a":1}}`, "not a number"},
		{"code text", `{"code":"oops"}`, `{"code":"oops"}`, "not a number"},
		{"code fraction", `{"code":1.5}`, `{"code":1.5}`, "not a number"},
		{"binary", "\x00\x01\x02\xff", "", "not JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeEnvelope([]byte(tt.body))
			var re *ResponseError
			if !errors.As(err, &re) {
				t.Fatalf("err = %v, want *ResponseError", err)
			}
			if re.Snippet != tt.snippet {
				t.Errorf("Snippet = %q, want %q", re.Snippet, tt.snippet)
			}
			if !strings.Contains(err.Error(), tt.errText) {
				t.Errorf("Error() = %q, want it to mention %q", err.Error(), tt.errText)
			}
		})
	}
}

func TestSnippetIsShortAndPrintable(t *testing.T) {
	long := strings.Repeat("错误 \x1b[31m\r\n", 1000)
	s := Snippet([]byte(long))
	if n := utf8.RuneCountInString(s); n > snippetLen+1 {
		t.Errorf("snippet has %d runes", n)
	}
	if strings.ContainsAny(s, "\x1b\r\n") {
		t.Errorf("snippet not printable: %q", s)
	}
	if !strings.HasSuffix(s, "…") {
		t.Errorf("cut snippet not marked: %q", s)
	}
	if got := Snippet([]byte("<html><body><h1>Forbidden</h1>\n<p>nope</p></body></html>")); got != "Forbidden nope" {
		t.Errorf("html without title: %q", got)
	}
}

// Errors through the client carry the method, path and status.
func TestClientErrors(t *testing.T) {
	tests := []struct {
		name, body string
		status     int
		check      func(t *testing.T, err error)
	}{
		{"expired token", `{"code":100401,"data":null,"message":"您的登录已经过期,请重新登录!"}`, 200, func(t *testing.T, err error) {
			if !IsAuthError(err) {
				t.Errorf("not an auth error: %v", err)
			}
		}},
		{"bad device", `{"code":100000,"message":"device参数错误","error":"invalid_app_error"}`, 200, func(t *testing.T, err error) {
			if !IsAuthError(err) {
				t.Errorf("not an auth error: %v", err)
			}
		}},
		{"not found", `{"code":100100,"message":"no","error":"active_record/record_not_found"}`, 200, func(t *testing.T, err error) {
			var ae *Error
			if !errors.As(err, &ae) || !ae.IsNotFound() || IsAuthError(err) {
				t.Errorf("err = %v", err)
			}
		}},
		{"unknown code", `{"code":230001,"message":"客户名称已存在","error":"validation"}`, 200, func(t *testing.T, err error) {
			var ae *Error
			if !errors.As(err, &ae) || ae.Code != 230001 || ae.Message != "客户名称已存在" || ae.Key != "validation" {
				t.Errorf("err = %#v", err)
			}
			if err.Error() != "客户名称已存在 (code 230001, validation)" {
				t.Errorf("Error() = %q", err.Error())
			}
		}},
		{"auth error with a 401 status", `{"code":100401,"message":"x"}`, 401, func(t *testing.T, err error) {
			if !IsAuthError(err) {
				t.Errorf("err = %v", err)
			}
		}},
		{"html page", "<html><head><title>Welcome to nginx</title></head><body>" + strings.Repeat("x", 100000) + "</body></html>", 200, func(t *testing.T, err error) {
			var re *ResponseError
			if !errors.As(err, &re) || re.Method != "GET" || re.Path != "/api/v2/common_customers/7" || re.StatusCode != 200 || re.Snippet != "Welcome to nginx" {
				t.Errorf("err = %#v", err)
			}
			if len(err.Error()) > 300 {
				t.Errorf("message too long: %d bytes", len(err.Error()))
			}
		}},
		{"truncated", `{"code":0,"data":{"id":7,"name":"x`, 200, func(t *testing.T, err error) {
			var re *ResponseError
			if !errors.As(err, &re) || !strings.Contains(err.Error(), "truncated") {
				t.Errorf("err = %v", err)
			}
		}},
		{"empty", "", 200, func(t *testing.T, err error) {
			var re *ResponseError
			if !errors.As(err, &re) || !strings.Contains(err.Error(), "empty") {
				t.Errorf("err = %v", err)
			}
		}},
		{"success envelope with 404", `{"code":0,"data":{}}`, 404, func(t *testing.T, err error) {
			var re *ResponseError
			if !errors.As(err, &re) || re.StatusCode != 404 {
				t.Errorf("err = %v", err)
			}
		}},
		{"data not an object", `{"code":0,"data":"hello"}`, 200, func(t *testing.T, err error) {
			var re *ResponseError
			if !errors.As(err, &re) || !strings.Contains(err.Error(), "expected an object") {
				t.Errorf("err = %v", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
				w.WriteHeader(tt.status)
				w.Write([]byte(tt.body))
			})
			c, sr := newTestClient(t, srv.URL)
			_, err := c.CommonCustomer(context.Background(), "7")
			if err == nil {
				t.Fatal("no error")
			}
			if strings.Contains(err.Error(), testToken) {
				t.Error("token in the error")
			}
			tt.check(t, err)
			if n := len(srv.Requests()); n != 1 {
				t.Errorf("server saw %d requests, want 1 (these answers are not retried)", n)
			}
			if len(sr.waits()) != 0 {
				t.Errorf("slept %v", sr.waits())
			}
		})
	}
}
