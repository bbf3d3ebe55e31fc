package soak

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"image/color"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Sample is what one run used, and what the database held after it.
type Sample struct {
	// At is the time since the soak started.
	At time.Duration
	// Took is the run's wall time; MaxRSS its peak resident memory in
	// bytes; MaxFDs the most files it had open at one of the polls.
	Took   time.Duration
	MaxRSS int64
	MaxFDs int
	// DBBytes is the database file's size; Records the records it
	// holds; LogEntries its change-log entries; Items its cached items.
	DBBytes    int64
	Records    int
	LogEntries int
	// ClientFDs is the soak process's own open files (the feed client).
	ClientFDs int
}

// Run runs bin with args, polling its open files every 20 ms, and
// returns its exit status, stderr, and the sample's Took, MaxRSS and
// MaxFDs.
func Run(ctx context.Context, bin string, args ...string) (code int, stderr string, s Sample, err error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, "", s, fmt.Errorf("soak: start %s: %w", bin, err)
	}
	done := make(chan struct{})
	maxFDs := make(chan int, 1)
	go func() {
		m := 0
		fdDir := filepath.Join("/proc", strconv.Itoa(cmd.Process.Pid), "fd")
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			if ents, err := os.ReadDir(fdDir); err == nil {
				m = max(m, len(ents))
			}
			select {
			case <-done:
				maxFDs <- m
				return
			case <-t.C:
			}
		}
	}()
	werr := cmd.Wait()
	close(done)
	s.Took = time.Since(start)
	s.MaxFDs = <-maxFDs
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		s.MaxRSS = ru.Maxrss * 1024 // kilobytes on Linux
	}
	code = cmd.ProcessState.ExitCode()
	if werr != nil && code < 0 {
		return code, errOut.String(), s, fmt.Errorf("soak: %s: %w", bin, werr)
	}
	return code, errOut.String(), s, nil
}

// OpenFiles returns how many files this process has open.
func OpenFiles() int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(ents)
}

// WriteCSV writes the samples to path, one row each.
func WriteCSV(path string, samples []Sample) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("soak: %w", err)
	}
	w := csv.NewWriter(f)
	w.Write([]string{"at_s", "run_s", "run_max_rss_bytes", "run_max_fds", "db_bytes", "records", "log_entries", "client_fds"})
	for _, s := range samples {
		w.Write([]string{
			strconv.FormatFloat(s.At.Seconds(), 'f', 1, 64), strconv.FormatFloat(s.Took.Seconds(), 'f', 3, 64),
			strconv.FormatInt(s.MaxRSS, 10), strconv.Itoa(s.MaxFDs), strconv.FormatInt(s.DBBytes, 10),
			strconv.Itoa(s.Records), strconv.Itoa(s.LogEntries), strconv.Itoa(s.ClientFDs),
		})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return fmt.Errorf("soak: write %s: %w", path, err)
	}
	return f.Close()
}

// panel is one plot of the PNG: a title, a unit, and series over time.
type panel struct {
	title, unit string
	series      []series
}

type series struct {
	name  string
	value func(Sample) float64
}

// Plot draws the samples into a PNG at path: one panel each for the
// run's peak memory, open files, the database's size, and what it holds.
func Plot(path string, samples []Sample) error {
	mib := func(n int64) float64 { return float64(n) / (1 << 20) }
	panels := []panel{
		{"newsfeed run: peak resident memory", "MiB", []series{{"max RSS", func(s Sample) float64 { return mib(s.MaxRSS) }}}},
		{"open files", "files", []series{
			{"run (max)", func(s Sample) float64 { return float64(s.MaxFDs) }},
			{"feed client", func(s Sample) float64 { return float64(s.ClientFDs) }}}},
		{"database file", "MiB", []series{{"size", func(s Sample) float64 { return mib(s.DBBytes) }}}},
		{"database contents", "count", []series{
			{"records", func(s Sample) float64 { return float64(s.Records) }},
			{"change-log entries", func(s Sample) float64 { return float64(s.LogEntries) }}}},
	}
	colors := []color.Color{color.RGBA{R: 200, A: 255}, color.RGBA{B: 200, A: 255}}
	rows := make([][]*plot.Plot, len(panels))
	for i, pn := range panels {
		p := plot.New()
		p.Title.Text = pn.title
		p.X.Label.Text = "seconds since start"
		p.Y.Label.Text = pn.unit
		p.Y.Min = 0
		for j, sr := range pn.series {
			pts := make(plotter.XYs, len(samples))
			for k, s := range samples {
				pts[k] = plotter.XY{X: s.At.Seconds(), Y: sr.value(s)}
			}
			line, err := plotter.NewLine(pts)
			if err != nil {
				return fmt.Errorf("soak: plot: %w", err)
			}
			line.Color = colors[j%len(colors)]
			p.Add(line)
			p.Legend.Add(sr.name, line)
		}
		p.Legend.Top = true
		rows[i] = []*plot.Plot{p}
	}
	img := vgimg.New(vg.Points(720), vg.Points(220*float64(len(panels))))
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: len(panels), Cols: 1, PadX: vg.Millimeter * 3, PadY: vg.Millimeter * 3,
		PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
	canvases := plot.Align(rows, tiles, dc)
	for i := range rows {
		rows[i][0].Draw(canvases[i][0])
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("soak: %w", err)
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return fmt.Errorf("soak: write %s: %w", path, err)
	}
	return f.Close()
}
