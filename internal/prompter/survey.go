package prompter

import (
	"errors"
	"io"
	"strings"
	"sync"

	"github.com/AlecAivazis/survey/v2"
	"github.com/AlecAivazis/survey/v2/terminal"
	"golang.org/x/term"

	"github.com/crmctl/crmctl/internal/i18n"
	"github.com/crmctl/crmctl/internal/iostreams"
)

// New returns a Prompter that asks its questions on io's terminal: it reads io.In and
// draws on io.Out. Both must be files (anything with an Fd, as *os.File), because
// the terminal is switched to raw mode and measured; if either is not, every call
// of the returned Prompter fails with ErrNoTerminal. So does every call made while
// io reports that standard input or output is not a terminal.
//
// Colour follows io.ColorEnabled (NO_COLOR, TERM=dumb): when it is off, colour codes
// are filtered out of what the prompts draw, per Prompter, without touching survey's
// package-level settings. Long option labels are shortened to the terminal's width,
// and the number of options shown at once follows its height.
//
// Ctrl-C and Esc cancel any question (ErrCancelled). Esc is recognised on terminals
// that send it as a lone byte (every POSIX terminal; not the Windows console).
func New(io *iostreams.IOStreams) Prompter {
	in, ok := io.In.(terminal.FileReader)
	if !ok {
		return noTerminal{reason: stdinNotTerminal}
	}
	out, ok := io.Out.(terminal.FileWriter)
	if !ok {
		return noTerminal{reason: stdoutNotTerminal}
	}
	return &surveyPrompter{ios: io, in: in, out: out, errOut: io.ErrOut}
}

type surveyPrompter struct {
	ios    *iostreams.IOStreams
	in     terminal.FileReader
	out    terminal.FileWriter
	errOut io.Writer
}

var _ Prompter = (*surveyPrompter)(nil)

// Room each option row needs besides its label: "> " in a Select, "> [x]  " in a
// MultiSelect, and one column to spare so a full row never wraps.
const (
	selectIndent      = 3
	multiSelectIndent = 8
)

func (p *surveyPrompter) Input(message, help, def string, validate func(string) error) (string, error) {
	q := &survey.Input{Message: iostreams.Sanitize(message), Help: p.help(help), Default: def}
	var opts []survey.AskOpt
	if validate != nil {
		opts = append(opts, survey.WithValidator(func(ans interface{}) error {
			s, _ := ans.(string)
			if err := validate(s); err != nil {
				// survey shows the error's text after its template's words; the words are
				// crmctl's (see invalidTemplate), in the chosen language.
				tr := p.ios.T()
				return errors.New(tr.Sprintf("Sorry, your reply was invalid: %s", tr.Error(err)))
			}
			return nil
		}))
	}
	var answer string
	if err := p.ask(message, q, &answer, opts...); err != nil {
		return "", err
	}
	return answer, nil
}

func (p *surveyPrompter) Select(message, help string, options []string, def int) (int, error) {
	if len(options) == 0 {
		return 0, i18n.Errorf("prompt %q: no options to select from", message)
	}
	cols, _ := p.size()
	q := &survey.Select{
		Message: iostreams.Sanitize(message),
		Help:    p.help(help),
		Options: fitOptions(options, cols-selectIndent),
		Filter:  filterByLabel(options),
	}
	if def >= 0 && def < len(options) {
		q.Default = def
	}
	var index int
	if err := p.ask(message, q, &index); err != nil {
		return 0, err
	}
	return index, nil
}

func (p *surveyPrompter) MultiSelect(message, help string, options []string) ([]int, error) {
	if len(options) == 0 {
		return nil, i18n.Errorf("prompt %q: no options to select from", message)
	}
	cols, _ := p.size()
	q := &survey.MultiSelect{
		Message: iostreams.Sanitize(message),
		Help:    p.help(help),
		Options: fitOptions(options, cols-multiSelectIndent),
		Filter:  filterByLabel(options),
	}
	indexes := []int{}
	if err := p.ask(message, q, &indexes); err != nil {
		return nil, err
	}
	return indexes, nil
}

func (p *surveyPrompter) Confirm(message string, def bool) (bool, error) {
	q := &survey.Confirm{Message: iostreams.Sanitize(message), Default: def}
	var answer bool
	if err := p.ask(message, q, &answer); err != nil {
		return false, err
	}
	return answer, nil
}

