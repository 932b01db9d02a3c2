package api

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The records as the API sends them. The API's types drift (a number here, a string
// there, "" for 0, {} for an empty list), so each record is decoded with encoding/json
// into a wire struct whose field types tolerate the drift: a value that does not fit
// leaves its field at the zero value instead of failing the record. Each wire struct
// names the same keys as its record type in types.go and converts to it with record().
//
//   - soft[T] holds an ID, Text or Int; a value T refuses (an object, a list) is zero.
//   - text is a string field that also takes a number or boolean, as written.
//   - flag is a boolean that also takes 1/0, "true"/"false", "yes"/"no", "on"/"off".
//   - object[W] is an optional nested record: nil unless the value is an object.
//   - nested[W] is a nested record: zero unless the value is an object.
//   - list[W] is a list of records: nil unless the value is a list; elements that are
//     not objects are dropped.
//
// None of them ever returns an error, so one bad field never stops the decoding of the
// others. null is the zero value everywhere.

// soft is a field of type T (ID, Text, Int) that is zero when T's decoding fails.
type soft[T any] struct{ v T }

func (s *soft[T]) UnmarshalJSON(b []byte) error {
	var v T
	if json.Unmarshal(b, &v) != nil {
		var zero T
		v = zero
	}
	s.v = v
	return nil
}

// text is a string field: a string as is, a number or boolean as written; an object or
// list leaves it "".
type text string

func (t *text) UnmarshalJSON(b []byte) error {
	s, err := flexText(b)
	if err != nil {
		s = ""
	}
	*t = text(s)
	return nil
}

// flag is a boolean field. Besides true and false it takes the words and numbers the
// API uses for them; anything else leaves it false.
type flag bool

func (f *flag) UnmarshalJSON(b []byte) error {
	*f = false
	s, err := flexText(b)
	if err != nil {
		return nil
	}
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "1", "yes", "on":
		*f = true
	case "", "false", "0", "no", "off":
	default:
		if n, err := strconv.ParseFloat(s, 64); err == nil {
			*f = n != 0
		}
	}
	return nil
}

// isObject reports whether b is a JSON object (by its first character; b is valid JSON).
func isObject(b []byte) bool {
	b = bytes.TrimSpace(b)
	return len(b) > 0 && b[0] == '{'
}

// wire is the tolerant shape of a record R as sent.
type wire[R any] interface {
	record() R
}

// decodeWire decodes a JSON value known to be a valid object into W. Every field of a
// wire struct tolerates any value, so a mismatch can only be a nested object's shape,
// which encoding/json skips (and reports as an *UnmarshalTypeError), leaving it zero.
//
// Keys match case-insensitively, as in encoding/json, but a key written exactly as the
// field's name wins over one that differs only in case wherever it stands in the object.
func decodeWire[W any](b []byte) W {
	var w W
	// The error can only be a skipped nested shape: that field is zero, the rest decoded.
	_ = json.Unmarshal(b, &w)
	if exact := exactKeys(b); exact != nil {
		_ = json.Unmarshal(exact, &w)
	}
	return w
}

// exactKeys returns the members of the object b whose keys could be a field's exact
// name (lower-case ASCII, as every wire field's name is), or nil when every key could:
// then encoding/json's matching already is exact.
func exactKeys(b []byte) []byte {
	var obj map[string]json.RawMessage
	if json.Unmarshal(b, &obj) != nil {
		return nil
	}
	plain := make(map[string]json.RawMessage, len(obj))
	for k, v := range obj {
		if strings.IndexFunc(k, func(r rune) bool { return r >= 'A' && r <= 'Z' || r >= utf8.RuneSelf }) < 0 {
			plain[k] = v
		}
	}
	if len(plain) == len(obj) {
		return nil
	}
	out, err := json.Marshal(plain)
	if err != nil {
		return nil
	}
	return out
}

// nested is a nested record: the zero record unless the value is an object.
type nested[W wire[R], R any] struct{ v R }

func (n *nested[W, R]) UnmarshalJSON(b []byte) error {
	var zero R
	n.v = zero
	if isObject(b) {
		n.v = decodeWire[W](b).record()
	}
	return nil
}

// object is an optional nested record: nil unless the value is an object.
type object[W wire[R], R any] struct{ v *R }

func (o *object[W, R]) UnmarshalJSON(b []byte) error {
	o.v = nil
	if isObject(b) {
		r := decodeWire[W](b).record()
		o.v = &r
	}
	return nil
}

// list is a list of records: nil unless the value is a list (an empty list stays
// empty, not nil); its elements that are not objects are dropped.
type list[W wire[R], R any] struct{ v []R }

