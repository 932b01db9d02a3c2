package i18n

// zhImporter is the catalogue's part for internal/importer: reading, checking and sending a file.
var zhImporter = map[string]string{
	// Reading the file
	"the line is not valid UTF-16: fix it, or save the file as UTF-8": "该行不是有效的 UTF-16：请修正，或将文件另存为 UTF-8",
}
