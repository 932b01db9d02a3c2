package fields

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/crmctl/crmctl/internal/i18n"
)

// Values are a customer's field values keyed by API key ("name",
// "address_attributes[tel]", "text_asset_9320d8d7", "common_id"), as given: select values
// may still be labels and the pool may still be a name until Resolve.
type Values map[string]string

var (
	keyShape    = regexp.MustCompile(`^[a-z][a-z0-9_]*(\[[a-z0-9_]+\])*$`)
	customShape = regexp.MustCompile(`^[a-z][a-z_]*_asset_[0-9a-f]+$`)
)

// IsCustomKey reports whether key names a custom field (text_asset_9320d8d7, ...).
func IsCustomKey(key string) bool { return customShape.MatchString(key) }

// NormalizeKey checks an API key and returns its canonical form: nested contacts and
// opportunities get their [0] index ("contacts_attributes[name]" ->
// "contacts_attributes[0][name]"), and a leading "customer[...]" wrapper is removed.
// Only catalogue keys and custom fields are accepted.
func NormalizeKey(key string) (string, error) {
	k := strings.TrimSpace(key)
	if strings.HasPrefix(k, "customer[") {
		// customer[address_attributes][tel] -> address_attributes[tel]
		inner := strings.TrimPrefix(k, "customer[")
		head, rest, ok := strings.Cut(inner, "]")
		if !ok {
			return "", i18n.Errorf("malformed key %q", key)
		}
		k = head + rest
	}
	if !keyShape.MatchString(k) {
		return "", i18n.Errorf("malformed key %q: expected an API key such as name, address_attributes[tel] or text_asset_9320d8d7", key)
	}
	for _, nested := range []string{"contacts_attributes", "opportunities_attributes"} {
		if rest, ok := strings.CutPrefix(k, nested+"["); ok && !startsWithDigit(rest) {
			k = nested + "[0][" + rest
		}
	}
	if _, ok := ByKey(k); ok || IsCustomKey(k) {
		return k, nil
	}
	return "", i18n.Errorf("unknown field %q: use a key of the create call (see `crmctl customers create --help`) or a custom field key such as text_asset_9320d8d7", key)
}

func startsWithDigit(s string) bool { return s != "" && s[0] >= '0' && s[0] <= '9' }

// ParseAssignment parses a --field NAME=VALUE; the value may itself contain "=". NAME is
// an API key (returned in its canonical form) or a label, flag name or alias, returned
// trimmed as given: Resolve maps it to its key once the company's form is known.
func ParseAssignment(s string) (key, value string, err error) {
	k, v, ok := strings.Cut(s, "=")
	if !ok || strings.TrimSpace(k) == "" {
		return "", "", i18n.Errorf("--field %q: expected NAME=VALUE (a field's label or API key, e.g. 客户级别=VIP)", s)
	}
	key, err = nameOf(k)
	if err != nil {
		return "", "", i18n.Errorf("--field %q: %w", s, err)
	}
	if key == PoolKey || Fold(key) == "pool" || Fold(key) == Fold("公海") {
		return "", "", i18n.Errorf("--field %q: give the pool with --pool", s)
	}
	return key, v, nil
}

// nameOf is a field's name as given: an API key in its canonical form, or any other name
// (a label) trimmed, for Resolve.
func nameOf(name string) (string, error) {
	if k, err := NormalizeKey(name); err == nil {
		return k, nil
	}
	n := strings.TrimSpace(name)
	if n == "" || !utf8.ValidString(n) || strings.IndexFunc(n, unicode.IsControl) >= 0 {
		return "", i18n.Errorf("malformed field name %q", name)
	}
	if strings.HasPrefix(n, "customer[") || strings.ContainsAny(n, "[]") && keyShape.MatchString(strings.ToLower(n)) {
		_, err := NormalizeKey(n)
		return "", err
	}
	return n, nil
}

// ParseDocument reads a JSON or YAML object of customer fields. It accepts flat API
// keys ({"address_attributes[tel]": "..."}), nested objects ({"address_attributes":
// {"tel": "..."}}, {"contacts_attributes": [{"name": "..."}]}), the API's own body
// shape ({"common_id": 45, "customer": {...}}) and labels ({"客户级别": "VIP"}, mapped by
// Resolve); "pool" is accepted for common_id.
func ParseDocument(data []byte) (Values, error) {
	entries, err := FlattenDocument(data)
	if err != nil {
		return nil, err
	}
	out := Values{}
	for _, e := range entries {
		if e.Key == "pool" {
			out[PoolKey] = e.Value
			continue
		}
		key, err := nameOf(e.Key)
		if err != nil {
			return nil, err
		}
		out[key] = e.Value
	}
	return out, nil
}

// Entry is one value of a document under its key as written, nested objects and lists
// flattened ("address_attributes[tel]", "contacts_attributes[0][name]").
type Entry struct {
	Key   string
	Value string
}

