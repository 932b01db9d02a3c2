package i18n

import (
	"golang.org/x/text/language"
	"golang.org/x/text/message/catalog"
)

// chinese is the whole catalogue: its parts, one per area of the code (zh_*.go), merged.
// A key found in two parts is kept from the first and listed in duplicateKeys, which the
// catalogue test requires to be empty.
var chinese, duplicateKeys = merge(zhCore, zhAPI, zhImporter, zhCustomers, zhCommands, zhInternal)

// catalogue holds every message in both languages, keyed by the English format. It is
// built once and never changed.
var catalogue = build()

func merge(parts ...map[string]string) (map[string]string, []string) {
	all := map[string]string{}
	var dup []string
	for _, part := range parts {
		for en, zh := range part {
			if _, ok := all[en]; ok {
				dup = append(dup, en)
				continue
			}
			all[en] = zh
		}
	}
	return all, dup
}

func build() *catalog.Builder {
	b := catalog.NewBuilder(catalog.Fallback(language.English))
	for en, zh := range chinese {
		key := normalise(en)
		if err := b.SetString(language.English, key, key); err != nil {
			panic(err) // a malformed entry of the table below; the catalogue test names it
		}
		if err := b.SetString(language.Chinese, key, zh); err != nil {
			panic(err)
		}
	}
	return b
}

// Keys lists the catalogue's keys (the English formats), for tests and tools.
func Keys() []string {
	keys := make([]string, 0, len(chinese))
	for k := range chinese {
		keys = append(keys, k)
	}
	return keys
}

// Translation is the Chinese text of an English key, and whether there is one.
func Translation(en string) (string, bool) {
	zh, ok := chinese[en]
	return zh, ok
}
