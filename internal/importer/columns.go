// Package importer is the engine of `crmctl customers import`: streaming readers for
// CSV, XLSX and JSONL, the mapping of column headers onto the field catalogue, the
// whole-file validation, a pacer shared by every process of a profile, the journal that
// makes a run resumable and never creates a row twice, the results file and the
// progress display.
package importer

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/crmctl/crmctl/internal/fields"
	"github.com/crmctl/crmctl/internal/i18n"
)

// NormalizeHeader folds a header for matching: case, spaces (ASCII and full-width), a
// BOM, '-' and '_' are ignored, and full-width parentheses are read as ASCII ones.
func NormalizeHeader(h string) string { return fields.Fold(h) }

// FieldFor resolves a header or a --map target to an API key: a flag name, an API key,
// the English name, the Chinese label or an alias of a catalogue field (ignoring case
// and spaces), or a custom field key (text_asset_9320d8d7). ok is false when nothing
// matches.
func FieldFor(name string) (key string, ok bool) {
	k, err := fieldFor(name, nil)
	return k, err == nil
}

// fieldFor resolves a header with the company's form (nil: the catalogue only): a
// custom field's label maps to its key too. Any custom key goes through (a business
// template's field is checked against the row's form); a label two fields share is an
// error naming both keys.
func fieldFor(name string, form *fields.Form) (string, error) {
	if k, err := fields.NormalizeKey(strings.ToLower(strings.TrimSpace(name))); err == nil {
		return k, nil
	}
	k, p := form.KeyFor(name)
	if p != nil {
		return "", p
	}
	return k, nil
}

// Column is one column of a tabular file and the field it feeds.
type Column struct {
	Index  int
	Header string
	Key    string // API key; "" when the column is ignored
}

// Mapping is the column layout of a tabular file.
type Mapping struct {
	Columns []Column
	// HeaderOf names, for an API key, the column it came from (for the report).
	HeaderOf map[string]string
}

// UnknownColumnsError lists the headers that match no field.
type UnknownColumnsError struct {
	Headers []string
}

func (e *UnknownColumnsError) Error() string { return e.Localize(i18n.New(i18n.English)) }

// Localize tells the error in p's language.
func (e *UnknownColumnsError) Localize(p *i18n.Printer) string {
	q := make([]string, len(e.Headers))
	for i, h := range e.Headers {
		q[i] = fmt.Sprintf("%q", shorten(p, h, maxQuoted))
	}
	return p.Sprintf("unknown column(s) %s: map them with --map COLUMN=FIELD (a flag name such as tel, an API key such as address_attributes[tel], a label such as 电话, or a custom key such as text_asset_9320d8d7), or pass --ignore-unknown to skip them", strings.Join(q, ", "))
}

// MapHeader maps a header row onto the catalogue. overrides are --map COLUMN=FIELD
// (COLUMN matched exactly or ignoring case and spaces; FIELD "-" ignores the column).
func MapHeader(header []string, overrides map[string]string, ignoreUnknown bool) (*Mapping, error) {
	return mapHeaderWith(header, overrides, ignoreUnknown, nil)
}

// mapHeaderWith maps a header row with the company's form: custom fields' labels are
// column names too.
func mapHeaderWith(header []string, overrides map[string]string, ignoreUnknown bool, form *fields.Form) (*Mapping, error) {
	hm := newHeaderMapper(overrides, ignoreUnknown)
	hm.form = form
	m, unknown, err := hm.mapHeader(header)
	if err != nil {
		return nil, err
	}
	if err := hm.unmatched(header); err != nil {
		return nil, err
	}
	if len(unknown) > 0 {
		return nil, &UnknownColumnsError{Headers: unknown}
	}
	return m, nil
}

// headerMapper applies the --map overrides and the catalogue to the names a file gives
// its fields: the header row of a CSV or XLSX file, the keys of each JSONL line. It
// remembers which overrides matched a name.
type headerMapper struct {
	form          *fields.Form // the company's form: custom labels are names too (nil: none)
	overrides     map[string]string
	ignoreUnknown bool
	matched       map[string]bool
}

