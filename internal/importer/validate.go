package importer

import (
	"context"
	"hash/maphash"
	"strings"
	"unicode/utf8"

	"github.com/crmctl/crmctl/internal/api"
	"github.com/crmctl/crmctl/internal/fields"
	"github.com/crmctl/crmctl/internal/i18n"
)

// RowProblem is one reason a row cannot be sent.
type RowProblem struct {
	Column string // the column (or JSON key) at fault; "" for the whole row
	Value  string
	Reason i18n.Message // in the catalogue: reported in the chosen language
}

// String tells the problem in English (the results file, -o json).
func (p RowProblem) String() string { return p.Localize(i18n.New(i18n.English)) }

// Localize tells the problem in tr's language; a long value is quoted shortened
// (maxQuoted characters).
func (p RowProblem) Localize(tr *i18n.Printer) string {
	full := tr.Sprintf("%v", p.Reason)
	reason, column := full, shorten(tr, p.Column, maxQuoted)
	if p.Value != "" && len(p.Value) > maxQuoted {
		reason = strings.ReplaceAll(reason, p.Value, shorten(tr, p.Value, maxQuoted))
	}
	reason = shorten(tr, reason, 4*maxQuoted)
	if p.Column == "" {
		return reason
	}
	if p.Value != "" && !strings.Contains(full, p.Value) {
		return tr.Sprintf("column %s = %q: %s", column, shorten(tr, p.Value, maxQuoted), reason)
	}
	return tr.Sprintf("column %s: %s", column, reason)
}

// badText says why a value cannot be sent ("" when it can): text that is not valid
// UTF-8, a NUL, or another control character (tab, line feed and carriage return,
// which a multi-line note holds, excepted). They would reach the CRM as they are and
// stay there: the API has no delete.
func badText(s string) i18n.Message {
	if !utf8.ValidString(s) {
		return i18n.M("the text is not valid UTF-8: is the file GBK? pass --encoding gbk (or gb18030)")
	}
	for i, r := range s {
		switch {
		case r == 0:
			return i18n.M("a NUL character (at byte %d): remove it", i)
		case r == '\t' || r == '\n' || r == '\r':
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			return i18n.M("a control character %U (at byte %d): remove it", r, i)
		}
	}
	return i18n.Message{}
}

// Verdict is what validation made of one row.
type Verdict struct {
	Row      int
	Name     string
	Values   fields.Values // resolved: ready to send (Form)
	Problems []RowProblem
	// DuplicateOf is the row this one repeats (same name, mobile and telephone), 0 if none.
	DuplicateOf int
	// Empty rows at the end of a file are ignored; elsewhere they are invalid.
	Empty bool
}

// Valid reports whether the row can be sent.
func (v *Verdict) Valid() bool { return len(v.Problems) == 0 && !v.Empty }

// Lookups gives validation the pools and the customer field maps (cached by the caller);
// FieldMaps is asked for only when a row has a select value.
type Lookups struct {
	Pools     func(ctx context.Context) ([]api.Pool, error)
	FieldMaps func(ctx context.Context) (*api.FieldMapList, error)
	// Form returns the company's form for a business template ("" for none); nil: custom
	// fields are not checked. It is asked once per template the file uses.
	Form func(ctx context.Context, template string) (*fields.Form, error)
	// Departments, asked when a row names a department; nil: ids go through unchecked.
	Departments func(ctx context.Context) ([]api.Department, error)
}

// Validator checks rows against the catalogue and the look-ups, and finds duplicates.
type Validator struct {
	lk              Lookups
	pools           []api.Pool
	fieldMaps       *api.FieldMapList
	fetchedMaps     bool
	forms           map[string]*fields.Form // by template id
	departments     []api.Department
	fetchedDeps     bool
	defaultPool     string // resolved id of --pool
	defaultTemplate string // the business template of rows without one ("": none)
	headerOf        map[string]string
	allowDuplicates bool

	seed   maphash.Seed
	dups   *dupSet
	frozen bool
}

