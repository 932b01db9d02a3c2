package importer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/crmctl/crmctl/internal/fields"

	"github.com/crmctl/crmctl/internal/pace/pacetest"
)

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	return writeAt(t, filepath.Join(t.TempDir(), name), string(data))
}

// writeAt writes content to path (owner only) and returns path.
func writeAt(t *testing.T, path, content string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func readAll(t *testing.T, path string, o ReadOptions) (Reader, []*Record) {
	t.Helper()
	r, err := Open(path, o)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { r.Close() })
	var out []*Record
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			return r, out
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		out = append(out, rec)
	}
}

func TestCSVUTF8WithBOMAndLabels(t *testing.T) {
	p := writeFile(t, "a.csv", []byte("\ufeff客户名称,电话,跟进状态\n贸易公司,010-64881989,初访\n"))
	r, recs := readAll(t, p, ReadOptions{})
	if len(recs) != 1 {
		t.Fatalf("records = %d, want 1", len(recs))
	}
	want := fields.Values{"name": "贸易公司", "address_attributes[tel]": "010-64881989", "status": "初访"}
	if !reflect.DeepEqual(recs[0].Values, want) || recs[0].Row != 2 {
		t.Fatalf("record = %d %v, want row 2 %v", recs[0].Row, recs[0].Values, want)
	}
	if !strings.Contains(r.Describe().String(), "BOM") {
		t.Errorf("Describe = %q, want the BOM noticed", r.Describe())
	}
}

func TestCSVGBKDetected(t *testing.T) {
	text := "客户名称;手机;备注\n北京贸易公司;13800000001;主营外贸销售\n"
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	p := writeFile(t, "gbk.csv", []byte(gbk))
	r, recs := readAll(t, p, ReadOptions{})
	if !strings.Contains(r.Describe().String(), "GB18030") || !strings.Contains(r.Describe().String(), "';'") {
		t.Errorf("Describe = %q, want GB18030 and ';' detected", r.Describe())
	}
	want := fields.Values{"name": "北京贸易公司", "address_attributes[phone]": "13800000001", "note": "主营外贸销售"}
	if len(recs) != 1 || !reflect.DeepEqual(recs[0].Values, want) {
		t.Fatalf("records = %+v, want %v", recs, want)
	}
	// Forced encodings decode the same bytes.
	_, recs = readAll(t, p, ReadOptions{Encoding: "gbk"})
	if !reflect.DeepEqual(recs[0].Values, want) {
		t.Fatalf("--encoding gbk: %v", recs[0].Values)
	}
}

func TestCSVDelimiters(t *testing.T) {
	for name, tc := range map[string]struct {
		data  string
		force rune
	}{
		"comma":     {data: "name,tel\n\"A, Ltd\",1\n"},
		"semicolon": {data: "name;tel\nA, Ltd;1\n"},
		"tab":       {data: "name\ttel\nA, Ltd\t1\n"},
		"forced":    {data: "name|tel\nA, Ltd|1\n", force: '|'},
	} {
		t.Run(name, func(t *testing.T) {
			p := writeFile(t, "d.csv", []byte(tc.data))
			_, recs := readAll(t, p, ReadOptions{Delimiter: tc.force})
			want := fields.Values{"name": "A, Ltd", "address_attributes[tel]": "1"}
			if len(recs) != 1 || !reflect.DeepEqual(recs[0].Values, want) {
				t.Fatalf("got %+v, want %v", recs, want)
			}
		})
	}
}

func TestCSVExtraCellsAndShortRows(t *testing.T) {
	p := writeFile(t, "x.csv", []byte("name,tel\nA\nB,2,oops\n"))
	_, recs := readAll(t, p, ReadOptions{})
	if len(recs) != 2 || recs[0].Problem != nil || recs[0].Values["name"] != "A" {
		t.Fatalf("short row: %+v", recs[0])
	}
	if recs[1].Problem == nil || !strings.Contains(recs[1].Problem.Reason.String(), "beyond") {
		t.Fatalf("extra cell not reported: %+v", recs[1])
	}
}

