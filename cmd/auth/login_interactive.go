package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/crmctl/crmctl/internal/api"
	"github.com/crmctl/crmctl/internal/cmdutil"
	"github.com/crmctl/crmctl/internal/config"
	"github.com/crmctl/crmctl/internal/i18n"
	"github.com/crmctl/crmctl/internal/prompter"
)

// Edition is an edition of ikcrm and its API host.
type Edition struct {
	Name    string
	BaseURL string
}

// Editions are the hosts of the open API, the standalone edition first.
var Editions = []Edition{
	{"Standalone 独立版", "https://lxcrm.weiwenjia.com"},
	{"DingTalk 钉钉版", "https://dingtalk.e.ikcrm.com"},
	{"WeCom 企业微信版", "https://e.lixiaocrm.com"},
	{"Legacy 爱客", "https://api.ikcrm.com"},
}

// otherURL is the last choice of the edition: a base URL typed in.
var otherURL = i18n.M("Another URL (其他地址)").Format

func cancelled(err error) error {
	if errors.Is(err, prompter.ErrCancelled) {
		return i18n.Errorf("%w; not logged in", cmdutil.ErrCancel)
	}
	return err
}

// loginInteractive asks for the edition (unless the base URL was given), the account,
// the hidden password and the optional corp id, then logs in.
func loginInteractive(ctx context.Context, opts *LoginOptions, s *config.Settings) error {
	p, tr := opts.Prompter, opts.IO.T()
	baseURL := s.BaseURL.V
	if s.BaseURL.Source == config.SourceDefault || s.BaseURL.Source == config.SourceProfile {
		choices := make([]string, 0, len(Editions)+1)
		def := 0
		for i, e := range Editions {
			choices = append(choices, fmt.Sprintf("%s (%s)", e.Name, e.BaseURL))
			if e.BaseURL == baseURL {
				def = i
			}
		}
		choices = append(choices, tr.Sprintf(otherURL))
		i, err := p.Select(tr.Sprintf("Edition (版本)"), tr.Sprintf("which ikcrm you log in to; it picks the API host"), choices, def)
		if err != nil {
			return cancelled(err)
		}
		if i < len(Editions) {
			baseURL = Editions[i].BaseURL
		} else {
			u, err := p.Input(tr.Sprintf("API base URL (接口地址)"), tr.Sprintf("https://…; plain http only for this machine"), "", func(v string) error {
				_, err := api.CheckBaseURL(strings.TrimSpace(v))
				return err
			})
			if err != nil {
				return cancelled(err)
			}
			baseURL = strings.TrimRight(strings.TrimSpace(u), "/")
		}
	}
	login, err := p.Input(tr.Sprintf("Account (手机号)"), tr.Sprintf("the phone number you log in with"), firstNonEmpty(opts.Login, s.Login.V), func(v string) error {
		if strings.TrimSpace(v) == "" {
			return i18n.Errorf("the account is needed")
		}
		return nil
	})
	if err != nil {
		return cancelled(err)
	}
	password, err := p.Password(tr.Sprintf("Password (密码)"), tr.Sprintf("not shown as you type, and never stored"))
	if err != nil {
		return cancelled(err)
	}
	if password == "" {
		return cmdutil.UsageErrorf("an empty password")
	}
	corpID := firstNonEmpty(opts.CorpID, s.CorpID.V)
	if corpID == "" {
		if corpID, err = p.Input(tr.Sprintf("Corp id (企业ID, optional)"), tr.Sprintf("only for accounts in several enterprises; leave empty otherwise"), "", nil); err != nil {
			return cancelled(err)
		}
	}
	chosen := *s
	chosen.BaseURL = config.Value[string]{V: baseURL, Source: config.SourceFlag, From: "the edition chosen"}
	if baseURL == config.DefaultBaseURL {
		chosen.BaseURL.Source = config.SourceDefault
	}
	newClient := func() (*api.Client, error) {
		c, err := opts.LoginClient()
		if err != nil {
			return nil, err
		}
		return c.With(func(o *api.Options) { o.BaseURL = baseURL })
	}
	return doLogin(ctx, opts, newClient, &chosen, api.LoginParams{Login: strings.TrimSpace(login), Password: password, CorpID: strings.TrimSpace(corpID)})
}
