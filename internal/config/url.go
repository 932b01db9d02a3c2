package config

import (
	"errors"
	"net/netip"
	"net/url"
	"strings"
)

// CheckBaseURL validates an API base URL and returns it without trailing slashes. It
// must be an absolute http(s) URL with a host and nothing but a path after it; plain
// http is refused unless the host is loopback (127.0.0.0/8, ::1, localhost), so a token
// never crosses the network unencrypted.
func CheckBaseURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", invalidf("invalid base URL %q: %v", raw, unwrapURLError(err))
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "https" && scheme != "http" {
		return "", invalidf("invalid base URL %q: want an absolute URL such as %s", raw, DefaultBaseURL)
	}
	if u.Opaque != "" || u.Host == "" || u.Hostname() == "" {
		return "", invalidf("invalid base URL %q: no host", raw)
	}
	if u.User != nil {
		return "", invalidf("invalid base URL %q: credentials do not belong in the URL", redactUserinfo(u))
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return "", invalidf("invalid base URL %q: no query or fragment allowed", raw)
	}
	if scheme == "http" && !IsLoopback(u.Hostname()) {
		return "", invalidf("refusing plain-http base URL %q: https:// is required unless the host is loopback (127.0.0.0/8, ::1, localhost)", raw)
	}
	return strings.TrimRight(raw, "/"), nil
}

// IsLoopback reports whether host (without port or brackets) is the literal name
// localhost or a literal loopback address. Only literals count: "localhost." (with the
// root dot) and "localhost.example.com" are names a DNS server answers for, and may
// point anywhere.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	return addr.Unmap().IsLoopback()
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func redactUserinfo(u *url.URL) string {
	c := *u
	c.User = url.User("xxxxx")
	return c.String()
}
