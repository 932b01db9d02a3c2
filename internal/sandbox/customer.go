package sandbox

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// customerRec is a pool customer as stored (the validated create parameters).
type customerRec struct {
	CommonID     int64             `json:"common_id"` // its pool; 0 once transferred to a user
	Name         string            `json:"name"`
	Note         string            `json:"note"`
	Selects      map[string]string `json:"selects,omitempty"` // status, category, ... -> option id
	TemplateID   *int64            `json:"custom_field_template_id,omitempty"`
	ParentID     *int64            `json:"parent_id,omitempty"`
	DepartmentID int64             `json:"department_id"`
	UserID       int64             `json:"user_id"`
	Address      map[string]string `json:"address,omitempty"` // tel, phone, ... detail_address
	Regions      map[string]int64  `json:"regions,omitempty"` // country_id, province_id, city_id, district_id
	AddressID    int64             `json:"address_id"`
	Custom       map[string]any    `json:"custom,omitempty"` // *_asset_* keys, values as sent
	CreatedAt    time.Time         `json:"created_at"`

	contacts      []*contactRec
	opportunities []map[string]string
}

type contactRec struct {
	CustomerID int64             `json:"customer_id"`
	UserID     int64             `json:"user_id"`
	Fields     map[string]string `json:"fields"`
	CreatedAt  time.Time         `json:"created_at"`
}

// The writable customer keys of ikcrm-api.md §6.
var (
	customerTextKeys   = []string{"name", "note"}
	customerSelectKeys = []string{"status", "category", "source", "industry", "staff_size"}
	customerIntKeys    = []string{"custom_field_template_id", "parent_id", "want_department_id"}
	addressTextKeys    = []string{"detail_address", "tel", "url", "zip", "fax", "qq", "wechat", "wangwang", "phone", "email"}
	addressRegionKeys  = []string{"country_id", "province_id", "city_id", "district_id"}
	contactKeys        = []string{"name", "job", "department", "tel", "phone", "email", "qq", "wechat", "address", "note"}
	opportunityKeys    = []string{"title", "expect_amount", "expect_sign_date", "note"}
	customKeyRE        = regexp.MustCompile(`^[a-z][a-z_]*_asset_[0-9a-f]+$`)
)

// Chinese names of the fields, for error messages.
var fieldLabels = map[string]string{
	"common_id": "公海", "name": "客户名称", "note": "备注", "status": "跟进状态", "category": "客户类型",
	"source": "客户来源", "industry": "行业", "staff_size": "员工人数", "custom_field_template_id": "业务模版",
	"parent_id": "上级客户", "want_department_id": "所属部门", "country_id": "国家", "province_id": "省份",
	"city_id": "城市", "district_id": "区县",
}

type fieldError struct{ Field, Msg string }

type validationErrors []fieldError

func (v *validationErrors) add(field, format string, a ...any) {
	*v = append(*v, fieldError{Field: field, Msg: fmt.Sprintf(format, a...)})
}

func (v validationErrors) has(field string) bool {
	for _, e := range v {
		if e.Field == field {
			return true
		}
	}
	return false
}

func (v validationErrors) message() string {
	parts := make([]string, len(v))
	for i, e := range v {
		parts[i] = e.Field + ": " + e.Msg
	}
	return strings.Join(parts, "; ")
}

