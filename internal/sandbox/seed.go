package sandbox

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
)

//go:embed seed.json
var seedJSON []byte

// seedData is the organisation the sandbox hosts. Everything in it but the customers is
// read-only through the API, so it lives in memory; the customers are written to the
// store once, when the store is first created (and again after Reset).
type seedData struct {
	Organization struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	} `json:"organization"`
	Departments  []department                  `json:"departments"`
	Users        []seedUser                    `json:"users"`
	Pools        []json.RawMessage             `json:"pools"`
	FieldMaps    map[string][]fieldMapEntry    `json:"field_maps"`
	CustomFields map[string][]customFieldGroup `json:"custom_fields"`
	Templates    []customFieldTemplate         `json:"custom_field_templates"`
	Regions      []region                      `json:"regions"`
	Customers    []map[string]json.RawMessage  `json:"customers"`

	// derived
	poolIDs        map[int64]string         // pool id -> name
	poolAdmins     map[int64]map[int64]bool // pool id -> the user ids of its admin_list
	deptByID       map[int64]department
	regionByID     map[int64]region
	customerSel    map[string]map[string]fieldValue // select field -> option id -> option
	customerCustom map[string]customField           // custom field key -> its description (any form)
	templateGroups map[int64]map[int64]bool         // template id -> the ids of the groups it adds
	templateOnly   map[int64]bool                   // group id -> the group belongs to a template's form only
}

type department struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	ParentID *int64 `json:"parent_id"`
}

type seedUser struct {
	ID           int64  `json:"id"`
	Name         string `json:"name"`
	Email        string `json:"email"`
	Phone        string `json:"phone"`
	DepartmentID int64  `json:"department_id"`
	Role         string `json:"role"`
	Admin        bool   `json:"admin"`
}

type fieldMapEntry struct {
	ID          int64        `json:"id"`
	FieldName   string       `json:"field_name"`
	FieldLabel  string       `json:"field_label"`
	FieldType   string       `json:"field_type"`
	FieldValues []fieldValue `json:"field_values"`
}

type fieldValue struct {
	ID       int64  `json:"id"`
	Value    string `json:"value"`
	Position int    `json:"position"`
	Status   string `json:"status"`
}

// customFieldGroup is one group of GET custom_fields/<entity>/by_group, in the shape of
// ikcrm-api.md §5: data.custom_field_groups[] {id, label, position, status,
// custom_fields[]}. The seed's extra keys (custom_field_setting_id) are served as they are.
type customFieldGroup struct {
	ID                   int64         `json:"id"`
	Label                string        `json:"label"`
	Position             int           `json:"position"`
	Status               string        `json:"status"`
	CustomFieldSettingID int64         `json:"custom_field_setting_id,omitempty"`
	CustomFields         []customField `json:"custom_fields"`
}

// customField describes one custom field (ikcrm-api.md §5). Name is its key
// (text_asset_9320d8d7); the key's prefix does not tell the type: a select is a
// text_asset_ key whose values are option codes (sel_6010). Status "enable" marks a usable
// field; Required one the form demands.
type customField struct {
	ID                int64             `json:"id"`
	Name              string            `json:"name"`
	Label             string            `json:"label"`
	FieldType         string            `json:"field_type"`
	Category          string            `json:"category,omitempty"`
	Position          int               `json:"position"`
	Placeholder       *string           `json:"placeholder,omitempty"`
	CustomColumnName  string            `json:"custom_column_name,omitempty"`
	InputFieldOptions inputFieldOptions `json:"input_field_options"`
	LabelHTMLOptions  *json.RawMessage  `json:"label_html_options,omitempty"`
	Status            string            `json:"status"`
	Required          bool              `json:"required"`
	CannotEdit        *bool             `json:"cannot_edit,omitempty"`
	CannotAdd         *bool             `json:"cannot_add,omitempty"`
}

type inputFieldOptions struct {
	CollectionOptions []collectionOption `json:"collection_options,omitempty"`
}

type collectionOption struct {
	Value string `json:"value"` // the code sent and stored: sel_6010
	Label string `json:"label"`
}

// customFieldTemplate is a business template (业务模版): its form is the groups that belong
// to no template plus its own (GroupIDs). The API does not describe templates; this is the
// sandbox's way of knowing which groups ?custom_field_template_id= adds.
type customFieldTemplate struct {
	ID       int64   `json:"id"`
	Name     string  `json:"name"`
	Entity   string  `json:"entity"`
	GroupIDs []int64 `json:"group_ids"`
}

// The custom field types of the seed (ikcrm-api.md §5 lists more; the seed uses these).
var customFieldTypes = []string{"text_field", "text_area", "select", "multi_select", "number_field", "currency_field",
	"email_field", "mobile_field", "url_field", "date_field", "datetime_field"}

func isSelectType(t string) bool { return t == "select" || t == "multi_select" }

type region struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Level string `json:"level"`
}

