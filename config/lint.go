package config

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/pelletier/go-toml/v2/unstable"
)

// valueType is what a key of the sources file takes, and how its value
// is checked.
type valueType int

const (
	tString     valueType = iota
	tText                 // a string sent in a header or shown: no control characters
	tInt                  // an integer, 0 or more
	tAnyInt               // an integer, any sign
	tBool                 // true or false
	tPercent              // a number from 0 to 100
	tDuration             // a duration, 0 or more
	tAge                  // a duration, more than 0
	tURL                  // an absolute http(s) URL
	tURLs                 // an array of them
	tSelector             // a CSS selector
	tPattern              // a regular expression
	tTable                // a table ([retention], [defaults])
	tTableArray           // an array of tables ([[source]])
)

// tomlName is the TOML type a valueType is written as, for errors.
func (t valueType) tomlName() string {
	switch t {
	case tInt, tAnyInt:
		return "an integer"
	case tBool:
		return "a boolean"
	case tPercent:
		return "a number"
	case tURLs:
		return "an array of strings"
	case tTable:
		return "a table"
	case tTableArray:
		return "an array of tables"
	}
	return "a string"
}

// settingsKeys are the keys of Settings, in a source and in [defaults].
var settingsKeys = map[string]valueType{
	"site": tText, "profile": tString, "max_articles": tInt,
	"max_age": tDuration, "every": tDuration, "refresh": tDuration,
}

// schema maps each key the sources file may hold, by dotted path
// ("source" for every [[source]]), to its type. Keys not in it are left
// to the decoder, which names them as unknown.
var schema = func() map[string]valueType {
	m := map[string]valueType{
		"db": tString, "out": tString, "base_url": tText, "profiles": tString, "contact": tText,
		"per_host": tInt, "delay": tDuration, "retries": tAnyInt, "timeout": tDuration,
		"connect_timeout": tDuration, "max_retry_wait": tDuration, "max_retry_after": tDuration,
		"max_bytes": tInt, "allow_private": tBool, "ignore_robots": tBool,
		"compact_above": tPercent,
		"retention":     tTable, "retention.headline": tAge, "retention.article": tAge,
		"retention.interview": tAge, "retention.log": tAge,
		"defaults": tTable, "source": tTableArray,
		"source.name": tText, "source.feed": tURL, "source.sitemap": tURL, "source.html": tURL,
		"source.urls": tURLs, "source.links": tSelector, "source.pattern": tPattern,
		"source.type": tText, "source.url": tURL,
	}
	for k, t := range settingsKeys {
		m["defaults."+k] = t
		m["source."+k] = t
	}
	return m
}()

// lint checks every value of a sources file against schema before it is
// decoded: its TOML type, and then its value (a duration's syntax and
// range, a URL, a selector, a pattern, a sign, control characters), so
// that each error names the key and the line it is on. It also returns
// the line of every key set, by dotted path (a source's keys as
// "source.N.key", N from 0).
func lint(data []byte, name string) (lines map[string]int, err error) {
	p := &unstable.Parser{}
	p.Reset(data)
	l := &linter{p: p, name: name, lines: map[string]int{}, sources: -1}
	var table []string // the current table's path
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			table = keyPath(e)
			if len(table) == 1 && table[0] == "source" && e.Kind == unstable.ArrayTable {
				l.sources++
			}
			got := "a table"
			if e.Kind == unstable.ArrayTable {
				got = "an array of tables"
			}
			if err := l.scalarPrefix(table, got, l.line(e)); err != nil {
				return nil, err
			}
		case unstable.KeyValue:
			if err := l.keyValue(table, e); err != nil {
				return nil, err
			}
		}
	}
	if err := p.Error(); err != nil {
		return nil, nil // the decoder reports syntax errors with their line
	}
	return l.lines, nil
}

type linter struct {
	p       *unstable.Parser
	name    string
	lines   map[string]int
	sources int // index of the current [[source]]
}

// keyPath returns the parts of a table header's or a key-value's key.
func keyPath(n *unstable.Node) []string {
	var parts []string
	it := n.Key()
	for it.Next() {
		parts = append(parts, string(it.Node().Data))
	}
	return parts
}

// line returns the line a node's first key is on.
func (l *linter) line(n *unstable.Node) int {
	it := n.Key()
	if it.Next() {
		return l.p.Shape(it.Node().Raw).Start.Line
	}
	return 0
}

// keyValue checks a key-value line of the table at table.
func (l *linter) keyValue(table []string, kv *unstable.Node) error {
	path := append(append([]string(nil), table...), keyPath(kv)...)
	return l.value(path, kv.Value(), l.line(kv))
}

