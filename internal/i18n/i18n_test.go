package i18n

import (
	"errors"
	"fmt"
	"io/fs"
	"testing"
	"time"
)

func envOf(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

func TestChoose(t *testing.T) {
	for _, tc := range []struct {
		name    string
		env     map[string]string
		profile string
		want    Lang
	}{
		{"nothing set", nil, "", English},
		{"LANG Chinese", map[string]string{"LANG": "zh_CN.UTF-8"}, "", Chinese},
		{"LANG Taiwan", map[string]string{"LANG": "zh_TW.Big5"}, "", Chinese},
		{"LANG English", map[string]string{"LANG": "en_US.UTF-8"}, "", English},
		{"LANG C", map[string]string{"LANG": "C"}, "", English},
		{"LC_MESSAGES over LANG", map[string]string{"LANG": "en_US.UTF-8", "LC_MESSAGES": "zh_CN.UTF-8"}, "", Chinese},
		{"LC_ALL over LC_MESSAGES", map[string]string{"LC_ALL": "C", "LC_MESSAGES": "zh_CN.UTF-8"}, "", English},
		{"empty LC_ALL is unset", map[string]string{"LC_ALL": "", "LANG": "zh_CN.UTF-8"}, "", Chinese},
		{"French locale", map[string]string{"LANG": "fr_FR.UTF-8"}, "", English},
		{"CRMCTL_LANG over locale", map[string]string{"LANG": "zh_CN.UTF-8", "CRMCTL_LANG": "en"}, "", English},
		{"CRMCTL_LANG zh", map[string]string{"LANG": "en_US.UTF-8", "CRMCTL_LANG": "zh"}, "", Chinese},
		{"CRMCTL_LANG case and space", map[string]string{"CRMCTL_LANG": " ZH "}, "", Chinese},
		{"CRMCTL_LANG over profile", map[string]string{"CRMCTL_LANG": "en"}, "zh", English},
		{"profile over locale", map[string]string{"LANG": "en_US.UTF-8"}, "zh", Chinese},
		{"unknown CRMCTL_LANG ignored", map[string]string{"CRMCTL_LANG": "fr", "LANG": "zh_CN.UTF-8"}, "", Chinese},
		{"empty CRMCTL_LANG ignored", map[string]string{"CRMCTL_LANG": "", "LANG": "zh_CN.UTF-8"}, "", Chinese},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Choose(envOf(tc.env), tc.profile); got != tc.want {
				t.Errorf("Choose = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestParse(t *testing.T) {
	for in, want := range map[string]Lang{"zh": Chinese, "zh-CN": Chinese, "zh_CN.UTF-8@pinyin": Chinese, "en": English, "EN_gb": English, "POSIX": English} {
		if got, ok := Parse(in); !ok || got != want {
			t.Errorf("Parse(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "fr", "de_DE.UTF-8", "zhx"} {
		if got, ok := Parse(in); ok {
			t.Errorf("Parse(%q) = %q, want not ok", in, got)
		}
	}
}

// Errorf keeps fmt.Errorf's English text and wrapping; the Chinese printer renders the
// message and the wrapped errors from the catalogue.
func TestErrorfWrapsAndTranslates(t *testing.T) {
	const key = "reading %s: %w"
	if _, ok := chinese[key]; !ok {
		t.Skipf("%q is no longer in the catalogue; pick another", key)
	}
	inner := Errorf("a customer needs a name")
	err := Errorf(key, "a.csv", inner)
	if got, want := err.Error(), "reading a.csv: a customer needs a name"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if !errors.Is(err, inner) {
		t.Error("errors.Is does not find the wrapped error")
	}
	wrapped := Errorf(key, "a.csv", fs.ErrNotExist)
	if !errors.Is(wrapped, fs.ErrNotExist) {
		t.Error("errors.Is does not find fs.ErrNotExist")
	}
	if got := New(English).Error(err); got != err.Error() {
		t.Errorf("English = %q, want %q", got, err.Error())
	}
	zh := New(Chinese).Error(fmt.Errorf("outside: %w", err))
	want := "outside: " + fmt.Sprintf(normalise(chinese[key]), "a.csv", chinese["a customer needs a name"])
	if zh != "outside: "+err.Error() && zh != want {
		t.Errorf("Chinese through a foreign wrapper = %q", zh)
	}
	if got := New(Chinese).Error(err); got != fmt.Sprintf(normalise(chinese[key]), "a.csv", chinese["a customer needs a name"]) {
		t.Errorf("Chinese = %q", got)
	}
}

// A wrapper that adds no words is seen through; one that adds its own keeps its text.
type quiet struct{ err error }

func (q quiet) Error() string { return q.err.Error() }
func (q quiet) Unwrap() error { return q.err }

func TestErrorSeesThroughQuietWrappers(t *testing.T) {
	err := quiet{Errorf("a customer needs a name")}
	if got, want := New(Chinese).Error(err), chinese["a customer needs a name"]; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := New(Chinese).Error(errors.New("plain")); got != "plain" {
		t.Errorf("a foreign error = %q, want its own text", got)
	}
}

// In Chinese a Count is grouped, other numbers (ids, row numbers) are not; English is
// fmt's output unchanged.
func TestNumbers(t *testing.T) {
	zh := New(Chinese)
	if got := zh.Sprintf("%d %v %d", Count(2000), 123456, int64(7654321)); got != "2,000 123456 7654321" {
		t.Errorf("Chinese numbers = %q", got)
	}
	if got := New(English).Sprintf("%d %v", Count(2000), 123456); got != "2000 123456" {
		t.Errorf("English numbers = %q", got)
	}
	if got := New(Chinese).Sprintf("%5.1f%% %q", 12.34, "a"); got != " 12.3% \"a\"" {
		t.Errorf("floats and quotes = %q", got)
	}
}

func TestNormalise(t *testing.T) {
	for in, want := range map[string]string{"a %w": "a %v", "%[2]w %s": "%[2]v %s", "100%% %w": "100%% %v", "none": "none"} {
		if got := normalise(in); got != want {
			t.Errorf("normalise(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNilPrinterIsEnglish(t *testing.T) {
	var p *Printer
	if p.Lang() != English {
		t.Errorf("nil printer speaks %q", p.Lang())
	}
}

func TestDuration(t *testing.T) {
	zh, en := New(Chinese), New(English)
	for d, want := range map[time.Duration]string{
		0: "0秒", 133 * time.Millisecond: "133毫秒", 3 * time.Second: "3秒", 90 * time.Second: "1分30秒",
		33 * time.Minute: "33分钟", 2*time.Hour + 5*time.Minute: "2小时5分钟", time.Hour + 2*time.Second: "1小时0分2秒",
		1500 * time.Millisecond: "1.5秒",
	} {
		if got := zh.Sprintf("%s", Duration(d)); got != want {
			t.Errorf("Chinese %v = %q, want %q", d, got, want)
		}
		if got := en.Sprintf("%s", Duration(d)); got != d.String() {
			t.Errorf("English %v = %q, want %q", d, got, d.String())
		}
	}
}

// An Errorf whose arguments are messages has their English text in Error().
func TestErrorfWithMessageArguments(t *testing.T) {
	err := Errorf("%s (see %s)", Join([]Message{M("empty row"), M("empty row")}, ", "), "r.csv")
	if got, want := err.Error(), "empty row, empty row (see r.csv)"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if got, want := New(Chinese).Error(err), "空行, 空行（见 r.csv）"; got != want {
		t.Errorf("Chinese = %q, want %q", got, want)
	}
}