func loadSeed() (*seedData, error) {
	var s seedData
	if err := json.Unmarshal(seedJSON, &s); err != nil {
		return nil, fmt.Errorf("sandbox: bad embedded seed: %w", err)
	}
	if len(s.Users) == 0 || len(s.Pools) == 0 {
		return nil, fmt.Errorf("sandbox: bad embedded seed: no users or no pools")
	}
	s.poolIDs = map[int64]string{}
	s.poolAdmins = map[int64]map[int64]bool{}
	for _, raw := range s.Pools {
		var p struct {
			ID        int64  `json:"id"`
			Name      string `json:"name"`
			AdminList struct {
				UserIDs []json.RawMessage `json:"user_ids"`
			} `json:"admin_list"`
		}
		if err := json.Unmarshal(raw, &p); err != nil {
			return nil, fmt.Errorf("sandbox: bad embedded seed pool: %w", err)
		}
		s.poolIDs[p.ID] = p.Name
		s.poolAdmins[p.ID] = map[int64]bool{}
		for _, rawID := range p.AdminList.UserIDs { // numbers or strings: the API's ids drift
			v, err := decodeJSONValue(rawID)
			id, ok := parseID(v)
			if err != nil || !ok {
				return nil, fmt.Errorf("sandbox: bad embedded seed pool %d: admin %s", p.ID, rawID)
			}
			s.poolAdmins[p.ID][id] = true
		}
	}
	s.deptByID = map[int64]department{}
	for _, d := range s.Departments {
		s.deptByID[d.ID] = d
	}
	s.regionByID = map[int64]region{}
	for _, r := range s.Regions {
		s.regionByID[r.ID] = r
	}
	s.customerSel = map[string]map[string]fieldValue{}
	for name, fm := range s.FieldMaps {
		for i := range fm {
			sort.SliceStable(fm[i].FieldValues, func(a, b int) bool {
				return fm[i].FieldValues[a].Position < fm[i].FieldValues[b].Position
			})
		}
		if name != "customer" {
			continue
		}
		for _, f := range fm {
			opts := map[string]fieldValue{}
			for _, v := range f.FieldValues {
				opts[strconv.FormatInt(v.ID, 10)] = v
			}
			s.customerSel[f.FieldName] = opts
		}
	}
	s.customerCustom = map[string]customField{}
	s.templateGroups = map[int64]map[int64]bool{}
	s.templateOnly = map[int64]bool{}
	for _, t := range s.Templates {
		s.templateGroups[t.ID] = map[int64]bool{}
		for _, g := range t.GroupIDs {
			s.templateGroups[t.ID][g] = true
			s.templateOnly[g] = true
		}
	}
	for entity, groups := range s.CustomFields {
		for _, g := range groups {
			for _, f := range g.CustomFields {
				if err := checkCustomField(f); err != nil {
					return nil, fmt.Errorf("sandbox: bad embedded seed: custom field of %s: %w", entity, err)
				}
				if entity != "customer" {
					continue
				}
				if _, dup := s.customerCustom[f.Name]; dup {
					return nil, fmt.Errorf("sandbox: bad embedded seed: custom field %s described twice", f.Name)
				}
				s.customerCustom[f.Name] = f
			}
		}
	}
	return &s, nil
}

func checkCustomField(f customField) error {
	if !customKeyRE.MatchString(f.Name) {
		return fmt.Errorf("key %q is not <kind>_asset_<hex>", f.Name)
	}
	if !contains(customFieldTypes, f.FieldType) {
		return fmt.Errorf("%s: unknown type %q", f.Name, f.FieldType)
	}
	if isSelectType(f.FieldType) != (len(f.InputFieldOptions.CollectionOptions) > 0) {
		return fmt.Errorf("%s: a select, and only a select, has options", f.Name)
	}
	if f.Status != "enable" && f.Status != "disable" {
		return fmt.Errorf("%s: status %q is neither enable nor disable", f.Name, f.Status)
	}
	return nil
}

func (s *seedData) user(id int64) (seedUser, bool) {
	for _, u := range s.Users {
		if u.ID == id {
			return u, true
		}
	}
	return seedUser{}, false
}

// formGroups are the groups of the form of a business template (template 0: the form
// without one): the groups of no template, then the template's own, by position.
func (s *seedData) formGroups(entity string, template int64) []customFieldGroup {
	out := []customFieldGroup{}
	for _, g := range s.CustomFields[entity] {
		if !s.templateOnly[g.ID] || s.templateGroups[template][g.ID] {
			out = append(out, g)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Position < out[j].Position })
	return out
}

// formField is a custom field of a form, with whether it may be used: the field and its
// group are enabled.
type formField struct {
	customField
	Group   string
	Enabled bool
}

// customerForm are the custom fields of a customer's form by key, in form order.
func (s *seedData) customerForm(template int64) (map[string]formField, []formField) {
	byKey := map[string]formField{}
	var list []formField
	for _, g := range s.formGroups("customer", template) {
		fields := append([]customField(nil), g.CustomFields...)
		sort.SliceStable(fields, func(i, j int) bool { return fields[i].Position < fields[j].Position })
		for _, f := range fields {
			ff := formField{customField: f, Group: g.Label, Enabled: g.Status == "enable" && f.Status == "enable"}
			byKey[f.Name] = ff
			list = append(list, ff)
		}
	}
	return byKey, list
}
