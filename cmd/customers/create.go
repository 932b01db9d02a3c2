package customers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/crmctl/crmctl/internal/api"
	"github.com/crmctl/crmctl/internal/cmdutil"
	"github.com/crmctl/crmctl/internal/fields"
	"github.com/crmctl/crmctl/internal/i18n"
	"github.com/crmctl/crmctl/internal/iostreams"
	"github.com/crmctl/crmctl/internal/output"
	"github.com/crmctl/crmctl/internal/prompter"
)

// CreatePath is the API path of the create call (printed by --dry-run).
const CreatePath = "/api/v2/common_customers"

// maxFromFile caps --from-file: a customer is a few kilobytes.
const maxFromFile = 1 << 20

// CreateOptions are the inputs of `customers create`.
type CreateOptions struct {
	IO      *iostreams.IOStreams
	Printer func() (*output.Printer, error)
	Lookups func() (*cmdutil.Lookups, error)
	Client  func() (*api.Client, error)
	// Prompter asks for missing values when IO.CanPrompt().
	Prompter prompter.Prompter
	// Globals are the global flags to repeat in the equivalent command.
	Globals func() []string
	// Floor is the highest customer id known to exist before the create is sent (the
	// profile's import ledger); 0 when none is known. nil: none.
	Floor func(ctx context.Context) int64

	Values   fields.Values // from the flags (given flags only)
	FromFile string        // a path, or "-" for standard input
	DryRun   bool
	Yes      bool
	// IfExists is what to do when customers of the name exist: IfExistsCreate (create
	// one more, without looking), IfExistsSkip or IfExistsFail.
	IfExists string
}

// The values of --if-exists.
const (
	IfExistsCreate = "create"
	IfExistsSkip   = "skip"
	IfExistsFail   = "fail"
)

