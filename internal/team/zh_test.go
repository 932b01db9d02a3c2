package team

import (
	"errors"
	"testing"
	"time"

	"github.com/crmctl/crmctl/internal/config"
	"github.com/crmctl/crmctl/internal/i18n"
)

// The team's errors are told in the chosen language; their English text and their
// kinds stay as they were.
func TestErrorsInChinese(t *testing.T) {
	zh, en := i18n.New(i18n.Chinese), i18n.New(i18n.English)

	_, err := Options("http://h:6379", "CRMCTL_REDIS_URL")
	var ie *config.InvalidError
	if !errors.As(err, &ie) {
		t.Fatalf("Options: %v, want an *InvalidError", err)
	}
	if got, want := err.Error(), `CRMCTL_REDIS_URL: the scheme must be redis:// or rediss:// (TLS), not "http"`; got != want || en.Error(err) != want {
		t.Errorf("in English: %q, want %q", got, want)
	}
	if got, want := zh.Error(err), `CRMCTL_REDIS_URL：协议必须是 redis:// 或 rediss://（TLS），而不是 "http"`; got != want {
		t.Errorf("in Chinese: %q, want %q", got, want)
	}
	if _, err := Options("::", ""); zh.Error(err) != "不是有效的网址，应如 redis://:PASSWORD@HOST:6379/0" {
		t.Errorf("a bad URL with no setting named, in Chinese: %q", zh.Error(err))
	}

	lease := i18n.Errorf("the import's lease was not renewed for %s", i18n.Duration(90*time.Second))
	var unavailable error = &UnavailableError{Where: "redis://h:6379/0", Err: lease}
	if got, want := unavailable.Error(), "the team's Redis at redis://h:6379/0: the import's lease was not renewed for 1m30s"; got != want {
		t.Errorf("in English: %q, want %q", got, want)
	}
	if got, want := zh.Error(unavailable), "团队的 Redis（redis://h:6379/0）：此次导入的租约已有 1分30秒 未能续期"; got != want {
		t.Errorf("in Chinese: %q, want %q", got, want)
	}
	if !errors.Is(unavailable, lease) {
		t.Error("the cause is no longer wrapped")
	}

	var owned error = &OwnedError{ID: "42"}
	if got, want := zh.Error(owned), "客户 42 在团队台账中已属于另一行：不重复记录"; got != want {
		t.Errorf("in Chinese: %q, want %q", got, want)
	}
}
