package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// The API's types drift (a number here, a string there, "" for 0, {} for an empty
// list), so records are decoded leniently: a field whose value does not fit its Go
// type is left at its zero value instead of failing the whole record. Only the shape
// that matters, an object where a record is expected, is checked.

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// decodeRecord decodes a JSON object into the struct pointed to by v, leniently.
func decodeRecord(raw []byte, v any) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return fmt.Errorf("expected an object, got %s", describeJSON(raw))
	}
	if !json.Valid(raw) {
		return errors.New("invalid JSON")
	}
	lenient(raw, reflect.ValueOf(v).Elem())
	return nil
}

// lenient stores raw into dst as well as it can and reports whether it stored anything.
func lenient(raw json.RawMessage, dst reflect.Value) bool {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return false
	}
	if dst.CanAddr() && dst.Addr().Type().Implements(unmarshalerType) && dst.Kind() != reflect.Struct {
		u := dst.Addr().Interface().(json.Unmarshaler)
		if err := u.UnmarshalJSON(raw); err != nil {
			dst.SetZero()
			return false
		}
		return true
	}
	switch dst.Kind() {
	case reflect.String:
		s, err := flexText(raw)
		if err != nil {
			return false
		}
		dst.SetString(s)
	case reflect.Bool:
		s, err := flexText(raw)
		if err != nil {
			return false
		}
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "true", "1", "yes", "on":
			dst.SetBool(true)
		case "", "false", "0", "no", "off":
			dst.SetBool(false)
		default:
			if f, err := strconv.ParseFloat(s, 64); err == nil {
				dst.SetBool(f != 0)
			}
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		s, err := flexText(raw)
		if err != nil {
			return false
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || dst.OverflowInt(int64(f)) {
			return false
		}
		dst.SetInt(int64(f))
	case reflect.Float32, reflect.Float64:
		s, err := flexText(raw)
		if err != nil {
			return false
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return false
		}
		dst.SetFloat(f)
	case reflect.Pointer:
		if raw[0] != '{' && dst.Type().Elem().Kind() == reflect.Struct {
			return false
		}
		p := reflect.New(dst.Type().Elem())
		if !lenient(raw, p.Elem()) {
			return false
		}
		dst.Set(p)
	case reflect.Slice:
		if dst.Type().Elem().Kind() == reflect.Uint8 { // []byte, json.RawMessage
			return json.Unmarshal(raw, dst.Addr().Interface()) == nil
		}
		if raw[0] != '[' {
			return false
		}
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			return false
		}
		out := reflect.MakeSlice(dst.Type(), 0, len(items))
		for _, it := range items {
			e := reflect.New(dst.Type().Elem()).Elem()
			if lenient(it, e) {
				out = reflect.Append(out, e)
			}
		}
		dst.Set(out)
	case reflect.Struct:
		if raw[0] != '{' {
			return false
		}
		var obj map[string]json.RawMessage
		if json.Unmarshal(raw, &obj) != nil {
			return false
		}
		t := dst.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() || f.Anonymous {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			v, ok := obj[name]
			if !ok {
				for k, kv := range obj {
					if strings.EqualFold(k, name) {
						v, ok = kv, true
						break
					}
				}
			}
			if ok {
				lenient(v, dst.Field(i))
			}
		}
	default:
		p := reflect.New(dst.Type())
		if json.Unmarshal(raw, p.Interface()) != nil {
			return false
		}
		dst.Set(p.Elem())
	}
	return true
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
			return nil, fmt.Errorf("invalid JSON: %w", err)
		}
		list = bytes.TrimSpace(obj[key])
	default:
		return nil, fmt.Errorf("expected an object with %q, got %s", key, describeJSON(data))
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
		return nil, fmt.Errorf("%q is %s, not a list", key, describeJSON(list))
	}
	if !json.Valid(list) {
		return nil, fmt.Errorf("%q is not valid JSON", key)
	}
	return list, nil
}

// decodeList decodes each element of a JSON array as a record, leniently; an element
// that is not an object is an error naming its position.
func decodeList[T any](list json.RawMessage, what string) ([]T, error) {
	var items []json.RawMessage
	if err := json.Unmarshal(list, &items); err != nil {
		return nil, err
	}
	out := make([]T, len(items))
	for i, it := range items {
		if err := decodeRecord(it, &out[i]); err != nil {
			return nil, fmt.Errorf("%s %d: %w", what, i+1, err)
		}
	}
	return out, nil
}

// DecodeCustomer decodes one customer record (an API data payload); Raw keeps it as sent.
func DecodeCustomer(data []byte) (*Customer, error) {
	var c Customer
	if err := decodeRecord(data, &c); err != nil {
		return nil, fmt.Errorf("customer: %w", err)
	}
	c.Raw = append(json.RawMessage(nil), bytes.TrimSpace(data)...)
	return &c, nil
}

// DecodeCustomerList decodes the data of duplicates/matching_name
// ({"customers":[...]}) or a bare array of customers.
func DecodeCustomerList(data []byte) (*CustomerList, error) {
	list, err := listField(data, "customers")
	if err != nil {
		return nil, fmt.Errorf("customers: %w", err)
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(list, &raws); err != nil {
		return nil, fmt.Errorf("customers: %w", err)
	}
	out := &CustomerList{Customers: make([]Customer, 0, len(raws)), Raw: append(json.RawMessage(nil), list...)}
	for i, r := range raws {
		c, err := DecodeCustomer(r)
		if err != nil {
			return nil, fmt.Errorf("customer %d: %w", i+1, err)
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
		return nil, fmt.Errorf("pools: %w", err)
	}
	pools, err := decodeList[Pool](list, "pool")
	if err != nil {
		return nil, fmt.Errorf("pools: %w", err)
	}
	return &PoolList{Pools: pools, Raw: append(json.RawMessage(nil), list...)}, nil
}

// DecodeFieldMapList decodes the data of field_maps/<entity> ({"<entity>":[...]}) or a
// bare array of fields (a stored Raw).
func DecodeFieldMapList(entity string, data []byte) (*FieldMapList, error) {
	list, err := listField(data, entity)
	if err != nil {
		return nil, fmt.Errorf("field maps: %w", err)
	}
	fields, err := decodeList[FieldMap](list, "field")
	if err != nil {
		return nil, fmt.Errorf("field maps: %w", err)
	}
	return &FieldMapList{Entity: entity, Fields: fields, Raw: append(json.RawMessage(nil), list...)}, nil
}

// DecodeUser decodes the data of user/info; Raw keeps it as sent.
func DecodeUser(data []byte) (*User, error) {
	var u User
	if err := decodeRecord(data, &u); err != nil {
		return nil, fmt.Errorf("user: %w", err)
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
		return nil, fmt.Errorf("custom fields: %w", err)
	}
	groups, err := decodeList[CustomFieldGroup](list, "group")
	if err != nil {
		return nil, fmt.Errorf("custom fields: %w", err)
	}
	return &CustomFieldList{Groups: groups, Raw: append(json.RawMessage(nil), list...)}, nil
}

// DecodeDepartmentList decodes the data of departments ({"departments":[...]}) or a bare
// array of departments (a stored Raw).
func DecodeDepartmentList(data []byte) (*DepartmentList, error) {
	list, err := listField(data, "departments")
	if err != nil {
		return nil, fmt.Errorf("departments: %w", err)
	}
	deps, err := decodeList[Department](list, "department")
	if err != nil {
		return nil, fmt.Errorf("departments: %w", err)
	}
	return &DepartmentList{Departments: deps, Raw: append(json.RawMessage(nil), list...)}, nil
}
