package customers

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/spf13/cobra"

	"github.com/crmctl/crmctl/internal/api"
	"github.com/crmctl/crmctl/internal/cmdutil"
	"github.com/crmctl/crmctl/internal/fields"
	"github.com/crmctl/crmctl/internal/i18n"
	"github.com/crmctl/crmctl/internal/output"
)

// GetOptions are the inputs of `customers get`.
type GetOptions struct {
	Printer func() (*output.Printer, error)
	Client  func() (*api.Client, error)
	// CachedPools names the customer's pool from the cache (no request).
	CachedPools func() []api.Pool
	// CachedForm is the cached customer form of a business template ("" for the form
	// without one), to name custom fields by their labels (no request; nil when none).
	CachedForm func(template string) *fields.Form
	ID         string
}

// NewCmdGet builds `crmctl customers get ID`.
func NewCmdGet(f *cmdutil.Factory, runF func(*GetOptions) error) *cobra.Command {
	opts := &GetOptions{Printer: f.Printer, Client: f.Client, CachedPools: func() []api.Pool {
		lk, err := f.Lookups()
		if err != nil {
			return nil
		}
		return lk.StalePools()
	}, CachedForm: func(template string) *fields.Form {
		lk, err := f.Lookups()
		if err != nil {
			return nil
		}
		if list := lk.StaleCustomFields(template); list != nil {
			return fields.NewForm(list, template)
		}
		return nil
	}}
	return &cobra.Command{
		Use:   "get ID",
		Short: "Show one public-pool customer / 查看一个公海客户",
		Long: `Show one public-pool customer by id. With -o json the API's record is printed as
it came, with every field (custom fields, address, owner).`,
		Example: "  crmctl customers get 18\n  crmctl customers get 18 -o json --jq .address.tel",
		Args:    cmdutil.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if err := fields.CheckInt(args[0]); err != nil {
				return cmdutil.UsageErrorf("customer id: %v", err)
			}
			opts.ID = args[0]
			if runF != nil {
				return runF(opts)
			}
			return getRun(c.Context(), opts)
		},
	}
}

func getRun(ctx context.Context, opts *GetOptions) error {
	p, err := opts.Printer()
	if err != nil {
		return err
	}
	client, err := opts.Client()
	if err != nil {
		return err
	}
	cust, err := client.CommonCustomer(ctx, opts.ID)
	if err != nil {
		var ae *api.Error
		if errors.As(err, &ae) && ae.IsNotFound() {
			return i18n.Errorf("customer %s: not found in the public pools, or not visible to this account: %w", opts.ID, err)
		}
		return err
	}
	name := ""
	if opts.CachedPools != nil && cust.CommonID != "" {
		if n := poolName(opts.CachedPools(), string(cust.CommonID)); n != string(cust.CommonID) {
			name = n
		}
	}
	return PrintCustomer(p, cust, name, cachedForms(opts.CachedForm, cust.Raw)...)
}

// cachedForms are the cached forms that name a record's custom fields: its business
// template's form first (when it has one), then the form without a template.
func cachedForms(cached func(string) *fields.Form, raw json.RawMessage) []*fields.Form {
	if cached == nil {
		return nil
	}
	var rec struct {
		Template api.ID `json:"custom_field_template_id"`
	}
	_ = json.Unmarshal(raw, &rec)
	var forms []*fields.Form
	if t := strings.TrimSpace(string(rec.Template)); t != "" && t != "0" && fields.CheckInt(t) == nil {
		if form := cached(t); form != nil {
			forms = append(forms, form)
		}
	}
	if form := cached(""); form != nil {
		forms = append(forms, form)
	}
	return forms
}
