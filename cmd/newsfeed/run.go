package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
)

// sharedRunFlags are the flags run gives to both ingest and publish.
var sharedRunFlags = map[string]bool{"db": true, "lock-timeout": true, "quiet": true, "v": true}

// runRun ingests the sources (default seeds/), then publishes every feed:
// the one command a crontab needs. It takes ingest's flags and
// publish's --out, --base-url, --limit and --title. Publishing goes on
// when some inputs failed (the rest were stored); the exit status is the
// worse of the two.
func runRun(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "run", "[SOURCE...]")
	pub := publishFlags(fs, false)
	ingestArgs, publishArgs, help := splitRunArgs(fs, args)
	if help {
		runUsage(ctx, e, fs)
		return exitOK
	}
	if err := fs.Parse(publishArgs); err != nil {
		return exitUsage
	}
	// The shared flags: parse them the way ingest does.
	shared := newFlagSet(e, "run", "[SOURCE...]")
	dbPath, lockTimeout := dbFlags(shared)
	shared.BoolVar(&pub.quiet, "quiet", false, "")
	shared.BoolVar(&pub.verbose, "v", false, "")
	shared.SetOutput(io.Discard) // ingest reports bad flags itself
	shared.Parse(sharedOnly(ingestArgs))

	code := runIngest(ctx, e, ingestArgs)
	if code != exitOK && code != exitFailed {
		return code // usage, locked, interrupted: nothing new to publish
	}
	if ctx.Err() != nil {
		return signalExit(ctx)
	}
	return max(code, pub.publish(ctx, e, *dbPath, *lockTimeout))
}

// splitRunArgs sorts run's arguments: publish's own flags (with their
// values) go to publishArgs, the shared ones to both, everything else
// (ingest's flags and the sources) to ingestArgs in its order. help is
// set when -h or --help is among the flags.
func splitRunArgs(pub *flag.FlagSet, args []string) (ingestArgs, publishArgs []string, help bool) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			ingestArgs = append(ingestArgs, args[i:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			ingestArgs = append(ingestArgs, a)
			continue
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		switch {
		case name == "h" || name == "help":
			help = true
		case publishOnlyFlags[name]:
			publishArgs = append(publishArgs, a)
			if f := pub.Lookup(name); f != nil && !hasValue && !isBoolFlag(f) && i+1 < len(args) {
				i++
				publishArgs = append(publishArgs, args[i])
			}
		default:
			ingestArgs = append(ingestArgs, a)
		}
	}
	return ingestArgs, publishArgs, help
}

// sharedOnly returns the shared flags among ingest's arguments, with
// their values.
func sharedOnly(args []string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		if len(a) < 2 || a[0] != '-' {
			continue
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !sharedRunFlags[name] {
			continue
		}
		out = append(out, a)
		if !hasValue && (name == "db" || name == "lock-timeout") && i+1 < len(args) {
			i++
			out = append(out, args[i])
		}
	}
	return out
}

// isBoolFlag reports whether f takes no value.
func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// runUsage prints run's usage: its own flags, then ingest's.
func runUsage(ctx context.Context, e *env, fs *flag.FlagSet) {
	fmt.Fprintln(e.stderr, "usage: newsfeed run [flags] [SOURCE...]  (default seeds/)")
	fmt.Fprintln(e.stderr, "\nIngests the sources, then publishes every feed. Publish flags:")
	fs.PrintDefaults()
	fmt.Fprintln(e.stderr, "\nand every ingest flag (--db, --lock-timeout and --quiet apply to both):")
	runIngest(ctx, e, []string{"-h"})
}
