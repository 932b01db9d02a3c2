package i18n

// zhInternal is the catalogue's part for internal/config, cache, team, prompter, fields, pace and the other internal packages.
var zhInternal = map[string]string{}
