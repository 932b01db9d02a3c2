package importer

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/crmctl/crmctl/internal/i18n"
)

// Row statuses in the results file.
const (
	StatusCreated = "created"
	StatusSkipped = "skipped"
	StatusFailed  = "failed"
	StatusInvalid = "invalid"
	// StatusUnknown: sent without a usable answer; whether the customer was created is
	// not known yet (the message lists the candidates).
	StatusUnknown = "unknown"
)

// Result is one line of the results file. Its Message is in English whatever the
// language crmctl speaks: the file is data for scripts (as -o json is); the report on
// stderr tells people the same in their language.
type Result struct {
	Row        int    `json:"row"`
	Status     string `json:"status"`
	Name       string `json:"name"`
	CustomerID string `json:"customer_id"`
	APICode    int    `json:"api_code,omitempty"`
	Message    string `json:"message"`
}

// Results writes the results file, one line per finished row, each flushed as it is
// written: after an interruption the file holds every row that finished.
type Results struct {
	Path  string
	fh    *os.File
	csv   *csv.Writer
	jsonl bool
}

// CheckResultsPath refuses a results file named for neither format CreateResults
// writes: --results chooses CSV or JSONL by the extension.
func CheckResultsPath(path string) error {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv", ".jsonl", ".ndjson", ".json":
		return nil
	}
	return i18n.Errorf("--results %q: name a .csv or .jsonl file (the extension chooses the format)", path)
}

// CreateResults creates (truncating) the results file: CSV, or JSONL when the name
// ends in .jsonl/.ndjson/.json.
func CreateResults(path string) (*Results, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	fh, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	r := &Results{Path: path, fh: fh}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".jsonl", ".ndjson", ".json":
		r.jsonl = true
	default:
		// A BOM, so that Excel (where sales-ops open it) reads the UTF-8 names right.
		if _, err := fh.WriteString("\ufeff"); err != nil {
			fh.Close()
			return nil, err
		}
		r.csv = csv.NewWriter(fh)
		if err := r.csv.Write([]string{"row", "status", "name", "customer_id", "api_code", "message"}); err != nil {
			fh.Close()
			return nil, err
		}
		r.csv.Flush()
	}
	return r, nil
}

// jsonResult is a Result as a JSONL line: the customer id a number, as -o json and the
// API print it (null when there is none); an id that is not a number stays a string.
func jsonResult(res Result) any {
	var id any
	if res.CustomerID != "" {
		id = res.CustomerID
		if n, err := strconv.ParseInt(res.CustomerID, 10, 64); err == nil && n > 0 && strconv.FormatInt(n, 10) == res.CustomerID {
			id = n
		}
	}
	return struct {
		Row        int    `json:"row"`
		Status     string `json:"status"`
		Name       string `json:"name"`
		CustomerID any    `json:"customer_id"`
		APICode    int    `json:"api_code,omitempty"`
		Message    string `json:"message"`
	}{res.Row, res.Status, res.Name, id, res.APICode, res.Message}
}

// Write appends one result and flushes it.
func (r *Results) Write(res Result) error {
	if r == nil {
		return nil
	}
	if r.jsonl {
		b, err := json.Marshal(jsonResult(res))
		if err != nil {
			return err
		}
		_, err = r.fh.Write(append(b, '\n'))
		return err
	}
	code := ""
	if res.APICode != 0 {
		code = strconv.Itoa(res.APICode)
	}
	if err := r.csv.Write([]string{strconv.Itoa(res.Row), res.Status, noFormula(res.Name), noFormula(res.CustomerID), code, noFormula(res.Message)}); err != nil {
		return err
	}
	r.csv.Flush()
	if err := r.csv.Error(); err != nil {
		return i18n.Errorf("results %s: %w", r.Path, err)
	}
	return nil
}

// noFormula keeps a spreadsheet from reading a cell as a formula: a value starting with
// =, +, -, @, a tab or a carriage return (names and API messages come from the file
// and the server) gets a leading apostrophe, as OWASP advises for CSV files. Excel shows
// the text as it was; the JSONL results keep every value exact.
func noFormula(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

// Close syncs and closes the file.
func (r *Results) Close() error {
	if r == nil {
		return nil
	}
	_ = r.fh.Sync()
	return r.fh.Close()
}
