package fields

import (
	"fmt"
	"net/mail"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/agnivade/levenshtein"

	"github.com/crmctl/crmctl/internal/api"
	"github.com/crmctl/crmctl/internal/i18n"
)

// Problem is a value that cannot be sent: an unknown or disabled option, an unknown
// pool, a malformed id or email.
type Problem struct {
	Field      Field
	Key        string // the API key (differs from Field.Key for custom fields)
	Value      string
	Reason     i18n.Message // in the catalogue: printed in the chosen language
	Valid      []string     // the valid choices, when there is a list
	Suggestion string       // the nearest valid choice
	// Suggestions are several choices equally near (when there is no one Suggestion).
	Suggestions []string
	Hint        string // where to look, for a field that is not known (in the catalogue)
	// Missing marks a required field that is not given (the wizard asks it).
	Missing bool
}

// Name names the field at fault: "status (跟进状态)" for a catalogue field, "客户级别
// (text_asset_5d1e0a7c)" for a custom field (its label first), the name as given for a
// field that is not known.
func (p *Problem) Name() string {
	switch {
	case p.Field.Flag != "":
		return p.Field.Flag + " (" + p.Field.Label + ")"
	case p.Field.Name != "" && p.Field.Name != p.Key:
		return p.Field.Name + " (" + p.Key + ")"
	default:
		return p.Key
	}
}

func (p *Problem) Error() string { return p.Localize(i18n.New(i18n.English)) }

// Localize tells the problem in tr's language, naming the field as Name does (in
// Chinese, the CRM's label first).
func (p *Problem) Localize(tr *i18n.Printer) string {
	var s string
	switch {
	case p.Field.Flag != "":
		s = tr.Sprintf("%[1]s (%[2]s): %[3]s", p.Field.Flag, p.Field.Label, p.Reason)
	case p.Field.Name != "" && p.Field.Name != p.Key:
		s = tr.Sprintf("%s (%s): %s", p.Field.Name, p.Key, p.Reason)
	default:
		s = tr.Sprintf("%s: %s", p.Key, p.Reason)
	}
	if p.Suggestion != "" {
		s += tr.Sprintf("; did you mean %q?", p.Suggestion)
	}
	if n := len(p.Suggestions); n > 0 {
		q := make([]string, n)
		for i, s := range p.Suggestions {
			q[i] = strconv.Quote(s)
		}
		if n == 1 {
			s += tr.Sprintf("; did you mean %s?", q[0])
		} else {
			s += tr.Sprintf("; did you mean %s or %s?", strings.Join(q[:n-1], ", "), q[n-1])
		}
	}
	if len(p.Valid) > 0 {
		s += tr.Sprintf(" (valid: %s)", strings.Join(p.Valid, ", "))
	}
	if p.Hint != "" {
		s += tr.Sprintf(" (%s)", i18n.M(p.Hint))
	}
	return s
}

// Problems is a list of problems; it is an error.
type Problems []*Problem

// Given leaves out the problems of fields that are missing: what is wrong with the values
// given.
func (ps Problems) Given() Problems {
	var out Problems
	for _, p := range ps {
		if !p.Missing {
			out = append(out, p)
		}
	}
	return out
}

func (ps Problems) Error() string { return ps.Localize(i18n.New(i18n.English)) }

// Localize tells the problems in tr's language, one a line.
func (ps Problems) Localize(tr *i18n.Printer) string {
	msgs := make([]string, len(ps))
	for i, p := range ps {
		msgs[i] = p.Localize(tr)
	}
	return strings.Join(msgs, "\n")
}

// Lookup is what resolution needs from the API: the pools, the customer field maps, the
// company's form (custom fields) and the departments. Any may be nil when no value needs
// it; a nil Form lets custom keys through unchecked (and knows no custom labels), nil
// Departments let a department id through unchecked.
type Lookup struct {
	Pools       []api.Pool
	FieldMaps   *api.FieldMapList
	Form        *Form
	Departments []api.Department
}

