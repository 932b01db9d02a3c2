package sandbox

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request, params map[string]any) {
	if param(params, "device") != wantDevice || param(params, "version_code") != wantVersion {
		fail(w, r, CodeInvalidApp, "invalid_app_error", "device参数错误")
		return
	}
	login, password := strings.TrimSpace(param(params, "login")), param(params, "password")
	if login == "" || password == "" {
		fail(w, r, CodeLoginFailed, "login_error", "账号和密码不能为空 (login and password are required)")
		return
	}
	if corp := strings.TrimSpace(param(params, "corp_id")); corp != "" && corp != strconv.FormatInt(s.seed.Organization.ID, 10) {
		fail(w, r, CodeLoginFailed, "login_error", "该账号不属于此企业 (the account is not in enterprise "+corp+")")
		return
	}
	if subtle.ConstantTimeCompare([]byte(login), []byte(s.opts.Login)) != 1 ||
		subtle.ConstantTimeCompare([]byte(password), []byte(s.opts.Password)) != 1 {
		fail(w, r, CodeLoginFailed, "login_error", "账号或密码错误 (wrong login or password)")
		return
	}
	token, err := s.login(r.Context(), s.user.ID)
	if err != nil {
		internal(w, r, err)
		return
	}
	d := s.userData(s.user)
	d["user_token"] = token
	d["user_id"] = s.user.ID
	ok(w, r, d)
}

func (s *Server) userData(u seedUser) map[string]any {
	d := map[string]any{
		"id": u.ID, "name": u.Name, "email": u.Email, "phone": u.Phone, "role": u.Role, "is_admin": u.Admin,
		"organization_id": s.seed.Organization.ID, "organization_name": s.seed.Organization.Name,
		"department_id": u.DepartmentID, "department_name": "",
	}
	if dep, found := s.seed.deptByID[u.DepartmentID]; found {
		d["department_name"] = dep.Name
	}
	return d
}

func (s *Server) handleUserInfo(w http.ResponseWriter, r *http.Request, _ map[string]any, u seedUser) {
	ok(w, r, s.userData(u))
}

// Pagination of the list calls (ikcrm-api.md §3, §7): page from 1, per_page 15 unless
// asked; the sandbox caps per_page at maxPerPage.
const (
	defaultPerPage = 15
	maxPerPage     = 200
)

// pageParams reads page and per_page; a missing, non-numeric or out-of-range value is the
// default (the API is lenient with them).
func pageParams(params map[string]any) (page, perPage int) {
	page, perPage = 1, defaultPerPage
	if v := param(params, "page"); v != "" {
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n > 0 {
			page = n
		}
	}
	if v := param(params, "per_page"); v != "" {
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n > 0 && n <= maxPerPage {
			perPage = n
		}
	}
	return page, perPage
}

// handleUserList is GET user/list (ikcrm-api.md §7): the organisation's users, optionally
// those whose name contains name or who belong to department_id, a page at a time, with
// page, per_page and total_count beside the list, as every paginated list of the API.
func (s *Server) handleUserList(w http.ResponseWriter, r *http.Request, params map[string]any, _ seedUser) {
	page, perPage := pageParams(params)
	name := strings.TrimSpace(param(params, "name"))
	dept := strings.TrimSpace(param(params, "department_id"))
	var match []map[string]any
	for _, u := range s.seed.Users {
		if u.ID == s.user.ID {
			u = s.user
		}
		if name != "" && !strings.Contains(u.Name, name) {
			continue
		}
		if dept != "" && strconv.FormatInt(u.DepartmentID, 10) != dept {
			continue
		}
		match = append(match, s.userData(u))
	}
	users := []map[string]any{}
	if from := (page - 1) * perPage; from < len(match) {
		users = match[from:min(from+perPage, len(match))]
	}
	ok(w, r, map[string]any{"users": users, "page": page, "per_page": perPage, "total_count": len(match)})
}

func (s *Server) handleDepartments(w http.ResponseWriter, r *http.Request, _ map[string]any, _ seedUser) {
	ok(w, r, map[string]any{"departments": s.seed.Departments})
}

