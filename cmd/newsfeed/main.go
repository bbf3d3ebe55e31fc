// Command newsfeed turns news pages into article, interview and headline
// records, keeps them in a bbolt database and publishes them as feeds.
//
// Usage:
//
//	newsfeed parse [parse flags] [--summary] SOURCE...
//	newsfeed ingest [--db F] [-j N] [--glob G] [--quiet] [parse flags] [fetch flags] [SOURCE...]
//	newsfeed ingest --from-nats URL [--follow] [--db F] [--nats-prefix P] [--nats-replicas N]
//	newsfeed export [--db F] [--since SEQ] [--kind K] [--limit N]
//	newsfeed stats [--db F]
//	newsfeed show [--db F] ID
//	newsfeed publish [--db F] [--out DIR] [--base-url URL] [--limit N] [--only-site S]
//	newsfeed run [--db F] [--out DIR] [--base-url URL] [--retention K=AGE,...] [--compact-above PCT] [ingest flags] [SOURCE...]
//	newsfeed prune [--db F] [--older-than 180d] [--kind K] [--dry-run]
//	newsfeed compact [--db F]
//	newsfeed backup [--db F] FILE
//	newsfeed restore [--db F] [--force] FILE
//	newsfeed check [--db F] [--repair]
//	newsfeed serve [--db F] [--addr A] [--base-url URL] [--nats URL] [--every D [--] [run or schedule flags] [SOURCE...]]
//	newsfeed schedule --nats URL [NATS flags] [parse flags] [fetch flags] [SOURCE...]
//	newsfeed worker --nats URL [NATS flags] [parse flags] [fetch flags] [--once]
//	newsfeed stats --nats URL [--json]
//
// A SOURCE is a file, a folder, - for stdin, an http(s) URL, or @FILE (a
// file listing sources, one a line). The parse flags are --site, --url,
// --profiles, --content-type, --max-bytes and --parse-timeout; the fetch flags --config,
// --allow-private, --ignore-robots, --retries, --per-host, --delay,
// --timeout, --fetchers and --contact. With no SOURCE, ingest and run
// read the sources file (newsfeed.toml or --config), else seeds/. The
// NATS flags are --nats, --nats-prefix, --nats-replicas, --queue-max,
// --ack-wait and --max-deliver.
//
// Exit status: 0 all good; 1 some inputs failed, or check found problems;
// 2 usage or configuration error; 3 the database is locked by another
// run; 4 export --since is older than the change log keeps; 5 the
// database is damaged (run check; restore from a backup, or check
// --salvage OUT).
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"sync/atomic"
	"syscall"

	"newsfeed/app"
)

// Exit statuses, as documented in the README.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
	exitLocked = 3
	exitTooOld = 4
	// exitDamaged: the database file is damaged (store.ErrDamaged).
	exitDamaged = 5
)

// env is what a command sees of the process: its streams. Tests run
// commands with their own.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	log    *slog.Logger
}

// command is one subcommand: it parses its own flags from args and
// returns what it ended with (nil: all good), which runCommand turns into
// the exit status.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e *env, args []string) error
}