// NeedsPools and NeedsFieldMaps tell which look-ups v requires, so that a command
// fetches (or reads from cache) only those.
func (v Values) NeedsPools() bool { return v[PoolKey] != "" }

func (v Values) NeedsFieldMaps() bool {
	for _, f := range SelectFields() {
		if v[f.Key] != "" {
			return true
		}
	}
	return false
}

// NeedsDepartments reports whether v names a department (by name or id).
func (v Values) NeedsDepartments() bool { return strings.TrimSpace(v[DepartmentKey]) != "" }

// Check validates what can be checked with no look-up: ids are positive integers and
// emails look like emails. Values are trimmed.
func (v Values) Check() Problems {
	var ps Problems
	for _, k := range v.Keys() {
		f, _ := ByKey(k)
		val := strings.TrimSpace(v[k])
		if val == "" {
			continue
		}
		if f.Key == "" {
			continue // a name still to resolve (a label), or a custom field: checked with the form
		}
		switch f.Kind {
		case Int:
			if n, err := strconv.ParseUint(val, 10, 63); err != nil || n == 0 {
				ps = append(ps, &Problem{Field: f, Key: k, Value: val, Reason: i18n.M("%q is not a positive integer id", val)})
			}
		case Email:
			if err := CheckEmail(val); err != nil {
				ps = append(ps, &Problem{Field: f, Key: k, Value: val, Reason: i18n.M("%v", err)})
			}
		}
	}
	return ps
}

// CheckEmail reports whether s is a bare email address.
func CheckEmail(s string) error {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || !strings.Contains(s[strings.LastIndex(s, "@")+1:], ".") {
		return i18n.Errorf("%q is not an email address", s)
	}
	return nil
}

// CheckInt reports whether s is a positive integer id.
func CheckInt(s string) error {
	if n, err := strconv.ParseUint(strings.TrimSpace(s), 10, 63); err != nil || n == 0 {
		return i18n.Errorf("%q is not a positive integer id", s)
	}
	return nil
}

// Resolve checks v and turns names into API keys (labels, flag names), select labels
// into option ids (custom selects: codes), a pool or department name into its id, and
// checks each custom field's value against the form, and that the form's required fields
// are given. It returns the values to send, or every problem found.
func Resolve(v Values, lk Lookup) (Values, Problems) {
	named, ps := Name(v, lk.Form)
	ps = append(ps, named.Check()...)
	out := make(Values, len(named))
	for k, val := range named {
		out[k] = val
	}
	if p := out[PoolKey]; p != "" {
		id, prob := ResolvePool(p, lk.Pools)
		if prob != nil {
			ps = append(ps, prob)
		} else {
			out[PoolKey] = id
		}
	}
	if d := out[DepartmentKey]; d != "" {
		id, prob := ResolveDepartment(d, lk.Departments)
		if prob != nil {
			ps = append(ps, prob)
		} else {
			out[DepartmentKey] = id
		}
	}
	for _, f := range SelectFields() {
		val := out[f.Key]
		if val == "" {
			continue
		}
		id, prob := ResolveOption(f, val, lk.FieldMaps)
		if prob != nil {
			ps = append(ps, prob)
		} else {
			out[f.Key] = id
		}
	}
	for k, val := range named {
		if _, ok := ByKey(k); ok || val == "" {
			continue
		}
		c, ok := lk.Form.Field(k)
		if !ok {
			continue // no form read: the key goes as given
		}
		code, prob := ResolveCustom(c, val)
		if prob != nil {
			ps = append(ps, prob)
			continue
		}
		if c.Type == TypeMultiSelect && len(c.Options) > 0 {
			delete(out, k)
			out[MultiKey(k)] = code
			continue
		}
		out[k] = code
	}
	if lk.Form != nil {
		for _, c := range lk.Form.Enabled() {
			if c.Required && named[c.Key] == "" {
				ps = append(ps, &Problem{Field: c.Field(), Key: c.Key, Reason: i18n.M("required by %s, and not given", lk.Form.What()), Missing: true})
			}
		}
	}
	if len(ps) > 0 {
		sort.SliceStable(ps, func(i, j int) bool { return order(ps[i].Key, lk.Form) < order(ps[j].Key, lk.Form) })
		return nil, ps
	}
	return out, nil
}