func label(key string) string {
	if l, ok := fieldLabels[key]; ok {
		return l + "(" + key + ")"
	}
	return key
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// parseID reads a positive integer id from a string or a JSON number.
func parseID(v any) (int64, bool) {
	s, ok := scalarString(v)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n <= 0 {
		return 0, false
	}
	return n, true
}

func isBlank(v any) bool {
	s, ok := scalarString(v)
	return ok && strings.TrimSpace(s) == ""
}

// buildCustomer validates the parameters of a create (ikcrm-api.md §6) and returns the
// record to store, or every problem found.
func (s *Server) buildCustomer(ctx context.Context, params map[string]any, user seedUser, q querier) (*customerRec, validationErrors) {
	b := &customerBuilder{
		s: s, ctx: ctx, q: q, user: user,
		rec: &customerRec{UserID: user.ID, DepartmentID: user.DepartmentID, CreatedAt: s.now()},
	}
	b.pool(params["common_id"])
	cust, ok := b.customerParams(params["customer"])
	if !ok {
		return nil, b.errs
	}
	keys := make([]string, 0, len(cust))
	for k := range cust {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		b.field(k, cust[k])
	}
	b.customFields(cust)
	if len(b.errs) > 0 {
		return nil, b.errs
	}
	return b.rec, nil
}

// customerBuilder gathers the record of a create and the problems of its parameters,
// one parameter at a time.
type customerBuilder struct {
	s    *Server
	ctx  context.Context
	q    querier
	user seedUser

	rec     *customerRec
	errs    validationErrors
	customs []string // the custom fields' keys, checked once the template is known
}

// pool checks common_id: required, an integer, a pool that exists.
func (b *customerBuilder) pool(v any) {
	if v == nil || isBlank(v) {
		b.errs.add("common_id", "公海id不能为空 (required: the pool id, see common_settings)")
		return
	}
	id, ok := parseID(v)
	switch {
	case !ok:
		b.errs.add("common_id", "公海id必须是整数 (must be an integer pool id), got %s", show(v))
	case !b.poolExists(id):
		b.errs.add("common_id", "公海不存在 (no pool with id %d)", id)
	default:
		b.rec.CommonID = id
	}
}

func (b *customerBuilder) poolExists(id int64) bool {
	_, exists := b.s.seed.poolIDs[id]
	return exists
}

// customerParams is the customer object of the parameters (none is an empty one); not
// ok when it is something else, which ends the check.
func (b *customerBuilder) customerParams(v any) (map[string]any, bool) {
	switch v := v.(type) {
	case nil:
		return map[string]any{}, true
	case map[string]any:
		return v, true
	}
	b.errs.add("customer", "参数格式错误 (must be an object of customer fields)")
	return nil, false
}

// field checks one customer[key] parameter and records its value.
func (b *customerBuilder) field(k string, v any) {
	field := "customer[" + k + "]"
	switch {
	case contains(customerTextKeys, k):
		b.text(field, k, v)
	case contains(customerSelectKeys, k):
		b.option(field, k, v)
	case contains(customerIntKeys, k):
		b.reference(field, k, v)
	case k == "address_attributes":
		b.s.buildAddress(b.rec, v, &b.errs)
	case k == "contacts_attributes":
		for _, m := range nestedList(v, field, contactKeys, &b.errs) {
			b.rec.contacts = append(b.rec.contacts, &contactRec{UserID: b.user.ID, Fields: m, CreatedAt: b.rec.CreatedAt})
		}
	case k == "opportunities_attributes":
		b.rec.opportunities = append(b.rec.opportunities, nestedList(v, field, opportunityKeys, &b.errs)...)
	case customKeyRE.MatchString(k):
		b.customs = append(b.customs, k) // checked by customFields, against the form of the template
	default:
		b.errs.add(field, "未知字段 %q (unknown customer field)", k)
	}
}

// text records name (trimmed) or note.
func (b *customerBuilder) text(field, k string, v any) {
	str, ok := scalarString(v)
	if !ok {
		b.errs.add(field, "%s必须是字符串 (must be a string), got %s", label(k), kind(v))
		return
	}
	if k == "name" {
		b.rec.Name = strings.TrimSpace(str)
	} else {
		b.rec.Note = str
	}
}

// option records a select field of the customer field map: an enabled option's id.
func (b *customerBuilder) option(field, k string, v any) {
	if isBlank(v) {
		return
	}
	str, ok := scalarString(v)
	if !ok {
		b.errs.add(field, "%s必须是选项id (must be an option id), got %s", label(k), kind(v))
		return
	}
	str = strings.TrimSpace(str)
	opt, found := b.s.seed.customerSel[k][str]
	switch {
	case !found:
		b.errs.add(field, "%s的值 %q 不是有效的选项id (not an option id of field map customer.%s; send the id, not the label)", label(k), str, k)
	case opt.Status != "enable":
		b.errs.add(field, "%s的选项 %q (%s) 已停用 (option is disabled)", label(k), str, opt.Value)
	default:
		if b.rec.Selects == nil {
			b.rec.Selects = map[string]string{}
		}
		b.rec.Selects[k] = str
	}
}

// reference records an id that names something else: a business template, a parent
// customer, a department; each must exist.
func (b *customerBuilder) reference(field, k string, v any) {
	if isBlank(v) {
		return
	}
	id, ok := parseID(v)
	if !ok {
		b.errs.add(field, "%s必须是整数 (must be an integer id), got %s", label(k), show(v))
		return
	}
	switch k {
	case "custom_field_template_id":
		if _, known := b.s.seed.templateGroups[id]; !known {
			b.errs.add(field, "业务模版不存在 (no business template with id %d)", id)
		} else {
			b.rec.TemplateID = &id
		}
	case "parent_id":
		exists, err := b.s.customerExists(b.ctx, b.q, id)
		if err != nil {
			b.errs.add(field, "无法检查上级客户 (cannot check the parent customer): %v", err)
		} else if !exists {
			b.errs.add(field, "上级客户不存在 (no customer with id %d)", id)
		} else {
			b.rec.ParentID = &id
		}
	case "want_department_id":
		if _, ok := b.s.seed.deptByID[id]; !ok {
			b.errs.add(field, "部门不存在 (no department with id %d)", id)
		} else {
			b.rec.DepartmentID = id
		}
	}
}

// customFields checks the custom fields sent against the form of the template (or the
// customer form), and that every required field of that form has a value.
func (b *customerBuilder) customFields(cust map[string]any) {
	var template int64
	if b.rec.TemplateID != nil {
		template = *b.rec.TemplateID
	}
	form, list := b.s.seed.customerForm(template)
	for _, k := range b.customs {
		if val, keep := b.s.checkCustom("customer["+k+"]", k, cust[k], form, &b.errs); keep {
			if b.rec.Custom == nil {
				b.rec.Custom = map[string]any{}
			}
			b.rec.Custom[k] = val
		}
	}
	for _, f := range list {
		if _, stored := b.rec.Custom[f.Name]; f.Enabled && f.Required && !stored && !b.errs.has("customer["+f.Name+"]") {
			b.errs.add("customer["+f.Name+"]", "%s(%s)是必填项 (required by the form of %s)", f.Label, f.Name, templateName(b.s.seed, template))
		}
	}
}

// The layouts a datetime custom field accepts, and a date field's.
var (
	datetimeLayouts = []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02"}
	dateLayouts     = []string{"2006-01-02"}
)

// A number as JSON writes it (strconv.ParseFloat also takes NaN, Inf and hex).
var numberRE = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)

