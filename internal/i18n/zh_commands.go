package i18n

// zhCommands is the catalogue's part for the other commands under cmd/ (auth, config, api, pools, field maps, fields, sandbox, version).
var zhCommands = map[string]string{}