func (p *surveyPrompter) Password(message, help string) (string, error) {
	q := &survey.Password{Message: iostreams.Sanitize(message), Help: p.help(help)}
	var answer string
	if err := p.ask(message, q, &answer); err != nil {
		return "", err
	}
	return answer, nil
}

// ask runs one survey question on p's terminal and maps its errors.
func (p *surveyPrompter) ask(message string, q survey.Prompt, response interface{}, opts ...survey.AskOpt) error {
	switch {
	case !p.ios.IsStdinTTY():
		return noTerminal{reason: stdinNotTerminal}.err()
	case !p.ios.IsStdoutTTY():
		return noTerminal{reason: stdoutNotTerminal}.err()
	}
	out := p.out
	if !p.ios.ColorEnabled() {
		out = newPlainWriter(p.out)
	}
	errOut := p.errOut
	if errOut == nil {
		errOut = io.Discard
	}
	_, rows := p.size()
	setErrorTemplate.Do(func() { survey.ErrorTemplate = invalidTemplate })
	base := []survey.AskOpt{
		survey.WithStdio(escCancelReader{p.in}, out, errOut),
		survey.WithPageSize(pageSize(rows)),
		survey.WithHelpInput('?'),
	}
	err := survey.AskOne(q, response, append(base, opts...)...)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, terminal.InterruptErr):
		return ErrCancelled
	default:
		return i18n.Errorf("prompt %q: %w", message, err)
	}
}

// help is a question's help as shown: in the chosen language when it is a message of
// the catalogue (the field table's help texts are), as it is otherwise.
func (p *surveyPrompter) help(help string) string {
	return iostreams.Sanitize(i18n.M(help).Localize(p.ios.T()))
}

// size is the terminal's columns and rows, zero when unknown.
func (p *surveyPrompter) size() (cols, rows int) {
	cols, rows, err := term.GetSize(int(p.out.Fd()))
	if err != nil {
		return 0, 0
	}
	return cols, rows
}

// pageSize is how many options a list shows at once on a terminal of the given
// height: all but the lines the question, its help, its hint and the line above it
// take (two each, as they may wrap on a narrow terminal), between 3 and 10; 10 when
// the height is unknown.
func pageSize(rows int) int {
	const (
		fewest, most = 3, 10
		reserved     = 7
	)
	if rows <= 0 {
		return most
	}
	n := rows - reserved
	if n < fewest {
		return fewest
	}
	if n > most {
		return most
	}
	return n
}

// filterByLabel matches the typed filter against the full labels, case-insensitively,
// so that a label shortened on screen is still found by its hidden end.
func filterByLabel(labels []string) func(filter, value string, index int) bool {
	return func(filter, value string, index int) bool {
		label := value
		if index >= 0 && index < len(labels) {
			label = labels[index]
		}
		return strings.Contains(strings.ToLower(label), strings.ToLower(filter))
	}
}

// The reasons a Prompter cannot ask.
var (
	stdinNotTerminal  = i18n.M("standard input is not a terminal")
	stdoutNotTerminal = i18n.M("standard output is not a terminal")
)

// noTerminal is the Prompter New returns when it cannot reach a terminal.
type noTerminal struct{ reason i18n.Message }

func (n noTerminal) err() error { return i18n.Errorf("%w: %v", ErrNoTerminal, n.reason) }

func (n noTerminal) Input(string, string, string, func(string) error) (string, error) {
	return "", n.err()
}
func (n noTerminal) Select(string, string, []string, int) (int, error) { return 0, n.err() }
func (n noTerminal) MultiSelect(string, string, []string) ([]int, error) {
	return nil, n.err()
}
func (n noTerminal) Confirm(string, bool) (bool, error)      { return false, n.err() }
func (n noTerminal) Password(string, string) (string, error) { return "", n.err() }

// setErrorTemplate sets survey's package-wide ErrorTemplate once: survey has no
// per-question option for it, and writing it on every question raced between
// prompters used at the same time (as parallel tests do).
var setErrorTemplate sync.Once

// invalidTemplate is survey's template for a reply the validator refused, without its
// English words: the validator's error carries them, in the chosen language.
const invalidTemplate = `{{color .Icon.Format }}{{ .Icon.Text }} {{ .Error.Error }}{{color "reset"}}
`
