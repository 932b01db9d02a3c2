package importer

import (
	"fmt"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"
)

// Progress shows a run's progress.
type Progress interface {
	Start(total int)
	Update(s *Summary)
	Finish(s *Summary)
}

type nopProgress struct{}

func (nopProgress) Start(int)       {}
func (nopProgress) Update(*Summary) {}
func (nopProgress) Finish(*Summary) {}

// NewBar is the progress bar for a terminal: done/total, created/failed, rate, ETA.
// Messages written to Messages() while it runs appear above it.
func NewBar(w io.Writer) *Bar { return &Bar{w: w} }

// Bar is the terminal progress bar.
type Bar struct {
	w   io.Writer
	bar *progressbar.ProgressBar
}

// Messages is a writer for lines that must not garble the bar: the bar's line is
// cleared before each write, and drawn again at the next update.
func (p *Bar) Messages() io.Writer { return barMessages{p} }

type barMessages struct{ p *Bar }

func (m barMessages) Write(b []byte) (int, error) {
	if m.p.bar != nil && !m.p.bar.IsFinished() {
		_ = m.p.bar.Clear()
	}
	return m.p.w.Write(b)
}

func (p *Bar) Start(total int) {
	p.bar = progressbar.NewOptions(total,
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetDescription("importing"),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("rows"),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionSetWidth(24),
		progressbar.OptionShowDescriptionAtLineEnd(),
	)
}

func (p *Bar) Update(s *Summary) {
	if p.bar == nil {
		return
	}
	_ = p.bar.Set(s.Done())
	p.bar.Describe(fmt.Sprintf("created %d, failed %d", s.Created, s.Failed+s.Unknown))
}

func (p *Bar) Finish(s *Summary) {
	if p.bar == nil {
		return
	}
	p.Update(s)
	_ = p.bar.Exit()
	fmt.Fprintln(p.w)
}

// NewLines is the progress for a log or a pipe: one plain line every `every` rows.
func NewLines(w io.Writer, every int, now func() time.Time) Progress {
	if every <= 0 {
		every = 50
	}
	if now == nil {
		now = time.Now
	}
	return &lineProgress{w: w, every: every, now: now}
}

type lineProgress struct {
	w     io.Writer
	every int
	total int
	last  int
	start time.Time
	now   func() time.Time
}

func (p *lineProgress) Start(total int) {
	p.total, p.start = total, p.now()
	fmt.Fprintf(p.w, "importing %d row(s)\n", total)
}

func (p *lineProgress) Update(s *Summary) {
	done := s.Done()
	if done-p.last < p.every && done != p.total {
		return
	}
	if done == p.last {
		return
	}
	p.last = done
	el := p.now().Sub(p.start)
	rate := 0.0
	if el > 0 {
		rate = float64(done) / el.Seconds()
	}
	eta := "?"
	if rate > 0 {
		eta = (time.Duration(float64(p.total-done)/rate) * time.Second).Round(time.Second).String()
	}
	fmt.Fprintf(p.w, "progress: %d/%d rows (created %d, failed %d), %.2f rows/s, ETA %s\n", done, p.total, s.Created, s.Failed+s.Unknown, rate, eta)
}

func (p *lineProgress) Finish(*Summary) {}
