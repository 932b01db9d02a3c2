package cmdutil

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/crmctl/crmctl/internal/api"
	"github.com/crmctl/crmctl/internal/config"
	"github.com/crmctl/crmctl/internal/fields"
)

// Completion reads only the local cache, whatever its age: it never waits on the
// network. With --sandbox a cold cache is filled from the embedded sandbox, which runs in
// the process and needs no network either.

// sandboxFillTimeout bounds how long a completion may spend filling the cache from the
// embedded sandbox.
const sandboxFillTimeout = 5 * time.Second

// completionLookups returns the look-ups of the resolved profile, and whether they talk
// to the embedded sandbox.
func (f *Factory) completionLookups() (*Lookups, bool) {
	if f.Lookups == nil {
		return nil, false
	}
	lk, err := f.Lookups()
	if err != nil || lk == nil || lk.Cache == nil {
		return nil, false
	}
	sandbox := false
	if f.Settings != nil {
		if s, err := f.Settings(); err == nil && s.Sandbox.V {
			sandbox = true
		}
	}
	return lk, sandbox
}

func (f *Factory) cachedPools(ctx context.Context) []api.Pool {
	lk, sandbox := f.completionLookups()
	if lk == nil {
		return nil
	}
	if pools := lk.StalePools(); pools != nil {
		return pools
	}
	if !sandbox {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, sandboxFillTimeout)
	defer cancel()
	list, err := lk.Pools(ctx)
	if err != nil {
		return nil
	}
	return list.Pools
}

func (f *Factory) cachedDepartments(ctx context.Context) []api.Department {
	lk, sandbox := f.completionLookups()
	if lk == nil {
		return nil
	}
	if deps := lk.StaleDepartments(); deps != nil {
		return deps
	}
	if !sandbox {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, sandboxFillTimeout)
	defer cancel()
	list, err := lk.Departments(ctx)
	if err != nil {
		return nil
	}
	return list.Departments
}

func (f *Factory) cachedFieldMaps(ctx context.Context, entity string) *api.FieldMapList {
	lk, sandbox := f.completionLookups()
	if lk == nil {
		return nil
	}
	if fml := lk.StaleFieldMaps(entity); fml != nil {
		return fml
	}
	if !sandbox {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, sandboxFillTimeout)
	defer cancel()
	list, err := lk.FieldMaps(ctx, entity)
	if err != nil {
		return nil
	}
	return list
}

func (f *Factory) completionContext() context.Context {
	if f.Context != nil {
		return f.Context
	}
	return context.Background()
}

// PoolCompletions are the cached pools' ids and names.
func (f *Factory) PoolCompletions() []string {
	var out []string
	for _, p := range f.cachedPools(f.completionContext()) {
		out = append(out, string(p.ID)+"\t"+p.Name, p.Name+"\tpool "+string(p.ID))
	}
	return out
}

// DepartmentCompletions are the cached departments' names and ids.
func (f *Factory) DepartmentCompletions() []string {
	var out []string
	for _, d := range f.cachedDepartments(f.completionContext()) {
		if d.Name == "" {
			continue
		}
		out = append(out, d.Name+"\tdepartment "+string(d.ID), string(d.ID)+"\t"+d.Name)
	}
	return out
}

// OptionCompletions are the cached enabled labels of a customer select field.
func (f *Factory) OptionCompletions(field string) []string {
	fml := f.cachedFieldMaps(f.completionContext(), "customer")
	if fml == nil {
		return nil
	}
	fm, ok := fml.Field(field)
	if !ok {
		return nil
	}
	var out []string
	for _, o := range fields.EnabledOptions(fm) {
		out = append(out, o.Label()+"\tid "+string(o.ID))
	}
	return out
}

// RegisterFieldCompletions completes --pool, --department and the select flags of cmd
// from the cache.
func RegisterFieldCompletions(f *Factory, cmd *cobra.Command) {
	_ = cmd.RegisterFlagCompletionFunc("pool", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return f.PoolCompletions(), cobra.ShellCompDirectiveNoFileComp
	})
	_ = cmd.RegisterFlagCompletionFunc("department", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return f.DepartmentCompletions(), cobra.ShellCompDirectiveNoFileComp
	})
	for _, fd := range fields.SelectFields() {
		key := fd.Key
		_ = cmd.RegisterFlagCompletionFunc(fd.Flag, func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return f.OptionCompletions(key), cobra.ShellCompDirectiveNoFileComp
		})
	}
}

// RegisterProfileCompletion completes --profile with the config file's profiles.
func RegisterProfileCompletion(f *Factory, root *cobra.Command) {
	_ = root.RegisterFlagCompletionFunc("profile", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		paths, err := config.ResolvePaths(configFlag(f), f.Getenv)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		names, _ := config.ProfileNames(paths.ConfigFile)
		return names, cobra.ShellCompDirectiveNoFileComp
	})
}

func configFlag(f *Factory) *string {
	if f.Globals != nil && f.Globals.changed("config") {
		return &f.Globals.Config
	}
	return nil
}
