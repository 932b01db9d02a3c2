package auth

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/spf13/cobra"

	"github.com/crmctl/crmctl/internal/api"
	"github.com/crmctl/crmctl/internal/cmdutil"
	"github.com/crmctl/crmctl/internal/config"
	"github.com/crmctl/crmctl/internal/i18n"
	"github.com/crmctl/crmctl/internal/iostreams"
	"github.com/crmctl/crmctl/internal/output"
)

// StatusOptions are the inputs of `auth status`.
type StatusOptions struct {
	IO       *iostreams.IOStreams
	Settings func() (*config.Settings, error)
	Client   func() (*api.Client, error)
	Printer  func() (*output.Printer, error)
}

// NewCmdStatus builds `crmctl auth status`.
func NewCmdStatus(f *cmdutil.Factory, runF func(*StatusOptions) error) *cobra.Command {
	opts := &StatusOptions{IO: f.IOStreams, Settings: f.Settings, Client: f.Client, Printer: f.Printer}
	return &cobra.Command{
		Use:   "status",
		Short: "Show the profile and check that its token works / 查看配置档并检查令牌是否可用",
		Long: `Show the profile, the API host, where the token comes from, and whether it works:
one request (user/info) checks it. Exit code 3 when there is no token or the API
rejects it. The token itself is never printed.`,
		Example: "  crmctl auth status\n  crmctl auth status -o json\n  crmctl --sandbox auth status",
		Args:    cmdutil.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return statusRun(c.Context(), opts)
		},
	}
}

type statusReport struct {
	Profile     string          `json:"profile"`
	BaseURL     string          `json:"base_url"`
	BaseURLFrom string          `json:"base_url_source"`
	TokenSource string          `json:"token_source"`
	LoggedIn    *bool           `json:"logged_in"` // null: unknown, the check did not get an answer
	User        json.RawMessage `json:"user,omitempty"`
	Error       string          `json:"error,omitempty"`
}

func statusRun(ctx context.Context, opts *StatusOptions) error {
	p, err := opts.Printer()
	if err != nil {
		return err
	}
	s, err := opts.Settings()
	if err != nil {
		return err
	}
	// The report's words are messages: English in JSON (the same in every language),
	// the chosen language in the text.
	host, hostFrom, token := i18n.M("%s", s.BaseURL.V), describeSource(s.BaseURL), tokenSource(s)
	if s.Sandbox.V {
		host, hostFrom = i18n.M("embedded sandbox"), describeSource(s.Sandbox)
		token = i18n.M("the embedded sandbox's account")
	}
	r := statusReport{Profile: s.Profile.V, BaseURL: host.String(), BaseURLFrom: hostFrom.String(), TokenSource: token.String()}
	var user *api.User
	client, err := opts.Client()
	if err == nil {
		user, err = client.UserInfo(ctx)
	}
	known := err == nil || !unanswered(err)
	if known {
		yes := err == nil
		r.LoggedIn = &yes
	}
	if err == nil {
		r.User = user.Raw
	} else {
		r.Error = err.Error()
	}
	if p.JSON() {
		b, merr := output.Marshal(r)
		if merr != nil {
			return merr
		}
		if perr := p.PrintJSON(b); perr != nil {
			return perr
		}
	} else {
		out := iostreams.SafeWriter(opts.IO.Out) // the user's name comes from the API
		tr := opts.IO.T()
		tr.Fprintf(out, "Profile:   %s\n", r.Profile)
		tr.Fprintf(out, "API host:  %s (%s)\n", host, hostFrom)
		tr.Fprintf(out, "Token:     %s\n", token)
		switch {
		case !known:
			tr.Fprintf(out, "Logged in: unknown (network error)\n")
		case err == nil && user.DepartmentName != "":
			tr.Fprintf(out, "Logged in: yes, as %s (user %s, %s)\n", user.Name, user.ID, user.DepartmentName)
		case err == nil:
			tr.Fprintf(out, "Logged in: yes, as %s (user %s)\n", user.Name, user.ID)
		default:
			tr.Fprintf(out, "Logged in: no\n")
		}
	}
	return err
}

// unanswered reports whether the token check got no answer that says anything about
// the token: the network failed, the call timed out or stayed throttled, or the server
// answered with an error page.
func unanswered(err error) bool {
	var (
		ne *api.NetworkError
		te *api.ThrottledError
		re *api.ResponseError
	)
	return errors.As(err, &ne) || errors.As(err, &te) || errors.As(err, &re) || errors.Is(err, context.DeadlineExceeded)
}

// describeSource names where a setting came from: its flag, environment variable or
// config key, or "default".
func describeSource[T any](v config.Value[T]) i18n.Message {
	switch {
	case v.Source == config.SourceDefault:
		return i18n.M("default")
	case v.From != "":
		return i18n.M("%s", v.From)
	default:
		return i18n.M("%s", string(v.Source))
	}
}

// tokenSource says where the token comes from, never what it is.
func tokenSource(s *config.Settings) i18n.Message {
	switch {
	case s.Token.V == "":
		return i18n.M("none (run `crmctl auth login`)")
	case s.Token.Source == config.SourceEnv:
		return i18n.M("%s", config.EnvToken)
	case s.Token.Source == config.SourceProfile && strings.HasPrefix(s.Token.From, "account ") && len(s.AccountProfiles) > 1:
		return i18n.M("stored in %s for %s, shared by profiles %s", s.ConfigFile, s.Account, strings.Join(s.AccountProfiles, ", "))
	case s.Token.Source == config.SourceProfile && strings.HasPrefix(s.Token.From, "account "):
		return i18n.M("stored in %s for %s", s.ConfigFile, s.Account)
	default:
		return i18n.M("stored in %s", s.ConfigFile)
	}
}
