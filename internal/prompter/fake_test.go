package prompter_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/crmctl/crmctl/internal/prompter"
)

// recorder stands in for a *testing.T: it records what a Fake reports, and runs the
// cleanups when the pretend test ends.
type recorder struct {
	mu       sync.Mutex
	errors   []string
	cleanups []func()
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recorder) Cleanup(f func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cleanups = append(r.cleanups, f)
}

// end runs the cleanups, last registered first, as the testing package does, and
// returns everything reported.
func (r *recorder) end() []string {
	r.mu.Lock()
	cleanups := r.cleanups
	r.cleanups = nil
	r.mu.Unlock()
	for i := len(cleanups) - 1; i >= 0; i-- {
		cleanups[i]()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.errors)
}

func nonEmpty(s string) error {
	if strings.TrimSpace(s) == "" {
		return errors.New("a value is required")
	}
	return nil
}

var pools = []string{"公司公海 (45)", "华东公海 (12)", "华南公海 (3)"}

func TestFakeAnswersInOrder(t *testing.T) {
	fake := prompter.NewFake(t)
	pool := fake.ExpectSelect("Pool (公海)").AnswerWith("华东公海 (12)")
	name := fake.ExpectInput("Name (客户名称)").Answers("", "  ", "贸易公司")
	fake.ExpectInput("Note (备注)").AnswerDefault()
	fake.ExpectSelect("Status (跟进状态)").AnswerIndex(2)
	fake.ExpectSelect("Category (客户类型)").AnswerDefault()
	fields := fake.ExpectMultiSelect("More fields").AnswerWith("Email (邮箱)", "Tel (电话)")
	fake.ExpectMultiSelect("Even more fields").AnswerIndex(2, 0, 2)
	fake.ExpectMultiSelect("Nothing").AnswerWith()
	fake.ExpectPassword("Password (密码)").Answer("s3cret")
	fake.ExpectConfirm("Create it?").Answer(true)
	fake.ExpectConfirm("Print the command?").AnswerDefault()

	var p prompter.Prompter = fake
	i, err := p.Select("Pool (公海)", "", pools, 0)
	if err != nil || i != 1 {
		t.Errorf("Select = %d, %v; want 1, nil", i, err)
	}
	if got := pool.Options(); !slices.Equal(got, pools) {
		t.Errorf("Options() = %q, want %q", got, pools)
	}
	s, err := p.Input("Name (客户名称)", "", "", nonEmpty)
	if err != nil || s != "贸易公司" {
		t.Errorf("Input = %q, %v; want 贸易公司, nil", s, err)
	}
	if errs := name.ValidationErrors(); len(errs) != 2 || errs[0].Error() != "a value is required" {
		t.Errorf("ValidationErrors() = %v, want the validator's error twice", errs)
	}
	if s, err := p.Input("Note (备注)", "", "老客户", nil); err != nil || s != "老客户" {
		t.Errorf("Input with default = %q, %v; want 老客户, nil", s, err)
	}
	if i, err := p.Select("Status (跟进状态)", "", []string{"初访", "意向", "报价"}, 0); err != nil || i != 2 {
		t.Errorf("Select by index = %d, %v; want 2, nil", i, err)
	}
	if i, err := p.Select("Category (客户类型)", "", []string{"A", "B", "C"}, 1); err != nil || i != 1 {
		t.Errorf("Select default = %d, %v; want 1, nil", i, err)
	}
	more := []string{"Tel (电话)", "Email (邮箱)", "QQ"}
	if got, err := p.MultiSelect("More fields", "", more); err != nil || !slices.Equal(got, []int{0, 1}) {
		t.Errorf("MultiSelect = %v, %v; want [0 1], nil", got, err)
	}
	if got := fields.Options(); !slices.Equal(got, more) {
		t.Errorf("Options() = %q, want %q", got, more)
	}
	if got, err := p.MultiSelect("Even more fields", "", more); err != nil || !slices.Equal(got, []int{0, 2}) {
		t.Errorf("MultiSelect by index = %v, %v; want [0 2], nil", got, err)
	}
	if got, err := p.MultiSelect("Nothing", "", more); err != nil || got == nil || len(got) != 0 {
		t.Errorf("MultiSelect of nothing = %#v, %v; want [], nil", got, err)
	}
	if s, err := p.Password("Password (密码)", ""); err != nil || s != "s3cret" {
		t.Errorf("Password = %q, %v; want s3cret, nil", s, err)
	}
	if ok, err := p.Confirm("Create it?", false); err != nil || !ok {
		t.Errorf("Confirm = %v, %v; want true, nil", ok, err)
	}
	if ok, err := p.Confirm("Print the command?", true); err != nil || !ok {
		t.Errorf("Confirm default = %v, %v; want true, nil", ok, err)
	}
}

