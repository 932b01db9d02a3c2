package cmdutil

import (
	"encoding/json"

	"github.com/spf13/cobra"

	"github.com/crmctl/crmctl/internal/api"
	"github.com/crmctl/crmctl/internal/config"
	"github.com/crmctl/crmctl/internal/fields"
)

// Completion reads only the local cache: it never waits on the network.

func (f *Factory) cachedPools() []api.Pool {
	lk, err := f.Lookups()
	if err != nil || lk.Cache == nil {
		return nil
	}
	raw, ok := lk.Cache.GetStale("pools")
	if !ok {
		return nil
	}
	var pools []api.Pool
	if json.Unmarshal(raw, &pools) != nil {
		return nil
	}
	return pools
}

func (f *Factory) cachedFieldMaps(entity string) *api.FieldMapList {
	lk, err := f.Lookups()
	if err != nil || lk.Cache == nil {
		return nil
	}
	raw, ok := lk.Cache.GetStale("fieldmaps-" + entity)
	if !ok {
		return nil
	}
	var fms []api.FieldMap
	if json.Unmarshal(raw, &fms) != nil {
		return nil
	}
	return &api.FieldMapList{Entity: entity, Fields: fms, Raw: raw}
}

// PoolCompletions are the cached pools' ids and names.
func (f *Factory) PoolCompletions() []string {
	var out []string
	for _, p := range f.cachedPools() {
		out = append(out, string(p.ID)+"\t"+p.Name, p.Name+"\tpool "+string(p.ID))
	}
	return out
}

// OptionCompletions are the cached enabled labels of a customer select field.
func (f *Factory) OptionCompletions(field string) []string {
	fml := f.cachedFieldMaps("customer")
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

// RegisterFieldCompletions completes --pool and the select flags of cmd from the cache.
func RegisterFieldCompletions(f *Factory, cmd *cobra.Command) {
	_ = cmd.RegisterFlagCompletionFunc("pool", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return f.PoolCompletions(), cobra.ShellCompDirectiveNoFileComp
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