func (s *Server) handlePools(w http.ResponseWriter, r *http.Request, _ map[string]any, _ seedUser) {
	ok(w, r, map[string]any{"common_settings": s.seed.Pools})
}

func (s *Server) handleFieldMap(w http.ResponseWriter, r *http.Request, entity string) {
	fm, found := s.seed.FieldMaps[entity]
	if !found {
		notFoundRecord(w, r, "field map of "+strconv.Quote(entity))
		return
	}
	if fm == nil {
		fm = []fieldMapEntry{}
	}
	ok(w, r, map[string]any{entity: fm})
}

// handleCustomFields answers the form of an entity: the groups of no template, or with
// custom_field_template_id those and the template's own. An unknown template is 100100.
func (s *Server) handleCustomFields(w http.ResponseWriter, r *http.Request, entity string, params map[string]any) {
	if _, found := s.seed.CustomFields[entity]; !found {
		notFoundRecord(w, r, "custom fields of "+strconv.Quote(entity))
		return
	}
	var template int64
	if v := params["custom_field_template_id"]; v != nil && !isBlank(v) {
		id, isID := parseID(v)
		if _, known := s.seed.templateGroups[id]; !isID || !known {
			notFoundRecord(w, r, "custom field template "+show(v))
			return
		}
		template = id
	}
	ok(w, r, map[string]any{"custom_field_groups": s.seed.formGroups(entity, template)})
}

func (s *Server) handleCreate(w http.ResponseWriter, r *http.Request, params map[string]any, u seedUser) {
	rec, verrs := s.buildCustomer(r.Context(), params, u, s.db)
	if len(verrs) > 0 {
		invalid(w, r, "客户创建失败 (invalid customer)", verrs)
		return
	}
	id, err := s.createCustomer(r.Context(), rec)
	if err != nil {
		internal(w, r, err)
		return
	}
	c, err := s.getCustomer(r.Context(), id)
	s.answerCustomer(w, r, id, c, err, u, createView)
}

// invalid answers validation errors: the message names every field, errors lists them.
func invalid(w http.ResponseWriter, r *http.Request, what string, verrs validationErrors) {
	list := make([]map[string]string, len(verrs))
	for i, e := range verrs {
		list[i] = map[string]string{"field": e.Field, "message": e.Msg}
	}
	envelope(w, r, map[string]any{
		"code": CodeInvalidParams, "error": "validation_error", "errors": list,
		"message": what + ": " + verrs.message(),
	})
}

// answerCustomer answers the customer c, loaded with the error err (errNotFound is code
// 100100).
func (s *Server) answerCustomer(w http.ResponseWriter, r *http.Request, id int64, c *storedCustomer, err error, u seedUser, kind viewKind) {
	if errors.Is(err, errNotFound) {
		notFoundRecord(w, r, fmt.Sprintf("customer %d", id))
		return
	}
	if err != nil {
		internal(w, r, err)
		return
	}
	contacts, _, err := s.contacts(r.Context(), id, 1000, 0)
	if err != nil {
		internal(w, r, err)
		return
	}
	ok(w, r, s.customerView(c, u.ID, contacts, kind))
}

func recordID(s string) (int64, bool) {
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}

func (s *Server) handleGet(w http.ResponseWriter, r *http.Request, idStr string, u seedUser) {
	id, valid := recordID(idStr)
	if !valid {
		notFoundRecord(w, r, "customer "+strconv.Quote(idStr))
		return
	}
	c, err := s.poolCustomer(r.Context(), id)
	s.answerCustomer(w, r, id, c, err, u, detailView)
}

func (s *Server) handleContacts(w http.ResponseWriter, r *http.Request, idStr string, params map[string]any) {
	id, valid := recordID(idStr)
	if !valid {
		notFoundRecord(w, r, "customer "+strconv.Quote(idStr))
		return
	}
	if _, err := s.poolCustomer(r.Context(), id); errors.Is(err, errNotFound) {
		notFoundRecord(w, r, fmt.Sprintf("customer %d", id))
		return
	} else if err != nil {
		internal(w, r, err)
		return
	}
	page, perPage := pageParams(params)
	list, total, err := s.contacts(r.Context(), id, perPage, (page-1)*perPage)
	if err != nil {
		internal(w, r, err)
		return
	}
	out := make([]map[string]any, 0, len(list))
	for _, c := range list {
		out = append(out, contactView(c))
	}
	ok(w, r, map[string]any{"contacts": out, "total_count": total, "per_page": perPage, "page": page})
}