var commands = []command{
	{"parse", "print a page's records (HTML or raw text) as NDJSON (no database)", runParse},
	{"ingest", "read or fetch, parse and store pages: files, folders, -, URLs, @FILE, the sources file", runIngest},
	{"export", "print stored records as NDJSON in change-log order (--since SEQ)", runExport},
	{"stats", "print counts per kind, site and column, newest times, database size", runStats},
	{"show", "print one stored record by id", runShow},
	{"publish", "write RSS, Atom and JSON feeds and index.html from the database (--out DIR)", runPublish},
	{"run", "ingest the sources (default: newsfeed.toml, else seeds/), then publish: the cron entry", runRun},
	{"serve", "serve the feeds, an index page, a JSON API and metrics over HTTP (--every D: run, or with --nats schedule, too)", runServe},
	{"schedule", "poll the sources' lists and queue their articles on NATS for workers (--nats URL)", runSchedule},
	{"worker", "fetch and parse the queued articles and publish their records on NATS (--nats URL)", runWorker},
	{"prune", "delete records past an age, with tombstones in the change log", runPrune},
	{"compact", "rewrite the database without its free pages", runCompact},
	{"backup", "write a consistent snapshot of the database to FILE", runBackup},
	{"restore", "replace the database with a snapshot FILE, after checking it", runRestore},
	{"check", "check the database's consistency (--repair rebuilds the indexes)", runCheck},
	{"discover", "find a site's feed, sitemap or article links from its address and print a [[source]] for it", runDiscover},
	{"add", "discover a site (see discover) and append its [[source]] to the sources file", runAdd},
	{"hosts", "list the hosts deferred (after a long Retry-After or failures) with time and reason; --clear HOST", runHosts},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run dispatches args to a subcommand and returns the exit status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{
		stdin:  stdin,
		stdout: stdout,
		stderr: stderr,
		log:    slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	for _, c := range commands {
		if c.name == args[0] {
			return runCommand(ctx, c, e, args[1:])
		}
	}
	fmt.Fprintf(stderr, "newsfeed: unknown command %q\n", args[0])
	usage(stderr)
	return exitUsage
}

// runCommand runs c at the edge where a command meets the process: what
// c.run returns becomes the exit status here, through exitStatus; a
// panic or a memory fault that gets this far (the store turns a damaged
// page into an error where it reads, so none should) is one line and
// exit 1 or 5, never a Go crash; and this is the one place a damaged
// database becomes exit status 5: a command that failed (1) after any
// line naming a damaged database (store.DamagedError's, which ends with
// `run "newsfeed check"`) exits 5.
func runCommand(ctx context.Context, c command, e *env, args []string) (code int) {
	w := &damageWatch{w: e.stderr}
	ce := *e
	ce.stderr = w
	ce.log = slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn}))
	old := debug.SetPanicOnFault(true)
	defer func() {
		debug.SetPanicOnFault(old)
		if r := recover(); r != nil {
			var fault interface{ Addr() uintptr }
			if err, ok := r.(error); ok && errors.As(err, &fault) {
				fmt.Fprintf(e.stderr, "newsfeed: %s: memory fault reading a file (a damaged or truncated database?): %v: run \"newsfeed check\"\n", c.name, r)
				code = exitDamaged
				return
			}
			fmt.Fprintf(e.stderr, "newsfeed: %s: internal error: %v\n", c.name, r)
			code = exitFailed
		}
		if code == exitFailed && w.damaged.Load() {
			code = exitDamaged
		}
	}()
	return exitStatus(ctx, &ce, c.name, c.run(ctx, &ce, args))
}

// damageMark ends every store.DamagedError's message.
const damageMark = `run "newsfeed check"`

// damageWatch passes writes through and notes one that names a damaged
// database.
type damageWatch struct {
	w       io.Writer
	damaged atomic.Bool
}

func (d *damageWatch) Write(p []byte) (int, error) {
	if bytes.Contains(p, []byte(damageMark)) {
		d.damaged.Store(true)
	}
	return d.w.Write(p)
}

// verboseLog returns the logger of -v: everything, down to debug lines.
func (e *env) verboseLog() *slog.Logger {
	return slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: newsfeed COMMAND [flags] [args]")
	fmt.Fprintln(w, "\ncommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'newsfeed COMMAND -h' for a command's flags.")
}

// newFlagSet returns a flag set that reports errors to e.stderr and does
// not exit the process.
func newFlagSet(e *env, name, args string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "usage: newsfeed %s [flags] %s\n", name, args)
		fs.PrintDefaults()
	}
	return fs
}

// statusCode is an error that was printed already (or needs no words):
// the command ends with its exit status.
type statusCode int

func (c statusCode) Error() string { return fmt.Sprintf("exit status %d", int(c)) }

// status returns code as what a command ends with: nil for exitOK, else
// a statusCode (whatever it means was printed already).
func status(code int) error {
	if code == exitOK {
		return nil
	}
	return statusCode(code)
}

// badUsage prints fs's usage and returns the statusCode of a usage error.
func badUsage(fs *flag.FlagSet) error {
	fs.Usage()
	return statusCode(exitUsage)
}

