package feed

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"newsfeed/record"
	"newsfeed/store"
)

// items turns what the store's item cache gave into feed items: a fresh
// cached item is decoded as it is, any other record rendered and, unless
// the store is read-only, put back into the cache for the next build.
func (b *Builder) items(ctx context.Context, cached []store.CachedItem) ([]*Item, error) {
	out := make([]*Item, 0, len(cached))
	var keep []store.ItemEntry
	for i := range cached {
		c := &cached[i]
		if c.Item != nil {
			it, err := decodeItem(c.ID, c.Item)
			if err != nil {
				return nil, fmt.Errorf("cached item of %s: %w", c.ID, err)
			}
			it.valid = it.Content // encoded from a rendered item
			it.seq = c.Seq
			out = append(out, it)
			continue
		}
		it, err := b.render(c)
		if err != nil {
			return nil, err
		}
		it.valid = it.Content // built from clean text by the policy
		it.seq = c.Seq
		out = append(out, it)
		keep = append(keep, c.Entry(encodeItem(nil, it)))
	}
	b.remember(out)
	if b.batch != nil {
		*b.batch = append(*b.batch, keep...)
	} else if err := b.keep(ctx, keep); err != nil {
		return nil, err
	}
	return out, nil
}

// keep puts rendered items into the store's item cache, in one
// transaction; a read-only store keeps nothing, and that is no error.
func (b *Builder) keep(ctx context.Context, entries []store.ItemEntry) error {
	if len(entries) == 0 {
		return nil
	}
	if _, err := b.src.PutItems(ctx, b.key, entries); err != nil && !errors.Is(err, store.ErrReadOnly) {
		return fmt.Errorf("feed: keep items: %w", err)
	}
	return nil
}

// render renders the record c holds as an item.
func (b *Builder) render(c *store.CachedItem) (*Item, error) {
	var it *Item
	switch r := c.Record.(type) {
	case *record.Article:
		it = b.articleItem(r, c.FirstSeen)
	case *record.Interview:
		it = b.interviewItem(r, c.Article, c.FirstSeen)
	case *record.Headline:
		it = b.headlineItem(r, c.FirstSeen)
	default:
		return nil, fmt.Errorf("record %s of unknown type %T", c.ID, c.Record)
	}
	if it.Content == "" {
		// JSON Feed requires content; a record with no body shows its
		// summary, else its title.
		var w htmlWriter
		w.elem("p", cmp.Or(it.Summary, it.Title))
		it.Content = w.sanitized()
	}
	if it.Date.IsZero() {
		// Only a record the store lost track of gets here.
		it.Date = time.Unix(0, 0).UTC()
	}
	return it, nil
}

func (b *Builder) articleItem(a *record.Article, firstSeen time.Time) *Item {
	lang := languageTag(a.Language)
	if lang == "" && hasHan(a.Title) {
		lang = "zh-CN"
	}
	paras := texts(a)
	it := &Item{
		ID:       a.ID,
		Title:    itemTitle(a.Title, paras, a.ID),
		Link:     b.link(a.URL, a.ID),
		Summary:  summary(a.Lead, paras),
		Content:  articleHTML(a, labelsFor(lang)),
		Date:     date(a.Published, firstSeen),
		Authors:  cleanAll(a.Authors),
		Tags:     tags(a.Outlet, a.Column),
		Image:    leadImage(a),
		Language: lang,
	}
	return it
}

func (b *Builder) interviewItem(iv *record.Interview, a *record.Article, firstSeen time.Time) *Item {
	var pageURL, lang, image string
	var published *time.Time
	var authors, tagList []string
	if a != nil {
		pageURL, lang, published = a.URL, languageTag(a.Language), a.Published
		authors, tagList, image = a.Authors, tags(a.Outlet, a.Column), leadImage(a)
	}
	if lang == "" && hasHan(iv.Title) {
		lang = "zh-CN"
	}
	var first []string
	if len(iv.Turns) > 0 {
		first = iv.Turns[0].Paragraphs
	}
	return &Item{
		ID:       iv.ID,
		Title:    itemTitle(iv.Title, first, iv.ID),
		Link:     b.link(pageURL, iv.ID),
		Summary:  summary(iv.Note, first),
		Content:  interviewHTML(iv),
		Date:     date(published, firstSeen),
		Authors:  cleanAll(authors),
		Tags:     tagList,
		Image:    image,
		Language: lang,
	}
}

func (b *Builder) headlineItem(h *record.Headline, firstSeen time.Time) *Item {
	lang := ""
	if hasHan(h.Title) {
		lang = "zh-CN"
	}
	l := labelsFor(lang)
	if !h.FirstSeen.IsZero() {
		firstSeen = h.FirstSeen.UTC()
	}
	tags := []string{h.Column}
	var lists []string
	for _, x := range h.Lists {
		tags = append(tags, string(x))
		lists = append(lists, l.listName(x))
	}
	var sum []string
	if c := oneLine(h.Column); c != "" {
		sum = append(sum, l.column+": "+c)
	}
	if len(lists) > 0 {
		sum = append(sum, l.lists+": "+strings.Join(lists, l.sep))
	}
	if h.Comments != nil {
		sum = append(sum, l.comments+": "+strconv.Itoa(*h.Comments))
	}
	return &Item{
		ID:       h.ID,
		Title:    itemTitle(h.Title, nil, h.ID),
		Link:     b.link(h.URL, h.ID),
		Summary:  strings.Join(sum, " · "),
		Content:  headlineHTML(h, l),
		Date:     date(h.Published, firstSeen),
		Tags:     cleanAll(tags),
		Language: lang,
	}
}

// link returns raw when it is an absolute http(s) URL, else the item's
// own page (ItemPagePath), which Publish writes and serve serves: a feed
// never carries a relative or empty link, nor one to a page that does
// not exist.
func (b *Builder) link(raw, id string) string {
	if raw = clean(raw); raw != "" {
		if u, err := url.Parse(raw); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
			return u.String()
		}
	}
	return b.fileURL(ItemPagePath(id))
}

// ItemPagePath returns the path, under the base URL, of the page of the
// record id: items/<id>.html. Record ids are letters, digits and '_'.
func ItemPagePath(id string) string {
	return "items/" + slug(id) + ".html"
}

// date returns the published time, else firstSeen in UTC.
func date(published *time.Time, firstSeen time.Time) time.Time {
	if published != nil && !published.IsZero() {
		return *published
	}
	if firstSeen.IsZero() {
		return firstSeen
	}
	return firstSeen.UTC()
}

// itemTitle returns the cleaned title; an untitled record is named by its
// first paragraph, else its id, since readers need a title to show.
func itemTitle(title string, paras []string, id string) string {
	if t := oneLine(title); t != "" {
		return t
	}
	for _, p := range paras {
		if t := truncate(oneLine(p), 80); t != "" {
			return t
		}
	}
	return id
}

// summary returns lead when set, else the first non-blank paragraph, as
// one line of at most summaryRunes characters.
func summary(lead string, paras []string) string {
	if s := oneLine(lead); s != "" {
		return truncate(s, summaryRunes)
	}
	for _, p := range paras {
		if s := oneLine(p); s != "" {
			return truncate(s, summaryRunes)
		}
	}
	return ""
}

// tags returns an item's categories: the outlet and the column, each
// once.
func tags(outlet, column string) []string {
	out := cleanAll([]string{outlet, column})
	if len(out) == 2 && out[0] == out[1] {
		out = out[:1]
	}
	return out
}

// cleanAll returns the non-blank strings of ss, each cleaned to one line.
func cleanAll(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s = oneLine(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
