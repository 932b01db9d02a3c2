package api

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// ID is an identifier the API sends as a number or as a string; it is kept as text.
type ID string

func (id *ID) UnmarshalJSON(b []byte) error {
	s, err := flexText(b)
	*id = ID(s)
	return err
}

func (id ID) String() string { return string(id) }

// Text is a scalar whose JSON type drifts (0 or "" for staff_size, "7" or 7 for a select
// option); it is kept as text. null becomes "".
type Text string

func (t *Text) UnmarshalJSON(b []byte) error {
	s, err := flexText(b)
	*t = Text(s)
	return err
}

func (t Text) String() string { return string(t) }

// Int is an integer the API may send as a number or a string ("10"); "" and null are 0.
type Int int64

func (n *Int) UnmarshalJSON(b []byte) error {
	s, err := flexText(b)
	if err != nil {
		return err
	}
	s = strings.TrimSpace(s)
	if s == "" || s == "false" {
		*n = 0
		return nil
	}
	if s == "true" {
		*n = 1
		return nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return &json.UnmarshalTypeError{Value: "string " + strconv.Quote(s), Type: nil}
	}
	*n = Int(v)
	return nil
}

// flexText turns a JSON scalar (string, number, bool, null) into text. Objects and
// arrays are an error.
func flexText(b []byte) (string, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || bytes.Equal(b, []byte("null")) {
		return "", nil
	}
	switch b[0] {
	case '"':
		var s string
		err := json.Unmarshal(b, &s)
		return s, err
	case '{', '[':
		return "", &json.UnmarshalTypeError{Value: "object or array"}
	default:
		return string(b), nil
	}
}

// Pool is a public pool (公海) from common_settings.
type Pool struct {
	ID             ID     `json:"id"`
	OrganizationID ID     `json:"organization_id"`
	Name           string `json:"name"`
	RuleType       Int    `json:"rule_type"`
	// LimitGrabCount customers may be claimed (领取) from the pool per LimitGrabDay days,
	// when LimitGrabEnable.
	LimitGrabEnable bool       `json:"limit_grab_enable"`
	LimitGrabDay    Int        `json:"limit_grab_day"`
	LimitGrabCount  Int        `json:"limit_grab_count"`
	RuleConfig      RuleConfig `json:"rule_config"`
	CreatedAt       string     `json:"created_at"`
	UpdatedAt       string     `json:"updated_at"`
}

// RuleConfig holds a pool's return rules: after how many days without follow-up
// (owner) or without a deal (unsold) a customer flows back into it. The API sends the
// numbers as strings.
type RuleConfig struct {
	Owner struct {
		MaxUnfollowDay Int `json:"max_unfollow_day"`
	} `json:"owner"`
	Unsold struct {
		MaxUnfollowDay Int `json:"max_unfollow_day"`
	} `json:"unsold"`
}

// PoolList is the answer of common_settings.
type PoolList struct {
	Pools []Pool
	// Raw is the pools array exactly as the API sent it (never null; "[]" when empty).
	Raw json.RawMessage
}

// FieldOption is one option of a select field.
type FieldOption struct {
	ID       ID     `json:"id"`
	Value    string `json:"value"`
	Name     string `json:"name"`
	Position Int    `json:"position"`
	Status   string `json:"status"`
}

// Label is the option's display label: value, falling back to name.
func (o FieldOption) Label() string {
	if o.Value != "" {
		return o.Value
	}
	return o.Name
}

// Enabled reports whether the option may be used for new records.
func (o FieldOption) Enabled() bool { return o.Status == "enable" }

// FieldMap is one select field of an entity.
type FieldMap struct {
	ID        ID            `json:"id"`
	FieldName string        `json:"field_name"`
	FieldType string        `json:"field_type"`
	Label     string        `json:"label"`
	Options   []FieldOption `json:"field_values"`
}

// FieldMapList is the answer of field_maps/<entity>.
type FieldMapList struct {
	Entity string
	Fields []FieldMap
	// Raw is the entity's array exactly as the API sent it (never null).
	Raw json.RawMessage
}

// Field returns the select field with the given field_name.
func (l *FieldMapList) Field(name string) (FieldMap, bool) {
	for _, f := range l.Fields {
		if f.FieldName == name {
			return f, true
		}
	}
	return FieldMap{}, false
}

// Named is an {id, name} object the API nests in records.
type Named struct {
	ID   ID     `json:"id"`
	Name string `json:"name"`
}

// Address is a customer's address_attributes as read back.
type Address struct {
	DetailAddress string `json:"detail_address"`
	Tel           Text   `json:"tel"`
	Phone         Text   `json:"phone"`
	Email         string `json:"email"`
	URL           string `json:"url"`
	RegionInfo    string `json:"region_info"`
}