func templateName(seed *seedData, template int64) string {
	for _, t := range seed.Templates {
		if t.ID == template {
			return fmt.Sprintf("business template %d %s", t.ID, t.Name)
		}
	}
	return "the customer form"
}

// checkCustom checks the value of a custom field against the form in use (GET
// custom_fields/customer/by_group, with the template's id when there is one): the field
// is on the form and enabled, a select gets one of its option codes (sel_6010, never the
// label), a multi_select a list of them (customer[key][]=...), a number field a number, a
// date or datetime field a date. It returns the value to store and whether to store it:
// not when blank (a blank required field is then missing) or wrong (the error is added to
// errs).
func (s *Server) checkCustom(field, key string, v any, form map[string]formField, errs *validationErrors) (any, bool) {
	f, described := form[key]
	if !described {
		if _, elsewhere := s.seed.customerCustom[key]; elsewhere {
			errs.add(field, "自定义字段 %q 不在此业务模版的表单中 (not a field of this form; see custom_fields/customer/by_group?custom_field_template_id=)", key)
		} else {
			errs.add(field, "未知的自定义字段 %q (not a custom field of customer; see custom_fields/customer/by_group)", key)
		}
		return nil, false
	}
	c := customCheck{f: f, field: field, name: f.Label + "(" + key + ")", errs: errs}
	if !f.Enabled {
		if !isBlank(v) {
			errs.add(field, "%s已停用 (the field is disabled)", c.name)
		}
		return nil, false
	}
	if f.FieldType == "multi_select" {
		return c.multiSelect(v)
	}
	text, ok := scalarString(v)
	if !ok {
		errs.add(field, "%s的值必须是文本 (must be a single value), got %s", c.name, kind(v))
		return nil, false
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, false
	}
	return v, c.single(text)
}

