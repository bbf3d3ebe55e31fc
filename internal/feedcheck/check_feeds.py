"""Checks feeds the way Python readers see them.

Usage: python3 check_feeds.py MANIFEST.json

The manifest maps each feed file to the entries it must hold, in order:
[{"id": ..., "title": ...}, ...]. RSS and Atom files go through Debian's
feedparser: no bozo error, the right version, and every entry with its id,
title, an absolute link and a date that names its zone; with "check", its
authors, lead picture (enclosure) and categories too. feedparser 6.0
does not read JSON Feed, so JSON files are checked against the JSON Feed
1.1 fields with the json module. Prints one line per problem and exits 1
if there is any; else prints "ok: N feeds, M entries".
"""

import datetime
import json
import re
import sys
import urllib.parse

import feedparser

ZONED = re.compile(r"([+-]\d{4}|[+-]\d\d:\d\d|Z|GMT|UT)$")
problems = []


def problem(path, msg):
    problems.append("%s: %s" % (path, msg))


def absolute(url):
    u = urllib.parse.urlparse(url or "")
    return u.scheme in ("http", "https") and bool(u.netloc)


def check_xml(path, want):
    d = feedparser.parse(path)
    if d.bozo:
        problem(path, "bozo: %r" % (d.bozo_exception,))
    expected = "atom10" if path.endswith(".atom") else "rss20"
    if d.version != expected:
        problem(path, "version %r, want %r" % (d.version, expected))
    if not d.feed.get("title") or not absolute(d.feed.get("link")):
        problem(path, "channel title %r, link %r" % (d.feed.get("title"), d.feed.get("link")))
    if len(d.entries) != len(want):
        problem(path, "%d entries, want %d" % (len(d.entries), len(want)))
    for e, w in zip(d.entries, want):
        if e.get("id") != w["id"]:
            problem(path, "entry id %r, want %r" % (e.get("id"), w["id"]))
        if e.get("title") != w["title"]:
            problem(path, "entry %s: title %r, want %r" % (w["id"], e.get("title"), w["title"]))
        if not absolute(e.get("link")):
            problem(path, "entry %s: link %r is not absolute" % (w["id"], e.get("link")))
        raw = e.get("published") or e.get("updated")
        parsed = e.get("published_parsed") or e.get("updated_parsed")
        if not raw or not parsed or not ZONED.search(raw.strip()):
            problem(path, "entry %s: date %r (parsed %r) has no zone" % (w["id"], raw, parsed))
        if path.endswith(".atom") and not e.get("updated_parsed"):
            problem(path, "entry %s: no updated" % w["id"])
        if not e.get("content") or not e.content[0].value:
            problem(path, "entry %s: no content" % w["id"])
        if w.get("check"):
            check_reader_fields(path, w, e)
    return len(d.entries)


def check_reader_fields(path, w, e):
    """Authors, lead picture and categories as feedparser shows them."""
    authors = w.get("authors") or []
    if path.endswith(".rss"):
        want = ", ".join(authors) or None
        if e.get("author") != want:
            problem(path, "entry %s: author %r, want %r" % (w["id"], e.get("author"), want))
    else:
        got = [a.get("name") for a in e.get("authors", []) if a]
        if got != authors:
            problem(path, "entry %s: authors %r, want %r" % (w["id"], got, authors))
    image = w.get("image") or ""
    hrefs = [x.get("href") for x in e.get("enclosures", [])]
    if hrefs != ([image] if image else []):
        problem(path, "entry %s: enclosures %r, want %r" % (w["id"], hrefs, image))
    terms = [t.get("term") for t in e.get("tags", [])]
    if terms != (w.get("tags") or []):
        problem(path, "entry %s: categories %r, want %r" % (w["id"], terms, w.get("tags")))


def check_json(path, want):
    with open(path, encoding="utf-8") as f:
        d = json.load(f)
    if d.get("version") != "https://jsonfeed.org/version/1.1":
        problem(path, "version %r" % d.get("version"))
    if not d.get("title") or not absolute(d.get("feed_url")) or not absolute(d.get("home_page_url")):
        problem(path, "feed title, feed_url or home_page_url missing")
    items = d.get("items")
    if not isinstance(items, list):
        problem(path, "no items array")
        return 0
    if len(items) != len(want):
        problem(path, "%d items, want %d" % (len(items), len(want)))
    for it, w in zip(items, want):
        if it.get("id") != w["id"] or it.get("title") != w["title"]:
            problem(path, "item %r %r, want %r %r" % (it.get("id"), it.get("title"), w["id"], w["title"]))
        if not absolute(it.get("url")):
            problem(path, "item %s: url %r" % (w["id"], it.get("url")))
        try:
            t = datetime.datetime.fromisoformat(it.get("date_published", "").replace("Z", "+00:00"))
            if t.tzinfo is None:
                raise ValueError("no zone")
        except ValueError as err:
            problem(path, "item %s: date_published %r: %s" % (w["id"], it.get("date_published"), err))
        if not it.get("content_html"):
            problem(path, "item %s: no content_html" % w["id"])
        if w.get("check"):
            names = [a.get("name") for a in it.get("authors", [])]
            if names != (w.get("authors") or []) or "author" in it:
                problem(path, "item %s: authors %r (author %r), want %r" % (w["id"], names, it.get("author"), w.get("authors")))
            if it.get("image", "") != (w.get("image") or ""):
                problem(path, "item %s: image %r, want %r" % (w["id"], it.get("image"), w.get("image")))
            if it.get("tags", []) != (w.get("tags") or []):
                problem(path, "item %s: tags %r, want %r" % (w["id"], it.get("tags"), w.get("tags")))
    return len(items)


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        manifest = json.load(f)
    entries = 0
    for path, want in sorted(manifest.items()):
        entries += check_json(path, want) if path.endswith(".json") else check_xml(path, want)
    for p in problems:
        print(p)
    if problems:
        sys.exit(1)
    print("ok: %d feeds, %d entries" % (len(manifest), entries))


main()
