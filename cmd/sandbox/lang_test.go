package sandbox

import (
	"strings"
	"testing"

	"github.com/crmctl/crmctl/internal/i18n"
)

// The console messages to the person running the sandbox follow the chosen language.
func TestResetSpeaksChinese(t *testing.T) {
	dir := t.TempDir()
	f, ios, _, errOut := testFactory(t, dir)
	ios.SetLang(i18n.Chinese)
	cmd := newCmdReset(f, nil)
	cmd.SetArgs([]string{"--yes"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(errOut.String(), "沙箱数据已重置：") || !strings.Contains(errOut.String(), "沙箱的所有令牌也随之失效") {
		t.Errorf("stderr: %s", errOut.String())
	}
}