func TestFakeCancel(t *testing.T) {
	fake := prompter.NewFake(t)
	fake.ExpectInput("a").Cancel()
	fake.ExpectSelect("b").Cancel()
	fake.ExpectMultiSelect("c").Cancel()
	fake.ExpectConfirm("d").Cancel()
	fake.ExpectPassword("e").Cancel()

	_, err1 := fake.Input("a", "", "", nil)
	_, err2 := fake.Select("b", "", pools, 0)
	_, err3 := fake.MultiSelect("c", "", pools)
	_, err4 := fake.Confirm("d", true)
	_, err5 := fake.Password("e", "")
	for i, err := range []error{err1, err2, err3, err4, err5} {
		if !errors.Is(err, prompter.ErrCancelled) {
			t.Errorf("call %d: err = %v, want ErrCancelled", i+1, err)
		}
	}
}

func TestFakeReportsMisuse(t *testing.T) {
	tests := []struct {
		name    string
		script  func(*prompter.Fake)
		run     func(prompter.Prompter) error
		wantErr bool     // the call returns an error
		reports []string // what the test is failed with, in order
	}{
		{
			name:   "all asked",
			script: func(f *prompter.Fake) { f.ExpectConfirm("ok?").Answer(true) },
			run:    func(p prompter.Prompter) error { _, err := p.Confirm("ok?", false); return err },
		},
		{
			name:    "none left",
			script:  func(f *prompter.Fake) {},
			run:     func(p prompter.Prompter) error { _, err := p.Confirm("ok?", false); return err },
			wantErr: true,
			reports: []string{`unexpected Confirm("ok?"): no more prompts were expected`},
		},
		{
			name:    "wrong kind",
			script:  func(f *prompter.Fake) { f.ExpectInput("Name (客户名称)").Answer("x") },
			run:     func(p prompter.Prompter) error { _, err := p.Password("Name (客户名称)", ""); return err },
			wantErr: true,
			reports: []string{`unexpected Password("Name (客户名称)"): the next expected prompt is Input("Name (客户名称)")`},
		},
		{
			name:    "wrong message",
			script:  func(f *prompter.Fake) { f.ExpectInput("Name (客户名称)").Answer("x") },
			run:     func(p prompter.Prompter) error { _, err := p.Input("Name", "", "", nil); return err },
			wantErr: true,
			reports: []string{`unexpected Input("Name"): the next expected prompt is Input("Name (客户名称)")`},
		},
		{
			name: "out of step: the rest is not reported again",
			script: func(f *prompter.Fake) {
				f.ExpectInput("Name (客户名称)").Answer("x")
				f.ExpectConfirm("ok?").Answer(true)
			},
			run:     func(p prompter.Prompter) error { _, err := p.Confirm("ok?", false); return err },
			wantErr: true,
			reports: []string{`unexpected Confirm("ok?"): the next expected prompt is Input("Name (客户名称)")`},
		},
		{
			name: "leftover",
			script: func(f *prompter.Fake) {
				f.ExpectInput("Name (客户名称)").Answer("x")
				f.ExpectConfirm("ok?").Answer(true)
				f.ExpectPassword("pw").Answer("x")
			},
			run: func(p prompter.Prompter) error { _, err := p.Input("Name (客户名称)", "", "", nil); return err },
			reports: []string{
				`2 expected prompt(s) never asked: Confirm("ok?"), Password("pw")`,
			},
		},
		{
			name:    "no answer scripted",
			script:  func(f *prompter.Fake) { f.ExpectConfirm("ok?") },
			run:     func(p prompter.Prompter) error { _, err := p.Confirm("ok?", false); return err },
			wantErr: true,
			reports: []string{`Confirm("ok?") was asked, but the test scripted no answer for it`},
		},
		{
			name:    "label not offered",
			script:  func(f *prompter.Fake) { f.ExpectSelect("Pool (公海)").AnswerWith("西北公海") },
			run:     func(p prompter.Prompter) error { _, err := p.Select("Pool (公海)", "", pools, 0); return err },
			wantErr: true,
			reports: []string{`Select("Pool (公海)"): "西北公海" is not among the options offered: ["公司公海 (45)" "华东公海 (12)" "华南公海 (3)"]`},
		},
		{
			name:    "multi label not offered",
			script:  func(f *prompter.Fake) { f.ExpectMultiSelect("Fields").AnswerWith("华南公海 (3)", "QQ") },
			run:     func(p prompter.Prompter) error { _, err := p.MultiSelect("Fields", "", pools); return err },
			wantErr: true,
			reports: []string{`MultiSelect("Fields"): "QQ" is not among the options offered`},
		},
		{
			name:    "index out of range",
			script:  func(f *prompter.Fake) { f.ExpectSelect("Pool (公海)").AnswerIndex(3) },
			run:     func(p prompter.Prompter) error { _, err := p.Select("Pool (公海)", "", pools, 0); return err },
			wantErr: true,
			reports: []string{`Select("Pool (公海)"): index 3 is out of range: 3 options offered`},
		},
		{
			name:    "answers run out",
			script:  func(f *prompter.Fake) { f.ExpectInput("Name").Answers("", " ") },
			run:     func(p prompter.Prompter) error { _, err := p.Input("Name", "", "", nonEmpty); return err },
			wantErr: true,
			reports: []string{`Input("Name") rejected every scripted answer ["" " "]: [a value is required a value is required]`},
		},
		{
			name:    "accepted before the last answer",
			script:  func(f *prompter.Fake) { f.ExpectInput("Name").Answers("ok", "never typed") },
			run:     func(p prompter.Prompter) error { _, err := p.Input("Name", "", "", nonEmpty); return err },
			reports: []string{`Input("Name") accepted "ok", so the answers after it were never typed: ["never typed"]`},
		},
		{
			name:    "several answers without a validator",
			script:  func(f *prompter.Fake) { f.ExpectInput("Name").Answers("a", "b") },
			run:     func(p prompter.Prompter) error { _, err := p.Input("Name", "", "", nil); return err },
			reports: []string{`Input("Name") accepted "a", so the answers after it were never typed: ["b"]`},
		},
		{
			name:   "asked from another goroutine",
			script: func(f *prompter.Fake) {},
			run: func(p prompter.Prompter) error {
				errc := make(chan error)
				go func() { _, err := p.Input("Name", "", "", nil); errc <- err }()
				return <-errc
			},
			wantErr: true,
			reports: []string{`unexpected Input("Name"): no more prompts were expected`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			fake := prompter.NewFake(rec)
			tt.script(fake)
			err := tt.run(fake)
			if (err != nil) != tt.wantErr {
				t.Errorf("call error = %v, want error: %v", err, tt.wantErr)
			}
			if errors.Is(err, prompter.ErrCancelled) {
				t.Errorf("call error = %v, must not look like a cancellation", err)
			}
			got := rec.end()
			if len(got) != len(tt.reports) {
				t.Fatalf("reported %d failure(s) %q, want %d: %q", len(got), got, len(tt.reports), tt.reports)
			}
			for i, want := range tt.reports {
				if !strings.HasPrefix(got[i], "prompter fake: ") || !strings.Contains(got[i], want) {
					t.Errorf("report %d = %q, want it to contain %q", i, got[i], want)
				}
			}
		})
	}
}
