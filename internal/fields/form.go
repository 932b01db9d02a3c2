package fields

import (
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/agnivade/levenshtein"

	"github.com/crmctl/crmctl/internal/api"
	"github.com/crmctl/crmctl/internal/i18n"
)

// The types of a custom field, as crmctl checks and shows them. The API's field_type
// values map onto them (number_field and currency_field are numbers, ...); a type crmctl
// does not know is text.
const (
	TypeText        = "text"
	TypeTextArea    = "textarea"
	TypeSelect      = "select"
	TypeMultiSelect = "multi_select"
	TypeNumber      = "number"
	TypeEmail       = "email"
	TypeMobile      = "mobile"
	TypeURL         = "url"
	TypeDate        = "date"
	TypeDatetime    = "datetime"
)

var fieldTypes = map[string]string{
	"text_field": TypeText, "text_area": TypeTextArea, "select": TypeSelect, "multi_select": TypeMultiSelect,
	"number_field": TypeNumber, "currency_field": TypeNumber, "email_field": TypeEmail,
	"mobile_field": TypeMobile, "url_field": TypeURL, "date_field": TypeDate, "datetime_field": TypeDatetime,
}

// TypeOf maps an API field_type to the type crmctl checks: unknown types are text.
func TypeOf(fieldType string) string {
	if t, ok := fieldTypes[strings.TrimSpace(fieldType)]; ok {
		return t
	}
	return TypeText
}

// Option is one option of a custom select: the code sent (sel_6010) and its label.
type Option struct {
	Value   string `json:"value"`
	Label   string `json:"label"`
	Enabled bool   `json:"-"`
}

// Custom is one custom field of the company's form.
type Custom struct {
	Key       string // text_asset_fbf817
	Label     string // 单位名称
	Type      string // TypeText, TypeSelect, ...
	FieldType string // the API's field_type, as sent
	Group     string // the label of its group
	Required  bool
	Enabled   bool // the field and its group are enabled
	Options   []Option
}

// Field is the custom field as a catalogue field, to name it in problems and prompts.
func (c Custom) Field() Field {
	return Field{Key: c.Key, Name: c.Label, Label: c.Key, Kind: Text, Help: c.Group}
}

// EnabledOptions are the options that may be used.
func (c Custom) EnabledOptions() []Option {
	var out []Option
	for _, o := range c.Options {
		if o.Enabled {
			out = append(out, o)
		}
	}
	return out
}

// IsSelect reports whether the field takes option codes.
func (c Custom) IsSelect() bool { return c.Type == TypeSelect || c.Type == TypeMultiSelect }

// Form is the company's customer form: its custom fields, in the order of its groups and
// of their fields, for the form without a business template or for one template.
type Form struct {
	Template string   // the business template id; "" for the form without one
	Fields   []Custom // every field, disabled ones too
	byKey    map[string]int
}

// NewForm reads a by_group answer. Fields without a key are left out (nothing could be
// sent for them); a field without a label is named by its key; missing statuses mean
// enabled.
func NewForm(list *api.CustomFieldList, template string) *Form {
	f := &Form{Template: strings.TrimSpace(template), byKey: map[string]int{}}
	if list == nil {
		return f
	}
	groups := append([]api.CustomFieldGroup(nil), list.Groups...)
	sort.SliceStable(groups, func(i, j int) bool { return groups[i].Position < groups[j].Position })
	for _, g := range groups {
		cfs := append([]api.CustomField(nil), g.Fields...)
		sort.SliceStable(cfs, func(i, j int) bool { return cfs[i].Position < cfs[j].Position })
		for _, cf := range cfs {
			key := strings.TrimSpace(cf.Name)
			if key == "" {
				continue
			}
			if _, dup := f.byKey[key]; dup {
				continue
			}
			c := Custom{Key: key, Label: strings.TrimSpace(cf.Label), Type: TypeOf(cf.FieldType), FieldType: cf.FieldType,
				Group: strings.TrimSpace(g.Label), Required: cf.Required, Enabled: cf.Enabled() && g.Enabled()}
			if c.Label == "" {
				c.Label = key
			}
			for _, o := range cf.InputFieldOptions.CollectionOptions {
				if v := strings.TrimSpace(string(o.Value)); v != "" {
					lbl := strings.TrimSpace(o.Label)
					if lbl == "" {
						lbl = v
					}
					c.Options = append(c.Options, Option{Value: v, Label: lbl, Enabled: o.Enabled()})
				}
			}
			f.byKey[key] = len(f.Fields)
			f.Fields = append(f.Fields, c)
		}
	}
	return f
}

// Field returns the custom field with the given key.
func (f *Form) Field(key string) (Custom, bool) {
	if f == nil {
		return Custom{}, false
	}
	i, ok := f.byKey[key]
	if !ok {
		return Custom{}, false
	}
	return f.Fields[i], true
}

