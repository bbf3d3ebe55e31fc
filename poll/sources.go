package poll

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"

	"newsfeed/article"
	"newsfeed/config"
	"newsfeed/parse"
	"newsfeed/sources"
)

// IsURL reports whether a source names a URL rather than a file.
func IsURL(src string) bool {
	l := strings.ToLower(src)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}

// ListSource is a sources-file source and the profiles read from its own
// profile file (nil: none).
type ListSource struct {
	*config.Source
	Profiles *parse.Profiles
}

// HasLinkRule reports whether the source can find its article links: it
// is no html source, or it has a links selector or a pattern, or the
// site profile of its list page (its own profiles first, then profiles;
// nil: the built-in ones) has a links key.
func (l ListSource) HasLinkRule(profiles *parse.Profiles) bool {
	if l.Kind != config.KindHTML || l.Links != nil || l.Pattern != nil {
		return true
	}
	u, err := url.Parse(l.ListURL())
	if err != nil {
		return false
	}
	p := profileFunc(profiles, &listSource{Source: l.Source, profiles: l.Profiles})(strings.ToLower(u.Hostname()))
	return p != nil && len(p.Links) > 0
}

// ErrNoSources is returned by Check for an empty source list.
var ErrNoSources = errors.New("ingest: no sources")

// Check refuses source lists a run cannot take: none at all, or "-" more
// than once.
func Check(sources []string) error {
	if len(sources) == 0 {
		return ErrNoSources
	}
	n := 0
	for _, s := range sources {
		if s == "-" {
			n++
		}
	}
	if n > 1 {
		return fmt.Errorf("ingest: stdin (-) named %d times", n)
	}
	return nil
}

// Expand replaces each "@FILE" among sources with the sources FILE lists,
// one a line (blank lines and lines starting with # are skipped; a
// listed @FILE is expanded too, to a depth of 8). Other sources are kept
// as they are. Errors name the file.
func Expand(sources []string) ([]string, error) {
	return expand(sources, 0)
}

func expand(sources []string, depth int) ([]string, error) {
	var out []string
	for _, src := range sources {
		name, ok := strings.CutPrefix(src, "@")
		if !ok {
			out = append(out, src)
			continue
		}
		if depth >= 8 {
			return nil, fmt.Errorf("ingest: %s: @FILE nested too deep", name)
		}
		data, err := os.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("ingest: read %w", err) // *PathError names the file
		}
		var listed []string
		for _, line := range strings.Split(string(data), "\n") {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			listed = append(listed, line)
		}
		more, err := expand(listed, depth+1)
		if err != nil {
			return nil, err
		}
		out = append(out, more...)
	}
	return out, nil
}

// walk hands the sink every input the sources name, in order: "-" is
// stdin, a folder is every file under it whose base name matches glob, a
// URL is an article to fetch in its canonical form (the site profile's
// tracking parameters dropped too), unless another source named it
// already. A source that cannot be walked is reported through
// sink.Failed. It stops early when the sink refuses (ctx is done).
func (p *Poller) walk(ctx context.Context, srcs []string, sink Sink) {
	for _, src := range srcs {
		if IsURL(src) {
			u := sources.CanonicalURL(nil, src, profileFunc(p.cfg.Profiles, nil))
			if u == "" {
				sink.Failed(ctx, fmt.Errorf("fetch %s: not an http or https URL", src), false)
				continue
			}
			if p.claim(u) && sink.Work(ctx, article.Work{URL: u, Site: p.cfg.Site}) != nil {
				return
			}
			continue
		}
		if src == "-" {
			if sink.File(ctx, article.File{Name: article.StdinName, Stdin: true}) != nil {
				return
			}
			continue
		}
		fi, err := os.Stat(src)
		if err != nil {
			sink.Failed(ctx, fmt.Errorf("read %w", err), false) // *PathError names the file
			continue
		}
		if !fi.IsDir() {
			if sink.File(ctx, article.File{Name: filepath.Clean(src)}) != nil {
				return
			}
			continue
		}
		if walkDir(ctx, src, p.cfg.Glob, sink) != nil {
			return // ctx done
		}
	}
}

// walkDir hands the sink every file under dir whose base name matches
// glob, skipping names that start with ".".
func walkDir(ctx context.Context, dir, glob string, sink Sink) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			sink.Failed(ctx, fmt.Errorf("read %w", err), false)
			return nil
		}
		if p != dir && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		if glob != "" {
			if ok, _ := path.Match(glob, d.Name()); !ok {
				return nil
			}
		}
		if err := sink.File(ctx, article.File{Name: p}); err != nil {
			return err
		}
		return nil
	})
}