// customCheck checks the value sent for one enabled field of a form, adding what is
// wrong to errs.
type customCheck struct {
	f     formField
	field string // the parameter: customer[key]
	name  string // the field as errors name it: label(key)
	errs  *validationErrors
}

// isCode reports whether text is one of the field's option codes.
func (c customCheck) isCode(text string) bool {
	for _, o := range c.f.InputFieldOptions.CollectionOptions {
		if o.Value == text {
			return true
		}
	}
	return false
}

// codes lists the field's options ("sel_6010 label") for an error.
func (c customCheck) codes() string {
	var codes []string
	for _, o := range c.f.InputFieldOptions.CollectionOptions {
		codes = append(codes, o.Value+" "+o.Label)
	}
	return strings.Join(codes, ", ")
}

// multiSelect checks a multi_select's value, one code or a list of them; blank items
// are dropped and none is no value.
func (c customCheck) multiSelect(v any) (any, bool) {
	items, ok := v.([]any)
	if !ok {
		items = []any{v}
	}
	var out []any
	for _, it := range items {
		text, ok := scalarString(it)
		if !ok {
			c.errs.add(c.field, "%s的值必须是选项代码 (must be option codes), got %s", c.name, kind(it))
			return nil, false
		}
		if text = strings.TrimSpace(text); text == "" {
			continue
		}
		if !c.isCode(text) {
			c.errs.add(c.field, "%s的值 %q 不是有效的选项 (not an option code; send the codes, not the labels: %s)", c.name, text, c.codes())
			return nil, false
		}
		out = append(out, text)
	}
	return out, len(out) > 0
}

// single checks a one-value field's (trimmed, not blank) text by the field's type; it
// reports whether the value is right.
func (c customCheck) single(text string) bool {
	switch c.f.FieldType {
	case "number_field", "currency_field":
		if !numberRE.MatchString(text) {
			c.errs.add(c.field, "%s必须是数字 (must be a number), got %q", c.name, text)
			return false
		}
	case "datetime_field", "date_field":
		return c.date(text)
	case "email_field":
		if at := strings.LastIndex(text, "@"); at <= 0 || !strings.Contains(text[at:], ".") || strings.ContainsAny(text, " ,;") {
			c.errs.add(c.field, "%s必须是邮箱地址 (must be an email address), got %q", c.name, text)
			return false
		}
	case "select":
		if !c.isCode(text) {
			c.errs.add(c.field, "%s的值 %q 不是有效的选项 (not an option code; send the code, not the label: %s)", c.name, text, c.codes())
			return false
		}
	}
	return true
}

// date checks a date or datetime field's text against the layouts it accepts.
func (c customCheck) date(text string) bool {
	layouts, want := datetimeLayouts, "YYYY-MM-DD or YYYY-MM-DD HH:MM[:SS]"
	if c.f.FieldType == "date_field" {
		layouts, want = dateLayouts, "YYYY-MM-DD"
	}
	for _, layout := range layouts {
		if _, err := time.Parse(layout, text); err == nil {
			return true
		}
	}
	c.errs.add(c.field, "%s必须是日期 (must be %s), got %q", c.name, want, text)
	return false
}

