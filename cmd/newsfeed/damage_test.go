package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"newsfeed/internal/testpages"
)

// damageKind damages a database file's bytes in place.
type damageKind struct {
	name   string
	damage func(data []byte) []byte
}

// damageKinds are the ways issue 19 damaged a file: 64 flipped bytes at
// ten positions, 200 scattered bytes, truncation to a quarter, half and
// three quarters, and a zeroed page.
func damageKinds() []damageKind {
	var out []damageKind
	for _, pct := range []int{5, 15, 25, 35, 45, 55, 65, 75, 85, 95} {
		out = append(out, damageKind{fmt.Sprintf("flip64@%d%%", pct), func(d []byte) []byte {
			at := len(d) * pct / 100
			for i := at; i < at+64 && i < len(d); i++ {
				d[i] ^= 0xA5
			}
			return d
		}})
	}
	out = append(out, damageKind{"scatter200", func(d []byte) []byte {
		r := rand.New(rand.NewPCG(19, 19))
		for range 200 {
			d[8192+r.IntN(len(d)-8192)] ^= byte(1 + r.IntN(255))
		}
		return d
	}})
	for _, pct := range []int{25, 50, 75} {
		out = append(out, damageKind{fmt.Sprintf("trunc%d%%", pct), func(d []byte) []byte {
			return d[:len(d)*pct/100]
		}})
	}
	out = append(out, damageKind{"zero-page", func(d []byte) []byte {
		ps := 4096
		at := (len(d) / 2 / ps) * ps
		clear(d[at : at+ps])
		return d
	}})
	return out
}

