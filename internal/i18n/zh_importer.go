package i18n

// zhImporter is the catalogue's part for internal/importer: reading, checking and sending a file.
var zhImporter = map[string]string{}
