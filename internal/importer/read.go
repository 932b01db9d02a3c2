package importer

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/json"
	"errors"
	"hash"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"github.com/crmctl/crmctl/internal/fields"
	"github.com/crmctl/crmctl/internal/i18n"
)

// Formats of an import file.
const (
	FormatCSV   = "csv"
	FormatXLSX  = "xlsx"
	FormatJSONL = "jsonl"
)

// ReadOptions say how to read a file. Zero values mean "detect".
type ReadOptions struct {
	Format    string // csv, xlsx, jsonl; "" from the extension
	Encoding  string // CSV: utf-8, gbk, gb18030; "" detects
	Delimiter rune   // CSV: 0 detects among ',', ';' and '\t'
	Sheet     string // XLSX: "" is the first sheet
	Map       map[string]string
	// IgnoreUnknown skips columns that match no field instead of refusing the file.
	IgnoreUnknown bool
	// Form is the company's customer form: its fields' labels name columns too (nil: the
	// catalogue's names and custom keys only).
	Form *fields.Form

	// decided is the CSV encoding a first reading decided (the second pass reuses it).
	decided *textEncoding
}

// Record is one data row as read: its number as the user sees it (the spreadsheet row,
// header = 1, or the JSONL line) and its values keyed by API key.
type Record struct {
	Row    int
	Values fields.Values
	// Problem is set when the row could not be read into values at all (a malformed
	// JSON line, cells beyond the header).
	Problem *RowProblem
	// HeaderOf names the record's fields as it did (a JSONL line's keys, by API key);
	// nil when the file's header does.
	HeaderOf map[string]string
}

// Reader yields a file's records one at a time; memory stays flat however large the
// file is.
type Reader interface {
	// Next returns the next record, or io.EOF.
	Next() (*Record, error)
	// Mapping is the column layout (nil for JSONL).
	Mapping() *Mapping
	// Sum is the SHA-256 of the bytes read so far (the whole file once Next returned
	// io.EOF).
	Sum() []byte
	// Describe names what was detected ("CSV, GB18030, delimiter ';'").
	Describe() Description
	Close() error
}

// DetectFormat returns the format for path from its extension, or forced.
func DetectFormat(path, forced string) (string, error) {
	if forced != "" {
		switch f := strings.ToLower(forced); f {
		case FormatCSV, FormatXLSX, FormatJSONL:
			return f, nil
		case "tsv", "txt":
			return FormatCSV, nil
		case "ndjson":
			return FormatJSONL, nil
		default:
			return "", i18n.Errorf("--format %q: expected csv, xlsx or jsonl", forced)
		}
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv", ".tsv", ".txt":
		return FormatCSV, nil
	case ".xlsx", ".xlsm":
		return FormatXLSX, nil
	case ".jsonl", ".ndjson":
		return FormatJSONL, nil
	case ".xls":
		return "", i18n.Errorf("%s: the old .xls format cannot be read: save it as .xlsx or .csv", path)
	default:
		return "", i18n.Errorf("%s: cannot tell the format from the extension: pass --format csv|xlsx|jsonl", path)
	}
}

// Open opens an import file for reading.
func Open(path string, o ReadOptions) (Reader, error) {
	format, err := DetectFormat(path, o.Format)
	if err != nil {
		return nil, err
	}
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	var r Reader
	switch format {
	case FormatCSV:
		r, err = newCSVReader(fh, io.TeeReader(fh, h), h, o)
	case FormatXLSX:
		r, err = newXLSXReader(fh, h, o)
	case FormatJSONL:
		r, err = newJSONLReader(fh, io.TeeReader(fh, h), h, o)
	}
	if err != nil {
		fh.Close()
		return nil, i18n.Errorf("%s: %w", path, err)
	}
	return r, nil
}

// ---- CSV ----

type csvReader struct {
	fh *os.File
	h  hash.Hash
	cr *csv.Reader
	// capped bounds one record's bytes
	capped *capReader
	enc    *textEncoding
	m      *Mapping
	row    int // the spreadsheet row of the last record
	// end is the line the last record ended on: the blank lines encoding/csv skips
	// between it and the next record are rows of a spreadsheet too.
	end  int
	desc Description
}

const sniffSize = 64 << 10

