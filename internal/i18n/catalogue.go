package i18n

import (
	"golang.org/x/text/language"
	"golang.org/x/text/message/catalog"
)

// catalogue holds every message in both languages, keyed by the English format. It is
// built once and never changed.
var catalogue = build()

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