// NewValidator resolves --pool (pool may be "" when the file has a pool column).
func NewValidator(ctx context.Context, lk Lookups, pool string, headerOf map[string]string, allowDuplicates bool) (*Validator, error) {
	v := &Validator{lk: lk, headerOf: headerOf, allowDuplicates: allowDuplicates, seed: maphash.MakeSeed()}
	pools, err := lk.Pools(ctx)
	if err != nil {
		return nil, err
	}
	if !allowDuplicates {
		v.dups = newDupSet()
	}
	v.pools = pools
	if pool = strings.TrimSpace(pool); pool != "" {
		id, prob := fields.ResolvePool(pool, pools)
		if prob != nil {
			return nil, fields.Problems{prob}
		}
		v.defaultPool = id
	}
	return v, nil
}

// SetDefaultTemplate gives rows whose business template cell is empty the template id
// ("": none); a row's own template wins.
func (v *Validator) SetDefaultTemplate(id string) { v.defaultTemplate = strings.TrimSpace(id) }

// Close releases the duplicate check's temporary store.
func (v *Validator) Close() error { return v.dups.Close() }

// DefaultPool is the resolved id of --pool ("" without it).
func (v *Validator) DefaultPool() string { return v.defaultPool }

// Freeze ends the first pass: from now on a row is a duplicate when an earlier row had
// its key, as the first pass found.
func (v *Validator) Freeze() { v.frozen = true }

// Check validates one record.
func (v *Validator) Check(ctx context.Context, rec *Record) (*Verdict, error) {
	out := &Verdict{Row: rec.Row}
	if rec.Problem != nil {
		out.Problems = append(out.Problems, *rec.Problem)
		return out, nil
	}
	vals := rec.Values
	if len(vals) == 0 {
		out.Empty = true
		return out, nil
	}
	out.Name = vals["name"]
	vals = v.completed(rec, vals, out)
	form, err := v.fetchFor(ctx, vals)
	if err != nil {
		return nil, err
	}
	resolved, probs := fields.Resolve(vals, fields.Lookup{Pools: v.pools, FieldMaps: v.fieldMaps, Form: form, Departments: v.departments})
	for _, p := range probs {
		out.Problems = append(out.Problems, v.fieldProblem(rec, p))
	}
	if len(out.Problems) > 0 {
		return out, nil
	}
	out.Values = resolved
	if out.DuplicateOf, err = v.duplicateOf(resolved, rec.Row); err != nil {
		return nil, err
	}
	return out, nil
}

// completed checks what a row needs before its fields are resolved (text that can be
// sent, a pool, a name), adding the problems to out, and returns its values with the
// defaults of --pool and --template-id filled in.
func (v *Validator) completed(rec *Record, vals fields.Values, out *Verdict) fields.Values {
	col := func(key, fallback string) string {
		if h := rec.HeaderOf[key]; h != "" {
			return h
		}
		return v.column(key, fallback)
	}
	for _, k := range vals.Keys() {
		if reason := badText(vals[k]); !reason.IsZero() {
			out.Problems = append(out.Problems, RowProblem{Column: col(k, k), Reason: reason})
		}
	}
	if vals[fields.PoolKey] == "" {
		if v.defaultPool == "" {
			out.Problems = append(out.Problems, RowProblem{Column: col(fields.PoolKey, "pool"), Reason: i18n.M("no pool: pass --pool, or fill the pool (公海) column")})
		} else {
			vals = vals.Merge(fields.Values{fields.PoolKey: v.defaultPool})
		}
	}
	if v.defaultTemplate != "" && strings.TrimSpace(vals[fields.TemplateKey]) == "" {
		vals = vals.Merge(fields.Values{fields.TemplateKey: v.defaultTemplate})
	}
	if out.Name == "" {
		out.Problems = append(out.Problems, RowProblem{Column: col("name", "name"), Reason: i18n.M("the customer name (客户名称) is empty")})
	}
	return vals
}

