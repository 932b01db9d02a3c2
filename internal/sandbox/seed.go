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
	Regions      []region                      `json:"regions"`
	Customers    []map[string]json.RawMessage  `json:"customers"`

	// derived
	poolIDs        map[int64]string         // pool id -> name
	poolAdmins     map[int64]map[int64]bool // pool id -> the user ids of its admin_list
	deptByID       map[int64]department
	regionByID     map[int64]region
	customerSel    map[string]map[string]fieldValue // select field -> option id -> option
	customerCustom map[string]customField           // custom field key -> its description
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

// customFieldGroup is one group of GET custom_fields/<entity>/by_group. ikcrm-api.md names
// the call but not its answer; public clients read
// data.custom_field_groups[].custom_fields[].input_field_options.collection_options[]
// {value, label}, and the other keys are the sandbox's choice.
type customFieldGroup struct {
	ID           int64         `json:"id"`
	Name         string        `json:"name"`
	Position     int           `json:"position"`
	CustomFields []customField `json:"custom_fields"`
}

// customField describes one custom field. Name is its key (text_asset_9320d8d7); the key's
// prefix does not tell the type: a select is a text_asset_ key whose values are option
// codes (sel_6010).
type customField struct {
	ID                int64             `json:"id"`
	Name              string            `json:"name"`
	Label             string            `json:"label"`
	FieldType         string            `json:"field_type"` // text, numeric, datetime or select
	Position          int               `json:"position"`
	InputFieldOptions inputFieldOptions `json:"input_field_options"`
}

type inputFieldOptions struct {
	CollectionOptions []collectionOption `json:"collection_options,omitempty"`
}

type collectionOption struct {
	Value string `json:"value"` // the code sent and stored: sel_6010
	Label string `json:"label"`
}

// The custom field types of the seed.
var customFieldTypes = []string{"text", "numeric", "datetime", "select"}

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
	if (f.FieldType == "select") != (len(f.InputFieldOptions.CollectionOptions) > 0) {
		return fmt.Errorf("%s: a select, and only a select, has options", f.Name)
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
