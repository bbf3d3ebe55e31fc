package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const seedPage = "../../seeds/000_3f39084d81a9de5b.txt"

// runCmd runs the command line in-process and returns its exit status
// and output.
func runCmd(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestParse_Seed(t *testing.T) {
	code, out, errOut := runCmd(t, "", "parse", "--site", "观察者网", seedPage)
	if code != exitOK || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	kinds := map[string]int{}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, `{"kind":"`) {
			t.Fatalf("line does not start with kind: %.60s", line)
		}
		var rec struct {
			Kind string `json:"kind"`
			Site string `json:"site"`
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatal(err)
		}
		kinds[rec.Kind]++
		if rec.Kind != "interview" && rec.Site != "观察者网" {
			t.Errorf("%s without the site", rec.Kind)
		}
	}
	if kinds["article"] != 1 || kinds["interview"] != 1 || kinds["headline"] != 39 {
		t.Errorf("records: %v", kinds)
	}
	if !strings.HasPrefix(out, `{"kind":"article"`) {
		t.Error("the article is not first")
	}
}

func TestParse_StdinAndSummary(t *testing.T) {
	data, err := os.ReadFile(seedPage)
	if err != nil {
		t.Fatal(err)
	}
	code, out, _ := runCmd(t, string(data), "parse", "--summary", "-")
	want := "stdin: 1 article (27 paragraphs, 2 captions), 1 interview (8 turns), 39 headlines (20 related, 5 recommended, 16 hot)\n"
	if code != exitOK || out != want {
		t.Errorf("exit %d, output %q, want %q", code, out, want)
	}
}

func TestParse_Errors(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	empty := write("empty.txt", nil)
	binary := write("image.png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00"))
	big := write("big.txt", bytes.Repeat([]byte("标题\n"), 1000))
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string // a fragment of the one error line
	}{
		{"empty file", []string{"parse", empty}, exitFailed, "empty.txt: parse: empty input"},
		{"binary file", []string{"parse", binary}, exitFailed, "image.png: parse: input is neither text nor HTML"},
		{"over the limit", []string{"parse", "--max-bytes", "100", big}, exitFailed, "big.txt: parse: input too large"},
		{"over the time budget", []string{"parse", "--parse-timeout", "1ns", big}, exitFailed, "big.txt: parse: page over budget: time budget of 1ns spent"},
		{"missing file", []string{"parse", filepath.Join(dir, "nope.txt")}, exitFailed, "nope.txt: no such file"},
		{"no file named", []string{"parse"}, exitUsage, "usage: newsfeed parse"},
		{"two bad files", []string{"parse", empty, binary}, exitFailed, "empty.txt: parse: empty input\nnewsfeed: " + binary},
		{"url with two files", []string{"parse", "--url", "https://a.example/1", empty, binary}, exitUsage, "--url labels one page"},
		{"missing @FILE", []string{"parse", "@" + filepath.Join(dir, "nope.list")}, exitUsage, "nope.list: no such file"},
		{"bad flag", []string{"parse", "--nope", empty}, exitUsage, "flag provided but not defined"},
		{"unknown command", []string{"frobnicate"}, exitUsage, `unknown command "frobnicate"`},
		{"no command", nil, exitUsage, "usage: newsfeed COMMAND"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCmd(t, "", tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.stderr) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, errOut, tt.code, tt.stderr)
			}
			if out != "" {
				t.Errorf("wrote to stdout on error: %q", out)
			}
			if files := len(tt.args) - 1 - 2*strings.Count(strings.Join(tt.args, " "), "--"); tt.code == exitFailed && strings.Count(errOut, "\n") != files {
				t.Errorf("want one error line, got %q", errOut)
			}
		})
	}
}
