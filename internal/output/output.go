// Package output prints command results: a table (tablewriter on a terminal, plain
// tab-separated lines through a pipe), the API's JSON payload, or that payload filtered
// by a jq expression. It is the only importer of tablewriter.
package output

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/itchyny/gojq"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/crmctl/crmctl/internal/i18n"
	"github.com/crmctl/crmctl/internal/iostreams"
)

// Formats.
const (
	FormatTable = "table"
	FormatJSON  = "json"
)

// Printer prints in the format the user asked for.
type Printer struct {
	IO     *iostreams.IOStreams
	Format string
	jq     *gojq.Code
}

// New returns a Printer. A jq expression implies JSON; an invalid one is an error
// (reported before any request is made).
func New(io *iostreams.IOStreams, format, jq string) (*Printer, error) {
	p := &Printer{IO: io, Format: format}
	if jq != "" {
		q, err := gojq.Parse(jq)
		if err != nil {
			return nil, fmt.Errorf("--jq: %w", err)
		}
		code, err := gojq.Compile(q)
		if err != nil {
			return nil, fmt.Errorf("--jq: %w", err)
		}
		p.jq = code
		p.Format = FormatJSON
	}
	if p.Format != FormatTable && p.Format != FormatJSON {
		return nil, i18n.Errorf("unknown output format %q: use table or json", format)
	}
	return p, nil
}

// JSON reports whether output is JSON.
func (p *Printer) JSON() bool { return p.Format == FormatJSON }

// Table is a table to print: a header and rows of cells.
type Table struct {
	Header []string
	Rows   [][]string
	// Record marks a table of one record: on a terminal it prints as FIELD / VALUE
	// lines, which stay readable on a narrow terminal; through a pipe it is one line.
	Record bool
}

// Print prints raw (JSON format) or t (table format). raw is printed as it came,
// indented; a null or empty payload prints as [] when t has the shape of a list.
func (p *Printer) Print(raw json.RawMessage, t Table) error {
	if p.JSON() {
		return p.PrintJSON(raw)
	}
	return p.PrintTable(t)
}

// PrintJSON prints a JSON document, through the jq filter if one was given.
func (p *Printer) PrintJSON(raw json.RawMessage) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		raw = json.RawMessage("null")
	}
	if p.jq != nil {
		return p.runJQ(raw)
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		return i18n.Errorf("cannot print the answer as JSON: %w", err)
	}
	buf.WriteByte('\n')
	_, err := p.IO.Out.Write(buf.Bytes())
	return err
}

// FilterError is a --jq expression that failed on the data it was given, e.g. `tonumber`
// on a name. The expression itself was checked when the Printer was made, before any
// request; this comes after the command has done its work, and nothing is printed.
type FilterError struct{ Err error }

func (e *FilterError) Error() string { return "--jq: " + e.Err.Error() }
func (e *FilterError) Unwrap() error { return e.Err }

func (p *Printer) runJQ(raw json.RawMessage) error {
	var doc any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return i18n.Errorf("cannot filter the answer with --jq: %w", err)
	}
	doc = normalizeNumbers(doc)
	iter := p.jq.Run(doc)
	var out bytes.Buffer
	for {
		v, ok := iter.Next()
		if !ok {
			break
		}
		if err, isErr := v.(error); isErr {
			var halt *gojq.HaltError
			if errors.As(err, &halt) && halt.Value() == nil {
				break
			}
			return &FilterError{Err: err}
		}
		if s, isStr := v.(string); isStr {
			out.WriteString(s)
		} else {
			b, err := gojq.Marshal(v)
			if err != nil {
				return &FilterError{Err: err}
			}
			out.Write(b)
		}
		out.WriteByte('\n')
	}
	_, err := p.IO.Out.Write(out.Bytes())
	return err
}

// normalizeNumbers turns json.Number into int or float64, which gojq understands.
func normalizeNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return int(i)
		}
		f, _ := x.Float64()
		return f
	case map[string]any:
		for k, e := range x {
			x[k] = normalizeNumbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = normalizeNumbers(e)
		}
	}
	return v
}

