package feed

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"path/filepath"

	"newsfeed/record"
	"newsfeed/store"
)

// Lister is the part of the store Publish reads; *store.Store is one.
type Lister interface {
	Reader
	// Columns returns the columns that hold records of kind k.
	Columns(ctx context.Context, k record.Kind) ([]string, error)
	// Stats names the sites that hold records.
	Stats(ctx context.Context) (store.Stats, error)
}

// IndexFile is the name of the index page Publish writes.
const IndexFile = "index.html"

// PublishResult says what Publish did.
type PublishResult struct {
	// Dir is the folder written to.
	Dir string
	// Feeds are the feeds published, in index order.
	Feeds []*Feed
	// Written are the files written because they were new or changed;
	// Unchanged the files left as they were. Both are paths under Dir,
	// feed files first, then the items' pages, the stylesheet, the
	// icons, feeds.opml, index.html last.
	Written, Unchanged []string
}

// Kinds lists the record kinds in the order feeds are published.
var Kinds = []record.Kind{record.KindArticle, record.KindInterview, record.KindHeadline}

// Specs returns every feed Publish writes: one per kind, one per column
// for headlines, one per site (its articles and interviews) and one per
// source whose lists the store has polled. site, when set, keeps one
// site's records only, and its feed of its own.
func Specs(ctx context.Context, src Lister, site string) ([]Spec, error) {
	var out []Spec
	for _, k := range Kinds {
		out = append(out, Spec{Kind: k, Site: site})
	}
	cols, err := src.Columns(ctx, record.KindHeadline)
	if err != nil {
		return nil, fmt.Errorf("feed: list columns: %w", err)
	}
	for _, c := range cols {
		out = append(out, Spec{Kind: record.KindHeadline, Site: site, Column: c})
	}
	st, err := src.Stats(ctx)
	if err != nil {
		return nil, fmt.Errorf("feed: list sites: %w", err)
	}
	seen := map[string]bool{}
	for _, c := range st.Sites {
		if (c.Kind != record.KindArticle && c.Kind != record.KindInterview) || seen[c.Name] || c.Name == "" {
			continue
		}
		if site != "" && c.Name != site {
			continue
		}
		seen[c.Name] = true
		out = append(out, Spec{Kind: record.KindArticle, Site: c.Name, PerSite: true})
	}
	if site == "" {
		names, err := sourceNames(ctx, src)
		if err != nil {
			return nil, err
		}
		for _, n := range names {
			out = append(out, Spec{Kind: record.KindArticle, Source: n})
		}
	}
	return out, nil
}

// Publish writes every feed of Specs in every format under dir, as
// dir/<kind>.<format> and dir/headlines/<column>.<format>, and an
// index.html listing them with autodiscovery links, the stylesheet
// (StylesheetFile) that RSS and Atom feeds point at, the icons
// (FaviconFile, IconFile), the OPML list of every feed (OPMLFile), and
// a page for each item with no URL of its own (ItemPagePath), which its
// link points at. Item pages are never removed: an old item's link
// keeps working. Each file is
// written atomically and only when its content changed (see writeFile).
// The items it had to render are kept in the store's item cache in one
// transaction, before index.html is written. log may be nil.
func Publish(ctx context.Context, src Lister, dir string, opts Options, log *slog.Logger) (PublishResult, error) {
	res := PublishResult{Dir: dir}
	b, err := NewBuilder(src, opts)
	if err != nil {
		return res, err
	}
	// Items rendered by any feed are kept in one transaction at the end:
	// one commit (and fsync) instead of one per feed.
	var rendered []store.ItemEntry
	b.batch = &rendered
	specs, err := Specs(ctx, src, b.opts.Site)
	if err != nil {
		return res, err
	}
	p := &publisher{b: b, dir: dir, log: log, res: &res}
	if err := p.feeds(ctx, specs); err != nil {
		return res, err
	}
	if err := b.keep(ctx, rendered); err != nil {
		return res, err
	}
	if err := p.itemPages(); err != nil {
		return res, err
	}
	err = p.siteFiles() // before res is read: it adds to it
	return res, err
}

// publisher is one Publish: where it writes, and what it wrote.
type publisher struct {
	b   *Builder
	dir string
	log *slog.Logger // nil: no log
	res *PublishResult
	buf bytes.Buffer
}

// put writes data to path unless the file holds it already, and notes
// which it did.
func (p *publisher) put(path string, data []byte) error {
	wrote, err := writeFile(path, data)
	if err != nil {
		return err
	}
	if wrote {
		p.res.Written = append(p.res.Written, path)
		if p.log != nil {
			p.log.Debug("feed written", slog.String("path", path), slog.Int("bytes", len(data)))
		}
	} else {
		p.res.Unchanged = append(p.res.Unchanged, path)
	}
	return nil
}

// feeds builds the feed of each of specs and writes it in every format.
func (p *publisher) feeds(ctx context.Context, specs []Spec) error {
	for _, spec := range specs {
		if err := ctx.Err(); err != nil {
			return err
		}
		f, err := p.b.Build(ctx, spec)
		if err != nil {
			return err
		}
		p.res.Feeds = append(p.res.Feeds, f)
		for _, format := range Formats {
			p.buf.Reset()
			if err := f.Render(&p.buf, format); err != nil {
				return err
			}
			path := filepath.Join(p.dir, filepath.FromSlash(spec.Path()+"."+string(format)))
			if err := p.put(path, p.buf.Bytes()); err != nil {
				return err
			}
		}
	}
	return nil
}

// itemPages writes the page of every item the feeds publish.
func (p *publisher) itemPages() error {
	for _, it := range p.b.ItemPages(p.res.Feeds) {
		p.buf.Reset()
		if err := p.b.WriteItemPage(&p.buf, it); err != nil {
			return err
		}
		if err := p.put(filepath.Join(p.dir, filepath.FromSlash(ItemPagePath(it.ID))), p.buf.Bytes()); err != nil {
			return err
		}
	}
	return nil
}

// siteFiles writes the stylesheet, the icons, the OPML list of the
// feeds and the index page.
func (p *publisher) siteFiles() error {
	for _, file := range []struct {
		name string
		data []byte
	}{{StylesheetFile, Stylesheet()}, {FaviconFile, FaviconICO()}, {IconFile, IconPNG()}} {
		if err := p.put(filepath.Join(p.dir, file.name), file.data); err != nil {
			return err
		}
	}
	p.buf.Reset()
	if err := p.b.WriteOPML(&p.buf, p.res.Feeds); err != nil {
		return err
	}
	if err := p.put(filepath.Join(p.dir, OPMLFile), p.buf.Bytes()); err != nil {
		return err
	}
	p.buf.Reset()
	if err := p.b.WriteIndex(&p.buf, p.res.Feeds); err != nil {
		return err
	}
	return p.put(filepath.Join(p.dir, IndexFile), p.buf.Bytes())
}