var (
	errNoPermission = errors.New("no permission")
	errInvalid      = errors.New("invalid parameters")
)

// handleTransfer gives a pool customer to the user user_id. Only the admins of the
// customer's pool (its admin_list) may; anyone else gets 100100, the API's code for "no
// permission for the object". The customer leaves its pool: the pool routes answer 100100
// for it from then on.
func (s *Server) handleTransfer(w http.ResponseWriter, r *http.Request, idStr string, params map[string]any, u seedUser) {
	id, valid := recordID(idStr)
	if !valid {
		notFoundRecord(w, r, "customer "+strconv.Quote(idStr))
		return
	}
	var verrs validationErrors
	var to seedUser
	switch v := params["user_id"]; {
	case v == nil || isBlank(v):
		verrs.add("user_id", "用户id不能为空 (required: the id of the user who gets the customer)")
	default:
		uid, isID := parseID(v)
		var found bool
		if !isID {
			verrs.add("user_id", "用户id必须是整数 (must be an integer user id), got %s", show(v))
		} else if to, found = s.seed.user(uid); !found {
			verrs.add("user_id", "用户不存在 (no user with id %d)", uid)
		}
	}
	var pool int64
	c, err := s.updateCustomer(r.Context(), id, func(c *storedCustomer) error {
		pool = c.Rec.CommonID
		switch {
		case pool == 0:
			return errNotFound
		case !s.seed.poolAdmins[pool][u.ID]:
			return errNoPermission
		case len(verrs) > 0:
			return errInvalid
		}
		c.Rec.CommonID, c.Rec.UserID, c.Rec.DepartmentID = 0, to.ID, to.DepartmentID
		return nil
	})
	switch {
	case errors.Is(err, errNotFound):
		notFoundRecord(w, r, fmt.Sprintf("pool customer %d", id))
	case errors.Is(err, errNoPermission):
		fail(w, r, CodeNotFound, "active_record/record_not_found", fmt.Sprintf(
			"记录不存在或没有权限 (no permission: only the admins of pool %d %s may transfer its customers)", pool, s.seed.poolIDs[pool]))
	case errors.Is(err, errInvalid):
		invalid(w, r, "客户转移失败 (invalid transfer)", verrs)
	default:
		s.answerCustomer(w, r, id, c, err, u, detailView)
	}
}

func (s *Server) handleMatchingName(w http.ResponseWriter, r *http.Request, params map[string]any, _ seedUser) {
	raw, isText := scalarString(params["name"])
	name := strings.TrimSpace(raw)
	if !isText || name == "" {
		fail(w, r, CodeInvalidParams, "validation_error", "客户名称不能为空 (the name parameter is required)")
		return
	}
	found, err := s.customersByName(r.Context(), name)
	if err != nil {
		internal(w, r, err)
		return
	}
	out := make([]map[string]any, 0, len(found))
	for _, c := range found {
		item := map[string]any{
			"id": c.ID, "name": c.Rec.Name, "user_id": c.Rec.UserID, "common_id": poolOf(&c.Rec),
			"status": c.Rec.Selects["status"], "status_mapped": "", "created_at": fmtTime(c.Rec.CreatedAt),
		}
		if id := c.Rec.Selects["status"]; id != "" {
			item["status_mapped"] = s.seed.customerSel["status"][id].Value
		}
		if u, found := s.seed.user(c.Rec.UserID); found {
			item["user_name"] = u.Name
		}
		if pool, found := s.seed.poolIDs[c.Rec.CommonID]; found {
			item["common_setting_name"] = pool
		}
		// The numbers a caller may tell namesakes apart by (the sandbox's choice: the
		// API documents only id, name and user_id).
		item["address"] = map[string]any{"tel": c.Rec.Address["tel"], "phone": c.Rec.Address["phone"]}
		out = append(out, item)
	}
	ok(w, r, map[string]any{"customers": out, "total_count": len(out)})
}