func newCSVReader(fh *os.File, src io.Reader, h hash.Hash, o ReadOptions) (*csvReader, error) {
	br := bufio.NewReaderSize(src, sniffSize)
	head, err := br.Peek(sniffSize)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, err
	}
	if err := sniffWorkbook(head, "CSV"); err != nil {
		return nil, err
	}
	enc := o.decided
	if enc == nil {
		e, err := DecideEncoding(fh.Name(), o.Encoding)
		if err != nil {
			return nil, err
		}
		enc = &e
	}
	in := enc.reader(br)
	delim := o.Delimiter
	var text *bufio.Reader
	if delim == 0 {
		text = bufio.NewReaderSize(in, sniffSize)
		peek, _ := text.Peek(sniffSize)
		delim = detectDelimiter(peek)
		in = text
	}
	capped := &capReader{r: in, max: MaxLine + 8<<10} // encoding/csv reads ahead 4 KiB
	cr := csv.NewReader(capped)
	cr.Comma = delim
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, i18n.Errorf("the file is empty: expected a header row")
	}
	if err != nil {
		return nil, i18n.Errorf("header: %w", csvError(err, 1))
	}
	capped.reset()
	// Only blank lines can come before the header: its line is its row.
	line, _ := cr.FieldPos(0)
	end := recordEnd(line, header)
	header = append([]string(nil), header...)
	m, err := mapHeaderWith(header, o.Map, o.IgnoreUnknown, o.Form)
	if err != nil {
		return nil, err
	}
	return &csvReader{fh: fh, h: h, cr: cr, capped: capped, enc: enc, m: m, row: line, end: end, desc: Description{i18n.M("CSV, %s, delimiter %s", enc.label(), delimName(delim))}}, nil
}

// csvError tells a CSV reading error by its line: next is the line the record being
// read starts on (for errors that do not say).
func csvError(err error, next int) error {
	var pe *csv.ParseError
	switch {
	case errors.Is(err, errRecordTooLong):
		return &LineTooLongError{Line: next, What: tooLongRecord}
	case errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrQuote):
		return i18n.Errorf("line %d: a quoted cell opened here is never closed (or a \" inside it is not doubled): "+
			"every \" inside a quoted cell must be written \"\"", pe.StartLine)
	case errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrBareQuote):
		return i18n.Errorf("line %d, column %d: a \" inside an unquoted cell: quote the cell and double the \" (\"5\"\" screen\")", pe.Line, pe.Column)
	case errors.As(err, &pe):
		return i18n.Errorf("line %d: %v", pe.Line, pe.Err)
	}
	return err
}

// recordEnd is the line a record starting on line ends on: a quoted cell holding line
// breaks spans several lines of the file but is one row of a spreadsheet.
func recordEnd(line int, cells []string) int {
	for _, c := range cells {
		line += strings.Count(c, "\n")
	}
	return line
}

// sniffWorkbook refuses a spreadsheet workbook read as text (as, CSV or JSONL): its
// bytes would otherwise come out as a header of binary garbage.
func sniffWorkbook(head []byte, as string) error {
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return i18n.Errorf("the file looks like an XLSX workbook (a ZIP archive), not %s: read it with --format xlsx", as)
	case bytes.HasPrefix(head, []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")):
		return i18n.Errorf("the file looks like an old .xls workbook, not %s: save it as .xlsx or .csv", as)
	}
	return nil
}

// detectDelimiter picks the most frequent of ',', ';' and tab in the header line
// (outside quotes); ',' when none appears.
func detectDelimiter(b []byte) rune {
	if i := bytes.IndexAny(b, "\r\n"); i >= 0 {
		b = b[:i]
	}
	counts := map[rune]int{}
	inQuote := false
	for _, r := range string(b) {
		switch {
		case r == '"':
			inQuote = !inQuote
		case !inQuote && (r == ',' || r == ';' || r == '\t'):
			counts[r]++
		}
	}
	best := ','
	for _, r := range []rune{',', ';', '\t'} {
		if counts[r] > counts[best] {
			best = r
		}
	}
	return best
}

func delimName(r rune) i18n.Message {
	switch r {
	case '\t':
		return i18n.M("tab")
	case ';', ',':
		return i18n.M("'%c'", r)
	default:
		return i18n.M("%q", r)
	}
}

// Description tells what was detected of a file ("CSV, UTF-8, delimiter ','"): in
// English in -o json (data), in the printer's language when printed.
type Description struct{ i18n.Message }

// MarshalJSON writes the English text.
func (d Description) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // as a string field is: the encoder of the whole decides
	if err := enc.Encode(d.String()); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// ParseDelimiter reads --delimiter: ",", ";", "tab" or "\t", or any single character.
func ParseDelimiter(s string) (rune, error) {
	switch strings.ToLower(s) {
	case "":
		return 0, nil
	case "tab", `\t`, "\t":
		return '\t', nil
	case "comma":
		return ',', nil
	case "semicolon":
		return ';', nil
	}
	r, size := utf8.DecodeRuneInString(s)
	if size != len(s) || r == utf8.RuneError || r == '"' || r == '\r' || r == '\n' {
		return 0, i18n.Errorf("--delimiter %q: expected one character such as , ; or tab", s)
	}
	return r, nil
}