func newHeaderMapper(overrides map[string]string, ignoreUnknown bool) *headerMapper {
	return &headerMapper{overrides: overrides, ignoreUnknown: ignoreUnknown, matched: map[string]bool{}}
}

// mapHeader maps one header row. unknown lists the headers that match no field (none
// with --ignore-unknown); a --map to no field, or two headers for one field, is an error.
func (hm *headerMapper) mapHeader(header []string) (m *Mapping, unknown []string, err error) {
	m = &Mapping{HeaderOf: map[string]string{}}
	used := map[string]string{} // key -> header
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		col := Column{Index: i, Header: h}
		target, over := "", false
		for from, to := range hm.overrides {
			if from == h || NormalizeHeader(from) == NormalizeHeader(h) {
				target, over = to, true
				hm.matched[from] = true
				break
			}
		}
		switch {
		case over && strings.TrimSpace(target) == "-":
			// ignored on request
		case over:
			k, err := fieldFor(target, hm.form)
			if err != nil {
				return nil, nil, i18n.Errorf("--map %s=%s: %q is not a field (use a flag name, an API key, a Chinese label or a custom key)", h, target, target)
			}
			col.Key = k
		case h == "":
			// a column without a header carries nothing we could name
		default:
			k, err := fieldFor(h, hm.form)
			var p *fields.Problem
			switch {
			case err == nil:
				col.Key = k
			case errors.As(err, &p) && strings.Contains(p.Reason.Format, "is the label of"):
				return nil, nil, i18n.Errorf("column %q: %s (or --map %q=KEY)", h, p.Reason, h)
			case !hm.ignoreUnknown:
				unknown = append(unknown, h)
			}
		}
		if col.Key != "" {
			if prev, dup := used[col.Key]; dup {
				return nil, nil, i18n.Errorf("columns %q and %q both map to %s: keep one, or ignore one with --map %q=-", prev, h, col.Key, h)
			}
			used[col.Key] = h
			m.HeaderOf[col.Key] = h
		}
		m.Columns = append(m.Columns, col)
	}
	return m, unknown, nil
}

// unmatched reports the overrides that matched none of the headers seen (names).
func (hm *headerMapper) unmatched(names []string) error {
	var missing []string
	for from := range hm.overrides {
		if !hm.matched[from] {
			missing = append(missing, from)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	sort.Strings(missing)
	return i18n.Errorf("--map: no column is named %s (the columns are: %s)", strings.Join(missing, ", "), strings.Join(names, ", "))
}

// Apply turns a record's cells into values (blank cells are left out). extra reports
// a non-blank cell beyond the header.
func (m *Mapping) Apply(cells []string) (v fields.Values, extra int) {
	v = fields.Values{}
	for _, c := range m.Columns {
		if c.Key == "" || c.Index >= len(cells) {
			continue
		}
		if s := strings.TrimSpace(cells[c.Index]); s != "" {
			v[c.Key] = s
		}
	}
	for i := len(m.Columns); i < len(cells); i++ {
		if strings.TrimSpace(cells[i]) != "" {
			extra++
		}
	}
	return v, extra
}

// ParseMap parses --map COLUMN=FIELD values. Two values for one column (as headers
// match, ignoring case, spaces, '-' and '_') are an error, so that no header can match
// two overrides.
func ParseMap(items []string) (map[string]string, error) {
	out := map[string]string{}
	seen := map[string]string{} // normalised column -> the item that named it
	for _, it := range items {
		from, to, ok := strings.Cut(it, "=")
		from, to = strings.TrimSpace(from), strings.TrimSpace(to)
		if !ok || from == "" || to == "" {
			return nil, i18n.Errorf("--map %q: expected COLUMN=FIELD (FIELD - ignores the column)", it)
		}
		norm := NormalizeHeader(from)
		if prev, dup := seen[norm]; dup {
			if prev == from+"="+to {
				continue
			}
			return nil, i18n.Errorf("--map %q and --map %q name the same column: keep one", prev, from+"="+to)
		}
		seen[norm] = from + "=" + to
		out[from] = to
	}
	return out, nil
}
