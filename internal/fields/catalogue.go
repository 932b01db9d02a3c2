// Package fields is the catalogue of the fields a public-pool customer is created with —
// the 27 parameters of POST /api/v2/common_customers, written once, as data — and what
// is derived from it: flag names, prompts, import columns, the form encoding and the
// resolution of select labels to field-map option ids.
package fields

import (
	"strings"

	"github.com/crmctl/crmctl/internal/i18n"
)

// Kind is how a field's value is typed and checked.
type Kind int

const (
	Text       Kind = iota // free text
	Int                    // a positive integer id (template, parent, department, region)
	Select                 // a field-map select: an option id or its label
	Email                  // free text shaped like an email address
	Pool                   // the public pool: its id or exact name (common_id)
	Department             // a department: its id or exact name (want_department_id)
)

func (k Kind) String() string {
	switch k {
	case Int:
		return "id"
	case Select:
		return "select"
	case Email:
		return "email"
	case Pool:
		return "pool"
	case Department:
		return "department"
	default:
		return "text"
	}
}

// Field is one parameter of the create call.
type Field struct {
	Flag  string // flag name, also an import header: "tel"
	Key   string // API key under customer[...]: "address_attributes[tel]"; "common_id" for the pool
	Name  string // English name: "Telephone"
	Label string // the CRM's Chinese label: "电话"
	Kind  Kind
	// Help is the flag's usage and the prompt's help, in English: a message of the
	// catalogue, which the prompts show in the chosen language. No back quotes (pflag
	// reads them as the value name).
	Help    string
	Aliases []string // more import headers that mean this field
	// Basic fields are asked one by one in the interactive flow; the others are offered
	// under "More fields".
	Basic bool
	// OldFlags are earlier names of the flag, still accepted (hidden in --help).
	OldFlags []string
}

// Title names the field in English and Chinese: "Status (跟进状态)".
func (f Field) Title() string { return f.Name + " (" + f.Label + ")" }

// Param is the form parameter: "customer[address_attributes][tel]", or "common_id".
func (f Field) Param() string { return FormName(f.Key) }

// FormName turns an API key into its form parameter under customer[...]:
// "address_attributes[tel]" -> "customer[address_attributes][tel]". "common_id" stays
// top-level.
func FormName(key string) string {
	if key == PoolKey {
		return key
	}
	head, rest, _ := strings.Cut(key, "[")
	if rest != "" {
		rest = "[" + rest
	}
	return "customer[" + head + "]" + rest
}

// PoolKey is the API key of the pool.
const PoolKey = "common_id"

// DepartmentKey is the API key of the owning department, TemplateKey the business
// template's.
const (
	DepartmentKey = "want_department_id"
	TemplateKey   = "custom_field_template_id"
)

