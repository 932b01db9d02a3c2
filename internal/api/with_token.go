package api

// With returns a new Client whose options are c's, changed by mod (an import adds its
// pacing hooks; auth login --with-token checks a token before storing it).
func (c *Client) With(mod func(*Options)) (*Client, error) {
	o := c.opts
	mod(&o)
	return New(o)
}

// WithToken returns a new Client with the same options and another token.
func (c *Client) WithToken(token string) (*Client, error) {
	return c.With(func(o *Options) { o.Token = token })
}
