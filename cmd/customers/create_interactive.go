package customers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/kballard/go-shellquote"

	"github.com/crmctl/crmctl/internal/api"
	"github.com/crmctl/crmctl/internal/cmdutil"
	"github.com/crmctl/crmctl/internal/fields"
	"github.com/crmctl/crmctl/internal/i18n"
	"github.com/crmctl/crmctl/internal/iostreams"
	"github.com/crmctl/crmctl/internal/output"
	"github.com/crmctl/crmctl/internal/prompter"
)

// skipOption is the first choice of every select prompt.
const skipOption = "(skip 跳过)"

// errDeclined is the answer "no" to the final confirmation.
var errDeclined = i18n.Errorf("%w: not created; nothing was sent", cmdutil.ErrCancel)

// wizard asks for what the flags did not give, in the CRM's own words. Values it
// collects are kept as a person would type them (pool id, option labels), so that
// the equivalent command reads well; Resolve turns them into ids afterwards.
type wizard struct {
	p           prompter.Prompter
	pools       []api.Pool
	fields      *api.FieldMapList
	form        *fields.Form // the company's form for the chosen template (nil: none read)
	departments []api.Department
	// existing, when set, finds the customers of a name just typed, to warn of them.
	existing func(name string) ([]api.Customer, error)
	warn     io.Writer     // where the warning goes (stderr)
	tr       *i18n.Printer // the language of the warnings and of crmctl's own prompts
}

// errExistsStop is the answer "no" to going on after customers of the name were found.
var errExistsStop = i18n.Errorf("%w: not created, the customer exists; nothing was sent", cmdutil.ErrCancel)

func cancelled(err error) error {
	if errors.Is(err, prompter.ErrCancelled) {
		return i18n.Errorf("%w; nothing was sent", cmdutil.ErrCancel)
	}
	return err
}

func (w *wizard) run(v fields.Values) error {
	if strings.TrimSpace(v[fields.PoolKey]) == "" {
		if err := w.askPool(v); err != nil {
			return cancelled(err)
		}
	}
	if strings.TrimSpace(v["name"]) == "" {
		f, _ := fields.ByKey("name")
		name, err := w.p.Input(f.Title(), f.Help, "", func(s string) error {
			if strings.TrimSpace(s) == "" {
				return i18n.Errorf("a customer needs a name")
			}
			return nil
		})
		if err != nil {
			return cancelled(err)
		}
		v["name"] = strings.TrimSpace(name)
		if err := w.warnExisting(v["name"]); err != nil {
			return cancelled(err)
		}
	}
	for _, f := range fields.SelectFields() {
		if _, given := v[f.Key]; given {
			continue
		}
		if err := w.askSelect(v, f); err != nil {
			return cancelled(err)
		}
	}
	// The form's required fields are basic questions: the customer cannot be created
	// without them.
	given := w.givenKeys(v)
	for _, c := range w.form.Enabled() {
		if c.Required && !given[c.Key] {
			if err := w.askCustom(v, c, true); err != nil {
				return cancelled(err)
			}
		}
	}
	return cancelled(w.askMore(v))
}

// warnExisting shows the customers of the name typed, if any, and asks whether to go on.
// A failed check is a warning: the walk-through goes on.
func (w *wizard) warnExisting(name string) error {
	if w.existing == nil {
		return nil
	}
	found, err := w.existing(name)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return err
		}
		w.tr.Fprintf(w.warn, "crmctl: warning: could not check whether customer %q exists: %v\n", name, err)
		return nil
	}
	if len(found) == 0 {
		return nil
	}
	for _, line := range strings.Split(describeCustomers(found, w.pools), "\n") {
		fmt.Fprintf(w.warn, "已存在 / exists: %s\n", line) // i18n:keep: bilingual, as the walk-through's questions are
	}
	goOn, err := w.p.Confirm(w.tr.Sprintf("Create another customer of this name? (仍然创建)"), false)
	if err != nil {
		return err
	}
	if !goOn {
		return errExistsStop
	}
	return nil
}

// givenKeys are the API keys v gives a value, whatever name it gives them by.
func (w *wizard) givenKeys(v fields.Values) map[string]bool {
	out := map[string]bool{}
	for name, val := range v {
		if strings.TrimSpace(val) == "" {
			continue
		}
		if k, p := w.form.KeyFor(name); p == nil {
			out[k] = true
		}
	}
	return out
}

// customTitle names a custom field in a prompt: its group and its label.
func customTitle(c fields.Custom) string {
	if c.Group == "" {
		return c.Label
	}
	return c.Group + " › " + c.Label
}

