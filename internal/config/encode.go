package config

import (
	"bytes"
	"maps"
	"slices"
	"strings"

	"github.com/crmctl/crmctl/internal/i18n"
	"go.yaml.in/yaml/v3"
)

const fileHeader = "# crmctl configuration. It holds API tokens: keep it private (mode 0600).\n"

// encodeFile renders f. When old (the current file, already checked) is a YAML
// mapping, it is edited in place so that its comments, key order and unknown keys
// survive; otherwise, or when the edited file would not read back as f (the YAML
// emitter mishandles some comment placements), a fresh file is written.
func encodeFile(old []byte, f *File) ([]byte, error) {
	if out, ok := editInPlace(old, f); ok {
		if back, err := parseFile(out); err == nil && sameFile(back, f) {
			return out, nil
		}
	}
	return render(fileHeader, f)
}

func sameFile(a, b *File) bool {
	return a.CurrentProfile == b.CurrentProfile && maps.Equal(a.Profiles, b.Profiles) && slices.Equal(a.Accounts, b.Accounts)
}

// editInPlace edits old's YAML tree to hold f; false when old is not a mapping or its
// profiles are tied together by anchors.
func editInPlace(old []byte, f *File) ([]byte, bool) {
	var doc yaml.Node
	if err := yaml.Unmarshal(old, &doc); err != nil || doc.Kind != yaml.DocumentNode ||
		len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, false
	}
	root := doc.Content[0]
	if lookup(root, "current_profile") == nil && f.CurrentProfile != "" {
		// A new current_profile goes first, where a reader looks for it, below the
		// file's opening comment.
		key := strNode("current_profile")
		if len(root.Content) > 0 {
			key.HeadComment, root.Content[0].HeadComment = root.Content[0].HeadComment, ""
		}
		root.Content = append([]*yaml.Node{key, strNode(f.CurrentProfile)}, root.Content...)
	} else {
		setScalar(root, "current_profile", f.CurrentProfile)
	}
	profiles := lookup(root, "profiles")
	if profiles == nil || profiles.Kind != yaml.MappingNode {
		// Absent or null: replace it with a fresh mapping.
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		if profiles == nil {
			root.Content = append(root.Content, strNode("profiles"), n)
			profiles = n
		} else {
			n.HeadComment, n.LineComment = profiles.HeadComment, profiles.LineComment
			*profiles = *n
		}
	}
	if sharesNodes(profiles) {
		// Anchors or aliases tie profiles together: an edit in place could change
		// another profile.
		return nil, false
	}
	// Drop profiles no longer in f.
	for i := 0; i < len(profiles.Content); {
		if _, ok := f.Profiles[strings.ToLower(profiles.Content[i].Value)]; ok {
			i += 2
			continue
		}
		profiles.Content = slices.Delete(profiles.Content, i, i+2)
	}
	for _, name := range f.names() {
		p := f.Profiles[name]
		pn := lookup(profiles, name)
		if pn == nil {
			pn = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			profiles.Content = append(profiles.Content, strNode(name), pn)
		} else if pn.Kind != yaml.MappingNode {
			*pn = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", HeadComment: pn.HeadComment, LineComment: pn.LineComment}
		}
		for _, kv := range []struct{ key, v string }{
			{"base_url", p.BaseURL}, {"login", p.Login}, {"corp_id", p.CorpID},
			{"token", p.Token}, {"cache_ttl", p.CacheTTL}, {"rate", p.Rate}, {"output", p.Output}, {"redis_url", p.RedisURL},
		} {
			setScalar(pn, kv.key, kv.v)
		}
		if len(pn.Content) == 0 {
			pn.Style = yaml.FlowStyle // an empty profile reads `name: {}`
		}
	}
	if !setAccounts(root, f.Accounts) {
		return nil, false
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if enc.Encode(&doc) != nil || enc.Close() != nil {
		return nil, false
	}
	return buf.Bytes(), true
}

// setAccounts replaces the accounts list of mapping root with accounts (written anew:
// crmctl owns it), or removes it when there are none. A comment above the key stays.
func setAccounts(root *yaml.Node, accounts []Account) bool {
	for i := 0; i+1 < len(root.Content); i += 2 {
		if !strings.EqualFold(root.Content[i].Value, "accounts") {
			continue
		}
		if len(accounts) == 0 {
			root.Content = slices.Delete(root.Content, i, i+2)
			return true
		}
		var n yaml.Node
		if n.Encode(accounts) != nil {
			return false
		}
		root.Content[i+1] = &n
		return true
	}
	if len(accounts) > 0 {
		var n yaml.Node
		if n.Encode(accounts) != nil {
			return false
		}
		root.Content = append(root.Content, strNode("accounts"), &n)
	}
	return true
}

func sharesNodes(n *yaml.Node) bool {
	if n.Anchor != "" || n.Kind == yaml.AliasNode {
		return true
	}
	return slices.ContainsFunc(n.Content, sharesNodes)
}

func render(header string, f *File) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(header)
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(f); err != nil {
		return nil, i18n.Errorf("encoding config file: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, i18n.Errorf("encoding config file: %w", err)
	}
	return buf.Bytes(), nil
}

// lookup finds the value of key in mapping m (keys compared case-insensitively, as the
// reader folds them).
func lookup(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if strings.EqualFold(m.Content[i].Value, key) {
			return m.Content[i+1]
		}
	}
	return nil
}

// setScalar sets key of mapping m to the string v, or removes the key when v is empty.
// The comments around an existing value are kept.
func setScalar(m *yaml.Node, key, v string) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if !strings.EqualFold(m.Content[i].Value, key) {
			continue
		}
		if v == "" {
			m.Content = slices.Delete(m.Content, i, i+2)
			return
		}
		old := m.Content[i+1]
		n := strNode(v)
		n.HeadComment, n.LineComment, n.FootComment = old.HeadComment, old.LineComment, old.FootComment
		m.Content[i+1] = n
		return
	}
	if v != "" {
		m.Content = append(m.Content, strNode(key), strNode(v))
	}
}

// strNode is a string scalar, quoted when it would otherwise read as another type
// (a phone-number login stays a string).
func strNode(v string) *yaml.Node {
	var n yaml.Node
	_ = n.Encode(v) // encoding a string cannot fail
	return &n
}