// FlattenDocument reads a JSON or YAML object of customer fields into its entries, in
// key order, without checking the keys (ParseDocument does; an import maps them like
// column headers). A "customer" object is unwrapped; "pool" and common_id must be a text
// or a number; an explicit null is left out.
func FlattenDocument(data []byte) ([]Entry, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, i18n.Errorf("the file is empty: expected a JSON or YAML object of customer fields")
	}
	var doc any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		// yaml's messages for JSON input are poor: prefer encoding/json's when it looks like JSON.
		if t := bytes.TrimSpace(data); t[0] == '{' || t[0] == '[' {
			var j any
			if jerr := json.Unmarshal(data, &j); jerr != nil {
				return nil, i18n.Errorf("malformed JSON: %v", jerr)
			}
		}
		return nil, i18n.Errorf("malformed YAML: %v", err)
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		return nil, i18n.Errorf("expected an object of customer fields, got %s", describe(doc))
	}
	var out []Entry
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := obj[k]
		switch k {
		case "customer":
			inner, ok := v.(map[string]any)
			if !ok {
				return nil, i18n.Errorf("\"customer\": expected an object, got %s", describe(v))
			}
			if err := flatten(&out, "", inner); err != nil {
				return nil, err
			}
		case "pool", PoolKey:
			s, err := scalar(v)
			if err != nil {
				return nil, i18n.Errorf("%q: %w", k, err)
			}
			out = append(out, Entry{Key: k, Value: s})
		default:
			if err := flatten(&out, "", map[string]any{k: v}); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

func flatten(out *[]Entry, prefix string, obj map[string]any) error {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		full := k
		if prefix != "" {
			full = prefix + "[" + k + "]"
		}
		switch v := obj[k].(type) {
		case map[string]any:
			if err := flatten(out, full, v); err != nil {
				return err
			}
		case []any:
			for i, item := range v {
				m, ok := item.(map[string]any)
				if !ok {
					return i18n.Errorf("%q: expected a list of objects, got %s", full, describe(item))
				}
				if err := flatten(out, fmt.Sprintf("%s[%d]", full, i), m); err != nil {
					return err
				}
			}
		case nil:
			// an explicit null: leave the field unset
		default:
			s, err := scalar(v)
			if err != nil {
				return i18n.Errorf("%q: %w", full, err)
			}
			*out = append(*out, Entry{Key: full, Value: s})
		}
	}
	return nil
}

func scalar(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case bool:
		return strconv.FormatBool(x), nil
	case int:
		return strconv.Itoa(x), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case uint64:
		return strconv.FormatUint(x, 10), nil
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return "", i18n.Errorf("not a finite number")
		}
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	default:
		return "", i18n.Errorf("expected a text or number, got %s", describe(v))
	}
}

// describe names a value of a fields file in an error: "a list", "a boolean".
func describe(v any) i18n.Message {
	switch v.(type) {
	case nil:
		return i18n.M("null")
	case map[string]any:
		return i18n.M("an object")
	case []any:
		return i18n.M("a list")
	case string:
		return i18n.M("a text")
	case bool:
		return i18n.M("a boolean")
	default:
		return i18n.M("%s", fmt.Sprintf("%T", v)) // the type as Go names it, in either language
	}
}

// Keys returns the keys set in v: catalogue order first, then custom keys sorted.
func (v Values) Keys() []string {
	var out []string
	for _, f := range catalogue {
		if _, ok := v[f.Key]; ok {
			out = append(out, f.Key)
		}
	}
	var custom []string
	for k := range v {
		if _, ok := ByKey(k); !ok {
			custom = append(custom, k)
		}
	}
	sort.Strings(custom)
	return append(out, custom...)
}

// Param is one form parameter, in the order it is sent.
type Param struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Params lists the form parameters for v, in catalogue order, skipping empty values. A
// resolved multi_select (MultiKey) is one customer[key][] parameter per code.
func (v Values) Params() []Param {
	var out []Param
	for _, k := range v.Keys() {
		if v[k] == "" {
			continue
		}
		if strings.HasSuffix(k, "[]") {
			for _, code := range strings.Split(v[k], ",") {
				out = append(out, Param{Name: FormName(k), Value: code})
			}
			continue
		}
		out = append(out, Param{Name: FormName(k), Value: v[k]})
	}
	return out
}

// Form is the request body of the create call.
func (v Values) Form() url.Values {
	form := url.Values{}
	for _, p := range v.Params() {
		form.Add(p.Name, p.Value)
	}
	return form
}

// Merge returns a copy of v with over's values on top.
func (v Values) Merge(over Values) Values {
	out := make(Values, len(v)+len(over))
	for k, x := range v {
		out[k] = x
	}
	for k, x := range over {
		out[k] = x
	}
	return out
}