// catalogue is the seed's table. Adding a field is adding a line.
var catalogue = []Field{
	{Flag: "pool", Key: PoolKey, Name: "Pool", Label: "公海", Kind: Pool, Basic: true, Aliases: []string{"common_id", "公海名称"},
		Help: helpText(i18n.M("the public pool (公海) to create the customer in: its id or exact name"))},
	{Flag: "name", Key: "name", Name: "Name", Label: "客户名称", Kind: Text, Basic: true,
		Help: helpText(i18n.M("the customer's name"))},
	{Flag: "status", Key: "status", Name: "Status", Label: "跟进状态", Kind: Select, Basic: true,
		Help: helpText(i18n.M("follow-up status: an option label or id from crmctl fieldmaps show"))},
	{Flag: "category", Key: "category", Name: "Category", Label: "客户类型", Kind: Select, Basic: true,
		Help: helpText(i18n.M("customer type: an option label or id"))},
	{Flag: "source", Key: "source", Name: "Source", Label: "客户来源", Kind: Select, Basic: true,
		Help: helpText(i18n.M("where the customer came from: an option label or id"))},
	{Flag: "industry", Key: "industry", Name: "Industry", Label: "所属行业", Kind: Select, Basic: true, Aliases: []string{"行业"},
		Help: helpText(i18n.M("industry: an option label or id"))},
	{Flag: "staff-size", Key: "staff_size", Name: "Staff size", Label: "人员规模", Kind: Select, Basic: true, Aliases: []string{"员工人数"},
		Help: helpText(i18n.M("staff size: an option label or id"))},
	{Flag: "note", Key: "note", Name: "Note", Label: "备注", Kind: Text,
		Help: helpText(i18n.M("a free-text note"))},
	{Flag: "address", Key: "address_attributes[detail_address]", Name: "Address", Label: "地址详情", Kind: Text, Aliases: []string{"detail-address", "地址", "详细地址"},
		Help: helpText(i18n.M("street address"))},
	{Flag: "tel", Key: "address_attributes[tel]", Name: "Telephone", Label: "电话", Kind: Text, Aliases: []string{"telephone", "座机"},
		Help: helpText(i18n.M("landline telephone number"))},
	{Flag: "phone", Key: "address_attributes[phone]", Name: "Mobile", Label: "手机", Kind: Text, Aliases: []string{"mobile", "手机号"},
		Help: helpText(i18n.M("mobile phone number"))},
	{Flag: "email", Key: "address_attributes[email]", Name: "Email", Label: "邮箱", Kind: Email, Aliases: []string{"电子邮箱", "邮件"},
		Help: helpText(i18n.M("email address"))},
	{Flag: "url", Key: "address_attributes[url]", Name: "Website", Label: "网址", Kind: Text, Aliases: []string{"website", "网站"},
		Help: helpText(i18n.M("website address"))},
	{Flag: "zip", Key: "address_attributes[zip]", Name: "Zip code", Label: "邮编", Kind: Text, Aliases: []string{"邮政编码"},
		Help: helpText(i18n.M("postal code"))},
	{Flag: "fax", Key: "address_attributes[fax]", Name: "Fax", Label: "传真", Kind: Text,
		Help: helpText(i18n.M("fax number"))},
	{Flag: "qq", Key: "address_attributes[qq]", Name: "QQ", Label: "QQ", Kind: Text,
		Help: helpText(i18n.M("QQ number"))},
	{Flag: "wechat", Key: "address_attributes[wechat]", Name: "WeChat", Label: "微信", Kind: Text,
		Help: helpText(i18n.M("WeChat id"))},
	{Flag: "wangwang", Key: "address_attributes[wangwang]", Name: "Wangwang", Label: "旺旺", Kind: Text,
		Help: helpText(i18n.M("Aliwangwang id"))},
	{Flag: "country-id", Key: "address_attributes[country_id]", Name: "Country id", Label: "国家", Kind: Int,
		Help: helpText(i18n.M("region id of the country (4 is 中国)"))},
	{Flag: "province-id", Key: "address_attributes[province_id]", Name: "Province id", Label: "省份", Kind: Int,
		Help: helpText(i18n.M("region id of the province"))},
	{Flag: "city-id", Key: "address_attributes[city_id]", Name: "City id", Label: "城市", Kind: Int,
		Help: helpText(i18n.M("region id of the city"))},
	{Flag: "district-id", Key: "address_attributes[district_id]", Name: "District id", Label: "区县", Kind: Int,
		Help: helpText(i18n.M("region id of the district"))},
	{Flag: "contact-name", Key: "contacts_attributes[0][name]", Name: "Contact name", Label: "联系人姓名", Kind: Text, Aliases: []string{"联系人"},
		Help: helpText(i18n.M("name of the first contact"))},
	{Flag: "opportunity-title", Key: "opportunities_attributes[0][title]", Name: "Opportunity title", Label: "商机标题", Kind: Text,
		Help: helpText(i18n.M("title of a first opportunity (商机)"))},
	{Flag: "template-id", Key: TemplateKey, Name: "Template id", Label: "业务模版", Kind: Int, Aliases: []string{"业务模板"},
		Help: helpText(i18n.M("business template (业务模版) id: the customer gets that template's form and custom fields"))},
	{Flag: "parent-id", Key: "parent_id", Name: "Parent id", Label: "上级客户", Kind: Int,
		Help: helpText(i18n.M("id of the parent customer"))},
	{Flag: "department", Key: DepartmentKey, Name: "Department", Label: "所属部门", Kind: Department,
		Aliases: []string{"department-id", "部门"}, OldFlags: []string{"department-id"},
		Help: helpText(i18n.M("the owning department: its id or exact name"))},
}

// helpText is a help text of the table: a message of the catalogue, kept as its English
// text. A flag's usage shows it as it is; a prompt shows it in the chosen language (the
// prompter looks its help up in the catalogue).
func helpText(m i18n.Message) string { return m.Format }

// All returns the catalogue in its order (a copy).
func All() []Field { return append([]Field(nil), catalogue...) }

// ByFlag finds a field by its flag name.
func ByFlag(flag string) (Field, bool) {
	for _, f := range catalogue {
		if f.Flag == flag {
			return f, true
		}
	}
	return Field{}, false
}

// ByKey finds a field by its API key.
func ByKey(key string) (Field, bool) {
	for _, f := range catalogue {
		if f.Key == key {
			return f, true
		}
	}
	return Field{}, false
}

// SelectFields are the field-map selects, in catalogue order.
func SelectFields() []Field {
	var out []Field
	for _, f := range catalogue {
		if f.Kind == Select {
			out = append(out, f)
		}
	}
	return out
}
