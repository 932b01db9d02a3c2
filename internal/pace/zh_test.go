package pace

import (
	"errors"
	"testing"

	"github.com/crmctl/crmctl/internal/i18n"
)

// Pacing's errors are told in the chosen language; the English text and the
// sentinel's identity stay as they were.
func TestErrorsInChinese(t *testing.T) {
	zh := i18n.New(i18n.Chinese)
	_, err := ParseRate("ten")
	if got, want := err.Error(), `--rate "ten": expected N/DURATION, e.g. 10/10s, or off`; got != want {
		t.Errorf("in English: %q, want %q", got, want)
	}
	if got, want := zh.Error(err), `--rate "ten"：应为 次数/时长（如 10/10s），或 off`; got != want {
		t.Errorf("in Chinese: %q, want %q", got, want)
	}
	var wait error = &WaitError{Err: ErrWaitInterrupted}
	if got, want := wait.Error(), "waiting for a send slot: interrupted while waiting for a send slot"; got != want {
		t.Errorf("in English: %q, want %q", got, want)
	}
	if got, want := zh.Error(wait), "等待发送时机：等待发送时机时被中断"; got != want {
		t.Errorf("in Chinese: %q, want %q", got, want)
	}
	if !errors.Is(wait, ErrWaitInterrupted) {
		t.Error("the sentinel is no longer found")
	}
}
