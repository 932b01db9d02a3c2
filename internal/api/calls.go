package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"

	"github.com/crmctl/crmctl/internal/i18n"
)

// Login exchanges an account's credentials for a user_token (POST /api/v2/auth/login).
// It sends no Authorization header. A rejected login is an *Error.
func (c *Client) Login(ctx context.Context, p LoginParams) (*LoginResult, error) {
	if p.Login == "" || p.Password == "" {
		return nil, i18n.Errorf("login: an account and a password are required")
	}
	form := url.Values{
		"login":        {p.Login},
		"password":     {p.Password},
		"device":       {Device},
		"version_code": {VersionCode},
	}
	if p.CorpID != "" {
		form.Set("corp_id", p.CorpID)
	}
	r := request{method: http.MethodPost, path: "/api/v2/auth/login", form: form}
	data, err := c.do(ctx, r)
	if err != nil {
		return nil, err
	}
	res, err := decodeRecord[loginResultWire](data)
	if err != nil {
		return nil, shapeError(r, nil, i18n.Errorf("login: %w", err))
	}
	if res.UserToken == "" {
		return nil, shapeError(r, nil, i18n.Errorf("the login answer carries no user_token"))
	}
	if err := checkToken(res.UserToken); err != nil {
		return nil, shapeError(r, nil, err)
	}
	return &res, nil
}

// UserInfo returns the current user (GET /api/v2/user/info); a cheap token check.
func (c *Client) UserInfo(ctx context.Context) (*User, error) {
	r := request{method: http.MethodGet, path: "/api/v2/user/info", auth: true}
	return call(ctx, c, r, DecodeUser)
}

// Pools lists the public pools (GET /api/v2/common_customers/common_settings).
func (c *Client) Pools(ctx context.Context) (*PoolList, error) {
	r := request{method: http.MethodGet, path: "/api/v2/common_customers/common_settings", auth: true}
	return call(ctx, c, r, DecodePoolList)
}

// Regular expressions are compiled on first use: start-up pays for none of them.
var entityRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z_]{1,64}$`) })

// FieldMaps returns the select fields of an entity (GET /api/v2/field_maps/<entity>),
// e.g. "customer".
func (c *Client) FieldMaps(ctx context.Context, entity string) (*FieldMapList, error) {
	if !entityRE().MatchString(entity) {
		return nil, i18n.Errorf("invalid entity %q: expected lowercase letters and underscores, e.g. customer", entity)
	}
	r := request{method: http.MethodGet, path: "/api/v2/field_maps/" + url.PathEscape(entity), auth: true}
	return call(ctx, c, r, func(data []byte) (*FieldMapList, error) { return DecodeFieldMapList(entity, data) })
}

// CustomFields returns the form of an entity: its custom fields by group (GET
// /api/v2/custom_fields/<entity>/by_group), the form of the business template template
// when it is not "" (?custom_field_template_id=).
func (c *Client) CustomFields(ctx context.Context, entity, template string) (*CustomFieldList, error) {
	if !entityRE().MatchString(entity) {
		return nil, i18n.Errorf("invalid entity %q: expected lowercase letters and underscores, e.g. customer", entity)
	}
	r := request{method: http.MethodGet, path: "/api/v2/custom_fields/" + url.PathEscape(entity) + "/by_group", auth: true}
	if template = strings.TrimSpace(template); template != "" {
		r.query = url.Values{"custom_field_template_id": {template}}
	}
	return call(ctx, c, r, DecodeCustomFieldList)
}

// Departments lists the organisation's departments (GET /api/v2/departments).
func (c *Client) Departments(ctx context.Context) (*DepartmentList, error) {
	r := request{method: http.MethodGet, path: "/api/v2/departments", auth: true}
	return call(ctx, c, r, DecodeDepartmentList)
}

// CreateCommonCustomer creates a customer in a public pool (POST /api/v2/common_customers).
// form holds common_id and the customer[...] fields; it is sent form-encoded, exactly as
// form.Encode() writes it. The request is never sent twice unless it certainly did not
// reach the server: a failure after it was written is a *NetworkError with MaybeSent.
func (c *Client) CreateCommonCustomer(ctx context.Context, form url.Values) (*Customer, error) {
	if form == nil {
		form = url.Values{}
	}
	r := request{method: http.MethodPost, path: "/api/v2/common_customers", form: form, auth: true}
	return call(ctx, c, r, DecodeCustomer)
}

// CommonCustomer returns one public-pool customer (GET /api/v2/common_customers/:id).
// An unknown id is an *Error whose IsNotFound is true.
func (c *Client) CommonCustomer(ctx context.Context, id string) (*Customer, error) {
	id = strings.TrimSpace(id)
	if id == "" || id == "." || id == ".." {
		return nil, i18n.Errorf("invalid customer id %q", id)
	}
	r := request{method: http.MethodGet, path: "/api/v2/common_customers/" + url.PathEscape(id), auth: true}
	return call(ctx, c, r, DecodeCustomer)
}

// MatchingName returns the customers, in any pool, whose name is exactly name
// (GET /api/v2/duplicates/matching_name?name=...).
func (c *Client) MatchingName(ctx context.Context, name string) (*CustomerList, error) {
	r := request{method: http.MethodGet, path: "/api/v2/duplicates/matching_name",
		query: url.Values{"name": {name}}, auth: true}
	return call(ctx, c, r, DecodeCustomerList)
}

// call sends r and decodes its data with decode; data of an unexpected shape is a
// *ResponseError.
func call[T any](ctx context.Context, c *Client, r request, decode func([]byte) (T, error)) (T, error) {
	var zero T
	data, err := c.do(ctx, r)
	if err != nil {
		return zero, err
	}
	v, err := decode(data)
	if err != nil {
		return zero, shapeError(r, data, err)
	}
	return v, nil
}

// shapeError reports a valid envelope whose data has an unexpected shape.
func shapeError(r request, data json.RawMessage, err error) *ResponseError {
	return &ResponseError{Method: r.method, Path: r.path, StatusCode: http.StatusOK, Snippet: Snippet(data), Err: err}
}