// fetchFor asks the look-ups a row's values need, once for the file: the field maps
// (a select value, named by its key or by a label of the form), the row's form, the
// departments. It returns the form.
func (v *Validator) fetchFor(ctx context.Context, vals fields.Values) (*fields.Form, error) {
	if err := v.fetchFieldMaps(ctx, vals); err != nil {
		return nil, err
	}
	form, err := v.form(ctx, vals)
	if err != nil {
		return nil, err
	}
	if form != nil {
		named, _ := fields.Name(vals, form)
		if err := v.fetchFieldMaps(ctx, named); err != nil { // a select named by a label of the form
			return nil, err
		}
	}
	if vals.NeedsDepartments() && !v.fetchedDeps && v.lk.Departments != nil {
		deps, err := v.lk.Departments(ctx)
		if err != nil {
			return nil, err
		}
		v.departments, v.fetchedDeps = deps, true
		if v.departments == nil {
			v.departments = []api.Department{}
		}
	}
	return form, nil
}

// fetchFieldMaps asks for the field maps, once, when vals have a select value.
func (v *Validator) fetchFieldMaps(ctx context.Context, vals fields.Values) error {
	if !vals.NeedsFieldMaps() || v.fetchedMaps {
		return nil
	}
	fm, err := v.lk.FieldMaps(ctx)
	if err != nil {
		return err
	}
	v.fieldMaps, v.fetchedMaps = fm, true
	return nil
}

// fieldProblem is a problem of a field's value, at the column that holds it.
func (v *Validator) fieldProblem(rec *Record, p *fields.Problem) RowProblem {
	reason := p.Reason
	if p.Suggestion != "" {
		reason = i18n.M("%v; did you mean %q?", p.Reason, p.Suggestion)
	}
	column := rec.HeaderOf[p.Key]
	if column == "" {
		column = v.headerOf[p.Key]
	}
	if column == "" {
		column = p.Name() // no column: a required field left out, named by its label
	}
	return RowProblem{Column: column, Value: p.Value, Reason: reason}
}

// duplicateOf is the earlier row of the file that a valid row repeats (0: none, or
// duplicates allowed). Before Freeze the row's key is added; after, only looked up.
func (v *Validator) duplicateOf(resolved fields.Values, row int) (int, error) {
	if v.dups == nil {
		return 0, nil
	}
	k := v.dupKey(resolved)
	var first int
	var err error
	if v.frozen {
		first, err = v.dups.First(k)
	} else {
		first, err = v.dups.Add(k, row)
	}
	if err != nil || first == row {
		return 0, err
	}
	return first, nil
}

// form is the company's form for the row's business template (nil without Lookups.Form),
// read once per template.
func (v *Validator) form(ctx context.Context, vals fields.Values) (*fields.Form, error) {
	if v.lk.Form == nil {
		return nil, nil
	}
	template := strings.TrimSpace(vals[fields.TemplateKey])
	if fields.CheckInt(template) != nil {
		template = "" // a malformed id is a problem of its own; the plain form checks the rest
	}
	if f, ok := v.forms[template]; ok {
		return f, nil
	}
	f, err := v.lk.Form(ctx, template)
	if err != nil {
		return nil, err
	}
	if v.forms == nil {
		v.forms = map[string]*fields.Form{}
	}
	v.forms[template] = f
	return f, nil
}

// column names a field as the file did (its header, or its JSON key).
func (v *Validator) column(key, fallback string) string {
	if h, ok := v.headerOf[key]; ok && h != "" {
		return h
	}
	if key != "" {
		return key
	}
	return fallback
}

// dupKey identifies a customer within the file: its identity (name, mobile and
// telephone).
func (v *Validator) dupKey(vals fields.Values) uint64 {
	name, phone, tel := identity(vals)
	var h maphash.Hash
	h.SetSeed(v.seed)
	h.WriteString(name)
	h.WriteByte(0)
	h.WriteString(phone)
	h.WriteByte(0)
	h.WriteString(tel)
	return h.Sum64()
}
