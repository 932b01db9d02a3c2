package api

// Client is the ikcrm v2 API client. Its transport and calls live in transport.go and calls.go.
type Client struct {
	opts Options
}
