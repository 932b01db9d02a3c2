package sandbox

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// Times are shown in China Standard Time, as the API does.
var cst = time.FixedZone("CST", 8*3600)

func fmtTime(t time.Time) string { return t.In(cst).Format("2006-01-02 15:04") }

// viewKind says which answer a customer view is for: the types of some keys drift
// between them, as the API's do.
type viewKind int

const (
	createView viewKind = iota // the answer of a create: staff_size is a number (0 when unset)
	detailView                 // GET common_customers/:id: staff_size is a string ("" when unset)
)

// poolOf is a customer's common_id as the API shows it: null once it left its pool.
func poolOf(r *customerRec) any {
	if r.CommonID == 0 {
		return nil
	}
	return r.CommonID
}

// customerView renders a stored customer as the API answers it (ikcrm-api.md §6).
func (s *Server) customerView(c *storedCustomer, viewer int64, contacts []storedContact, kind viewKind) map[string]any {
	r := &c.Rec
	v := map[string]any{
		"id": c.ID, "name": r.Name, "note": r.Note, "common_id": poolOf(r),
		"created_at": fmtTime(r.CreatedAt), "updated_at": fmtTime(r.CreatedAt),
		"is_own": r.UserID == viewer, "user_id": r.UserID,
		"parent_id": nil, "custom_field_template_id": nil,
	}
	if r.ParentID != nil {
		v["parent_id"] = *r.ParentID
	}
	if r.TemplateID != nil {
		v["custom_field_template_id"] = *r.TemplateID
	}
	for _, k := range customerSelectKeys {
		id := r.Selects[k]
		lbl := ""
		if id != "" {
			lbl = s.seed.customerSel[k][id].Value
		}
		if k == "staff_size" {
			// The API's type drift, kept on purpose (ikcrm-api.md §6): staff_size is 0 in
			// one view and "" in another. The create answer has the number (the API's
			// example), the detail the option id as a string, like the other selects.
			if kind == createView {
				n, _ := strconv.ParseInt(id, 10, 64)
				v[k] = n
			} else {
				v[k] = id
			}
			v["staff_size_display"] = lbl
		} else {
			v[k] = id
		}
		v[k+"_mapped"] = lbl
	}
	for k, x := range r.Custom {
		v[k] = x // a key no longer described (a store written before) shows as stored
	}
	var template int64
	if r.TemplateID != nil {
		template = *r.TemplateID
	}
	_, form := s.seed.customerForm(template)
	for _, f := range form {
		if f.Enabled {
			v[f.Name] = customView(f.customField, r.Custom[f.Name])
		}
	}
	if u, ok := s.seed.user(r.UserID); ok {
		v["user"] = map[string]any{"id": u.ID, "name": u.Name, "email": u.Email}
	}
	if d, ok := s.seed.deptByID[r.DepartmentID]; ok {
		v["owned_department"] = map[string]any{"id": d.ID, "name": d.Name}
	}
	if pool, ok := s.seed.poolIDs[r.CommonID]; ok {
		v["common_setting_name"] = pool
	}
	v["address"] = s.addressView(r)
	list := make([]map[string]any, 0, len(contacts))
	for _, ct := range contacts {
		list = append(list, contactView(ct))
	}
	v["contacts"] = list
	return v
}

// customView renders a custom field's value as the API does (ikcrm-api.md §6): every
// described field is present, "" when it has no value (null for a numeric field, the
// sandbox's choice); a number field's value is a number, however it was sent; a
// multi_select's is the list of its codes ([] when empty, the sandbox's choice).
func customView(f customField, stored any) any {
	text := ""
	if f.FieldType == "multi_select" {
		if list, isList := stored.([]any); isList {
			return list
		}
		if stored == nil {
			return []any{}
		}
		return stored
	}
	switch x := stored.(type) {
	case string:
		text = x
	case json.Number:
		text = x.String()
	case float64: // numbers read back from the store
		text = strconv.FormatFloat(x, 'f', -1, 64)
	case nil:
	default:
		return stored
	}
	text = strings.TrimSpace(text)
	if f.FieldType != "number_field" && f.FieldType != "currency_field" {
		if str, ok := stored.(string); ok {
			return str
		}
		return text
	}
	if text == "" {
		return nil
	}
	if !numberRE.MatchString(text) {
		return text
	}
	return json.Number(text)
}

func (s *Server) addressView(r *customerRec) map[string]any {
	a := map[string]any{"id": r.AddressID, "lat": 0, "lng": 0}
	for _, k := range addressTextKeys {
		a[k] = r.Address[k]
	}
	var info []string
	for _, k := range addressRegionKeys {
		name := strings.TrimSuffix(k, "_id")
		id := r.Regions[k]
		a[k] = id
		obj := map[string]any{}
		if reg, ok := s.seed.regionByID[id]; ok && id != 0 {
			obj = map[string]any{"id": reg.ID, "name": reg.Name, "pinyin": nil}
			if len(info) == 0 || info[len(info)-1] != reg.Name {
				info = append(info, reg.Name)
			}
		} else if id != 0 {
			obj = map[string]any{"id": id, "name": "", "pinyin": nil}
		}
		a[name] = obj
	}
	a["region_info"] = strings.Join(info, " ")
	return a
}

func contactView(c storedContact) map[string]any {
	v := map[string]any{
		"id": c.ID, "customer_id": c.Rec.CustomerID, "user_id": c.Rec.UserID,
		"created_at": fmtTime(c.Rec.CreatedAt), "updated_at": fmtTime(c.Rec.CreatedAt),
	}
	for _, k := range contactKeys {
		v[k] = c.Rec.Fields[k]
	}
	return v
}