// Customer is a customer record. Only the fields crmctl shows are typed; Raw keeps the
// record exactly as the API sent it.
type Customer struct {
	ID              ID              `json:"id"`
	Name            string          `json:"name"`
	Note            string          `json:"note"`
	CommonID        ID              `json:"common_id"`
	Status          Text            `json:"status"`
	StatusMapped    string          `json:"status_mapped"`
	Category        Text            `json:"category"`
	CategoryMapped  string          `json:"category_mapped"`
	Source          Text            `json:"source"`
	SourceMapped    string          `json:"source_mapped"`
	Industry        Text            `json:"industry"`
	IndustryMapped  string          `json:"industry_mapped"`
	StaffSize       Text            `json:"staff_size"`
	StaffSizeMapped string          `json:"staff_size_mapped"`
	CreatedAt       string          `json:"created_at"`
	UpdatedAt       string          `json:"updated_at"`
	UserID          ID              `json:"user_id"`
	UserName        string          `json:"user_name"` // the owner's name, in a matching_name answer
	Address         *Address        `json:"address"`
	User            *Named          `json:"user"`
	OwnedDepartment *Named          `json:"owned_department"`
	Raw             json.RawMessage `json:"-"`

	// CommonSettingName is the name of the customer's pool, which the record carries
	// beside common_id; "" in an answer without it.
	CommonSettingName string `json:"common_setting_name"`
}

// CustomerList is a list of customers (duplicates/matching_name).
type CustomerList struct {
	Customers []Customer
	Raw       json.RawMessage
}

// User is the current user (user/info).
type User struct {
	ID             ID              `json:"id"`
	Name           string          `json:"name"`
	Email          string          `json:"email"`
	Phone          Text            `json:"phone"`
	OrganizationID ID              `json:"organization_id"`
	DepartmentID   ID              `json:"department_id"`
	DepartmentName string          `json:"department_name"`
	Raw            json.RawMessage `json:"-"`
}

// LoginParams are the credentials of auth/login.
type LoginParams struct {
	Login    string
	Password string
	CorpID   string
}

// LoginResult is the answer of auth/login.
type LoginResult struct {
	UserToken string `json:"user_token"`
	UserID    ID     `json:"user_id"`
}

// CustomFieldOption is one option of a custom select field: the code sent on create
// (value, e.g. sel_6010) and its label.
type CustomFieldOption struct {
	Value Text   `json:"value"`
	Label string `json:"label"`
	// Status is not documented for options; an option marked anything but "enable" is
	// treated as disabled, an option without one as enabled.
	Status string `json:"status"`
}

// Enabled reports whether the option may be used for new records.
func (o CustomFieldOption) Enabled() bool { return o.Status == "" || o.Status == "enable" }

// InputFieldOptions holds a select's options.
type InputFieldOptions struct {
	CollectionOptions []CustomFieldOption `json:"collection_options"`
}

// CustomField is one custom field of an entity's form (custom_fields/<entity>/by_group).
type CustomField struct {
	ID                ID                `json:"id"`
	Name              string            `json:"name"` // the key sent on create: text_asset_fbf817
	Label             string            `json:"label"`
	FieldType         string            `json:"field_type"`
	Required          bool              `json:"required"`
	Status            string            `json:"status"`
	Position          Int               `json:"position"`
	InputFieldOptions InputFieldOptions `json:"input_field_options"`
}

// Enabled reports whether the field may be used ("enable", or no status at all).
func (f CustomField) Enabled() bool { return f.Status == "" || f.Status == "enable" }

// CustomFieldGroup is one group of an entity's form.
type CustomFieldGroup struct {
	ID       ID            `json:"id"`
	Label    string        `json:"label"`
	Position Int           `json:"position"`
	Status   string        `json:"status"`
	Fields   []CustomField `json:"custom_fields"`
}

// Enabled reports whether the group's fields may be used ("enable", or no status).
func (g CustomFieldGroup) Enabled() bool { return g.Status == "" || g.Status == "enable" }

// CustomFieldList is the answer of custom_fields/<entity>/by_group.
type CustomFieldList struct {
	Groups []CustomFieldGroup
	// Raw is the groups array exactly as the API sent it (never null).
	Raw json.RawMessage
}

// Department is one department (departments).
type Department struct {
	ID       ID     `json:"id"`
	Name     string `json:"name"`
	ParentID ID     `json:"parent_id"`
}

// DepartmentList is the answer of departments.
type DepartmentList struct {
	Departments []Department
	// Raw is the departments array exactly as the API sent it (never null).
	Raw json.RawMessage
}