func (l *list[W, R]) UnmarshalJSON(b []byte) error {
	l.v = nil
	var items []json.RawMessage
	if json.Unmarshal(b, &items) != nil {
		return nil
	}
	l.v = make([]R, 0, len(items))
	for _, it := range items {
		if isObject(it) {
			l.v = append(l.v, decodeWire[W](it).record())
		}
	}
	return nil
}

type poolWire struct {
	ID              soft[ID]                           `json:"id"`
	OrganizationID  soft[ID]                           `json:"organization_id"`
	Name            text                               `json:"name"`
	RuleType        soft[Int]                          `json:"rule_type"`
	LimitGrabEnable flag                               `json:"limit_grab_enable"`
	LimitGrabDay    soft[Int]                          `json:"limit_grab_day"`
	LimitGrabCount  soft[Int]                          `json:"limit_grab_count"`
	RuleConfig      nested[ruleConfigWire, RuleConfig] `json:"rule_config"`
	CreatedAt       text                               `json:"created_at"`
	UpdatedAt       text                               `json:"updated_at"`
}

func (w poolWire) record() Pool {
	return Pool{ID: w.ID.v, OrganizationID: w.OrganizationID.v, Name: string(w.Name), RuleType: w.RuleType.v,
		LimitGrabEnable: bool(w.LimitGrabEnable), LimitGrabDay: w.LimitGrabDay.v, LimitGrabCount: w.LimitGrabCount.v,
		RuleConfig: w.RuleConfig.v, CreatedAt: string(w.CreatedAt), UpdatedAt: string(w.UpdatedAt)}
}

// returnRuleWire is the shape of RuleConfig.Owner and RuleConfig.Unsold.
type returnRuleWire struct {
	MaxUnfollowDay soft[Int] `json:"max_unfollow_day"`
}

func (w returnRuleWire) record() Int { return w.MaxUnfollowDay.v }

type ruleConfigWire struct {
	Owner  nested[returnRuleWire, Int] `json:"owner"`
	Unsold nested[returnRuleWire, Int] `json:"unsold"`
}

func (w ruleConfigWire) record() RuleConfig {
	var rc RuleConfig
	rc.Owner.MaxUnfollowDay = w.Owner.v
	rc.Unsold.MaxUnfollowDay = w.Unsold.v
	return rc
}

type fieldOptionWire struct {
	ID       soft[ID]  `json:"id"`
	Value    text      `json:"value"`
	Name     text      `json:"name"`
	Position soft[Int] `json:"position"`
	Status   text      `json:"status"`
}

func (w fieldOptionWire) record() FieldOption {
	return FieldOption{ID: w.ID.v, Value: string(w.Value), Name: string(w.Name), Position: w.Position.v, Status: string(w.Status)}
}

type fieldMapWire struct {
	ID        soft[ID]                           `json:"id"`
	FieldName text                               `json:"field_name"`
	FieldType text                               `json:"field_type"`
	Label     text                               `json:"label"`
	Options   list[fieldOptionWire, FieldOption] `json:"field_values"`
}

func (w fieldMapWire) record() FieldMap {
	return FieldMap{ID: w.ID.v, FieldName: string(w.FieldName), FieldType: string(w.FieldType), Label: string(w.Label), Options: w.Options.v}
}

type namedWire struct {
	ID   soft[ID] `json:"id"`
	Name text     `json:"name"`
}

func (w namedWire) record() Named { return Named{ID: w.ID.v, Name: string(w.Name)} }

type addressWire struct {
	DetailAddress text       `json:"detail_address"`
	Tel           soft[Text] `json:"tel"`
	Phone         soft[Text] `json:"phone"`
	Email         text       `json:"email"`
	URL           text       `json:"url"`
	RegionInfo    text       `json:"region_info"`
}

func (w addressWire) record() Address {
	return Address{DetailAddress: string(w.DetailAddress), Tel: w.Tel.v, Phone: w.Phone.v, Email: string(w.Email),
		URL: string(w.URL), RegionInfo: string(w.RegionInfo)}
}

type customerWire struct {
	ID                soft[ID]                     `json:"id"`
	Name              text                         `json:"name"`
	Note              text                         `json:"note"`
	CommonID          soft[ID]                     `json:"common_id"`
	Status            soft[Text]                   `json:"status"`
	StatusMapped      text                         `json:"status_mapped"`
	Category          soft[Text]                   `json:"category"`
	CategoryMapped    text                         `json:"category_mapped"`
	Source            soft[Text]                   `json:"source"`
	SourceMapped      text                         `json:"source_mapped"`
	Industry          soft[Text]                   `json:"industry"`
	IndustryMapped    text                         `json:"industry_mapped"`
	StaffSize         soft[Text]                   `json:"staff_size"`
	StaffSizeMapped   text                         `json:"staff_size_mapped"`
	CreatedAt         text                         `json:"created_at"`
	UpdatedAt         text                         `json:"updated_at"`
	UserID            soft[ID]                     `json:"user_id"`
	UserName          text                         `json:"user_name"`
	Address           object[addressWire, Address] `json:"address"`
	User              object[namedWire, Named]     `json:"user"`
	OwnedDepartment   object[namedWire, Named]     `json:"owned_department"`
	CommonSettingName text                         `json:"common_setting_name"`
}

