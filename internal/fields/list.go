package fields

import "github.com/crmctl/crmctl/internal/api"

// Row describes one field of the create form, for `crmctl fields list`: a catalogue field
// (Flag set) or a custom field of the company's form.
type Row struct {
	Key       string      `json:"key"`            // the API key: address_attributes[tel], text_asset_fbf817
	Flag      string      `json:"flag,omitempty"` // the flag of a catalogue field: tel
	Label     string      `json:"label"`
	Type      string      `json:"type"`                 // text, id, select, email, pool, department; a custom field's type
	FieldType string      `json:"field_type,omitempty"` // a custom field's field_type, as the API sent it
	Group     string      `json:"group,omitempty"`      // a custom field's group
	Required  bool        `json:"required"`
	Enabled   bool        `json:"enabled"`
	Options   []RowOption `json:"options,omitempty"`
}

// RowOption is one option of a select: the value sent (a field-map option's id, a custom
// select's code) and its label.
type RowOption struct {
	Value   string `json:"value"`
	Label   string `json:"label"`
	Enabled bool   `json:"enabled"`
}

// FormRows lists the whole create form: the catalogue's fields (the selects with their
// options from maps), then the form's custom fields in its order. Disabled fields and
// options are left out unless all.
func FormRows(maps *api.FieldMapList, form *Form, all bool) []Row {
	var out []Row
	for _, f := range catalogue {
		r := Row{Key: f.Key, Flag: f.Flag, Label: f.Label, Type: f.Kind.String(), Enabled: true,
			Required: f.Key == PoolKey || f.Key == "name"}
		if f.Kind == Select && maps != nil {
			if fm, ok := maps.Field(f.Key); ok {
				opts := append([]api.FieldOption(nil), fm.Options...)
				SortOptions(opts)
				for _, o := range opts {
					if o.Enabled() || all {
						r.Options = append(r.Options, RowOption{Value: string(o.ID), Label: o.Label(), Enabled: o.Enabled()})
					}
				}
			}
		}
		out = append(out, r)
	}
	if form == nil {
		return out
	}
	for _, c := range form.Fields {
		if !c.Enabled && !all {
			continue
		}
		r := Row{Key: c.Key, Label: c.Label, Type: c.Type, FieldType: c.FieldType, Group: c.Group, Required: c.Required, Enabled: c.Enabled}
		for _, o := range c.Options {
			if o.Enabled || all {
				r.Options = append(r.Options, RowOption(o))
			}
		}
		out = append(out, r)
	}
	return out
}
