package htmlpage

import (
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func TestInnermost(t *testing.T) {
	doc, err := html.Parse(strings.NewReader(`<ul class="x"><li class="x"><a>one</a></li><li class="x"><a>two</a></li></ul><div class="x"><a>three</a></div>`))
	if err != nil {
		t.Fatal(err)
	}
	var nodes []*html.Node
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode && attrIs(n, "class", "x") {
			nodes = append(nodes, n)
		}
	}
	var got []string
	for _, n := range innermost(nodes) {
		got = append(got, NodeText(n))
	}
	if want := []string{"one", "two", "three"}; !slices.Equal(got, want) {
		t.Errorf("innermost = %q, want %q (the <ul> holding items is no item)", got, want)
	}
}

func attrIs(n *html.Node, key, val string) bool {
	v, ok := Attr(n, key)
	return ok && v == val
}

// FuzzParseProfiles: any profile text gives profiles or an error naming
// the input and line, never a panic; parsed profiles match hosts safely.
func FuzzParseProfiles(f *testing.F) {
	f.Add("# guancha.cn\n[guancha.cn]\nsite: 观察者网\ntitle: li.left.left-main > h3\nbody: .content.all-txt\nrelated: .module-news-main li\nrelated.time: div.module-interact > span\ntracking: s\n")
	f.Add("[news.example.com]\nsite: Example\ntitle: h1.headline\nrelated: ol li\nrelated.time: time\ntracking: utm_source ref\nlinks: h4 a\n")
	f.Add("[a.com]\ntitle: [[[")
	f.Fuzz(func(t *testing.T, text string) {
		ps, err := ParseProfiles(strings.NewReader(text), "p.txt")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "p.txt") {
				t.Fatalf("error %q does not name the input", err)
			}
			return
		}
		for _, h := range ps.Hosts() {
			if ps.Match("www."+h) == nil {
				t.Fatalf("host %q has a profile that www.%s does not match", h, h)
			}
		}
	})
}
