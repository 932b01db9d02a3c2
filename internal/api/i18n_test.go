package api

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/crmctl/crmctl/internal/apitest"
	"github.com/crmctl/crmctl/internal/i18n"
)

// The client's errors speak Chinese through a Chinese printer, keep their English
// Error(), and keep their kind.
func TestErrorsInChinese(t *testing.T) {
	zh := i18n.New(i18n.Chinese)
	srv := apitest.New(t)
	srv.Register("GET", "/api/v2/user/info", apitest.Status(http.StatusBadGateway,
		"<html><head><title>502 Bad Gateway</title></head></html>")).Times(2)
	srv.Register("POST", "/api/v2/auth/login", apitest.Data(`{"user_id":2}`))
	srv.Register("GET", "/api/v2/common_customers/common_settings", apitest.JSON(`{"code":0,"data":{"common_settings":"x"}}`))
	srv.Register("GET", "/api/v2/departments", apitest.HangUp()).Always() // net/http may resend a GET on a reused connection
	c, _ := newTestClient(t, srv.URL, func(o *Options) { o.MaxRetries = 1 })
	ctx := context.Background()

	_, err := c.UserInfo(ctx)
	var re *ResponseError
	if !errors.As(err, &re) || re.StatusCode != http.StatusBadGateway {
		t.Fatalf("user info: %#v", err)
	}
	if got := zh.Error(err); !strings.Contains(got, "返回了无法识别的响应（HTTP 502）") || !strings.Contains(got, "服务器错误 502 Bad Gateway") {
		t.Errorf("an HTML error page in Chinese = %q", got)
	}

	_, err = c.Login(ctx, LoginParams{Login: "a", Password: "b"})
	if got := zh.Error(err); !errors.As(err, &re) || !strings.Contains(got, "登录的响应中没有 user_token") {
		t.Errorf("a login answer without a token in Chinese = %q (%v)", got, err)
	}

	_, err = c.Pools(ctx)
	if got := zh.Error(err); !errors.As(err, &re) || !strings.Contains(got, `公海："common_settings" 是 a string，不是列表`) {
		t.Errorf("a decoding error in Chinese = %q (%v)", got, err)
	}

	_, err = c.Departments(ctx)
	var ne *NetworkError
	if !errors.As(err, &ne) {
		t.Fatalf("departments: %#v", err)
	}
	got, en := zh.Error(err), err.Error()
	if !strings.Contains(got, "网络错误") || !strings.HasSuffix(got, "（尝试 2 次）") || !strings.HasSuffix(en, " (2 attempts)") {
		t.Errorf("a network error in Chinese = %q, in English %q", got, en)
	}
}

// A URL that cannot be an API's is refused in Chinese, as the same kind of error.
func TestOptionErrorsInChinese(t *testing.T) {
	_, err := New(Options{BaseURL: "ftp://crm.example.com"})
	if err == nil || !strings.Contains(i18n.New(i18n.Chinese).Error(err), "协议必须是 https") ||
		!strings.Contains(err.Error(), "the scheme must be https") {
		t.Errorf("err = %v", err)
	}
}