// TestDamage is the damage test of issue 19: a real database, damaged in
// each way above, with every command and a running serve run against
// it. No process dies (no Go panic, no exit 2); each exits with a
// documented status (0, 1 or 5) and a message without a traceback; check
// names the damage; restore of a good backup and check --salvage recover
// every record that was not damaged (compared with an export of the
// original). It logs a table of damage kind × command → outcome.
func TestDamage(t *testing.T) {
	dir := t.TempDir()
	pages := filepath.Join(dir, "pages")
	if err := os.MkdirAll(pages, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := testpages.WriteDir(pages, 0, 40); err != nil {
		t.Fatal(err)
	}
	orig := filepath.Join(dir, "orig.db")
	for _, src := range []string{testpages.SeedPath(), pages} {
		if code, _, errOut := runNewsfeed(t, "", "ingest", "--quiet", "--db", orig, src); code != 0 {
			t.Fatalf("ingest %s: exit %d: %s", src, code, errOut)
		}
	}
	backup := filepath.Join(dir, "backup.db")
	if code, _, errOut := runNewsfeed(t, "", "backup", "--quiet", "--db", orig, backup); code != 0 {
		t.Fatalf("backup: exit %d: %s", code, errOut)
	}
	want := exportRecords(t, orig)
	if len(want) < 100 {
		t.Fatalf("the original holds %d records, want a real database", len(want))
	}
	origBytes, err := os.ReadFile(orig)
	if err != nil {
		t.Fatal(err)
	}
	extra := filepath.Join(dir, "extra")
	if err := os.MkdirAll(extra, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := testpages.WriteDir(extra, 100, 2); err != nil {
		t.Fatal(err)
	}

	commands := []string{"check", "check --repair", "stats", "export", "compact", "prune", "publish",
		"ingest", "backup", "restore", "check --salvage", "serve"}
	table := map[string]map[string]string{}
	var mu sync.Mutex
	// Each kind of damage on its own copies, in parallel: the group waits for them.
	t.Run("kinds", func(t *testing.T) {
		for _, dk := range damageKinds() {
			t.Run(dk.name, func(t *testing.T) {
				t.Parallel()
				row := map[string]string{}
				defer func() {
					mu.Lock()
					table[dk.name] = row
					mu.Unlock()
				}()
				for _, cmd := range commands {
					cdir := filepath.Join(dir, strings.ReplaceAll(dk.name, "%", "")+"-"+strings.ReplaceAll(cmd, " --", "-"))
					if err := os.MkdirAll(cdir, 0o755); err != nil {
						t.Fatal(err)
					}
					db := filepath.Join(cdir, "newsfeed.db")
					if err := os.WriteFile(db, dk.damage(bytes.Clone(origBytes)), 0o644); err != nil {
						t.Fatal(err)
					}
					var code int
					var out, errOut string
					t0 := time.Now()
					switch cmd {
					case "check":
						code, out, errOut = runNewsfeed(t, "", "check", "--db", db)
						if code == exitDamaged && !strings.Contains(out+errOut, "page ") {
							t.Errorf("%s: check exits 5 but names no page: %s%s", dk.name, out, errOut)
						}
						if code == exitOK && !sameRecords(t, db, want) {
							t.Errorf("%s: check says ok, but the records differ from the original's", dk.name)
						}
					case "check --repair":
						code, out, errOut = runNewsfeed(t, "", "check", "--repair", "--db", db)
					case "stats":
						code, out, errOut = runNewsfeed(t, "", "stats", "--db", db)
					case "export":
						code, out, errOut = runNewsfeed(t, "", "export", "--db", db, "--since", "0")
						for i, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
							if line != "" && !json.Valid([]byte(line)) {
								t.Errorf("%s: export line %d is not valid JSON: %.80q", dk.name, i+1, line)
							}
						}
					case "compact":
						code, out, errOut = runNewsfeed(t, "", "compact", "--db", db)
					case "prune":
						code, out, errOut = runNewsfeed(t, "", "prune", "--db", db, "--older-than", "1d")
					case "publish":
						code, out, errOut = runNewsfeed(t, "", "publish", "--db", db, "--out", filepath.Join(cdir, "feeds"))
					case "ingest":
						code, out, errOut = runNewsfeed(t, "", "ingest", "--quiet", "--db", db, extra)
					case "backup":
						bk := filepath.Join(cdir, "backup.db")
						os.WriteFile(bk, []byte("the previous backup"), 0o644)
						code, out, errOut = runNewsfeed(t, "", "backup", "--db", db, bk)
						if prev, _ := os.ReadFile(bk); code != exitOK && string(prev) != "the previous backup" {
							t.Errorf("%s: a failed backup replaced the previous one", dk.name)
						}
					case "restore":
						code, out, errOut = runNewsfeed(t, "", "restore", "--db", db, backup)
						if code != exitOK {
							t.Errorf("%s: restore of a good backup: exit %d: %s", dk.name, code, errOut)
						} else if !sameRecords(t, db, want) {
							t.Errorf("%s: restore: the records differ from the original's", dk.name)
						}
					case "check --salvage":
						salvaged := filepath.Join(cdir, "salvaged.db")
						code, out, errOut = runNewsfeed(t, "", "check", "--db", db, "--salvage", salvaged)
						if code != exitOK {
							t.Errorf("%s: salvage: exit %d: %s", dk.name, code, errOut)
							break
						}
						checkSalvaged(t, dk.name, salvaged, out, want)
					case "serve":
						code, out, errOut = serveDamaged(t, db)
					}
					outcome := fmt.Sprintf("exit %d", code)
					if cmd == "serve" {
						// out is "/api/records… CODE, /healthz CODE".
						outcome = "up " + strings.NewReplacer("/api/records?since=0&limit=10000 ", "api ", "/healthz ", "hz ", ",", "").Replace(out)
					}
					if strings.Contains(errOut, "goroutine ") || strings.Contains(errOut, "panic") ||
						strings.Contains(errOut, "fatal error") || strings.Contains(errOut, "SIGSEGV") {
						outcome = "CRASH"
						t.Errorf("%s: %s: the process crashed: %s", dk.name, cmd, lastLines(errOut, 8))
					}
					switch code {
					case exitOK, exitFailed, exitDamaged:
					default:
						t.Errorf("%s: %s: exit %d, want 0, 1 or 5: %s", dk.name, cmd, code, lastLines(errOut, 3))
					}
					if code == exitDamaged && !strings.Contains(errOut, "damaged") {
						t.Errorf("%s: %s: exit 5 without saying damaged: %s", dk.name, cmd, lastLines(errOut, 3))
					}
					row[cmd] = outcome
					if code != exitOK {
						t.Logf("%s: %s: exit %d: %s", dk.name, cmd, code, lastLines(errOut, 1))
					}
					if d := time.Since(t0); d > 2*time.Second {
						t.Logf("%s: %s took %v", dk.name, cmd, d.Round(time.Millisecond))
					}
				}
			})
		}
	})
	var b strings.Builder
	fmt.Fprintf(&b, "\n%-12s", "damage")
	for _, c := range commands {
		fmt.Fprintf(&b, " | %-16s", c)
	}
	b.WriteString("\n")
	for _, dk := range damageKinds() {
		fmt.Fprintf(&b, "%-12s", dk.name)
		for _, c := range commands {
			fmt.Fprintf(&b, " | %-16s", table[dk.name][c])
		}
		b.WriteString("\n")
	}
	t.Log(b.String())
}

// exportRecords exports db and returns each record's JSON without its
// seq and op, by id (tombstones left out).
func exportRecords(t *testing.T, db string) map[string]string {
	t.Helper()
	code, out, errOut := runNewsfeed(t, "", "export", "--db", db, "--since", "0")
	if code != 0 {
		t.Fatalf("export %s: exit %d: %s", db, code, errOut)
	}
	recs := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("export %s: %v: %s", db, err, line)
		}
		if m["op"] == "delete" {
			continue
		}
		delete(m, "seq")
		delete(m, "op")
		b, _ := json.Marshal(m)
		recs[m["id"].(string)] = string(b)
	}
	return recs
}

