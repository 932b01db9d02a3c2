package i18n

// zhCustomers is the catalogue's part for cmd/customers: create, get, find and import.
var zhCustomers = map[string]string{}