// Name maps the names of v (labels, flag names, aliases, API keys) to API keys with the
// form (nil: the catalogue's names and any custom key), trimming the values. A name that
// matches nothing, a label two fields share and a field given twice are problems.
func Name(v Values, form *Form) (Values, Problems) {
	var ps Problems
	named := make(Values, len(v))
	given := map[string]string{} // key -> the name it was given as
	names := make([]string, 0, len(v))
	for k := range v {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, name := range names {
		key := name
		if _, ok := ByKey(name); !ok {
			k, prob := form.KeyFor(name)
			if prob != nil {
				prob.Value = strings.TrimSpace(v[name])
				ps = append(ps, prob)
				continue
			}
			key = k
		}
		if prev, dup := given[key]; dup {
			ps = append(ps, &Problem{Field: fieldOf(key, form), Key: key, Value: v[name],
				Reason: i18n.M("given twice, as %q and %q", prev, name)})
			continue
		}
		given[key] = name
		named[key] = strings.TrimSpace(v[name])
	}
	return named, ps
}

// TemplateOf is the business template v chooses, by any of its names (业务模版,
// template-id, custom_field_template_id): "" for none.
func TemplateOf(v Values) string {
	for name, val := range v {
		if k, p := (*Form)(nil).KeyFor(name); p == nil && k == TemplateKey {
			return strings.TrimSpace(val)
		}
	}
	return ""
}

// fieldOf is the field of a key, catalogue or custom, to name it in a problem.
func fieldOf(key string, form *Form) Field {
	if f, ok := ByKey(key); ok {
		return f
	}
	if c, ok := form.Field(key); ok {
		return c.Field()
	}
	return Field{}
}

// ResolveDepartment finds a department by id or exact name and returns its id. With no
// list to check against, an id goes through as given.
func ResolveDepartment(value string, deps []api.Department) (string, *Problem) {
	f, _ := ByKey(DepartmentKey)
	value = strings.TrimSpace(value)
	if deps == nil {
		if CheckInt(value) == nil {
			return value, nil
		}
		return "", &Problem{Field: f, Key: DepartmentKey, Value: value,
			Reason: i18n.M("the departments could not be read, so %q cannot be looked up: give its id", value)}
	}
	var byName []api.Department
	names := make([]string, 0, len(deps))
	for _, d := range deps {
		if string(d.ID) == value {
			return value, nil
		}
		names = append(names, d.Name)
		if d.Name == value {
			byName = append(byName, d)
		}
	}
	switch len(byName) {
	case 1:
		return string(byName[0].ID), nil
	case 0:
		return "", &Problem{Field: f, Key: DepartmentKey, Value: value, Reason: i18n.M("no department is named or numbered %q", value),
			Valid: names, Suggestion: Nearest(value, names)}
	default:
		ids := make([]string, len(byName))
		for i, d := range byName {
			ids[i] = string(d.ID)
		}
		return "", &Problem{Field: f, Key: DepartmentKey, Value: value,
			Reason: i18n.M("%d departments are named %q: give the id (%s)", len(byName), value, strings.Join(ids, ", "))}
	}
}

func order(key string, form *Form) int {
	for i, f := range catalogue {
		if f.Key == key {
			return i
		}
	}
	if form != nil {
		if i, ok := form.byKey[key]; ok {
			return len(catalogue) + i
		}
	}
	return len(catalogue) + 1<<20
}

// ResolvePool finds a pool by id or exact name and returns its id.
func ResolvePool(value string, pools []api.Pool) (string, *Problem) {
	f, _ := ByKey(PoolKey)
	value = strings.TrimSpace(value)
	names := make([]string, 0, len(pools))
	var byName []api.Pool
	for _, p := range pools {
		if string(p.ID) == value {
			return value, nil
		}
		names = append(names, fmt.Sprintf("%s (%s)", p.Name, p.ID))
		if p.Name == value {
			byName = append(byName, p)
		}
	}
	switch len(byName) {
	case 1:
		return string(byName[0].ID), nil
	case 0:
		plain := make([]string, len(pools))
		for i, p := range pools {
			plain[i] = p.Name
		}
		return "", &Problem{Field: f, Key: PoolKey, Value: value, Reason: i18n.M("no pool is named or numbered %q", value),
			Valid: names, Suggestion: Nearest(value, plain)}
	default:
		ids := make([]string, len(byName))
		for i, p := range byName {
			ids[i] = string(p.ID)
		}
		return "", &Problem{Field: f, Key: PoolKey, Value: value,
			Reason: i18n.M("%d pools are named %q: give the id (%s)", len(byName), value, strings.Join(ids, ", "))}
	}
}

// ResolveOption turns an option id or label of a select field into the option id.
// Disabled and unknown options are problems naming the valid labels and the nearest one.
func ResolveOption(f Field, value string, maps *api.FieldMapList) (string, *Problem) {
	value = strings.TrimSpace(value)
	var fm api.FieldMap
	ok := false
	if maps != nil {
		fm, ok = maps.Field(f.Key)
	}
	if !ok {
		if CheckInt(value) == nil {
			return value, nil // no field map to check against: an id goes through as given
		}
		return "", &Problem{Field: f, Key: f.Key, Value: value,
			Reason: i18n.M("the CRM sent no options for %s, so %q cannot be looked up: give an option id", f.Key, value)}
	}
	enabled := EnabledOptions(fm)
	labels := make([]string, len(enabled))
	for i, o := range enabled {
		labels[i] = o.Label()
	}
	for _, o := range fm.Options {
		if string(o.ID) == value || o.Label() == value {
			if !o.Enabled() {
				return "", &Problem{Field: f, Key: f.Key, Value: value,
					Reason: i18n.M("option %q is disabled", value), Valid: labels,
					Suggestion: Nearest(value, labels)}
			}
			return string(o.ID), nil
		}
	}
	return "", &Problem{Field: f, Key: f.Key, Value: value, Reason: i18n.M("unknown option %q", value),
		Valid: labels, Suggestion: Nearest(value, labels)}
}

// EnabledOptions are a field's usable options in position order.
func EnabledOptions(fm api.FieldMap) []api.FieldOption {
	var out []api.FieldOption
	for _, o := range fm.Options {
		if o.Enabled() {
			out = append(out, o)
		}
	}
	SortOptions(out)
	return out
}

// SortOptions orders options by position (stable for equal positions).
func SortOptions(opts []api.FieldOption) {
	sort.SliceStable(opts, func(i, j int) bool { return opts[i].Position < opts[j].Position })
}

// Nearest returns the candidate closest to s (edit distance over runes, case folded),
// or "" when none is close enough to be a plausible typo: a candidate is close when it
// contains s or is part of it, or when it is at most one edit in three runes away
// (one at least) and keeps some of s. Two short labels that share no character ("地推"
// and "展会") are not close.
func Nearest(s string, candidates []string) string {
	ls := strings.ToLower(strings.TrimSpace(s))
	n := utf8.RuneCountInString(ls)
	if n == 0 {
		return ""
	}
	limit := max(1, (n+1)/3)
	best, bestD := "", -1
	for _, c := range candidates {
		lc := strings.ToLower(c)
		if lc == "" {
			continue
		}
		d := levenshtein.ComputeDistance(ls, lc)
		switch {
		case strings.Contains(lc, ls) || strings.Contains(ls, lc):
			d = min(d, 1)
		case d > limit || d >= n:
			continue
		}
		if bestD < 0 || d < bestD {
			best, bestD = c, d
		}
	}
	return best
}