// Enabled are the fields that may be used, in form order.
func (f *Form) Enabled() []Custom {
	if f == nil {
		return nil
	}
	var out []Custom
	for _, c := range f.Fields {
		if c.Enabled {
			out = append(out, c)
		}
	}
	return out
}

// What names the form in messages.
func (f *Form) What() i18n.Message {
	if f == nil || f.Template == "" {
		return i18n.M("the customer form")
	}
	return i18n.M("business template %s's form", f.Template)
}

// Fold folds a field's name for matching: case, spaces (ASCII and full-width), a BOM, '-'
// and '_' are ignored, and full-width parentheses are read as ASCII ones.
func Fold(h string) string {
	var b strings.Builder
	for _, r := range strings.TrimPrefix(h, "\ufeff") {
		switch {
		case unicode.IsSpace(r) || r == '\u3000' || r == '\ufeff':
			continue
		case r == '-' || r == '_':
			continue
		case r == '（':
			b.WriteRune('(')
		case r == '）':
			b.WriteRune(')')
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// catalogueNames maps every name a catalogue field is known by (flag name, API key, form
// name, English name, Chinese label and aliases, folded) to its API key; a name that two
// fields share maps to "".
var catalogueNames = sync.OnceValue(func() map[string]string {
	idx := map[string]string{}
	for _, f := range catalogue {
		names := append([]string{f.Flag, f.Key, f.Name, f.Label, FormName(f.Key)}, f.Aliases...)
		for _, n := range names {
			k := Fold(n)
			if k == "" {
				continue
			}
			if prev, ok := idx[k]; ok && prev != f.Key {
				idx[k] = ""
				continue
			}
			idx[k] = f.Key
		}
	}
	return idx
})

// KeyFor resolves the name a user gives a field — in --field NAME=VALUE, a --from-file
// key, an import header — to its API key: a catalogue key, flag name, label or alias, a
// custom field's key or its label (ignoring case, spaces, '-' and '_'). A nil form knows
// no custom labels and lets any custom key through. A name that matches nothing is a
// problem suggesting the nearest labels; a label two fields share is a problem naming both
// keys (give the key instead).
func (f *Form) KeyFor(name string) (string, *Problem) {
	name = strings.TrimSpace(name)
	if k, err := NormalizeKey(name); err == nil {
		if !IsCustomKey(k) || f == nil {
			return k, nil
		}
		if _, ok := f.Field(k); ok {
			return k, nil
		}
		return "", &Problem{Key: name, Value: "", Reason: i18n.M("%s has no custom field %s", f.What(), k),
			Hint: i18n.M("`crmctl fields list` lists the fields").Format}
	}
	folded := Fold(name)
	var keys []string
	if k, ok := catalogueNames()[folded]; ok {
		if k == "" {
			return "", &Problem{Key: name, Reason: i18n.M("%q names several fields: use a flag name or an API key", name)}
		}
		keys = append(keys, k)
	}
	if f != nil {
		for _, c := range f.Fields {
			if Fold(c.Label) == folded && folded != "" {
				keys = append(keys, c.Key)
			}
		}
	}
	switch len(keys) {
	case 1:
		return keys[0], nil
	case 0:
		p := &Problem{Key: name, Reason: i18n.M("no field is named %q", name), Hint: i18n.M("`crmctl fields list` lists the fields").Format}
		if near := f.nearestLabels(name); len(near) == 1 {
			p.Suggestion = near[0]
		} else {
			p.Suggestions = near
		}
		return "", p
	default:
		return "", &Problem{Key: name, Reason: i18n.M("%q is the label of %d fields (%s): give the key instead", name, len(keys), strings.Join(keys, ", "))}
	}
}

// nearestLabels are the labels (of the catalogue and the form's enabled fields) closest
// to name: every one at the smallest edit distance, if that is at most half of name's
// length (at most five).
func (f *Form) nearestLabels(name string) []string {
	var labels []string
	for _, c := range catalogue {
		labels = append(labels, c.Label)
	}
	if f != nil {
		for _, c := range f.Fields {
			if c.Enabled {
				labels = append(labels, c.Label)
			}
		}
	}
	if n := Nearest(name, labels); n != "" {
		return []string{n}
	}
	ls := strings.ToLower(strings.TrimSpace(name))
	limit := max(1, utf8.RuneCountInString(ls)/2)
	best := -1
	var out []string
	for _, l := range labels {
		d := levenshtein.ComputeDistance(ls, strings.ToLower(l))
		switch {
		case d > limit:
		case best < 0 || d < best:
			best, out = d, []string{l}
		case d == best && !slices.Contains(out, l):
			out = append(out, l)
		}
	}
	if len(out) > 5 {
		out = out[:5]
	}
	return out
}

// MultiSeparators separate the values of a multi_select: a comma (ASCII or full-width),
// an ideographic comma (、) or a semicolon.
const MultiSeparators = ",，、;；"

// SplitMulti splits a multi_select's value into its items, trimmed, blanks dropped.
func SplitMulti(s string) []string {
	parts := strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(MultiSeparators, r) })
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// MultiKey is the key under which a resolved multi_select is sent: "key[]", one form
// parameter customer[key][] per code.
func MultiKey(key string) string { return key + "[]" }

var (
	numberShape = regexp.MustCompile(`^[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$`)
	mobileShape = regexp.MustCompile(`^(\+?86[- ]?)?1[0-9]{10}$`)
)

// ResolveCustom checks a custom field's value and returns what to send: a select's code
// (from its label or code), a multi_select's codes (comma-separated), a number, a date
// (YYYY-MM-DD), a datetime (YYYY-MM-DD HH:MM), an email, mobile or URL of the right shape.
func ResolveCustom(c Custom, value string) (string, *Problem) {
	value = strings.TrimSpace(value)
	fd := c.Field()
	bad := func(reason i18n.Message) *Problem {
		return &Problem{Field: fd, Key: c.Key, Value: value, Reason: reason}
	}
	if !c.Enabled {
		return "", bad(i18n.M("the field is disabled in the CRM"))
	}
	switch c.Type {
	case TypeSelect:
		if len(c.Options) == 0 {
			return value, nil // the CRM sent no options: nothing to check against
		}
		return resolveCustomOption(c, value)
	case TypeMultiSelect:
		if len(c.Options) == 0 {
			return value, nil
		}
		items := []string{value}
		if _, p := resolveCustomOption(c, value); p != nil {
			items = SplitMulti(value)
		}
		var codes []string
		seen := map[string]bool{}
		for _, it := range items {
			code, p := resolveCustomOption(c, it)
			if p != nil {
				p.Reason = i18n.M("%v (separate several values with a comma: %q)", p.Reason, "a,b")
				return "", p
			}
			if !seen[code] {
				seen[code] = true
				codes = append(codes, code)
			}
		}
		return strings.Join(codes, ","), nil
	case TypeNumber:
		if !numberShape.MatchString(value) {
			return "", bad(i18n.M("%q is not a number", value))
		}
	case TypeDate:
		if _, err := time.Parse("2006-01-02", value); err != nil {
			return "", bad(i18n.M("%q is not a date: write YYYY-MM-DD, e.g. 2024-03-01", value))
		}
	case TypeDatetime:
		if !isDatetime(value) {
			return "", bad(i18n.M("%q is not a date and time: write YYYY-MM-DD HH:MM, e.g. 2024-03-01 09:30", value))
		}
	case TypeEmail:
		if err := CheckEmail(value); err != nil {
			return "", bad(i18n.M("%v", err))
		}
	case TypeMobile:
		if !mobileShape.MatchString(value) {
			return "", bad(i18n.M("%q is not a mobile number: 11 digits starting with 1, e.g. 13800000000", value))
		}
	case TypeURL:
		if err := CheckURL(value); err != nil {
			return "", bad(i18n.M("%v", err))
		}
	}
	return value, nil
}

func isDatetime(s string) bool {
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02 15:04:05"} {
		if _, err := time.Parse(layout, s); err == nil {
			return true
		}
	}
	return false
}

// CheckURL reports whether s is a web address (http or https, or a host name without a
// scheme: www.example.com).
func CheckURL(s string) error {
	t := s
	if !strings.Contains(t, "://") {
		t = "http://" + t
	}
	u, err := url.Parse(t)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || !strings.Contains(u.Hostname(), ".") ||
		strings.ContainsAny(s, " \t") {
		return i18n.Errorf("%q is not a web address, e.g. https://www.example.com", s)
	}
	return nil
}

func resolveCustomOption(c Custom, value string) (string, *Problem) {
	enabled := c.EnabledOptions()
	labels := make([]string, len(enabled))
	for i, o := range enabled {
		labels[i] = o.Label
	}
	for _, o := range c.Options {
		if o.Value == value || o.Label == value {
			if !o.Enabled {
				return "", &Problem{Field: c.Field(), Key: c.Key, Value: value, Reason: i18n.M("option %q is disabled", value),
					Valid: labels, Suggestion: Nearest(value, labels)}
			}
			return o.Value, nil
		}
	}
	return "", &Problem{Field: c.Field(), Key: c.Key, Value: value, Reason: i18n.M("unknown option %q", value),
		Valid: labels, Suggestion: Nearest(value, labels)}
}
