package config

import (
	"strings"
	"testing"
	"time"
)

// Every bad value names its key and the line the key is on, the TOML
// type expected and given, and what is wrong; header values with control
// characters are refused.
func TestParse_ValueErrors(t *testing.T) {
	const src = "[[source]]\nfeed = \"https://a.example/f\"\n"
	for name, tt := range map[string]struct{ in, want string }{
		"ContactCRLF":        {"contact = \"a\\r\\nX-Evil: 1\"\n", `f.toml:1: contact: "a\r\nX-Evil: 1": control character U+000D not allowed`},
		"ContactTab":         {"\ncontact = \"a\\tb\"\n", "f.toml:2: contact: "},
		"BaseURLNewline":     {"base_url = \"https://a.example/\\n\"\n", "f.toml:1: base_url: "},
		"SourceNameNUL":      {src + "name = \"a\\u0000b\"\n", "f.toml:3: source.name: "},
		"SiteControl":        {"[defaults]\nsite = \"x\\u007f\"\n", "f.toml:2: defaults.site: "},
		"FeedControl":        {"[[source]]\nfeed = \"https://a.example/\\r\\nX: y\"\n", "f.toml:2: source.feed: "},
		"MaxRetryWait":       {"per_host = 2\nmax_retry_wait = \"-1s\"\n", `f.toml:2: max_retry_wait: "-1s": cannot be negative`},
		"MaxBytes":           {"\n\nmax_bytes = -1\n", "f.toml:3: max_bytes: -1: cannot be negative"},
		"PerHost":            {"per_host = -2\n", "f.toml:1: per_host: -2: cannot be negative"},
		"Delay":              {"delay = \"-1s\"\n", `f.toml:1: delay: "-1s": cannot be negative`},
		"Timeout":            {"timeout = \"-5m\"\n", `f.toml:1: timeout: "-5m": cannot be negative`},
		"MaxRetryAfter":      {"max_retry_after = \"-1h\"\n", `f.toml:1: max_retry_after: "-1h": cannot be negative`},
		"EveryNegative":      {src + "\nevery = \"-1s\"\n", `f.toml:4: source.every: "-1s": cannot be negative`},
		"EveryNegativeDays":  {src + "every = \"-1d\"\n", `f.toml:3: source.every: "-1d": cannot be negative`},
		"DefaultsNegative":   {"[defaults]\nrefresh = \"-2h\"\n", `f.toml:2: defaults.refresh: "-2h": cannot be negative`},
		"EveryOverflowDays":  {src + "every = \"99999999999999d\"\n", `f.toml:3: source.every: bad duration "99999999999999d": out of range`},
		"EveryOverflowHours": {src + "every = \"9999999999999h\"\n", `f.toml:3: source.every: bad duration "9999999999999h": out of range`},
		"MaxAgeOverflow":     {"[defaults]\nmax_age = \"1000000000000000000000d\"\n", "f.toml:2: defaults.max_age: bad duration \"1000000000000000000000d\": out of range"},
		"PerHostString":      {"per_host = \"2\"\n", "f.toml:1: per_host: expected an integer, got a string"},
		"ContactInteger":     {"contact = 5\n", "f.toml:1: contact: expected a string, got an integer"},
		"DelayInteger":       {"delay = 5\n", "f.toml:1: delay: expected a string, got an integer"},
		"RetriesString":      {"retries = \"x\"\n", "f.toml:1: retries: expected an integer, got a string"},
		"AllowPrivateString": {"allow_private = \"yes\"\n", "f.toml:1: allow_private: expected a boolean, got a string"},
		"FeedInteger":        {"\n[[source]]\nfeed = 7\n", "f.toml:3: source.feed: expected a string, got an integer"},
		"MaxArticlesString":  {src + "max_articles = \"7\"\n", "f.toml:3: source.max_articles: expected an integer, got a string"},
		"EveryBool":          {"[defaults]\nevery = true\n", "f.toml:2: defaults.every: expected a string, got a boolean"},
		"HeadlineInteger":    {"[retention]\nheadline = 5\n", "f.toml:2: retention.headline: expected a string, got an integer"},
		"URLsString":         {"[[source]]\nurls = \"https://a.example/1\"\n", "f.toml:2: source.urls: expected an array of strings, got a string"},
		"URLsIntegers":       {"[[source]]\nurls = [1, 2]\n", "f.toml:2: source.urls: expected an array of strings, got an integer in it"},
		"InlineDefaults":     {"defaults = { every = 5 }\n", "f.toml:1: defaults.every: expected a string, got an integer"},
		"DottedKey":          {"\ndefaults.every = \"-1m\"\n", `f.toml:2: defaults.every: "-1m": cannot be negative`},
		"DefaultsString":     {"defaults = \"x\"\n", "f.toml:1: defaults: expected a table, got a string"},
		"SiteTable":          {src + "site.x = \"y\"\n", "f.toml:3: source.site: expected a string, got a table"},
		"ContactHeader":      {"[contact]\nx = 1\n", "f.toml:1: contact: expected a string, got a table"},
		"SourceTable":        {"[source]\nfeed = \"https://a.example/f\"\n", "f.toml:1: source: expected an array of tables, got a table"},
		"RetentionArray":     {"[[retention]]\nlog = \"1d\"\n", "f.toml:1: retention: expected a table, got an array of tables"},
		"SecondSource":       {src + src + "max_articles = -3\n", "f.toml:5: source.max_articles: -3: cannot be negative"},
	} {
		t.Run(name, func(t *testing.T) {
			err := wantParseError(t, tt.in, tt.want)
			for _, goName := range []string{"config.", "int64", "float64", "struct field"} {
				if strings.Contains(err.Error(), goName) {
					t.Errorf("error %q names Go's %q", err, goName)
				}
			}
			if strings.ContainsAny(err.Error(), "\r\n") {
				t.Errorf("error %q is not one line", err)
			}
		})
	}
}

// delay = "0s" asks for no delay; a file without delay leaves it to the
// command line.
func TestParse_DelayZero(t *testing.T) {
	c, err := Parse([]byte("delay = \"0s\"\n"), "f.toml")
	if err != nil {
		t.Fatal(err)
	}
	if c.Delay == nil || c.Delay.D() != 0 {
		t.Errorf("delay = \"0s\": %v, want set to 0", c.Delay)
	}
	c, err = Parse([]byte("per_host = 1\n"), "f.toml")
	if err != nil || c.Delay != nil {
		t.Errorf("no delay: %v, %v; want unset", c.Delay, err)
	}
	c, err = Parse([]byte("max_retry_after = \"6h\"\n"), "f.toml")
	if err != nil || c.MaxRetryAfter.D() != 6*time.Hour {
		t.Errorf("max_retry_after: %v, %v", c.MaxRetryAfter.D(), err)
	}
}
