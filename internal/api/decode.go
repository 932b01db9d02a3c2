package api

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/crmctl/crmctl/internal/i18n"
)

// decodeRecord decodes a JSON object into its record type R through its wire shape W
// (see wire.go), which tolerates the API's drifting types. Only the shape that matters,
// an object where a record is expected, is checked.
func decodeRecord[W wire[R], R any](raw []byte) (R, error) {
	var zero R
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return zero, i18n.Errorf("expected an object, got %s", describeJSON(raw))
	}
	if !json.Valid(raw) {
		return zero, i18n.Errorf("invalid JSON")
	}
	return decodeWire[W](raw).record(), nil
}

func describeJSON(raw []byte) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '{':
		return "an object"
	case '[':
		return "a list"
	case '"':
		return "a string"
	case 'n':
		return "null"
	case 't', 'f':
		return "a boolean"
	default:
		return "a number"
	}
}

// listField extracts the array data.<key> from a data payload and returns it as sent;
// a missing or null key, null data, or an empty object for the list are "[]". A bare
// array is accepted as the list itself (that is how a Raw list is stored).
func listField(data []byte, key string) (json.RawMessage, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || bytes.Equal(data, []byte("null")) {
		return json.RawMessage("[]"), nil
	}
	var list json.RawMessage
	switch data[0] {
	case '[':
		list = data
	case '{':
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(data, &obj); err != nil {
			return nil, i18n.Errorf("invalid JSON: %w", err)
		}
		list = bytes.TrimSpace(obj[key])
	default:
		return nil, i18n.Errorf("expected an object with %q, got %s", key, describeJSON(data))
	}
	if len(list) == 0 || bytes.Equal(list, []byte("null")) {
		return json.RawMessage("[]"), nil
	}
	if list[0] == '{' {
		var obj map[string]json.RawMessage
		if json.Unmarshal(list, &obj) == nil && len(obj) == 0 {
			return json.RawMessage("[]"), nil
		}
	}
	if list[0] != '[' {
		return nil, i18n.Errorf("%q is %s, not a list", key, describeJSON(list))
	}
	if !json.Valid(list) {
		return nil, i18n.Errorf("%q is not valid JSON", key)
	}
	return list, nil
}

// decodeList decodes each element of a JSON array as a record, leniently; an element
// that is not an object is an error naming its position.
func decodeList[W wire[R], R any](list json.RawMessage, what string) ([]R, error) {
	var items []json.RawMessage
	if err := json.Unmarshal(list, &items); err != nil {
		return nil, err
	}
	out := make([]R, len(items))
	for i, it := range items {
		r, err := decodeRecord[W](it)
		if err != nil {
			return nil, fmt.Errorf("%s %d: %w", what, i+1, err)
		}
		out[i] = r
	}
	return out, nil
}

// DecodeCustomer decodes one customer record (an API data payload); Raw keeps it as sent.
func DecodeCustomer(data []byte) (*Customer, error) {
	c, err := decodeRecord[customerWire](data)
	if err != nil {
		return nil, i18n.Errorf("customer: %w", err)
	}
	c.Raw = append(json.RawMessage(nil), bytes.TrimSpace(data)...)
	return &c, nil
}

// DecodeCustomerList decodes the data of duplicates/matching_name
// ({"customers":[...]}) or a bare array of customers.
func DecodeCustomerList(data []byte) (*CustomerList, error) {
	list, err := listField(data, "customers")
	if err != nil {
		return nil, i18n.Errorf("customers: %w", err)
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(list, &raws); err != nil {
		return nil, i18n.Errorf("customers: %w", err)
	}
	out := &CustomerList{Customers: make([]Customer, 0, len(raws)), Raw: append(json.RawMessage(nil), list...)}
	for i, r := range raws {
		c, err := DecodeCustomer(r)
		if err != nil {
			return nil, i18n.Errorf("customer %d: %w", i+1, err)
		}
		out.Customers = append(out.Customers, *c)
	}
	return out, nil
}

// DecodePoolList decodes the data of common_settings ({"common_settings":[...]}) or a
// bare array of pools (a stored Raw).
func DecodePoolList(data []byte) (*PoolList, error) {
	list, err := listField(data, "common_settings")
	if err != nil {
		return nil, i18n.Errorf("pools: %w", err)
	}
	pools, err := decodeList[poolWire](list, "pool")
	if err != nil {
		return nil, i18n.Errorf("pools: %w", err)
	}
	return &PoolList{Pools: pools, Raw: append(json.RawMessage(nil), list...)}, nil
}

// DecodeFieldMapList decodes the data of field_maps/<entity> ({"<entity>":[...]}) or a
// bare array of fields (a stored Raw).
func DecodeFieldMapList(entity string, data []byte) (*FieldMapList, error) {
	list, err := listField(data, entity)
	if err != nil {
		return nil, i18n.Errorf("field maps: %w", err)
	}
	fields, err := decodeList[fieldMapWire](list, "field")
	if err != nil {
		return nil, i18n.Errorf("field maps: %w", err)
	}
	return &FieldMapList{Entity: entity, Fields: fields, Raw: append(json.RawMessage(nil), list...)}, nil
}

// DecodeUser decodes the data of user/info; Raw keeps it as sent.
func DecodeUser(data []byte) (*User, error) {
	u, err := decodeRecord[userWire](data)
	if err != nil {
		return nil, i18n.Errorf("user: %w", err)
	}
	u.Raw = append(json.RawMessage(nil), bytes.TrimSpace(data)...)
	return &u, nil
}

// DecodeCustomFieldList decodes the data of custom_fields/<entity>/by_group
// ({"custom_field_groups":[...]}) or a bare array of groups (a stored Raw). Missing keys
// are left empty: a group without fields, a field without options.
func DecodeCustomFieldList(data []byte) (*CustomFieldList, error) {
	list, err := listField(data, "custom_field_groups")
	if err != nil {
		return nil, i18n.Errorf("custom fields: %w", err)
	}
	groups, err := decodeList[customFieldGroupWire](list, "group")
	if err != nil {
		return nil, i18n.Errorf("custom fields: %w", err)
	}
	return &CustomFieldList{Groups: groups, Raw: append(json.RawMessage(nil), list...)}, nil
}

// DecodeDepartmentList decodes the data of departments ({"departments":[...]}) or a bare
// array of departments (a stored Raw).
func DecodeDepartmentList(data []byte) (*DepartmentList, error) {
	list, err := listField(data, "departments")
	if err != nil {
		return nil, i18n.Errorf("departments: %w", err)
	}
	deps, err := decodeList[departmentWire](list, "department")
	if err != nil {
		return nil, i18n.Errorf("departments: %w", err)
	}
	return &DepartmentList{Departments: deps, Raw: append(json.RawMessage(nil), list...)}, nil
}