// --delimiter takes any one character (a pipe is common in database exports), and
// names for the usual ones.
func TestParseDelimiter(t *testing.T) {
	for in, want := range map[string]rune{"": 0, ",": ',', ";": ';', "|": '|', "tab": '\t', "TAB": '\t', `\t`: '\t', "\t": '\t', "comma": ',', "semicolon": ';', "、": '、'} {
		if got, err := ParseDelimiter(in); err != nil || got != want {
			t.Errorf("%q: %q %v, want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"ab", `"`, "\n", "\r", ",;"} {
		if _, err := ParseDelimiter(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// The row of a record is the row a spreadsheet shows: blank lines are rows, and a
// quoted cell with line breaks keeps its record on one row.
func TestCSVRowNumbersAreTheSpreadsheetRows(t *testing.T) {
	for name, tc := range map[string]struct {
		data string
		rows []int
	}{
		"blank lines":       {data: "name,status\nR2,a\n\nR4,b\n,\nR6,c\n", rows: []int{2, 4, 5, 6}},
		"CRLF":              {data: "name,status\r\nR2,a\r\n\r\n\r\nR5,b\r\n", rows: []int{2, 5}},
		"multi-line cell":   {data: "name,note\nR2,\"one\ntwo\"\nR3,x\n\n\"R5\",\"a\r\nb\nc\"\nR6,y\n", rows: []int{2, 3, 5, 6}},
		"multi-line header": {data: "name,\"备\n注\"\nR2,x\n\nR4,y\n", rows: []int{2, 4}},
		"blank lines first": {data: "\n\nname\nR4\n", rows: []int{4}},
		"GBK":               {data: "\xbf\xcd\xbb\xa7\xc3\xfb\xb3\xc6\n\n\xd2\xbb\n", rows: []int{3}},
	} {
		t.Run(name, func(t *testing.T) {
			_, recs := readAll(t, writeFile(t, "r.csv", []byte(tc.data)), ReadOptions{})
			var rows []int
			for _, r := range recs {
				rows = append(rows, r.Row)
			}
			if !reflect.DeepEqual(rows, tc.rows) {
				t.Fatalf("rows = %v, want %v", rows, tc.rows)
			}
		})
	}
}

func makeXLSX(t *testing.T, sheet string, rows [][]any) string {
	t.Helper()
	x := excelize.NewFile()
	defer x.Close()
	if sheet != "Sheet1" {
		if _, err := x.NewSheet(sheet); err != nil {
			t.Fatal(err)
		}
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		row := r
		if err := x.SetSheetRow(sheet, cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	p := filepath.Join(t.TempDir(), "book.xlsx")
	if err := x.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestXLSXFirstSheetAndNamedSheet(t *testing.T) {
	p := makeXLSX(t, "Sheet1", [][]any{
		{"客户名称", "Contact Name", "address_attributes[phone]"},
		{"贸易公司", "王经理", 13800000001},
		{},
		{"第二家", "", ""},
	})
	_, recs := readAll(t, p, ReadOptions{})
	if len(recs) != 3 {
		t.Fatalf("records = %d, want 3 (one empty)", len(recs))
	}
	want := fields.Values{"name": "贸易公司", "contacts_attributes[0][name]": "王经理", "address_attributes[phone]": "13800000001"}
	if !reflect.DeepEqual(recs[0].Values, want) || recs[0].Row != 2 {
		t.Fatalf("row 2 = %v, want %v", recs[0].Values, want)
	}
	if len(recs[1].Values) != 0 || recs[1].Row != 3 || recs[2].Row != 4 {
		t.Fatalf("rows = %+v %+v", recs[1], recs[2])
	}

	p2 := makeXLSX(t, "名单", [][]any{{"name"}, {"X"}})
	if _, err := Open(p2, ReadOptions{Sheet: "nope"}); err == nil || !strings.Contains(err.Error(), "名单") {
		t.Fatalf("unknown sheet: %v", err)
	}
	_, recs = readAll(t, p2, ReadOptions{Sheet: "名单"})
	if len(recs) != 1 || recs[0].Values["name"] != "X" {
		t.Fatalf("--sheet: %+v", recs)
	}
}

// Rows missing from the sheet's XML (never filled) keep the numbering of the sheet.
func TestXLSXRowNumbersSkipNoRow(t *testing.T) {
	x := excelize.NewFile()
	defer x.Close()
	for cell, v := range map[string]string{"A1": "name", "A2": "R2", "A5": "R5", "B7": "x"} {
		if err := x.SetCellValue("Sheet1", cell, v); err != nil {
			t.Fatal(err)
		}
	}
	p := filepath.Join(t.TempDir(), "gaps.xlsx")
	if err := x.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	_, recs := readAll(t, p, ReadOptions{IgnoreUnknown: true})
	got := map[int]string{}
	for _, r := range recs {
		got[r.Row] = r.Values["name"]
	}
	if got[2] != "R2" || got[5] != "R5" || recs[len(recs)-1].Row != 7 {
		t.Fatalf("rows = %v (last %d), want R2 on row 2, R5 on row 5, the last row 7", got, recs[len(recs)-1].Row)
	}
}

func TestJSONL(t *testing.T) {
	p := writeFile(t, "a.jsonl", []byte(`{"name":"A","address_attributes":{"tel":"1"},"pool":"公司公海"}

{"name":"B","contacts_attributes":[{"name":"王"}],"text_asset_9320d8d7":"VIP"}
not json
{"name":"C","contacts_attributes":["x"]}
`))
	_, recs := readAll(t, p, ReadOptions{})
	if len(recs) != 4 {
		t.Fatalf("records = %d, want 4", len(recs))
	}
	if want := (fields.Values{"name": "A", "address_attributes[tel]": "1", "common_id": "公司公海"}); !reflect.DeepEqual(recs[0].Values, want) {
		t.Errorf("line 1 = %v", recs[0].Values)
	}
	if recs[1].Row != 3 || recs[1].Values["contacts_attributes[0][name]"] != "王" || recs[1].Values["text_asset_9320d8d7"] != "VIP" {
		t.Errorf("line 3 = %+v", recs[1])
	}
	if recs[2].Problem == nil || recs[3].Problem == nil || !strings.Contains(recs[3].Problem.Reason.String(), "contacts_attributes") {
		t.Errorf("bad lines not reported: %+v %+v", recs[2], recs[3])
	}
}

// readJSONL reads a JSONL file to its end and returns its records and the error that
// ended it (nil at EOF).
func readJSONL(t *testing.T, data string, o ReadOptions) ([]*Record, error) {
	t.Helper()
	r, err := Open(writeFile(t, "k.jsonl", []byte(data)), o)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer r.Close()
	var out []*Record
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, rec)
	}
}

func TestJSONLKeysAreMappedLikeHeaders(t *testing.T) {
	// Flag names, labels and aliases, ignoring case and spaces, as in a header row.
	recs, err := readJSONL(t, `{"客户名称":"A","Contact-Name":"王","电 话":"010-1","公海":"公司公海","customer":{"address_attributes":{"email":"a@b.cn"}}}
{"name":"B","text_asset_9320d8d7":"VIP"}
`, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := fields.Values{"name": "A", "contacts_attributes[0][name]": "王", "address_attributes[tel]": "010-1",
		"common_id": "公司公海", "address_attributes[email]": "a@b.cn"}
	if len(recs) != 2 || !reflect.DeepEqual(recs[0].Values, want) || recs[1].Values["text_asset_9320d8d7"] != "VIP" {
		t.Fatalf("records = %+v, want line 1 %v", recs, want)
	}

	// An unknown key stops the read, naming the line and the key, as an unknown column does.
	data := `{"公司":"A","电话":"1"}
{"公司":"B","备用":"x","Remark":"y"}
`
	_, err = readJSONL(t, data, ReadOptions{})
	var ue *UnknownColumnsError
	if !errors.As(err, &ue) || strings.Join(ue.Headers, ",") != "公司" || !strings.HasPrefix(err.Error(), "line 1: unknown column(s)") {
		t.Fatalf("unknown key: %v", err)
	}

	// --map: COLUMN matched ignoring case, FIELD - ignores the key.
	recs, err = readJSONL(t, data, ReadOptions{Map: map[string]string{"公司": "name", "备用": "-", "remark": "备注"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := (fields.Values{"name": "B", "note": "y"}); len(recs) != 2 || recs[0].Values["name"] != "A" || !reflect.DeepEqual(recs[1].Values, want) {
		t.Fatalf("--map: %+v", recs)
	}

	// --ignore-unknown drops the keys that match no field.
	recs, err = readJSONL(t, data, ReadOptions{IgnoreUnknown: true})
	if err != nil || len(recs) != 2 || !reflect.DeepEqual(recs[1].Values, fields.Values{}) || recs[0].Values["address_attributes[tel]"] != "1" {
		t.Fatalf("--ignore-unknown: %v %+v", err, recs)
	}

	// The mapping's errors: a --map of no key, a --map to no field, two keys for one field.
	for _, c := range []struct {
		data string
		o    ReadOptions
		want string
	}{
		{data, ReadOptions{Map: map[string]string{"nope": "name"}, IgnoreUnknown: true}, "--map: no column is named nope (the columns are: 公司, 电话, Remark, 备用)"},
		{data, ReadOptions{Map: map[string]string{"公司": "nosuchfield"}}, `line 1: --map 公司=nosuchfield: "nosuchfield" is not a field`},
		{`{"name":"A"}` + "\n" + `{"name":"B","客户名称":"C"}`, ReadOptions{}, `line 2: columns "name" and "客户名称" both map to name`},
	} {
		if _, err := readJSONL(t, c.data, c.o); err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%+v: err = %v, want %q", c.o, err, c.want)
		}
	}
}

func TestJSONLUnmatchedMapSaysWhenTheKeyListIsCut(t *testing.T) {
	var b strings.Builder
	for i := range maxKeysNamed + 5 {
		fmt.Fprintf(&b, "{\"name\":\"C%d\",\"k%02d\":\"x\"}\n", i, i)
	}
	_, err := readJSONL(t, b.String(), ReadOptions{Map: map[string]string{"nope": "name"}, IgnoreUnknown: true})
	if err == nil || !strings.HasSuffix(err.Error(), ", …)") || strings.Contains(err.Error(), fmt.Sprintf("k%02d", maxKeysNamed)) {
		t.Fatalf("err = %v, want the first %d keys and an ellipsis", err, maxKeysNamed)
	}
	_, err = readJSONL(t, `{"name":"A"}`+"\n", ReadOptions{Map: map[string]string{"nope": "name"}})
	if err == nil || strings.Contains(err.Error(), "…") {
		t.Fatalf("err = %v, want the key list without an ellipsis", err)
	}
}

func TestFormatDetection(t *testing.T) {
	for path, want := range map[string]string{"a.CSV": "csv", "a.tsv": "csv", "b.xlsx": "xlsx", "c.jsonl": "jsonl"} {
		if got, err := DetectFormat(path, ""); err != nil || got != want {
			t.Errorf("%s: %q %v", path, got, err)
		}
	}
	if _, err := DetectFormat("a.xls", ""); err == nil {
		t.Error(".xls accepted")
	}
	if got, _ := DetectFormat("a.dat", "jsonl"); got != "jsonl" {
		t.Error("--format ignored")
	}
}

// A workbook read as text is named as such, not reported as columns of ZIP bytes.
func TestWorkbookReadAsText(t *testing.T) {
	book := makeXLSX(t, "Sheet1", [][]any{{"name"}, {"甲"}})
	data, err := os.ReadFile(book)
	if err != nil {
		t.Fatal(err)
	}
	renamed := writeFile(t, "book.csv", data)
	xls := writeFile(t, "old.csv", []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00"))
	for name, tc := range map[string]struct {
		path, format, want string
	}{
		"--format csv":   {book, "csv", "looks like an XLSX workbook (a ZIP archive), not CSV: read it with --format xlsx"},
		"--format jsonl": {book, "jsonl", "looks like an XLSX workbook (a ZIP archive), not JSONL"},
		"named .csv":     {renamed, "", "looks like an XLSX workbook"},
		"old .xls":       {xls, "", "looks like an old .xls workbook, not CSV: save it as .xlsx or .csv"},
	} {
		t.Run(name, func(t *testing.T) {
			r, err := Open(tc.path, ReadOptions{Format: tc.format})
			if err == nil {
				r.Close()
				t.Fatal("the workbook was read as text")
			}
			if !strings.Contains(err.Error(), tc.want) || !utf8.ValidString(err.Error()) || strings.ContainsRune(err.Error(), 0) {
				t.Fatalf("error = %q, want %q", err, tc.want)
			}
		})
	}
}

func TestHashIsTheContent(t *testing.T) {
	a := writeFile(t, "a.csv", []byte("name\nA\n"))
	b := writeFile(t, "b.csv", []byte("name\nB\n"))
	ra, _ := readAll(t, a, ReadOptions{})
	ra2, _ := readAll(t, a, ReadOptions{})
	rb, _ := readAll(t, b, ReadOptions{})
	if string(ra.Sum()) != string(ra2.Sum()) || string(ra.Sum()) == string(rb.Sum()) {
		t.Fatal("content hash does not identify the file")
	}
}

func TestTemplates(t *testing.T) {
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "t.csv")
	if err := WriteTemplate(csvPath, TemplateContent{}); err != nil {
		t.Fatal(err)
	}
	r, recs := readAll(t, csvPath, ReadOptions{})
	if len(recs) != 0 || len(r.Mapping().Columns) != len(fields.All()) {
		t.Fatalf("CSV template: %d records, %d columns", len(recs), len(r.Mapping().Columns))
	}
	lk := staticLookups()
	pools, _ := lk.Pools(context.Background())
	maps, _ := lk.FieldMaps(context.Background())
	xPath := filepath.Join(dir, "t.xlsx")
	if err := WriteTemplate(xPath, TemplateContent{Pools: pools, FieldMaps: maps}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{csvPath, xPath} {
		if st, err := os.Stat(p); err != nil || st.Mode().Perm()&0o111 != 0 {
			t.Errorf("template %s: %v, mode %v (not executable)", p, err, st.Mode())
		}
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, ".*.tmp")); len(leftovers) != 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
	x, err := excelize.OpenFile(xPath)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	dvs, err := x.GetDataValidations(templateSheet)
	if err != nil {
		t.Fatal(err)
	}
	// The pool column (A) and the status column (C) have drop-downs from the options sheet.
	got := map[string]string{}
	for _, dv := range dvs {
		got[dv.Sqref] = dv.Formula1
	}
	if f := got["A2:A5001"]; !strings.Contains(f, optionsSheet) {
		t.Errorf("pool drop-down: %v", got)
	}
	if f := got["C2:C5001"]; !strings.Contains(f, optionsSheet) {
		t.Errorf("status drop-down: %v", got)
	}
	// Only the enabled status label is listed.
	col, _ := x.GetCols(optionsSheet)
	var all []string
	for _, c := range col {
		all = append(all, c...)
	}
	joined := strings.Join(all, ",")
	if !strings.Contains(joined, "初访") || strings.Contains(joined, "停用") || !strings.Contains(joined, "超级公海") {
		t.Errorf("options: %s", joined)
	}
	// The template reads back as an import file with no rows.
	_, recs = readAll(t, xPath, ReadOptions{})
	if len(recs) != 0 {
		t.Fatalf("XLSX template has %d rows", len(recs))
	}
}

func TestProgressLines(t *testing.T) {
	var b strings.Builder
	clock := pacetest.NewClock()
	p := NewLines(&b, nil, 2, clock.Now)
	p.Start(5)
	s := &Summary{}
	for i := 1; i <= 5; i++ {
		clock.Advance(time.Second)
		s.Created = i
		p.Update(s)
	}
	want := "importing 5 row(s)\n" +
		"progress: 2/5 rows (created 2, failed 0), 1.00 rows/s, ETA 3s\n" +
		"progress: 4/5 rows (created 4, failed 0), 1.00 rows/s, ETA 1s\n" +
		"progress: 5/5 rows (created 5, failed 0), 1.00 rows/s, ETA 0s\n"
	if b.String() != want {
		t.Fatalf("got:\n%s", b.String())
	}
}

// The limiter lets the first window's rows go at once: the rate and the ETA are capped
// at the run's limit, not taken from that burst.
func TestProgressLinesPacedRun(t *testing.T) {
	var b strings.Builder
	clock := pacetest.NewClock()
	p := NewLines(&b, nil, 10, clock.Now)
	p.Start(30)
	clock.Advance(100 * time.Millisecond)
	p.Update(&Summary{Created: 10, Rate: "10/10s"})
	clock.Advance(10 * time.Second)
	p.Update(&Summary{Created: 20, Rate: "10/10s"})
	p.Update(&Summary{Created: 30, Rate: "off"})
	want := "importing 30 row(s)\n" +
		"progress: 10/30 rows (created 10, failed 0), 1.00 rows/s, ETA 20s\n" +
		"progress: 20/30 rows (created 20, failed 0), 1.00 rows/s, ETA 10s\n" +
		"progress: 30/30 rows (created 30, failed 0), 2.97 rows/s, ETA 0s\n"
	if b.String() != want {
		t.Fatalf("got:\n%s", b.String())
	}
}

func TestProgressBar(t *testing.T) {
	var b strings.Builder
	clock := pacetest.NewClock()
	p := NewBar(&b, nil)
	p.now, p.tick = clock.Now, 0
	p.Start(3)
	clock.Advance(10 * time.Millisecond)
	p.Update(&Summary{Created: 1, Rate: "1/2s"})
	fmt.Fprintln(p.Messages(), "row 3: a message above the bar")
	p.Finish(&Summary{Created: 2, Failed: 1, Rate: "1/2s"})
	if out := b.String(); !strings.Contains(out, "3/3") || !strings.Contains(out, "created 2, failed 1, 0.5 rows/s, ETA 0s") || !strings.Contains(out, "row 3: a message above the bar\n") {
		t.Fatalf("bar: %q", out)
	}
}

// Between rows the bar keeps moving (the ETA follows the clock), and a wait for the
// rate limit, or a throttled answer's wait, is named.
func TestProgressBarSaysItWaits(t *testing.T) {
	var b strings.Builder
	clock := pacetest.NewClock()
	p := NewBar(&b, nil)
	p.now, p.tick = clock.Now, 0
	p.Start(10)
	clock.Advance(time.Second)
	p.Update(&Summary{Created: 1, Rate: "1/1s"})
	if d := p.describe(); d != "created 1, failed 0, 1.0 rows/s, ETA 9s" {
		t.Errorf("after a row: %q", d)
	}
	p.Waiting(true)
	clock.Advance(100 * time.Millisecond)
	if d := p.describe(); strings.Contains(d, "waiting") {
		t.Errorf("a short wait is not worth a word: %q", d)
	}
	clock.Advance(5 * time.Second)
	if d := p.describe(); !strings.HasSuffix(d, " · waiting for the rate limit") || !strings.Contains(d, "0.2 rows/s") {
		t.Errorf("waiting: %q", d)
	}
	p.Waiting(false)
	if d := p.describe(); strings.Contains(d, "waiting") {
		t.Errorf("after the wait: %q", d)
	}
	p.Throttled(3 * time.Second)
	clock.Advance(time.Second)
	if d := p.describe(); !strings.Contains(d, "waiting for the rate limit") {
		t.Errorf("throttled: %q", d)
	}
	clock.Advance(3 * time.Second)
	if d := p.describe(); strings.Contains(d, "waiting") {
		t.Errorf("after the throttled wait: %q", d)
	}
	p.Finish(&Summary{Created: 10, Rate: "1/1s"})
}
