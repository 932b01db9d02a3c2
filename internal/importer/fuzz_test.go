package importer

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/crmctl/crmctl/internal/api"
	"github.com/crmctl/crmctl/internal/fields"
)

func staticLookups() Lookups {
	return Lookups{
		Pools: func(context.Context) ([]api.Pool, error) {
			return []api.Pool{{ID: "45", Name: "公司公海"}, {ID: "48942", Name: "超级公海"}}, nil
		},
		FieldMaps: func(context.Context) (*api.FieldMapList, error) {
			return &api.FieldMapList{Fields: []api.FieldMap{{FieldName: "status", Options: []api.FieldOption{
				{ID: "7", Value: "初访", Status: "enable"}, {ID: "8", Value: "停用", Status: "disable"}}}}}, nil
		},
	}
}

// checkRecords validates every record a reader yields: keys are API keys, rows ascend,
// nothing panics.
func checkRecords(t *testing.T, r Reader) {
	v, err := NewValidator(context.Background(), staticLookups(), "45", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	last := 1
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			return // a malformed file is an error, not a panic
		}
		if rec.Row <= last {
			t.Fatalf("row %d after row %d", rec.Row, last)
		}
		last = rec.Row
		for k, val := range rec.Values {
			if _, err := fields.NormalizeKey(k); err != nil {
				t.Fatalf("row %d: key %q is not an API key", rec.Row, k)
			}
			if val != strings.TrimSpace(val) || val == "" {
				t.Fatalf("row %d: value %q not trimmed", rec.Row, val)
			}
		}
		verdict, err := v.Check(context.Background(), rec)
		if err != nil {
			t.Fatal(err)
		}
		if verdict.Valid() {
			if verdict.Values["common_id"] == "" || verdict.Name == "" {
				t.Fatalf("row %d valid without a pool or name: %v", rec.Row, verdict.Values)
			}
			_ = verdict.Values.Form().Encode()
		}
	}
}

func FuzzCSVMapping(f *testing.F) {
	f.Add([]byte("客户名称,电话,跟进状态\n贸易公司,010-1,初访\n"))
	f.Add([]byte("\ufeffname;tel;status\nA;1;停用\n;;\n"))
	f.Add([]byte("name\tcontact-name\ttext_asset_9320d8d7\n\"a\"\"b\"\tc\td\n"))
	f.Add([]byte("\xc3\xfb\xb3\xc6,\xb5\xe7\xbb\xb0\n\xb1\xb1\xbe\xa9,1\n"))
	f.Add([]byte("name,email,parent-id\nX,bad,0\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "f.csv")
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		r, err := Open(p, ReadOptions{IgnoreUnknown: true})
		if err != nil {
			return
		}
		defer r.Close()
		checkRecords(t, r)
	})
}

func FuzzXLSXMapping(f *testing.F) {
	f.Add("客户名称", "电话", "贸易公司", " 010-1 ")
	f.Add("Name", "Contact Name", "A", "王")
	f.Add("name", "text_asset_ab12", "x", "=1+1")
	f.Add("", "公海", "", "超级公海")
	f.Fuzz(func(t *testing.T, h1, h2, c1, c2 string) {
		x := excelize.NewFile()
		defer x.Close()
		if x.SetSheetRow("Sheet1", "A1", &[]any{h1, h2}) != nil || x.SetSheetRow("Sheet1", "A2", &[]any{c1, c2}) != nil {
			return // excelize refuses the value (length, control characters)
		}
		p := filepath.Join(t.TempDir(), "f.xlsx")
		if err := x.SaveAs(p); err != nil {
			return
		}
		r, err := Open(p, ReadOptions{})
		if err != nil {
			return // an unknown or doubled column: a reported error
		}
		defer r.Close()
		m := r.Mapping()
		rec, err := r.Next()
		if err != nil {
			return
		}
		// Every mapped column's value arrives trimmed under its key.
		cells := []string{c1, c2}
		for _, c := range m.Columns {
			if c.Key == "" {
				continue
			}
			want := strings.TrimSpace(cells[c.Index])
			if got := rec.Values[c.Key]; got != want && !(want == "" && got == "") {
				// XML cannot carry some text as is (invalid UTF-8, control characters,
				// line endings): excelize normalises it.
				if !utf8.ValidString(cells[c.Index]) || strings.ContainsFunc(cells[c.Index], unicode.IsControl) {
					continue
				}
				t.Fatalf("column %q -> %s = %q, want %q", c.Header, c.Key, got, want)
			}
		}
		checkRecords(t, r)
	})
}
