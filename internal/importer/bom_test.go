package importer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/unicode"
)

func utf16Of(t *testing.T, order unicode.Endianness, s string) string {
	t.Helper()
	out, err := unicode.UTF16(order, unicode.UseBOM).NewEncoder().String(s)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestByteOrderMark(t *testing.T) {
	for head, want := range map[string]string{
		"":                 "",
		"name,tel":         "",
		"\xef\xbb\xbfname": "UTF-8",
		"\xef\xbb\xbf":     "UTF-8",
		"\xff\xfen\x00":    "UTF-16",
		"\xfe\xff\x00n":    "UTF-16",
		"\xff":             "",
		"\xef\xbb":         "",
		gbkOf(t, "客户名称"):   "",
	} {
		if got := byteOrderMark([]byte(head)); got != want {
			t.Errorf("byteOrderMark(%q) = %q, want %q", head, got, want)
		}
	}
}

// --encoding utf-8 drops a UTF-8 byte order mark: the first column is "name", not
// "\ufeffname".
func TestEncodingForcedUTF8DropsTheBOM(t *testing.T) {
	p := writeFile(t, "f.csv", []byte("\ufeffname,tel\n北京实业,010\n"))
	r, recs, err := openErr(p, ReadOptions{Encoding: "utf-8"})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if recs[0].Values["name"] != "北京实业" || recs[0].Values["address_attributes[tel]"] != "010" {
		t.Fatalf("values = %v", recs[0].Values)
	}
}

// A JSONL file is UTF-8, after a byte order mark; one with a UTF-16 byte order mark is
// read as UTF-16, as a CSV file is.
func TestJSONLByteOrderMarks(t *testing.T) {
	const text = `{"name":"北京实业","pool":"公司公海"}` + "\n" + `{"name":"上海贸易"}` + "\n"
	for name, data := range map[string]string{
		"UTF-8":        text,
		"UTF-8 BOM":    "\ufeff" + text,
		"UTF-16LE BOM": utf16Of(t, unicode.LittleEndian, text),
		"UTF-16BE BOM": utf16Of(t, unicode.BigEndian, text),
	} {
		t.Run(name, func(t *testing.T) {
			recs, err := readJSONL(t, data, ReadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != 2 {
				t.Fatalf("records = %d, want 2", len(recs))
			}
			for i, want := range []string{"北京实业", "上海贸易"} {
				if recs[i].Problem != nil || recs[i].Values["name"] != want || recs[i].Row != i+1 {
					t.Errorf("line %d = %+v, want the name %q", i+1, recs[i], want)
				}
			}
		})
	}
}

// Without a byte order mark the bytes reach the parser as they are: a GBK line is not
// turned into replacement characters (which would read as a valid name), it is refused.
func TestJSONLWithoutBOMKeepsTheBytes(t *testing.T) {
	recs, err := readJSONL(t, `{"name":"`+gbkOf(t, "北京实业")+`"}`+"\n", ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || recs[0].Problem == nil || !strings.Contains(recs[0].Problem.Reason.String(), "UTF-8") {
		t.Fatalf("records = %+v, want the line refused as not UTF-8", recs)
	}
}

// A line that is not valid UTF-16 in a UTF-16 file is a problem of its row, not a
// value with replacement characters in it.
func TestJSONLInvalidUTF16(t *testing.T) {
	good := utf16Of(t, unicode.LittleEndian, `{"name":"甲"}`+"\n")
	// A lone high surrogate (D800) in the second line's name.
	bad := "{\x00\"\x00n\x00a\x00m\x00e\x00\"\x00:\x00\"\x00\x00\xd8\"\x00}\x00\n\x00"
	recs, err := readJSONL(t, good+bad, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[0].Problem != nil || recs[0].Values["name"] != "甲" {
		t.Fatalf("records = %+v", recs)
	}
	if recs[1].Problem == nil || !strings.Contains(recs[1].Problem.Reason.String(), "not valid UTF-16") {
		t.Fatalf("line 2 = %+v, want it refused as not UTF-16", recs[1])
	}
}

// Standard input's format is told from its text, after a byte order mark.
func TestSniffFormatAfterTheBOM(t *testing.T) {
	for name, c := range map[string]struct{ data, want string }{
		"JSONL":             {`{"name":"A"}`, FormatJSONL},
		"JSONL, UTF-8 BOM":  {"\ufeff\n  {\"name\":\"A\"}", FormatJSONL},
		"JSONL, UTF-16 BOM": {utf16Of(t, unicode.LittleEndian, `{"name":"A"}`), FormatJSONL},
		"JSONL, UTF-16BE":   {utf16Of(t, unicode.BigEndian, " {\"name\":\"A\"}"), FormatJSONL},
		"CSV":               {"name,tel\nA,1\n", FormatCSV},
		"CSV, UTF-8 BOM":    {"\ufeffname,tel\n", FormatCSV},
		"CSV, UTF-16 BOM":   {utf16Of(t, unicode.LittleEndian, "name,tel\n"), FormatCSV},
		"odd UTF-16 at end": {"\xff\xfe{\x00\"", FormatJSONL},
		"XLSX":              {"PK\x03\x04rest", FormatXLSX},
	} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "in")
			if err := os.WriteFile(p, []byte(c.data), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := sniffFormat(p)
			if err != nil || got != c.want {
				t.Fatalf("sniffFormat = %q, %v; want %q", got, err, c.want)
			}
		})
	}
}
