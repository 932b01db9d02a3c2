package importer

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"

	"github.com/crmctl/crmctl/internal/i18n"
)

func gbkOf(t *testing.T, s string) string {
	t.Helper()
	out, err := simplifiedchinese.GBK.NewEncoder().String(s)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// openErr opens path as an import and reads it to the end, returning the first error.
func openErr(path string, o ReadOptions) (Reader, []*Record, error) {
	r, err := Open(path, o)
	if err != nil {
		return nil, nil, err
	}
	var recs []*Record
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			return r, recs, nil
		}
		if err != nil {
			r.Close()
			return nil, nil, err
		}
		recs = append(recs, rec)
	}
}

func TestEncodingDecidedForTheWholeFile(t *testing.T) {
	utf16le, _ := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String("name,tel\n北京实业,010\n")
	utf16be, _ := unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewEncoder().String("name,tel\n北京实业,010\n")
	cases := map[string]struct {
		data, want, desc string
	}{
		"UTF-8":        {"name,tel\n北京实业,010\n", "北京实业", "UTF-8"},
		"UTF-8 BOM":    {"\xef\xbb\xbfname,tel\n北京实业,010\n", "北京实业", "UTF-8 with BOM"},
		"UTF-16LE BOM": {utf16le, "北京实业", "UTF-16 with BOM"},
		"UTF-16BE BOM": {utf16be, "北京实业", "UTF-16 with BOM"},
		"GBK":          {gbkOf(t, "客户名称,电话\n北京实业,010\n"), "北京实业", "GB18030"},
		// An ASCII header and GBK far below it: the whole file decides, not its start.
		"GBK ASCII head": {"name,tel\n" + strings.Repeat("a,1\n", 40000) + gbkOf(t, "北京实业") + ",2\n", "北京实业", "GB18030"},
		// A GBK value that happens to be valid UTF-8 ("一" is D2 BB) among others that
		// are not.
		"GBK one char": {gbkOf(t, "客户名称\n一\n"), "一", "GB18030"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			p := writeFile(t, "f.csv", []byte(c.data))
			r, recs, err := openErr(p, ReadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if got := recs[len(recs)-1].Values["name"]; got != c.want {
				t.Errorf("last name = %q, want %q", got, c.want)
			}
			if !strings.Contains(r.Describe().String(), c.desc) {
				t.Errorf("Describe = %q, want %q", r.Describe(), c.desc)
			}
		})
	}
}

func TestEncodingRefusedNotGuessed(t *testing.T) {
	cases := map[string]struct {
		data, forced string
		want         []string
	}{
		// UTF-8 with one stray byte is valid GB18030 as a whole: it used to be read as
		// GB18030 throughout.
		"UTF-8 stray byte": {data: "name\n北京实业\n上海贸易\xb1\n", want: []string{"line 3 is not valid UTF-8", "line 2 is UTF-8"}},
		// "实业" in GBK is valid UTF-8 ("ʵҵ"), and nothing else tells: no guess.
		"GBK or UTF-8": {data: "name,tel\n" + strings.Repeat("a,1\n", 40000) + gbkOf(t, "实业") + ",2\n", want: []string{"reads both as UTF-8 and as GBK", "line 40002"}},
		"neither":      {data: "name\n\x81\x20\n\xff\xfe\xfd\n", want: []string{"neither UTF-8", "line 2"}},
		"forced UTF-8": {data: gbkOf(t, "name\n北京\n"), forced: "utf-8", want: []string{"line 2 is not valid UTF-8"}},
		"forced GBK":   {data: "name\nok\n\x81\x20\n", forced: "gbk", want: []string{"line 3 is not valid GBK"}},
		"bad UTF-16":   {data: "\xff\xfen\x00\n\x00\x00\xd8a\x00\n\x00", want: []string{"line 2 is not valid UTF-16"}},
		"unknown":      {data: "name\n", forced: "latin1", want: []string{`--encoding "latin1"`}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			p := writeFile(t, "f.csv", []byte(c.data))
			_, _, err := openErr(p, ReadOptions{Encoding: c.forced})
			if err == nil {
				t.Fatal("read without an error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q, want %q in it", err, w)
				}
			}
		})
	}
}

func TestEncodingForced(t *testing.T) {
	// A GBK file that is by chance all valid UTF-8 is read as GBK when told.
	p := writeFile(t, "f.csv", []byte(gbkOf(t, "name\n一\n")))
	r, recs, err := openErr(p, ReadOptions{Encoding: "gbk"})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if recs[0].Values["name"] != "一" || !strings.Contains(r.Describe().String(), "GBK") {
		t.Fatalf("%v %q", recs[0].Values, r.Describe())
	}
}