func (s *Server) buildAddress(rec *customerRec, v any, errs *validationErrors) {
	m, ok := v.(map[string]any)
	if !ok {
		if isBlank(v) {
			return
		}
		errs.add("customer[address_attributes]", "地址必须是对象 (must be an object of address fields), got %s", kind(v))
		return
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		x := m[k]
		field := "customer[address_attributes][" + k + "]"
		switch {
		case contains(addressTextKeys, k):
			str, ok := scalarString(x)
			if !ok {
				errs.add(field, "必须是字符串 (must be a string), got %s", kind(x))
				continue
			}
			if str == "" {
				continue
			}
			if rec.Address == nil {
				rec.Address = map[string]string{}
			}
			rec.Address[k] = str
		case contains(addressRegionKeys, k):
			if isBlank(x) {
				continue
			}
			id, ok := parseID(x)
			if !ok {
				errs.add(field, "%s必须是整数 (must be an integer region id), got %s", label(k), show(x))
				continue
			}
			if rec.Regions == nil {
				rec.Regions = map[string]int64{}
			}
			rec.Regions[k] = id
		default:
			errs.add(field, "未知字段 %q (unknown address field)", k)
		}
	}
}

// nestedList reads Rails nested attributes: a list of objects, an object keyed by index
// ({"0":{...},"1":{...}}), or a single object without index (customer[contacts_attributes][name]).
// Entries whose values are all blank are dropped, as Rails' reject_if: :all_blank does.
func nestedList(v any, field string, allowed []string, errs *validationErrors) []map[string]string {
	var items []any
	var names []string
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		for i, e := range x {
			items = append(items, e)
			names = append(names, fmt.Sprintf("%s[%d]", field, i))
		}
	case map[string]any:
		digits, other := 0, 0
		for k := range x {
			if _, err := strconv.Atoi(k); err == nil {
				digits++
			} else {
				other++
			}
		}
		switch {
		case digits > 0 && other > 0:
			errs.add(field, "参数格式错误: 不能混用带序号和不带序号的写法 (mixes indexed and index-less keys)")
			return nil
		case digits > 0:
			idx := make([]string, 0, len(x))
			for k := range x {
				idx = append(idx, k)
			}
			sort.Slice(idx, func(a, b int) bool {
				na, _ := strconv.Atoi(idx[a])
				nb, _ := strconv.Atoi(idx[b])
				return na < nb
			})
			for _, k := range idx {
				items = append(items, x[k])
				names = append(names, field+"["+k+"]")
			}
		default:
			items = []any{x}
			names = []string{field}
		}
	default:
		if isBlank(v) {
			return nil
		}
		errs.add(field, "参数格式错误 (must be a list of objects), got %s", kind(v))
		return nil
	}
	var out []map[string]string
	for i, it := range items {
		m, ok := it.(map[string]any)
		if !ok {
			errs.add(names[i], "参数格式错误 (must be an object), got %s", kind(it))
			continue
		}
		rec := map[string]string{}
		bad := false
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if !contains(allowed, k) {
				errs.add(names[i]+"["+k+"]", "未知字段 %q (unknown field; allowed: %s)", k, strings.Join(allowed, ", "))
				bad = true
				continue
			}
			str, ok := scalarString(m[k])
			if !ok {
				errs.add(names[i]+"["+k+"]", "必须是字符串 (must be a string), got %s", kind(m[k]))
				bad = true
				continue
			}
			if str != "" {
				rec[k] = str
			}
		}
		if !bad && len(rec) > 0 {
			out = append(out, rec)
		}
	}
	return out
}

func kind(v any) string {
	switch v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	case string:
		return "a string"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

func show(v any) string {
	if s, ok := scalarString(v); ok {
		return strconv.Quote(s)
	}
	return kind(v)
}
