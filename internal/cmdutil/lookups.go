package cmdutil

import (
	"context"
	"encoding/json"
	"io"
	"strings"

	"github.com/crmctl/crmctl/internal/i18n"

	"github.com/crmctl/crmctl/internal/api"
	"github.com/crmctl/crmctl/internal/cache"
)

// Lookups fetches the pools, field maps, custom fields and departments, through the per-profile cache: within the
// TTL they cost no request; --refresh bypasses the cache (and refills it).
type Lookups struct {
	Client  func() (*api.Client, error)
	Cache   *cache.Store
	Refresh bool
	Warn    io.Writer // cache write failures are reported here, not fatal
	// T is the language of the warnings (nil: English).
	T *i18n.Printer
}

// Pools returns the public pools.
func (l *Lookups) Pools(ctx context.Context) (*api.PoolList, error) {
	if raw, ok := l.cached("pools"); ok {
		var pools []api.Pool
		if json.Unmarshal(raw, &pools) == nil {
			return &api.PoolList{Pools: pools, Raw: raw}, nil
		}
	}
	c, err := l.Client()
	if err != nil {
		return nil, err
	}
	list, err := c.Pools(ctx)
	if err != nil {
		return nil, err
	}
	l.store("pools", list.Raw)
	return list, nil
}

// FieldMaps returns the select fields of an entity.
func (l *Lookups) FieldMaps(ctx context.Context, entity string) (*api.FieldMapList, error) {
	name := "fieldmaps-" + entity
	if raw, ok := l.cached(name); ok {
		var fields []api.FieldMap
		if json.Unmarshal(raw, &fields) == nil {
			return &api.FieldMapList{Entity: entity, Fields: fields, Raw: raw}, nil
		}
	}
	c, err := l.Client()
	if err != nil {
		return nil, err
	}
	list, err := c.FieldMaps(ctx, entity)
	if err != nil {
		return nil, err
	}
	l.store(name, list.Raw)
	return list, nil
}

// CustomFields returns the customer form's custom fields: the form of the business
// template template, or the form without one when template is "". Each form is cached
// on its own.
func (l *Lookups) CustomFields(ctx context.Context, template string) (*api.CustomFieldList, error) {
	name := customFieldsEntry(template)
	if raw, ok := l.cached(name); ok {
		if list, err := api.DecodeCustomFieldList(raw); err == nil {
			return list, nil
		}
	}
	c, err := l.Client()
	if err != nil {
		return nil, err
	}
	list, err := c.CustomFields(ctx, "customer", template)
	if err != nil {
		return nil, err
	}
	if name != "" {
		l.store(name, list.Raw)
	}
	return list, nil
}

// customFieldsEntry names the cache entry of a form ("" for a template id that is no
// number: such a form is not cached).
func customFieldsEntry(template string) string {
	template = strings.TrimSpace(template)
	if template == "" {
		return "customfields-customer"
	}
	for _, r := range template {
		if r < '0' || r > '9' {
			return ""
		}
	}
	if len(template) > 20 {
		return ""
	}
	return "customfields-customer-" + template
}

// Departments returns the organisation's departments.
func (l *Lookups) Departments(ctx context.Context) (*api.DepartmentList, error) {
	if raw, ok := l.cached("departments"); ok {
		if list, err := api.DecodeDepartmentList(raw); err == nil {
			return list, nil
		}
	}
	c, err := l.Client()
	if err != nil {
		return nil, err
	}
	list, err := c.Departments(ctx)
	if err != nil {
		return nil, err
	}
	l.store("departments", list.Raw)
	return list, nil
}

func (l *Lookups) cached(name string) (json.RawMessage, bool) {
	if l.Refresh || l.Cache == nil || name == "" {
		return nil, false
	}
	return l.Cache.Get(name)
}

func (l *Lookups) store(name string, raw json.RawMessage) {
	if l.Cache == nil {
		return
	}
	if err := l.Cache.Put(name, raw); err != nil && l.Warn != nil {
		l.T.Fprintf(l.Warn, "crmctl: warning: %s\n", err)
	}
}

// StalePools are the cached pools whatever their age, with no request (nil when none).
func (l *Lookups) StalePools() []api.Pool {
	if l == nil || l.Cache == nil {
		return nil
	}
	raw, ok := l.Cache.GetStale("pools")
	if !ok {
		return nil
	}
	var pools []api.Pool
	if json.Unmarshal(raw, &pools) != nil {
		return nil
	}
	return pools
}

// StaleCustomFields is the cached customer form of a business template ("" for the form
// without one) whatever its age, with no request (nil when none).
func (l *Lookups) StaleCustomFields(template string) *api.CustomFieldList {
	name := customFieldsEntry(template)
	if l == nil || l.Cache == nil || name == "" {
		return nil
	}
	raw, ok := l.Cache.GetStale(name)
	if !ok {
		return nil
	}
	list, err := api.DecodeCustomFieldList(raw)
	if err != nil {
		return nil
	}
	return list
}

// StaleDepartments are the cached departments whatever their age, with no request (nil
// when none).
func (l *Lookups) StaleDepartments() []api.Department {
	if l == nil || l.Cache == nil {
		return nil
	}
	raw, ok := l.Cache.GetStale("departments")
	if !ok {
		return nil
	}
	list, err := api.DecodeDepartmentList(raw)
	if err != nil {
		return nil
	}
	return list.Departments
}

// StaleFieldMaps are an entity's cached field maps whatever their age, with no request
// (nil when none).
func (l *Lookups) StaleFieldMaps(entity string) *api.FieldMapList {
	if l == nil || l.Cache == nil {
		return nil
	}
	raw, ok := l.Cache.GetStale("fieldmaps-" + entity)
	if !ok {
		return nil
	}
	var fms []api.FieldMap
	if json.Unmarshal(raw, &fms) != nil {
		return nil
	}
	return &api.FieldMapList{Entity: entity, Fields: fms, Raw: raw}
}
