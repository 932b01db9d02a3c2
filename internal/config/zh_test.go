package config

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/crmctl/crmctl/internal/i18n"
)

// TestErrorsInChinese: a bad setting or a malformed config file is told in Chinese when
// Chinese is chosen, in English otherwise, and stays an *InvalidError either way.
func TestErrorsInChinese(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "config.yaml")
	tests := []struct {
		name, config string
		env          map[string]string
		en, zh       string
	}{
		{"output env", "", map[string]string{EnvOutput: "csv"},
			`CRMCTL_OUTPUT: invalid output format "csv" (want table or json)`,
			`CRMCTL_OUTPUT：输出格式 "csv" 无效（可用 table 或 json）`},
		{"a token that is a list", "profiles:\n  work: {token: [1, 2]}\n", nil,
			"config file " + file + ": profile work: token: want a string, got a list",
			"配置文件 " + file + "：配置档 work：token：应为文本，实际是列表"},
		{"current_profile a number", "current_profile: 7\n", nil, "", ""}, // a number is its text: no error
		{"profiles a text", "profiles: hello\n", nil,
			"config file " + file + `: profiles: want a mapping of profile names to profiles, got the text "hello"`,
			"配置文件 " + file + `：profiles：应为“配置档名称: 配置档”的映射，实际是文本 "hello"`},
		{"a negative cache TTL", "current_profile: w\nprofiles:\n  w: {cache_ttl: -1m}\n", nil,
			`profile w (cache_ttl): invalid cache TTL "-1m": must not be negative`,
			`profile w (cache_ttl)：缓存有效期 "-1m" 无效：不能为负数`},
		{"an account without login", "accounts:\n  - {token: abc}\n", nil,
			"config file " + file + ": accounts[0]: no login",
			"配置文件 " + file + "：accounts[0]：缺少登录账号（login）"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := os.WriteFile(file, []byte(tt.config), 0o600); err != nil {
				t.Fatal(err)
			}
			env := map[string]string{"HOME": dir, EnvConfig: file}
			for k, v := range tt.env {
				env[k] = v
			}
			_, err := Load(Flags{}, envMap(env))
			if tt.en == "" {
				if err != nil {
					t.Fatalf("Load: %v", err)
				}
				return
			}
			var ie *InvalidError
			if !errors.As(err, &ie) {
				t.Fatalf("Load: %v, want an *InvalidError", err)
			}
			if got := i18n.New(i18n.English).Error(err); got != tt.en || err.Error() != tt.en {
				t.Errorf("in English:\n got %q\nwant %q", got, tt.en)
			}
			if got := i18n.New(i18n.Chinese).Error(err); got != tt.zh {
				t.Errorf("in Chinese:\n got %q\nwant %q", got, tt.zh)
			}
		})
	}
}

// TestUnknownProfileInChinese: even the empty list of profiles is said in Chinese.
func TestUnknownProfileInChinese(t *testing.T) {
	err := unknownProfileError("work", nil)
	want := "没有配置档 \"work\"（目前还没有任何配置档）；请运行 `crmctl auth login --profile work`"
	if got := i18n.New(i18n.Chinese).Error(err); got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
	if got := err.Error(); got != "unknown profile \"work\" (profiles: none); run `crmctl auth login --profile work`" {
		t.Errorf("in English: %q", got)
	}
}