// PrintTable prints t: bordered through tablewriter on a terminal, plain tab-separated
// lines (no header, no borders, no colour) otherwise.
func (p *Printer) PrintTable(t Table) error {
	return WriteTable(p.IO.Out, p.IO.T(), p.IO.IsStdoutTTY(), p.IO.TerminalWidth(), t)
}

// headers are the column names of crmctl's tables, marked as messages of the catalogue:
// on a terminal they are shown in the chosen language (through a pipe they stay as
// they are, for scripts).
var _ = [...]string{
	i18n.M("NAME").Format, i18n.M("POOL").Format, i18n.M("STATUS").Format, i18n.M("CATEGORY").Format,
	i18n.M("SOURCE").Format, i18n.M("INDUSTRY").Format, i18n.M("STAFF SIZE").Format, i18n.M("CREATED").Format,
	i18n.M("PHONE/TEL").Format, i18n.M("FIELD").Format, i18n.M("VALUE").Format, i18n.M("KEY").Format,
	i18n.M("ROWS").Format, i18n.M("TO CREATE").Format, i18n.M("CREATED EARLIER").Format,
	i18n.M("FAILED EARLIER").Format, i18n.M("DUPLICATES").Format, i18n.M("INVALID").Format,
	i18n.M("NAME (名称)").Format, i18n.M("RETURN RULE (回收规则)").Format, i18n.M("CLAIM LIMIT (领取上限)").Format,
}

// WriteTable writes t to w: bordered, at most width columns wide, when w is a terminal;
// plain tab-separated lines otherwise. Commands use it for tables on stderr (a
// summary before a confirmation); data on stdout goes through a Printer.
//
// Every header and cell goes through iostreams.Sanitize: names and labels come from
// the API and must not drive the terminal.
//
// On a terminal, the headers are shown in tr's language.
func WriteTable(w io.Writer, tr *i18n.Printer, terminal bool, width int, t Table) error {
	t = sanitizeTable(t)
	if !terminal {
		return writePlain(w, t)
	}
	if len(t.Rows) == 0 {
		return nil
	}
	if t.Record && len(t.Rows) == 1 {
		v := Table{Header: []string{"FIELD", "VALUE"}}
		for i, h := range t.Header {
			if i < len(t.Rows[0]) && t.Rows[0][i] != "" {
				v.Rows = append(v.Rows, []string{tr.Sprintf(h), t.Rows[0][i]})
			}
		}
		t = v
	}
	tbl := tablewriter.NewTable(w,
		tablewriter.WithMaxWidth(width),
		tablewriter.WithRowAutoWrap(tw.WrapNormal),
		tablewriter.WithHeaderAutoFormat(tw.Off),
	)
	header := make([]any, len(t.Header))
	for i, h := range t.Header {
		header[i] = tr.Sprintf(h)
	}
	tbl.Header(header...)
	if err := tbl.Bulk(t.Rows); err != nil {
		return err
	}
	return tbl.Render()
}

func sanitizeTable(t Table) Table {
	c := Table{Header: make([]string, len(t.Header)), Rows: make([][]string, len(t.Rows)), Record: t.Record}
	for i, h := range t.Header {
		c.Header[i] = iostreams.Sanitize(h)
	}
	for i, row := range t.Rows {
		c.Rows[i] = make([]string, len(row))
		for j, cell := range row {
			c.Rows[i][j] = iostreams.Sanitize(cell)
		}
	}
	return c
}

func writePlain(w io.Writer, t Table) error {
	var b strings.Builder
	for _, row := range t.Rows {
		for i, cell := range row {
			if i > 0 {
				b.WriteByte('\t')
			}
			b.WriteString(strings.NewReplacer("\t", " ", "\n", " ", "\r", " ").Replace(cell))
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Marshal is json.Marshal without the HTML escaping meant for web pages: a & in a
// value stays a &, not \u0026, in what crmctl prints.
func Marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}