// NewCmdCreate builds `crmctl customers create`. Its field flags are generated from the
// field catalogue.
func NewCmdCreate(f *cmdutil.Factory, runF func(*CreateOptions) error) *cobra.Command {
	opts := &CreateOptions{IO: f.IOStreams, Printer: f.Printer, Lookups: f.Lookups, Client: f.Client, Prompter: f.Prompter,
		Floor: ledgerFloor(f.Settings)}
	if f.Globals != nil {
		opts.Globals = f.Globals.Repeat
	}
	var assignments []string
	flagValues := map[string]*string{}

	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create a customer in a public pool / 创建公海客户",
		Long: `Create one customer in a public pool (公海) with POST /api/v2/common_customers.

Select fields (--status, --category, --source, --industry, --staff-size) take an option's
label, as the CRM shows it (初访, B(普通客户)), or its id; ` + "`crmctl fieldmaps show`" + ` lists
them. A disabled or unknown value is refused before anything is sent. --pool takes a
pool's id or its exact name (` + "`crmctl pools list`" + `).

At a terminal, when the pool or the name is not given, what the flags leave out is asked
for: the pool, the name, each select field (with the CRM's own labels, or skip), then any
more fields; a summary is shown and
confirmed (--yes skips the confirmation), and after the customer is created the same
command is printed as one line, ready for a script. Without a terminal, or with
--no-input, nothing is asked and a missing --pool or --name is an error.

The company's own fields (custom fields, ` + "`crmctl fields list`" + `) are set with --field
LABEL=VALUE, by the label the CRM shows (--field 客户级别=VIP) or by key
(--field text_asset_9320d8d7=VIP). A select takes an option's label or its code (sel_6010),
a multi_select several, separated by commas (--field 主营产品=服装,电子); a number field a
number, a date field YYYY-MM-DD, a datetime field YYYY-MM-DD HH:MM. --template-id chooses a
business template (业务模版) and its form: its required fields must be given. --department
takes a department's name or id (` + "`--department-id`" + ` still works). Every value is checked
before anything is sent: an unknown or disabled field, an option that is not one (with the
nearest), a malformed number, date, email, mobile or URL, a required field left empty.

Values can also come from a JSON or YAML file of API keys or labels (--from-file); flags
override it. --dry-run checks everything and prints the exact request without sending it.

Pools, field maps, the form and the departments are cached, so with a warm cache a create
costs one request.

--if-exists says what to do when the customer exists: create (the default) creates it
without looking; skip and fail first ask duplicates/matching_name, which costs one more
request. A customer exists when it has exactly the same name, the same mobile (--phone)
and telephone (--tel) when they are given, and is in the same pool when the answer says
which (see ` + "`crmctl customers find`" + `). With skip, an existing customer is printed as a
create prints the one it makes, nothing is sent and the exit code is 0; two or more are
an error listing them (exit 1). With fail, any is an error naming them (exit 1), and
nothing is sent. --dry-run makes no check. In the walk-through, customers of the name
typed are shown at once, and you choose whether to go on.

When the create gets no usable answer after it was sent (a timeout, an error page, an
interruption), the customer may exist: the error says so, and running the command again
could create it twice. Unless interrupted, crmctl then asks duplicates/matching_name once
and names the customer it finds; the exit code is still the failure's.`,
		Example: `  crmctl customers create --pool 公司公海 --name 贸易公司 --status 初访 --tel 010-64881989
  crmctl customers create --pool 45 --name 贸易公司 --category "B(普通客户)" --contact-name 王经理
  crmctl customers create --pool 45 --name 贸易公司 --field 客户级别=VIP --field 主营产品=服装,电子 --dry-run
  crmctl customers create --pool 45 --name 渠道商 --template-id 12 --field 渠道等级=一级渠道 --department 销售部
  crmctl customers create --pool 45 --name 贸易公司 --tel 010-64881989 --if-exists skip -o json --jq .id
  echo '{"name":"贸易公司","address_attributes":{"tel":"010-64881989"}}' | crmctl customers create --pool 45 --from-file -`,
		Args: cmdutil.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			opts.Values = fields.Values{}
			for _, fd := range fields.All() {
				for _, name := range append([]string{fd.Flag}, fd.OldFlags...) {
					if !c.Flags().Changed(name) {
						continue
					}
					if _, dup := opts.Values[fd.Key]; dup {
						return cmdutil.UsageErrorf("--%s and --%s are the same field: give one", fd.Flag, name)
					}
					opts.Values[fd.Key] = *flagValues[name]
				}
			}
			for _, a := range assignments {
				k, v, err := fields.ParseAssignment(a)
				if err != nil {
					return &cmdutil.UsageError{Err: err}
				}
				if _, dup := opts.Values[k]; dup {
					return cmdutil.UsageErrorf("--field %s: that field is already given", k)
				}
				opts.Values[k] = v
			}
			switch opts.IfExists {
			case IfExistsCreate, IfExistsSkip, IfExistsFail:
			default:
				return cmdutil.UsageErrorf("--if-exists %q: use create, skip or fail", opts.IfExists)
			}
			if runF != nil {
				return runF(opts)
			}
			return createRun(c.Context(), opts)
		},
	}
	for _, fd := range fields.All() {
		flagValues[fd.Flag] = cmd.Flags().String(fd.Flag, "", flagHelp(fd))
		for _, old := range fd.OldFlags {
			flagValues[old] = cmd.Flags().String(old, "", flagHelp(fd))
			_ = cmd.Flags().MarkHidden(old)
		}
	}
	cmd.Flags().StringArrayVar(&assignments, "field", nil, "set a field by its CRM label or API key, e.g. 客户级别=VIP or text_asset_9320d8d7=VIP; "+
		"a select takes an option label or code, a multi_select several separated by commas (repeatable; see crmctl fields list)")
	cmd.Flags().StringVar(&opts.FromFile, "from-file", "", "read fields from a JSON or YAML object of API keys or labels (- for standard input)")
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "check the values and print the request; send nothing")
	cmd.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "skip the confirmation in interactive mode")
	cmd.Flags().StringVar(&opts.IfExists, "if-exists", IfExistsCreate, "when customers of the name exist: create, skip (print the existing one) or fail; skip and fail cost one more request")
	cmdutil.RegisterFieldCompletions(f, cmd)
	_ = cmd.RegisterFlagCompletionFunc("if-exists", cobra.FixedCompletions([]string{
		"create\tcreate without looking", "skip\tprint the existing customer, create nothing", "fail\texit 1 when it exists",
	}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// flagHelp is a field's flag usage: its help and, unless the help says it already, the
// CRM's label.
func flagHelp(f fields.Field) string {
	h := f.Help
	if !strings.Contains(h, "("+f.Label+")") {
		h += " (" + f.Label + ")"
	}
	if f.Flag == "pool" || f.Flag == "name" {
		h += "; required"
	}
	return h
}

func createRun(ctx context.Context, opts *CreateOptions) error {
	p, err := opts.Printer()
	if err != nil {
		return err
	}
	values, err := gatherValues(opts)
	if err != nil {
		return err
	}
	interactive, err := walkThroughNeeded(opts, values)
	if err != nil {
		return err
	}
	if ps := values.Check(); len(ps) > 0 {
		return ps
	}
	lk, err := opts.Lookups()
	if err != nil {
		return err
	}
	lookup, pools, err := createLookups(ctx, lk, values, interactive)
	if err != nil {
		return interruptedBeforeSend(ctx, err)
	}
	resolved, problems := fields.Resolve(values, lookup)
	if interactive {
		problems = problems.Given() // the walk-through asks for what is missing
	}
	if len(problems) > 0 {
		return problems // what the flags gave is wrong: say so before asking anything
	}
	c := &creation{opts: opts, p: p, values: values, resolved: resolved, lookup: lookup, pools: pools,
		interactive: interactive, names: &nameCheck{client: opts.Client}}
	if interactive {
		if err := c.walkThrough(ctx); err != nil {
			return err
		}
	}
	if opts.DryRun {
		return c.dryRun()
	}
	if opts.IfExists != IfExistsCreate {
		found, err := c.existing(ctx)
		if err != nil {
			return err
		}
		if len(found) > 0 {
			return existingFound(p, opts, found, pools, c.resolved)
		}
	}
	cust, err := c.send(ctx)
	if err != nil {
		return err
	}
	return c.show(cust)
}

// walkThroughNeeded tells whether the walk-through asks for what the command line
// leaves out: only at a terminal, and only when the essentials (the pool or the name)
// are missing; a command line that gives them is run as it is. Without it, both are
// required.
func walkThroughNeeded(opts *CreateOptions, values fields.Values) (bool, error) {
	noPool, noName := strings.TrimSpace(values[fields.PoolKey]) == "", strings.TrimSpace(values["name"]) == ""
	if (noPool || noName) && opts.IO.CanPrompt() && opts.Prompter != nil {
		return true, nil
	}
	if noPool {
		return false, cmdutil.UsageErrorf("--pool is required: a pool id or exact name (see `crmctl pools list`)")
	}
	// The API takes a customer without a name, but a nameless customer in a public pool
	// is a mistake nobody can find again (import refuses such rows too).
	if noName {
		return false, cmdutil.UsageErrorf("--name is required: the customer's name (客户名称)")
	}
	return false, nil
}

// creation is one create, from the values resolved to what is sent until the customer
// is shown.
type creation struct {
	opts        *CreateOptions
	p           *output.Printer
	values      fields.Values // as given (and completed by the walk-through)
	resolved    fields.Values // as sent
	lookup      fields.Lookup
	pools       []api.Pool
	interactive bool
	names       *nameCheck // duplicates/matching_name, asked at most once per name
}

// walkThrough asks for what the flags leave out, then shows the customer and asks to
// go on (unless --yes or --dry-run).
func (c *creation) walkThrough(ctx context.Context) error {
	opts := c.opts
	w := &wizard{p: opts.Prompter, pools: c.pools, fields: c.lookup.FieldMaps, warn: opts.IO.ErrOut, tr: opts.IO.T(),
		form: c.lookup.Form, departments: c.lookup.Departments}
	if opts.IfExists == IfExistsCreate {
		w.existing = func(name string) ([]api.Customer, error) {
			list, err := c.names.lookup(ctx, name)
			if err != nil {
				return nil, err
			}
			return list.Existing(api.Match{Name: name}), nil
		}
	}
	if err := w.run(c.values); err != nil {
		return err
	}
	resolved, problems := fields.Resolve(c.values, c.lookup)
	if len(problems) > 0 {
		return problems
	}
	c.resolved = resolved
	if err := printCreateSummary(opts.IO, c.values, resolved[fields.PoolKey], c.pools, c.lookup.Form); err != nil {
		return err
	}
	if opts.Yes || opts.DryRun {
		return nil
	}
	ok, err := opts.Prompter.Confirm(opts.IO.T().Sprintf("Create this customer? (创建客户)"), true)
	if err != nil {
		return cancelled(err)
	}
	if !ok {
		return errDeclined
	}
	return nil
}

// dryRun prints the request instead of sending it, and after the walk-through the
// command that sends it.
func (c *creation) dryRun() error {
	if err := printDryRun(c.p, c.opts.IO.Out, c.resolved); err != nil || !c.interactive {
		return err
	}
	// the command that creates what the walk-through checked
	c.opts.IO.T().Fprintf(c.opts.IO.ErrOut, "\nTo create it, as one command:\n  %s\n", EquivalentCommand(globalsOf(c.opts), c.values, c.lookup.Form))
	return nil
}

// existing asks, for --if-exists skip or fail, which customers the create would repeat.
func (c *creation) existing(ctx context.Context) ([]api.Customer, error) {
	found, err := c.names.existing(ctx, c.resolved)
	if err != nil {
		return nil, interruptedBeforeSend(ctx, i18n.Errorf("--if-exists %s: checking whether customer %q exists (nothing was created): %w",
			c.opts.IfExists, strings.TrimSpace(c.resolved["name"]), err))
	}
	return found, nil
}

// send creates the customer. A create without a usable answer is checked for what it
// did (createFailed), with the customers a matching_name answer from before the send
// showed (--if-exists, the walk-through): they were there before the create.
func (c *creation) send(ctx context.Context) (*api.Customer, error) {
	client, err := c.opts.Client()
	if err != nil {
		return nil, err
	}
	var floor int64
	if c.opts.Floor != nil {
		floor = c.opts.Floor(ctx)
	}
	cust, err := client.CreateCommonCustomer(ctx, c.resolved.Form())
	if err == nil {
		return cust, nil
	}
	var progress io.Writer
	if c.opts.IO.IsStderrTTY() {
		progress = c.opts.IO.ErrOut
	}
	sent := sentOf(c.resolved, floor)
	if c.names.list != nil && c.names.name == strings.TrimSpace(c.resolved["name"]) {
		sent.Checked = true
		for _, cu := range c.names.list.Customers {
			sent.Before = append(sent.Before, string(cu.ID))
		}
	}
	return nil, createFailed(ctx, client, sent, progress, c.opts.IO.T(), err)
}

// show prints the customer created and, after the walk-through, the command that
// creates the same.
func (c *creation) show(cust *api.Customer) error {
	if err := PrintCustomer(c.p, cust, poolName(c.pools, c.resolved[fields.PoolKey]), c.lookup.Form); err != nil {
		return notShown(cust, err)
	}
	if c.interactive {
		c.opts.IO.T().Fprintf(c.opts.IO.ErrOut, "\nThe same, as one command:\n  %s\n", EquivalentCommand(globalsOf(c.opts), c.values, c.lookup.Form))
	}
	return nil
}

// createLookups reads (from the cache, or the API) what checking values needs: the pools,
// the company's form for the chosen business template (always: its required fields must
// be given, and names may be its labels), the field maps when a select is given (or
// asked), the departments when one is given (or asked).
func createLookups(ctx context.Context, lk *cmdutil.Lookups, values fields.Values, interactive bool) (fields.Lookup, []api.Pool, error) {
	var lookup fields.Lookup
	pools, err := lk.Pools(ctx)
	if err != nil {
		return lookup, nil, err
	}
	lookup.Pools = pools.Pools
	template := fields.TemplateOf(values)
	if fields.CheckInt(template) != nil {
		template = "" // a malformed template id is refused by Resolve; the plain form names the fields
	}
	cf, err := lk.CustomFields(ctx, template)
	if err != nil {
		return lookup, nil, err
	}
	lookup.Form = fields.NewForm(cf, template)
	named, _ := fields.Name(values, lookup.Form)
	if named.NeedsFieldMaps() || interactive {
		if lookup.FieldMaps, err = lk.FieldMaps(ctx, "customer"); err != nil {
			return lookup, nil, err
		}
	}
	if named.NeedsDepartments() || interactive {
		deps, err := lk.Departments(ctx)
		if err != nil {
			return lookup, nil, err
		}
		lookup.Departments = deps.Departments
	}
	return lookup, pools.Pools, nil
}

// globalsOf is the global flags to repeat in the equivalent command.
func globalsOf(opts *CreateOptions) []string {
	if opts.Globals == nil {
		return nil
	}
	return opts.Globals()
}

// notShown reports a customer that was created but could not be printed (a --jq filter
// that fails on the record, a closed stdout). The id must not be lost with the output:
// the error names it, and says that the same command would create a second customer.
// The exit code is 1, an unexpected failure: not 0, since the caller did not get the
// output it asked for, and not 2, which promises that nothing was written.
func notShown(c *api.Customer, err error) error {
	what := i18n.M("printing it failed: %v", err)
	var fe *output.FilterError
	if errors.As(err, &fe) {
		what = i18n.M("the --jq filter failed on it: %v", fe.Err)
	}
	if c.ID == "" {
		return i18n.Errorf("customer %q was created, but %s\nrunning the command again would create another customer", c.Name, what)
	}
	return cmdutil.WithHintf(
		i18n.Errorf("customer %s (%q) was created, but %s\nrunning the command again would create another customer", c.ID, c.Name, what),
		"`crmctl customers get %s` shows it (with -o json or a corrected --jq)", c.ID)
}

// gatherValues merges --from-file under the flags.
func gatherValues(opts *CreateOptions) (fields.Values, error) {
	if opts.FromFile == "" {
		return opts.Values, nil
	}
	data, err := readFromFile(opts.FromFile, opts.IO.In)
	if err != nil {
		return nil, err
	}
	doc, err := fields.ParseDocument(data)
	if err != nil {
		return nil, cmdutil.UsageErrorf("--from-file %s: %v", opts.FromFile, err)
	}
	return doc.Merge(opts.Values), nil
}

func readFromFile(path string, stdin io.Reader) ([]byte, error) {
	var r io.Reader
	if path == "-" {
		r = stdin
	} else {
		fh, err := os.Open(path)
		if err != nil {
			return nil, cmdutil.UsageErrorf("--from-file: %v", err)
		}
		defer fh.Close()
		r = fh
	}
	data, err := io.ReadAll(io.LimitReader(r, maxFromFile+1))
	if err != nil {
		return nil, cmdutil.UsageErrorf("--from-file %s: %v", path, err)
	}
	if len(data) > maxFromFile {
		return nil, cmdutil.UsageErrorf("--from-file %s: larger than %d bytes; for many customers use `crmctl customers import`", path, maxFromFile)
	}
	return data, nil
}

func poolName(pools []api.Pool, id string) string {
	for _, p := range pools {
		if string(p.ID) == id {
			return p.Name
		}
	}
	return id
}

// dryRun is the JSON form of --dry-run.
type dryRun struct {
	Method      string         `json:"method"`
	Path        string         `json:"path"`
	ContentType string         `json:"content_type"`
	Form        []fields.Param `json:"form"`
	Body        string         `json:"body"`
}

func printDryRun(p *output.Printer, out io.Writer, v fields.Values) error {
	params := v.Params()
	if p.JSON() {
		d := dryRun{Method: "POST", Path: CreatePath, ContentType: "application/x-www-form-urlencoded", Form: params, Body: v.Form().Encode()}
		b, err := output.Marshal(d)
		if err != nil {
			return err
		}
		return p.PrintJSON(b)
	}
	var b strings.Builder
	// i18n:keep: the HTTP request as it is sent
	fmt.Fprintf(&b, "POST %s\nContent-Type: application/x-www-form-urlencoded\n\n", CreatePath)
	for _, prm := range params {
		fmt.Fprintf(&b, "%s=%s\n", prm.Name, prm.Value)
	}
	_, err := io.WriteString(out, b.String())
	return err
}
