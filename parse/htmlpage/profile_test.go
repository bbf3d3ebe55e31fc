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
