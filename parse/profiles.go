package parse

import (
	_ "embed"
	"io"
	"strings"
	"sync"

	"newsfeed/parse/htmlpage"
)

// Site profiles live in package parse/htmlpage, which reads HTML; these
// names keep them where callers have always found them.
type (
	// Profile describes where one site's pages keep their parts, as CSS
	// selectors; see htmlpage.Profile.
	Profile = htmlpage.Profile
	// Profiles is a set of site profiles, matched by host suffix.
	Profiles = htmlpage.Profiles
	// ListRule finds one headline list's items.
	ListRule = htmlpage.ListRule
)

//go:embed profiles.txt
var builtinProfileText string

var builtin = sync.OnceValue(func() *Profiles {
	p, err := ParseProfiles(strings.NewReader(builtinProfileText), "built-in profiles")
	if err != nil {
		panic(err) // the embedded file is tested
	}
	return p
})

// BuiltinProfiles returns the profiles compiled into the binary, from
// parse/profiles.txt.
func BuiltinProfiles() *Profiles { return builtin() }

// ParseProfiles reads profiles in the format htmlpage.ParseProfiles
// describes; name names the input in errors, which give its line. Callers
// read files themselves: parse does no file I/O.
func ParseProfiles(r io.Reader, name string) (*Profiles, error) {
	return htmlpage.ParseProfiles(r, name)
}