func (w customerWire) record() Customer {
	return Customer{ID: w.ID.v, Name: string(w.Name), Note: string(w.Note), CommonID: w.CommonID.v,
		Status: w.Status.v, StatusMapped: string(w.StatusMapped), Category: w.Category.v, CategoryMapped: string(w.CategoryMapped),
		Source: w.Source.v, SourceMapped: string(w.SourceMapped), Industry: w.Industry.v, IndustryMapped: string(w.IndustryMapped),
		StaffSize: w.StaffSize.v, StaffSizeMapped: string(w.StaffSizeMapped), CreatedAt: string(w.CreatedAt), UpdatedAt: string(w.UpdatedAt),
		UserID: w.UserID.v, UserName: string(w.UserName), Address: w.Address.v, User: w.User.v, OwnedDepartment: w.OwnedDepartment.v,
		CommonSettingName: string(w.CommonSettingName)}
}

type userWire struct {
	ID             soft[ID]   `json:"id"`
	Name           text       `json:"name"`
	Email          text       `json:"email"`
	Phone          soft[Text] `json:"phone"`
	OrganizationID soft[ID]   `json:"organization_id"`
	DepartmentID   soft[ID]   `json:"department_id"`
	DepartmentName text       `json:"department_name"`
}

func (w userWire) record() User {
	return User{ID: w.ID.v, Name: string(w.Name), Email: string(w.Email), Phone: w.Phone.v,
		OrganizationID: w.OrganizationID.v, DepartmentID: w.DepartmentID.v, DepartmentName: string(w.DepartmentName)}
}

type loginResultWire struct {
	UserToken text     `json:"user_token"`
	UserID    soft[ID] `json:"user_id"`
}

func (w loginResultWire) record() LoginResult {
	return LoginResult{UserToken: string(w.UserToken), UserID: w.UserID.v}
}

type customFieldOptionWire struct {
	Value  soft[Text] `json:"value"`
	Label  text       `json:"label"`
	Status text       `json:"status"`
}

func (w customFieldOptionWire) record() CustomFieldOption {
	return CustomFieldOption{Value: w.Value.v, Label: string(w.Label), Status: string(w.Status)}
}

type inputFieldOptionsWire struct {
	CollectionOptions list[customFieldOptionWire, CustomFieldOption] `json:"collection_options"`
}

func (w inputFieldOptionsWire) record() InputFieldOptions {
	return InputFieldOptions{CollectionOptions: w.CollectionOptions.v}
}

type customFieldWire struct {
	ID                soft[ID]                                         `json:"id"`
	Name              text                                             `json:"name"`
	Label             text                                             `json:"label"`
	FieldType         text                                             `json:"field_type"`
	Required          flag                                             `json:"required"`
	Status            text                                             `json:"status"`
	Position          soft[Int]                                        `json:"position"`
	InputFieldOptions nested[inputFieldOptionsWire, InputFieldOptions] `json:"input_field_options"`
}

func (w customFieldWire) record() CustomField {
	return CustomField{ID: w.ID.v, Name: string(w.Name), Label: string(w.Label), FieldType: string(w.FieldType),
		Required: bool(w.Required), Status: string(w.Status), Position: w.Position.v, InputFieldOptions: w.InputFieldOptions.v}
}

type customFieldGroupWire struct {
	ID       soft[ID]                           `json:"id"`
	Label    text                               `json:"label"`
	Position soft[Int]                          `json:"position"`
	Status   text                               `json:"status"`
	Fields   list[customFieldWire, CustomField] `json:"custom_fields"`
}

func (w customFieldGroupWire) record() CustomFieldGroup {
	return CustomFieldGroup{ID: w.ID.v, Label: string(w.Label), Position: w.Position.v, Status: string(w.Status), Fields: w.Fields.v}
}

type departmentWire struct {
	ID       soft[ID] `json:"id"`
	Name     text     `json:"name"`
	ParentID soft[ID] `json:"parent_id"`
}

func (w departmentWire) record() Department {
	return Department{ID: w.ID.v, Name: string(w.Name), ParentID: w.ParentID.v}
}
