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

// customOption, in "More fields?", asks for a custom field key and value.
const customOption = "Custom field (自定义字段)"

// errDeclined is the answer "no" to the final confirmation.
var errDeclined = fmt.Errorf("%w: not created; nothing was sent", cmdutil.ErrCancel)

// wizard asks for what the flags did not give, in the CRM's own words. Values it
// collects are kept as a person would type them (pool id, option labels), so that
// the equivalent command reads well; Resolve turns them into ids afterwards.
type wizard struct {
	p      prompter.Prompter
	pools  []api.Pool
	fields *api.FieldMapList
	// existing, when set, finds the customers of a name just typed, to warn of them.
	existing func(name string) ([]api.Customer, error)
	warn     io.Writer // where the warning goes (stderr)
}

// errExistsStop is the answer "no" to going on after customers of the name were found.
var errExistsStop = fmt.Errorf("%w: not created, the customer exists; nothing was sent", cmdutil.ErrCancel)

func cancelled(err error) error {
	if errors.Is(err, prompter.ErrCancelled) {
		return fmt.Errorf("%w; nothing was sent", cmdutil.ErrCancel)
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
		fmt.Fprintf(w.warn, "crmctl: warning: could not check whether customer %q exists: %v\n", name, err)
		return nil
	}
	if len(found) == 0 {
		return nil
	}
	for _, line := range strings.Split(describeCustomers(found, w.pools), "\n") {
		fmt.Fprintf(w.warn, "已存在 / exists: %s\n", line)
	}
	goOn, err := w.p.Confirm("Create another customer of this name? (仍然创建)", false)
	if err != nil {
		return err
	}
	if !goOn {
		return errExistsStop
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

// askMore offers the remaining catalogue fields, then asks each one chosen.
func (w *wizard) askMore(v fields.Values) error {
	var rest []fields.Field
	for _, f := range fields.All() {
		if _, given := v[f.Key]; !given && !f.Basic {
			rest = append(rest, f)
		}
	}
	opts := make([]string, 0, len(rest)+1)
	for _, f := range rest {
		opts = append(opts, f.Title())
	}
	opts = append(opts, customOption)
	chosen, err := w.p.MultiSelect("More fields? (更多字段)", "space to choose, enter to go on; choose none to go on", opts)
	if err != nil {
		return err
	}
	for _, i := range chosen {
		if i == len(rest) {
			if err := w.askCustom(v); err != nil {
				return err
			}
			continue
		}
		f := rest[i]
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

func (w *wizard) askCustom(v fields.Values) error {
	key, err := w.p.Input("Custom field key (自定义字段)", "the API key of a custom field, e.g. text_asset_9320d8d7", "", func(s string) error {
		if !fields.IsCustomKey(strings.TrimSpace(s)) {
			return fmt.Errorf("%q is not a custom field key (text_asset_<hex>, numeric_asset_<hex>, …)", s)
		}
		return nil
	})
	if err != nil {
		return err
	}
	key = strings.TrimSpace(key)
	val, err := w.p.Input("Value of "+key, "", "", nil)
	if err != nil {
		return err
	}
	v[key] = val
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
		case fields.Int:
			return fields.CheckInt(s)
		case fields.Email:
			return fields.CheckEmail(s)
		}
		return nil
	}
}

// printCreateSummary shows what will be sent, field by field, in the CRM's words, as a
// table on stderr (stdout carries only the created customer).
func printCreateSummary(ios *iostreams.IOStreams, v fields.Values, poolID string, pools []api.Pool) error {
	t := output.Table{Header: []string{"FIELD", "VALUE"}}
	for _, k := range v.Keys() {
		val := v[k]
		if val == "" {
			continue
		}
		title := k
		if f, ok := fields.ByKey(k); ok {
			title = f.Title()
		}
		if k == fields.PoolKey {
			val = fmt.Sprintf("%s (%s)", poolName(pools, poolID), poolID)
		}
		t.Rows = append(t.Rows, []string{title, val})
	}
	fmt.Fprintln(ios.ErrOut, "\nAbout to create:")
	return output.WriteTable(ios.ErrOut, ios.IsStderrTTY(), ios.TerminalWidth(), t)
}

// EquivalentCommand is the one-line command that does what the wizard did, every value
// shell-quoted. globals are the global flags to repeat (--sandbox, --profile …).
func EquivalentCommand(globals []string, v fields.Values) string {
	args := append([]string{"crmctl"}, globals...)
	args = append(args, "customers", "create")
	for _, k := range v.Keys() {
		if v[k] == "" {
			continue
		}
		if f, ok := fields.ByKey(k); ok {
			args = append(args, "--"+f.Flag, v[k])
		} else {
			args = append(args, "--field", k+"="+v[k])
		}
	}
	return shellquote.Join(args...)
}