// askCustom asks one custom field: a pick-list for a select (with skip unless required),
// a multiple choice for a multi_select, a checked line of text otherwise. The value is
// kept as chosen or typed (labels), under the field's key.
func (w *wizard) askCustom(v fields.Values, c fields.Custom, required bool) error {
	title := customTitle(c)
	if required {
		title += " *"
	}
	help := c.Key + ", " + c.Type
	opts := c.EnabledOptions()
	switch {
	case c.Type == fields.TypeSelect && len(opts) > 0:
		labels := make([]string, 0, len(opts)+1)
		if !required {
			labels = append(labels, skipOption)
		}
		for _, o := range opts {
			labels = append(labels, o.Label)
		}
		i, err := w.p.Select(title, help, labels, 0)
		if err != nil {
			return err
		}
		if !required {
			if i == 0 {
				return nil
			}
			i--
		}
		v[c.Key] = opts[i].Label
		return nil
	case c.Type == fields.TypeMultiSelect && len(opts) > 0:
		labels := make([]string, len(opts))
		for i, o := range opts {
			labels[i] = o.Label
		}
		for {
			chosen, err := w.p.MultiSelect(title, help+w.tr.Sprintf("; space to choose, enter to go on"), labels)
			if err != nil {
				return err
			}
			if len(chosen) == 0 && required {
				continue // required: one at least
			}
			picked := make([]string, len(chosen))
			for i, n := range chosen {
				picked[i] = labels[n]
			}
			if len(picked) > 0 {
				v[c.Key] = strings.Join(picked, ",")
			}
			return nil
		}
	}
	val, err := w.p.Input(title, help+typeHint(c.Type), "", func(s string) error {
		s = strings.TrimSpace(s)
		if s == "" {
			if required {
				return i18n.Errorf("%s is required by %s", c.Label, w.form.What())
			}
			return nil
		}
		if _, p := fields.ResolveCustom(c, s); p != nil {
			return i18n.Errorf("%v", p.Reason)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if val = strings.TrimSpace(val); val != "" {
		v[c.Key] = val
	}
	return nil
}

func typeHint(t string) string {
	switch t {
	case fields.TypeDate:
		return "; YYYY-MM-DD"
	case fields.TypeDatetime:
		return "; YYYY-MM-DD HH:MM"
	case fields.TypeNumber:
		return "; a number"
	}
	return ""
}

// askDepartment offers the departments by name (skip, or one of them).
func (w *wizard) askDepartment(v fields.Values, f fields.Field) error {
	if len(w.departments) == 0 {
		val, err := w.p.Input(f.Title(), w.tr.Sprintf("the department's id"), "", validator(f))
		if err != nil {
			return err
		}
		if val = strings.TrimSpace(val); val != "" {
			v[f.Key] = val
		}
		return nil
	}
	count := map[string]int{}
	for _, d := range w.departments {
		count[d.Name]++
	}
	opts := []string{skipOption}
	for _, d := range w.departments {
		opts = append(opts, d.Name)
		if count[d.Name] > 1 {
			opts[len(opts)-1] = fmt.Sprintf("%s (%s)", d.Name, d.ID)
		}
	}
	i, err := w.p.Select(f.Title(), f.Help, opts, 0)
	if err != nil || i == 0 {
		return err
	}
	d := w.departments[i-1]
	v[f.Key] = d.Name
	if count[d.Name] > 1 {
		v[f.Key] = string(d.ID) // a name two departments share cannot be looked up
	}
	return nil
}

func (w *wizard) askPool(v fields.Values) error {
	f, _ := fields.ByKey(fields.PoolKey)
	if len(w.pools) == 0 {
		return cmdutil.UsageErrorf("the account sees no public pool: nothing to create the customer in")
	}
	opts := make([]string, len(w.pools))
	for i, p := range w.pools {
		opts[i] = fmt.Sprintf("%s (%s)", p.Name, p.ID)
	}
	i, err := w.p.Select(f.Title(), f.Help, opts, 0)
	if err != nil {
		return err
	}
	v[fields.PoolKey] = string(w.pools[i].ID)
	return nil
}

func (w *wizard) askSelect(v fields.Values, f fields.Field) error {
	if w.fields == nil {
		return nil
	}
	fm, ok := w.fields.Field(f.Key)
	if !ok {
		return nil
	}
	enabled := fields.EnabledOptions(fm)
	if len(enabled) == 0 {
		return nil
	}
	opts := []string{skipOption}
	for _, o := range enabled {
		opts = append(opts, o.Label())
	}
	i, err := w.p.Select(f.Title(), f.Help, opts, 0)
	if err != nil || i == 0 {
		return err
	}
	v[f.Key] = enabled[i-1].Label()
	return nil
}

// askMore offers the remaining catalogue fields and the form's optional fields (named by
// their group), then asks each one chosen.
func (w *wizard) askMore(v fields.Values) error {
	var rest []fields.Field
	for _, f := range fields.All() {
		if _, given := v[f.Key]; !given && !f.Basic {
			rest = append(rest, f)
		}
	}
	given := w.givenKeys(v)
	var custom []fields.Custom
	for _, c := range w.form.Enabled() {
		if !given[c.Key] && !c.Required {
			custom = append(custom, c)
		}
	}
	opts := make([]string, 0, len(rest)+len(custom))
	for _, f := range rest {
		opts = append(opts, f.Title())
	}
	for _, c := range custom {
		opts = append(opts, customTitle(c))
	}
	chosen, err := w.p.MultiSelect(w.tr.Sprintf("More fields? (更多字段)"), w.tr.Sprintf("space to choose, enter to go on; choose none to go on"), opts)
	if err != nil {
		return err
	}
	for _, i := range chosen {
		if i >= len(rest) {
			if err := w.askCustom(v, custom[i-len(rest)], false); err != nil {
				return err
			}
			continue
		}
		f := rest[i]
		if f.Kind == fields.Department {
			if err := w.askDepartment(v, f); err != nil {
				return err
			}
			continue
		}
		val, err := w.p.Input(f.Title(), f.Help, "", validator(f))
		if err != nil {
			return err
		}
		if val = strings.TrimSpace(val); val != "" {
			v[f.Key] = val
		}
	}
	return nil
}

// validator checks a typed value where it is typed: ids are integers, emails look
// like emails. An empty answer leaves the field unset.
func validator(f fields.Field) func(string) error {
	return func(s string) error {
		s = strings.TrimSpace(s)
		if s == "" {
			return nil
		}
		switch f.Kind {
		case fields.Int, fields.Department:
			return fields.CheckInt(s)
		case fields.Email:
			return fields.CheckEmail(s)
		}
		if f.Key == mobileKey {
			return checkMobile(s)
		}
		return nil
	}
}

// mobileKey is the API key of the mobile number (手机).
const mobileKey = "address_attributes[phone]"

// checkMobile checks a mobile number as it is typed: digits, with an optional leading
// + (a country code) and spaces or dashes between groups; a Chinese number (no + or
// +86) has 11 digits starting with 1.
func checkMobile(s string) error {
	digits := strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, strings.TrimPrefix(s, "+"))
	if digits == "" || strings.ContainsFunc(digits, func(r rune) bool { return r < '0' || r > '9' }) {
		return i18n.Errorf("%q is not a mobile number: digits only, e.g. 13900001111 or +44 7700 900123", s)
	}
	cn, plus := digits, strings.HasPrefix(s, "+")
	if plus {
		var ok bool
		if cn, ok = strings.CutPrefix(digits, "86"); !ok {
			if len(digits) < 7 || len(digits) > 15 {
				return i18n.Errorf("%q is not a mobile number: an international number has 7 to 15 digits", s)
			}
			return nil
		}
	}
	if len(cn) != 11 || cn[0] != '1' {
		return i18n.Errorf("%q is not a mobile number: a Chinese mobile number has 11 digits and starts with 1", s)
	}
	return nil
}

// printCreateSummary shows what will be sent, field by field, in the CRM's words, as a
// table on the terminal of the prompts.
func printCreateSummary(ios *iostreams.IOStreams, v fields.Values, poolID string, pools []api.Pool, form *fields.Form) error {
	t := output.Table{Header: []string{"FIELD", "VALUE"}}
	for _, k := range v.Keys() {
		val := v[k]
		if val == "" {
			continue
		}
		title := k
		if f, ok := fields.ByKey(k); ok {
			title = f.Title()
		} else if key, p := form.KeyFor(k); p == nil {
			if c, ok := form.Field(key); ok {
				title = c.Label + " (" + c.Key + ")"
			}
		}
		if k == fields.PoolKey {
			val = fmt.Sprintf("%s (%s)", poolName(pools, poolID), poolID)
		}
		t.Rows = append(t.Rows, []string{title, val})
	}
	// On the terminal the prompts use: stderr, or stdout when stderr goes elsewhere (a
	// log), since the walk-through runs only when stdout is a terminal.
	w := ios.ErrOut
	if !ios.IsStderrTTY() && ios.IsStdoutTTY() {
		w = ios.Out
	}
	ios.T().Fprintf(w, "\nAbout to create:\n")
	return output.WriteTable(w, ios.T(), ios.IsStderrTTY() || ios.IsStdoutTTY(), ios.TerminalWidth(), t)
}

// EquivalentCommand is the one-line command that does what the wizard did, every value
// shell-quoted. globals are the global flags to repeat (--sandbox, --profile …). Custom
// fields are named by their label when the label names only them (form may be nil).
func EquivalentCommand(globals []string, v fields.Values, form *fields.Form) string {
	args := append([]string{"crmctl"}, globals...)
	args = append(args, "customers", "create")
	for _, k := range v.Keys() {
		if v[k] == "" {
			continue
		}
		if f, ok := fields.ByKey(k); ok {
			args = append(args, "--"+f.Flag, v[k])
			continue
		}
		name := k
		if key, p := form.KeyFor(k); p == nil {
			if c, ok := form.Field(key); ok {
				if back, p := form.KeyFor(c.Label); p == nil && back == key && !strings.Contains(c.Label, "=") {
					name = c.Label
				}
			}
		}
		args = append(args, "--field", name+"="+v[k])
	}
	return shellquote.Join(args...)
}