func (r *csvReader) Next() (*Record, error) {
	cells, err := r.cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, io.EOF
		}
		return nil, csvError(err, r.end+1)
	}
	r.capped.reset()
	// A spreadsheet shows a row per record and per blank line (which encoding/csv
	// skips), so the row is the last record's plus the lines since it ended.
	line, _ := r.cr.FieldPos(0)
	r.row += line - r.end
	r.end = recordEnd(line, cells)
	v, extra := r.m.Apply(cells)
	rec := &Record{Row: r.row, Values: v}
	if extra > 0 {
		rec.Problem = &RowProblem{Reason: i18n.M("%d cell(s) beyond the %d columns of the header", extra, len(r.m.Columns))}
	}
	return rec, nil
}

func (r *csvReader) Mapping() *Mapping     { return r.m }
func (r *csvReader) Sum() []byte           { return r.h.Sum(nil) }
func (r *csvReader) Describe() Description { return r.desc }
func (r *csvReader) Close() error          { return r.fh.Close() }

// ---- XLSX ----

type xlsxReader struct {
	fh   *os.File
	h    hash.Hash
	f    *excelize.File
	rows *excelize.Rows
	m    *Mapping
	row  int
	sum  []byte
	desc Description
}

func newXLSXReader(fh *os.File, h hash.Hash, o ReadOptions) (*xlsxReader, error) {
	if _, err := io.Copy(h, fh); err != nil {
		return nil, err
	}
	sum := h.Sum(nil)
	// OpenFile reads the zip in place (OpenReader would load the whole file); sheets
	// larger than a few MiB are unzipped to a temporary file and read from there.
	f, err := excelize.OpenFile(fh.Name(), excelize.Options{UnzipXMLSizeLimit: 4 << 20})
	if err != nil {
		return nil, i18n.Errorf("not a readable XLSX workbook: %v", err)
	}
	sheets := f.GetSheetList()
	sheet := o.Sheet
	if sheet == "" {
		if len(sheets) == 0 {
			f.Close()
			return nil, i18n.Errorf("the workbook has no sheet")
		}
		sheet = sheets[0]
	} else {
		found := false
		for _, s := range sheets {
			if s == sheet {
				found = true
			}
		}
		if !found {
			f.Close()
			return nil, i18n.Errorf("--sheet %q: no such sheet (the sheets are: %s)", sheet, strings.Join(sheets, ", "))
		}
	}
	rows, err := f.Rows(sheet)
	if err != nil {
		f.Close()
		return nil, err
	}
	r := &xlsxReader{fh: fh, h: h, f: f, rows: rows, sum: sum, desc: Description{i18n.M("XLSX, sheet %q", sheet)}}
	if !rows.Next() {
		r.Close()
		if err := rows.Error(); err != nil {
			return nil, err
		}
		return nil, i18n.Errorf("sheet %q is empty: expected a header row", sheet)
	}
	r.row = 1
	header, err := rows.Columns()
	if err != nil {
		r.Close()
		return nil, err
	}
	if r.m, err = mapHeaderWith(header, o.Map, o.IgnoreUnknown, o.Form); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

func (r *xlsxReader) Next() (*Record, error) {
	if !r.rows.Next() {
		if err := r.rows.Error(); err != nil {
			return nil, err
		}
		return nil, io.EOF
	}
	r.row++
	cells, err := r.rows.Columns()
	if err != nil {
		return nil, i18n.Errorf("row %d: %w", r.row, err)
	}
	for _, c := range cells {
		if len(c) > MaxLine {
			return nil, &LineTooLongError{Line: r.row, What: tooLongCell}
		}
	}
	v, extra := r.m.Apply(cells)
	rec := &Record{Row: r.row, Values: v}
	if extra > 0 {
		rec.Problem = &RowProblem{Reason: i18n.M("%d cell(s) beyond the %d columns of the header", extra, len(r.m.Columns))}
	}
	return rec, nil
}

func (r *xlsxReader) Mapping() *Mapping     { return r.m }
func (r *xlsxReader) Sum() []byte           { return r.sum }
func (r *xlsxReader) Describe() Description { return r.desc }
func (r *xlsxReader) Close() error {
	if r.rows != nil {
		_ = r.rows.Close()
	}
	_ = r.f.Close()
	return r.fh.Close()
}

// ---- JSONL ----

const maxLine = 1 << 20

// maxKeysNamed bounds the JSONL keys an unmatched --map error lists.
const maxKeysNamed = 50

// jsonlReader reads one JSON object per line. Its keys (nested objects flattened to
// address_attributes[tel]) are mapped like the header of a tabular file, line by line.
type jsonlReader struct {
	fh  *os.File
	h   hash.Hash
	br  *bufio.Reader
	row int
	hm  *headerMapper
	// utf16: the file starts with a UTF-16 byte order mark, and is read as UTF-16
	utf16 bool
	// keys are the distinct keys seen, for an unmatched --map (at most maxKeysNamed).
	keys    []string
	keySeen map[string]bool
	keysCut bool // more keys than maxKeysNamed were seen
}

// newJSONLReader reads UTF-8 text, after a byte order mark if there is one; a UTF-16
// byte order mark makes it read the text as UTF-16 (unicode.BOMOverride).
func newJSONLReader(fh *os.File, src io.Reader, h hash.Hash, o ReadOptions) (*jsonlReader, error) {
	raw := bufio.NewReaderSize(src, 64<<10)
	head, err := raw.Peek(8)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	if err := sniffWorkbook(head, "JSONL"); err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(transform.NewReader(raw, unicode.BOMOverride(transform.Nop)), 64<<10)
	return &jsonlReader{fh: fh, h: h, br: br, utf16: byteOrderMark(head) == "UTF-16",
		hm: formMapper(o), keySeen: map[string]bool{}}, nil
}

func (r *jsonlReader) Next() (*Record, error) {
	rec, err := r.next()
	if errors.Is(err, io.EOF) {
		// A --map must name a key of some line, as it must name a column.
		names := r.keys
		if r.keysCut {
			names = append(names[:len(names):len(names)], "…")
		}
		if merr := r.hm.unmatched(names); merr != nil {
			return nil, merr
		}
	}
	return rec, err
}

func (r *jsonlReader) next() (*Record, error) {
	for {
		line, err := r.readLine()
		if len(line) == 0 && err != nil {
			return nil, err
		}
		r.row++
		t := bytes.TrimSpace(line)
		if len(t) == 0 {
			if err != nil {
				return nil, err
			}
			continue
		}
		rec := &Record{Row: r.row}
		if r.utf16 && bytes.ContainsRune(t, utf8.RuneError) {
			// The decoder's mark for bytes that are not UTF-16 (a lone surrogate, an odd byte).
			rec.Problem = &RowProblem{Reason: i18n.M("the line is not valid UTF-16: fix it, or save the file as UTF-8")}
			return rec, nil
		}
		if t[0] != '{' {
			rec.Problem = &RowProblem{Reason: i18n.M("not a JSON object")}
			return rec, nil
		}
		entries, perr := fields.FlattenDocument(t)
		if perr != nil {
			rec.Problem = &RowProblem{Reason: i18n.M("%v", perr)}
			return rec, nil
		}
		keys := make([]string, len(entries))
		cells := make([]string, len(entries))
		for i, e := range entries {
			keys[i], cells[i] = e.Key, e.Value
		}
		r.see(keys)
		m, unknown, merr := r.hm.mapHeader(keys)
		if merr == nil && len(unknown) > 0 {
			merr = &UnknownColumnsError{Headers: unknown}
		}
		if merr != nil {
			return nil, i18n.Errorf("line %d: %w", r.row, merr)
		}
		rec.Values, _ = m.Apply(cells)
		rec.HeaderOf = m.HeaderOf
		return rec, nil
	}
}

func (r *jsonlReader) see(keys []string) {
	for _, k := range keys {
		if r.keySeen[k] {
			continue
		}
		if len(r.keys) >= maxKeysNamed {
			r.keysCut = true
			return
		}
		r.keySeen[k] = true
		r.keys = append(r.keys, k)
	}
}

func (r *jsonlReader) readLine() ([]byte, error) {
	var buf []byte
	for {
		chunk, err := r.br.ReadSlice('\n')
		buf = append(buf, chunk...)
		if len(buf) > maxLine {
			return nil, i18n.Errorf("line %d: longer than %d bytes", r.row+1, maxLine)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return buf, err
	}
}

func (r *jsonlReader) Mapping() *Mapping     { return nil }
func (r *jsonlReader) Sum() []byte           { return r.h.Sum(nil) }
func (r *jsonlReader) Describe() Description { return Description{i18n.M("%s", "JSONL")} }
func (r *jsonlReader) Close() error          { return r.fh.Close() }

func formMapper(o ReadOptions) *headerMapper {
	hm := newHeaderMapper(o.Map, o.IgnoreUnknown)
	hm.form = o.Form
	return hm
}
