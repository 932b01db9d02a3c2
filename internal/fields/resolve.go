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
)

// Problem is a value that cannot be sent: an unknown or disabled option, an unknown
// pool, a malformed id or email.
type Problem struct {
	Field      Field
	Key        string // the API key (differs from Field.Key for custom fields)
	Value      string
	Reason     string
	Valid      []string // the valid choices, when there is a list
	Suggestion string   // the nearest valid choice
}

func (p *Problem) Error() string {
	name := p.Field.Flag
	if name == "" {
		name = p.Key
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s): %s", name, p.Field.Label, p.Reason)
	if p.Suggestion != "" {
		fmt.Fprintf(&b, "; did you mean %q?", p.Suggestion)
	}
	if len(p.Valid) > 0 {
		fmt.Fprintf(&b, " (valid: %s)", strings.Join(p.Valid, ", "))
	}
	return b.String()
}

// Problems is a list of problems; it is an error.
type Problems []*Problem

func (ps Problems) Error() string {
	msgs := make([]string, len(ps))
	for i, p := range ps {
		msgs[i] = p.Error()
	}
	return strings.Join(msgs, "\n")
}

// Lookup is what resolution needs from the API: the pools and the customer field maps.
// Either may be nil when no value needs it.
type Lookup struct {
	Pools     []api.Pool
	FieldMaps *api.FieldMapList
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
		switch f.Kind {
		case Int:
			if n, err := strconv.ParseUint(val, 10, 63); err != nil || n == 0 {
				ps = append(ps, &Problem{Field: f, Key: k, Value: val, Reason: fmt.Sprintf("%q is not a positive integer id", val)})
			}
		case Email:
			if err := CheckEmail(val); err != nil {
				ps = append(ps, &Problem{Field: f, Key: k, Value: val, Reason: err.Error()})
			}
		}
	}
	return ps
}

// CheckEmail reports whether s is a bare email address.
func CheckEmail(s string) error {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || !strings.Contains(s[strings.LastIndex(s, "@")+1:], ".") {
		return fmt.Errorf("%q is not an email address", s)
	}
	return nil
}

// CheckInt reports whether s is a positive integer id.
func CheckInt(s string) error {
	if n, err := strconv.ParseUint(strings.TrimSpace(s), 10, 63); err != nil || n == 0 {
		return fmt.Errorf("%q is not a positive integer id", s)
	}
	return nil
}

// Resolve checks v and turns select labels into option ids and a pool name into its id.
// It returns the values to send, or every problem found.
func Resolve(v Values, lk Lookup) (Values, Problems) {
	out := make(Values, len(v))
	ps := v.Check()
	for k, val := range v {
		out[k] = strings.TrimSpace(val)
	}
	if p := out[PoolKey]; p != "" {
		id, prob := ResolvePool(p, lk.Pools)
		if prob != nil {
			ps = append(ps, prob)
		} else {
			out[PoolKey] = id
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
	if len(ps) > 0 {
		sort.SliceStable(ps, func(i, j int) bool { return order(ps[i].Key) < order(ps[j].Key) })
		return nil, ps
	}
	return out, nil
}

func order(key string) int {
	for i, f := range catalogue {
		if f.Key == key {
			return i
		}
	}
	return len(catalogue)
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
		return "", &Problem{Field: f, Key: PoolKey, Value: value, Reason: fmt.Sprintf("no pool is named or numbered %q", value),
			Valid: names, Suggestion: Nearest(value, plain)}
	default:
		ids := make([]string, len(byName))
		for i, p := range byName {
			ids[i] = string(p.ID)
		}
		return "", &Problem{Field: f, Key: PoolKey, Value: value,
			Reason: fmt.Sprintf("%d pools are named %q: give the id (%s)", len(byName), value, strings.Join(ids, ", "))}
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
			Reason: fmt.Sprintf("the CRM sent no options for %s, so %q cannot be looked up: give an option id", f.Key, value)}
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
					Reason: fmt.Sprintf("option %q is disabled", value), Valid: labels,
					Suggestion: Nearest(value, labels)}
			}
			return string(o.ID), nil
		}
	}
	return "", &Problem{Field: f, Key: f.Key, Value: value, Reason: fmt.Sprintf("unknown option %q", value),
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
