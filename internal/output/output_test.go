package output

import (
	"errors"
	"strings"
	"testing"

	"github.com/crmctl/crmctl/internal/i18n"
	"github.com/crmctl/crmctl/internal/iostreams"
)

func TestPlainThroughAPipe(t *testing.T) {
	ios, _, out, _ := iostreams.Test()
	p, err := New(ios, FormatTable, "")
	if err != nil {
		t.Fatal(err)
	}
	tbl := Table{Header: []string{"ID", "NAME"}, Rows: [][]string{{"1", "a\tb\nc"}, {"2", "公司公海"}}}
	if err := p.Print([]byte(`[]`), tbl); err != nil {
		t.Fatal(err)
	}
	if want := "1\ta b c\n2\t公司公海\n"; out.String() != want {
		t.Errorf("got %q, want %q", out.String(), want)
	}
}

func TestTableOnATerminal(t *testing.T) {
	ios, _, out, _ := iostreams.Test()
	ios.SetStdoutTTY(true)
	ios.SetWidth(60)
	p, _ := New(ios, FormatTable, "")
	if err := p.PrintTable(Table{Header: []string{"ID", "NAME"}, Rows: [][]string{{"45", "公司公海"}}}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	if len(lines) != 5 || !strings.Contains(lines[1], "NAME") || !strings.Contains(lines[3], "公司公海") {
		t.Fatalf("table:\n%s", out)
	}
	// Borders line up: every line has the same display width (CJK counts double).
	width := func(s string) int {
		n := 0
		for _, r := range s {
			if r >= 0x2E80 && !(r >= 0x2500 && r <= 0x257F) {
				n += 2
			} else {
				n++
			}
		}
		return n
	}
	for _, l := range lines[1:] {
		if width(l) != width(lines[0]) {
			t.Errorf("ragged table:\n%s", out)
			break
		}
	}
}

func TestRecordIsVerticalOnATerminal(t *testing.T) {
	ios, _, out, _ := iostreams.Test()
	ios.SetStdoutTTY(true)
	p, _ := New(ios, FormatTable, "")
	if err := p.PrintTable(Table{Record: true, Header: []string{"ID", "NAME", "NOTE"}, Rows: [][]string{{"18", "贸易公司", ""}}}); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	if !strings.Contains(s, "FIELD") || !strings.Contains(s, "NAME") || strings.Contains(s, "NOTE") {
		t.Errorf("record:\n%s", s)
	}
	ios, _, out, _ = iostreams.Test()
	p, _ = New(ios, FormatTable, "")
	if err := p.PrintTable(Table{Record: true, Header: []string{"ID", "NAME"}, Rows: [][]string{{"18", "贸易公司"}}}); err != nil {
		t.Fatal(err)
	}
	if out.String() != "18\t贸易公司\n" {
		t.Errorf("piped record: %q", out)
	}
}

func TestJSONKeepsThePayload(t *testing.T) {
	ios, _, out, _ := iostreams.Test()
	p, _ := New(ios, FormatJSON, "")
	if err := p.Print([]byte(`{"b":1,"a":"x","n":12345678901234567890}`), Table{}); err != nil {
		t.Fatal(err)
	}
	if want := "{\n  \"b\": 1,\n  \"a\": \"x\",\n  \"n\": 12345678901234567890\n}\n"; out.String() != want {
		t.Errorf("got %q", out)
	}
	if err := p.PrintJSON([]byte(`{"a":`)); err == nil {
		t.Error("truncated JSON printed without error")
	}
}

func TestJQ(t *testing.T) {
	ios, _, out, _ := iostreams.Test()
	p, err := New(ios, FormatTable, `.[] | select(.id > 1) | .name, {id}`)
	if err != nil {
		t.Fatal(err)
	}
	if !p.JSON() {
		t.Error("--jq does not imply JSON")
	}
	if err := p.PrintJSON([]byte(`[{"id":1,"name":"a"},{"id":2,"name":"公海"}]`)); err != nil {
		t.Fatal(err)
	}
	if want := "公海\n{\"id\":2}\n"; out.String() != want {
		t.Errorf("got %q, want %q", out, want)
	}
	if _, err := New(ios, FormatTable, ".["); err == nil {
		t.Error("a bad jq expression was accepted")
	}
	p, _ = New(ios, FormatJSON, `error("boom")`)
	if err := p.PrintJSON([]byte(`1`)); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("jq runtime error: %v", err)
	}
	// A run-time failure is told apart from the other failures of printing, and prints
	// nothing, not even what the filter gave before it failed.
	out.Reset()
	p, _ = New(ios, FormatJSON, `.id, (.name | tonumber)`)
	var fe *FilterError
	if err := p.PrintJSON([]byte(`{"id":18,"name":"x"}`)); !errors.As(err, &fe) || err.Error() != `--jq: tonumber cannot be applied to "x": invalid number` {
		t.Errorf("jq runtime error: %#v", err)
	}
	if out.Len() != 0 {
		t.Errorf("a failed filter printed %q", out)
	}
	if _, err := New(ios, "xml", ""); err == nil {
		t.Error("unknown format accepted")
	}
}

// At a terminal the headers speak the chosen language; through a pipe nothing changes.
func TestTableHeadersFollowTheLanguage(t *testing.T) {
	tbl := Table{Header: []string{"ID", "NAME", "POOL"}, Rows: [][]string{{"1", "贸易公司", "公司公海"}}}
	var zh, en strings.Builder
	if err := WriteTable(&zh, i18n.New(i18n.Chinese), true, 80, tbl); err != nil {
		t.Fatal(err)
	}
	if err := WriteTable(&en, i18n.New(i18n.English), true, 80, tbl); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(zh.String(), "名称") || !strings.Contains(zh.String(), "公海") || strings.Contains(zh.String(), "NAME") {
		t.Errorf("Chinese table:\n%s", zh.String())
	}
	if !strings.Contains(en.String(), "NAME") {
		t.Errorf("English table:\n%s", en.String())
	}
}
