package importer

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// hostile are values a spreadsheet would run as formulas, with what the CSV cell must
// hold instead.
var hostile = []struct{ in, csv string }{
	{`=HYPERLINK("http://evil","x")`, `'=HYPERLINK("http://evil","x")`},
	{"+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"},
	{"-2+3", "'-2+3"},
	{"@SUM(A1)", "'@SUM(A1)"},
	{"\t=1", "'\t=1"},
	{"\r=1", "'\r=1"},
	{"贸易公司 = 1", "贸易公司 = 1"},
	{"", ""},
}

// The CSV results file neutralises formula starters in every text cell; the JSONL one
// keeps the values exact.
func TestResultsNeutraliseFormulas(t *testing.T) {
	dir := t.TempDir()
	csvPath, jsonlPath := filepath.Join(dir, "r.csv"), filepath.Join(dir, "r.jsonl")
	for _, path := range []string{csvPath, jsonlPath} {
		r, err := CreateResults(path)
		if err != nil {
			t.Fatal(err)
		}
		for i, h := range hostile {
			if err := r.Write(Result{Row: i + 2, Status: StatusFailed, Name: h.in, CustomerID: h.in, APICode: 1, Message: h.in}); err != nil {
				t.Fatal(err)
			}
		}
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
	}

	data, err := os.ReadFile(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(data), "\ufeff"))).ReadAll()
	if err != nil || len(recs) != len(hostile)+1 {
		t.Fatalf("CSV results: %d records, %v\n%s", len(recs), err, data)
	}
	for i, h := range hostile {
		rec := recs[i+1]
		for _, col := range []int{2, 3, 5} {
			if want := h.csv; rec[col] != want {
				t.Errorf("CSV column %s of %q = %q, want %q", recs[0][col], h.in, rec[col], want)
			}
		}
	}

	data, err = os.ReadFile(jsonlPath)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	for i, h := range hostile {
		var got Result
		if err := json.Unmarshal([]byte(lines[i]), &got); err != nil {
			t.Fatal(err)
		}
		if got.Name != h.in || got.Message != h.in || got.CustomerID != h.in {
			t.Errorf("JSONL changed %q: %+v", h.in, got)
		}
	}
}
