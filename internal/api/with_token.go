package api

// WithToken returns a new Client with the same options and another token (auth login
// --with-token checks a token before storing it; an import logs in again mid-run).
func (c *Client) WithToken(token string) (*Client, error) {
	o := c.opts
	o.Token = token
	return New(o)
}