func TestStrictCSV(t *testing.T) {
	cases := map[string]struct{ data, want string }{
		"unterminated quote": {"name,tel\n\"未闭合公司,010\n下一行公司,020\n", "line 2: a quoted cell opened here is never closed"},
		"bare quote":         {"name,tel\n5\"寸公司,010\n", `line 2, column 2: a " inside an unquoted cell`},
		"quote in header":    {"na\"me,tel\n", "header: line 1"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			p := writeFile(t, "f.csv", []byte(c.data))
			_, _, err := openErr(p, ReadOptions{})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
		})
	}
	// Quoted cells with doubled quotes and line breaks are fine.
	p := writeFile(t, "ok.csv", []byte("name,note\n\"5\"\"寸公司\",\"two\nlines\"\n"))
	_, recs, err := openErr(p, ReadOptions{})
	if err != nil || recs[0].Values["name"] != `5"寸公司` || recs[0].Values["note"] != "two\nlines" {
		t.Fatalf("%v %v", err, recs)
	}
}

func TestLineAndRecordCaps(t *testing.T) {
	long := strings.Repeat("x", MaxLine+10)
	cases := map[string]struct{ data, want string }{
		"long line":         {"name\nok\n" + long + "\n", "line 3 is longer than 1048576 bytes"},
		"long header":       {long + "\n", "line 1 is longer"},
		"long record":       {"name\n\"" + strings.Repeat("abc\n", MaxLine/4+5000) + "\"\n", "the record starting on line 2 is longer"},
		"unterminated long": {"name\n\"open\n" + strings.Repeat("a,b\n", MaxLine/4+5000), "the record starting on line 2 is longer"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			p := writeFile(t, "f.csv", []byte(c.data))
			_, _, err := openErr(p, ReadOptions{})
			var le *LineTooLongError
			if !errors.As(err, &le) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
			if len(err.Error()) > 200 {
				t.Errorf("the error quotes the input: %d bytes", len(err.Error()))
			}
		})
	}
}

func TestSpoolPipesAndDevices(t *testing.T) {
	dir := t.TempDir()
	// A regular file is read in place.
	p := writeFile(t, "f.csv", []byte("name\n甲\n"))
	if out, spooled, err := Spool(context.Background(), p, dir, true); err != nil || spooled || out != p {
		t.Fatalf("%q %v %v", out, spooled, err)
	}
	// /dev/zero: no line ends, so the copy stops at the cap instead of filling the disk.
	if _, err := os.Stat("/dev/zero"); err == nil {
		_, _, err := Spool(context.Background(), "/dev/zero", dir, true)
		var le *LineTooLongError
		if !errors.As(err, &le) || le.Line != 1 {
			t.Fatalf("/dev/zero: %v", err)
		}
		if left, _ := filepath.Glob(filepath.Join(dir, ".import-spool-*")); len(left) != 0 {
			t.Errorf("spool files left: %v", left)
		}
	}
}

func TestValuesRefused(t *testing.T) {
	v, err := NewValidator(context.Background(), staticLookups(), "45", map[string]string{"note": "备注"}, true)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	cases := map[string]struct{ name, note, want string }{
		"NUL":         {"甲\x00乙", "", "column name: a NUL character"},
		"escape":      {"甲", "red \x1b[31m", "column 备注: a control character U+001B"},
		"C1":          {"甲\u0085", "", "column name: a control character U+0085"},
		"bad UTF-8":   {"\xff甲", "", "column name: the text is not valid UTF-8"},
		"DEL":         {"甲\x7f", "", "control character U+007F"},
		"line breaks": {"甲", "two\r\nlines\tand a tab", ""},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			vals := map[string]string{"name": c.name}
			if c.note != "" {
				vals["note"] = c.note
			}
			verdict, err := v.Check(context.Background(), &Record{Row: 2, Values: vals})
			if err != nil {
				t.Fatal(err)
			}
			if c.want == "" {
				if !verdict.Valid() {
					t.Fatalf("refused: %+v", verdict.Problems)
				}
				return
			}
			if verdict.Valid() || !strings.Contains(verdict.Problems[0].String(), c.want) {
				t.Fatalf("problems %+v, want %q", verdict.Problems, c.want)
			}
		})
	}
}

func TestLongValuesShortenedInMessages(t *testing.T) {
	long := strings.Repeat("很长的值", 50000)
	p := RowProblem{Column: "status", Value: long, Reason: i18n.M("unknown option %q", long)}
	if s := p.String(); len(s) > 600 || !strings.Contains(s, "bytes)") {
		t.Fatalf("%d bytes: %.200s", len(s), s)
	}
	e := &UnknownColumnsError{Headers: []string{long}}
	if s := e.Error(); len(s) > 600 {
		t.Fatalf("unknown column error of %d bytes", len(s))
	}
}