// sameRecords reports whether db exports exactly want's records.
func sameRecords(t *testing.T, db string, want map[string]string) bool {
	t.Helper()
	got := exportRecords(t, db)
	if len(got) != len(want) {
		return false
	}
	for id, j := range want {
		if got[id] != j {
			return false
		}
	}
	return true
}

// checkSalvaged checks a salvaged database: it passes check, every
// record in it is the original's, and every record salvage did not name
// as lost is in it.
func checkSalvaged(t *testing.T, kind, db, salvageOut string, want map[string]string) {
	t.Helper()
	if code, _, errOut := runNewsfeed(t, "", "check", "--db", db); code != 0 {
		t.Errorf("%s: the salvaged database fails check: exit %d: %s", kind, code, errOut)
	}
	lost, swept := map[string]bool{}, map[string]bool{}
	for _, line := range strings.Split(salvageOut, "\n") {
		if _, id, ok := strings.Cut(line, ": lost: "); ok {
			lost[id] = true
		}
		if _, id, ok := strings.Cut(line, "(whole, but maybe an older version): "); ok {
			swept[id] = true
		}
	}
	older := 0
	got := exportRecords(t, db)
	missing := 0
	for id, j := range want {
		g, ok := got[id]
		switch {
		case ok && g != j && swept[id]:
			older++ // read from a cut-off page, and said so
		case ok && g != j:
			t.Errorf("%s: salvaged %s differs from the original", kind, id)
		case !ok && !lost[id]:
			// On a lost page with nothing left that names it (no
			// index entry or change-log entry survived).
			missing++
		}
	}
	if missing > 0 || len(swept) > 0 {
		t.Logf("%s: salvage: %d of %d records lost without a surviving name; %d read from cut-off pages, %d of them an older version",
			kind, missing, len(want), len(swept), older)
	}
	for id := range got {
		if _, ok := want[id]; !ok {
			t.Errorf("%s: salvage made up record %s", kind, id)
		}
	}
}

// serveDamaged starts serve on db, asks /api/records and /healthz, and
// stops it: the process must still be running after both requests.
func serveDamaged(t *testing.T, db string) (int, string, string) {
	t.Helper()
	addr := freeAddr(t)
	cmd := exec.Command(e2eBin, "serve", "--db", db, "--addr", addr, "--access-log=false")
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	client := &http.Client{Timeout: 10 * time.Second}
	get := func(path string) (int, string) {
		resp, err := client.Get("http://" + addr + path)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		return resp.StatusCode, string(body)
	}
	var summary []string
	deadline := time.Now().Add(20 * time.Second)
	for {
		if code, _ := get("/healthz"); code != 0 || time.Now().After(deadline) {
			break
		}
		select {
		case err := <-done:
			return exitCode(err), "", errOut.String()
		case <-time.After(50 * time.Millisecond):
		}
	}
	for _, p := range []string{"/api/records?since=0&limit=10000", "/healthz"} {
		code, body := get(p)
		summary = append(summary, fmt.Sprintf("%s %d", p, code))
		if code != http.StatusOK && code != http.StatusServiceUnavailable {
			t.Errorf("serve %s: GET %s: %d %.200s", db, p, code, body)
		}
		if code == http.StatusServiceUnavailable && !json.Valid([]byte(body)) {
			t.Errorf("serve %s: GET %s: 503 without a JSON body: %.200s", db, p, body)
		}
	}
	select {
	case err := <-done:
		t.Errorf("serve %s died: %v: %s", db, err, lastLines(errOut.String(), 8))
		return exitCode(err), strings.Join(summary, ", "), errOut.String()
	default:
	}
	cmd.Process.Signal(syscall.SIGTERM)
	err := <-done
	code := exitCode(err)
	if code == exitTerm {
		code = exitOK // stopped as asked
	}
	return code, strings.Join(summary, ", "), errOut.String()
}

// lastLines returns s's last n lines.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