// value checks the value v of the key at path, on line: its TOML type,
// then its contents; a table's or an array of tables' keys in turn.
func (l *linter) value(path []string, v *unstable.Node, line int) error {
	key := strings.Join(path, ".")
	at := key
	if len(path) > 1 && path[0] == "source" {
		at = "source." + strconv.Itoa(l.sources) + "." + strings.Join(path[1:], ".")
	}
	if _, seen := l.lines[at]; !seen {
		l.lines[at] = line
	}
	for i := 1; i < len(path); i++ { // contact.x = 1: contact is no table
		if t, known := schema[strings.Join(path[:i], ".")]; known && t != tTable && t != tTableArray {
			return fmt.Errorf("%w: %s:%d: %s: expected %s, got a table", ErrConfig, l.name, line,
				strings.Join(path[:i], "."), t.tomlName())
		}
	}
	t, known := schema[key]
	if !known {
		return nil // unknown: the decoder names it
	}
	var err error
	switch {
	case !typeFits(t, v.Kind):
		err = fmt.Errorf("expected %s, got %s", t.tomlName(), kindName(v.Kind))
	case t == tTable:
		return l.table(path, v)
	case t == tTableArray:
		it := v.Children()
		for it.Next() {
			l.sources++
			if err := l.table(path, it.Node()); err != nil {
				return err
			}
		}
		return nil
	case t == tURLs:
		err = checkURLs(v)
	default:
		err = checkScalar(t, v.Data)
	}
	if err != nil {
		return fmt.Errorf("%w: %s:%d: %s: %v", ErrConfig, l.name, line, key, err)
	}
	return nil
}

// table checks the key-values of the table v, at path.
func (l *linter) table(path []string, v *unstable.Node) error {
	it := v.Children()
	for it.Next() {
		if err := l.keyValue(path, it.Node()); err != nil {
			return err
		}
	}
	return nil
}

// checkURLs checks an array of URLs.
func checkURLs(v *unstable.Node) error {
	it := v.Children()
	for it.Next() {
		e := it.Node()
		if e.Kind != unstable.String {
			return fmt.Errorf("expected an array of strings, got %s in it", kindName(e.Kind))
		}
		if _, err := ParseURL(string(e.Data)); err != nil {
			return err
		}
	}
	return nil
}

// checkScalar checks a string, integer or number of type t, written as
// data.
func checkScalar(t valueType, data []byte) error {
	s := string(data)
	switch t {
	case tText, tURL:
		if i := strings.IndexFunc(s, unicode.IsControl); i >= 0 {
			return fmt.Errorf("%q: control character %U not allowed", s, []rune(s[i:])[0])
		}
		if t == tURL {
			_, err := ParseURL(s)
			return err
		}
	case tInt:
		if n, err := strconv.ParseInt(strings.ReplaceAll(s, "_", ""), 0, 64); err == nil && n < 0 {
			return fmt.Errorf("%s: cannot be negative", s)
		}
	case tPercent:
		if f, err := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64); err == nil && !(f >= 0 && f <= 100) { // NaN too
			return fmt.Errorf("%v: want a percentage from 0 to 100", f)
		}
	case tDuration, tAge:
		var d Duration
		switch err := d.UnmarshalText(data); {
		case err != nil:
			return err
		case d < 0:
			return fmt.Errorf("%q: cannot be negative", s)
		case t == tAge && d == 0:
			return errAge(s)
		}
	case tSelector:
		var sel Selector
		return sel.UnmarshalText(data)
	case tPattern:
		var p Pattern
		return p.UnmarshalText(data)
	}
	return nil
}

// scalarPrefix refuses a table (or a key in one) under a key that holds
// a value ([contact], site.x = 1), and a table header of the wrong kind
// ([source], [[retention]]). got is what the file makes of path: "a
// table", or "an array of tables" for a [[header]].
func (l *linter) scalarPrefix(path []string, got string, line int) error {
	for i := 1; i <= len(path); i++ {
		key := strings.Join(path[:i], ".")
		t, known := schema[key]
		if !known {
			return nil
		}
		last := i == len(path)
		switch {
		case t == tTable && (got == "a table" || !last):
		case t == tTableArray && (got == "an array of tables" || !last):
		default:
			if !last {
				got = "a table"
			}
			return fmt.Errorf("%w: %s:%d: %s: expected %s, got %s", ErrConfig, l.name, line, key, t.tomlName(), got)
		}
	}
	return nil
}

// typeFits reports whether a TOML value of kind k can be a t.
func typeFits(t valueType, k unstable.Kind) bool {
	switch t {
	case tInt, tAnyInt:
		return k == unstable.Integer
	case tBool:
		return k == unstable.Bool
	case tPercent:
		return k == unstable.Integer || k == unstable.Float
	case tURLs:
		return k == unstable.Array
	case tTable:
		return k == unstable.InlineTable
	case tTableArray:
		return k == unstable.Array
	}
	return k == unstable.String
}

// kindName is a TOML value kind as the TOML spec names it.
func kindName(k unstable.Kind) string {
	switch k {
	case unstable.String:
		return "a string"
	case unstable.Integer:
		return "an integer"
	case unstable.Float:
		return "a float"
	case unstable.Bool:
		return "a boolean"
	case unstable.Array:
		return "an array"
	case unstable.InlineTable:
		return "a table"
	case unstable.LocalDate:
		return "a local date"
	case unstable.LocalTime:
		return "a local time"
	case unstable.LocalDateTime:
		return "a local date-time"
	case unstable.DateTime:
		return "an offset date-time"
	}
	return "a " + strings.ToLower(k.String())
}