// parseFlags parses args into fs; after -h, or a flag the flag package
// refused (and printed), it returns the statusCode to end with. Flags may
// come after the arguments too ("newsfeed run seeds/ --limit 20"), as
// users type them; after "--" everything is an argument. fs.Args() then
// holds the arguments in their order.
func parseFlags(fs *flag.FlagSet, args []string) error {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return statusCode(exitOK)
			}
			return statusCode(exitUsage)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			positional = append(positional, rest...)
			break
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
	// Parse stops at "--": this leaves fs.Args() == positional.
	_ = fs.Parse(append([]string{"--"}, positional...))
	return nil
}

// usageError is a command line or configuration a command refuses: exit
// status 2. Its message follows "newsfeed: ".
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// usagef returns a usageError.
func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// failure is an error a command ends with: printed "newsfeed: CMD: err",
// exit status 1, or 128+n after signal n when it is interruptible. It
// hides what err joins, so that it is one line as given.
type failure struct {
	err           error
	interruptible bool
}

func (f failure) Error() string { return f.err.Error() }

func (f failure) Unwrap() error { return f.err }

// failed returns err as a failure (nil: nil).
func failed(err error) error {
	if err == nil {
		return nil
	}
	return failure{err: err}
}

// interrupted returns err as a failure that a signal may have caused
// (nil: nil).
func interrupted(err error) error {
	if err == nil {
		return nil
	}
	return failure{err: err, interruptible: true}
}

// openFailure is a database, or a snapshot or copy of one, that could
// not be opened: exitStatus prints it as openStatus says.
type openFailure struct{ err error }

func (f openFailure) Error() string { return f.err.Error() }

func (f openFailure) Unwrap() error { return f.err }

// workFailure is an error from a command's work on an open database,
// which a signal may have cut short: exitStatus prints it as workStatus
// says.
type workFailure struct{ err error }

func (f workFailure) Error() string { return f.err.Error() }

func (f workFailure) Unwrap() error { return f.err }

// workFailed returns err as a workFailure (nil: nil).
func workFailed(err error) error {
	if err == nil {
		return nil
	}
	return workFailure{err}
}

// exitStatus prints err, what a command or one stage of a run ended with
// (nil: nothing), naming cmd, and returns the exit status: the one place
// errors become exit statuses. A statusCode was printed already; 2 for a
// usage error or a configuration a stage refuses; for a database that
// could not be opened (openFailure), 3 when another process holds it, 2
// when it is not a database this newsfeed can use, 5 when it is damaged;
// for work cut short (workFailure), 5 when the database is damaged,
// 128+n after signal n; else 1. Joined errors are printed in order and
// end with the worst status.
func exitStatus(ctx context.Context, e *env, cmd string, err error) int {
	if err == nil {
		return exitOK
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		code := exitOK
		for _, err := range j.Unwrap() {
			code = max(code, exitStatus(ctx, e, cmd, err))
		}
		return code
	}
	var ue usageError
	var se *app.StageError
	var st statusCode
	var of openFailure
	var wf workFailure
	var f failure
	switch {
	case errors.As(err, &st):
		return int(st)
	case errors.As(err, &ue):
		fmt.Fprintf(e.stderr, "newsfeed: %s\n", ue.msg)
		return exitUsage
	case errors.As(err, &of):
		return openStatus(ctx, e, cmd, of.err)
	case errors.As(err, &wf):
		return workStatus(ctx, e, cmd, wf.err)
	case errors.As(err, &f):
		fmt.Fprintf(e.stderr, "newsfeed: %s: %v\n", cmd, f.err)
		if f.interruptible && ctx.Err() != nil {
			return signalExit(ctx)
		}
		return exitFailed
	case errors.Is(err, app.ErrInputsFailed):
		return exitFailed // counted in the summary
	case !errors.As(err, &se):
		fmt.Fprintf(e.stderr, "newsfeed: %s: %v\n", cmd, err)
		return exitFailed
	case se.Op == app.OpOpen:
		return openStatus(ctx, e, se.Stage, se.Err)
	case se.Stage == app.StagePublish && errors.Is(err, context.Canceled) && ctx.Err() != nil:
		return signalExit(ctx)
	}
	name := se.Stage
	if se.Stage == app.StagePrune && se.Op == "" {
		name = "run: prune"
	}
	fmt.Fprintf(e.stderr, "newsfeed: %s: %v\n", name, se.Err)
	if errors.Is(err, app.ErrInvalid) {
		return exitUsage
	}
	return exitFailed
}
