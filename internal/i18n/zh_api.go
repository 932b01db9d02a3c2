package i18n

// zhAPI is the catalogue's part for internal/api: request, answer and decoding errors.
var zhAPI = map[string]string{}
