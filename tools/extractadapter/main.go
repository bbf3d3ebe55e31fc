// Command extractadapter lets ../shared/tools/extractbench score
// newsfeed's extractor: it reads a page on stdin (its URL in
// EXTRACTBENCH_URL), parses it as newsfeed parse does, and prints
// {"articleBody", "title", "author", "date"}: the lead, paragraphs and
// disclaimer joined by newlines, the authors joined by spaces (else the editor), the publication time.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"newsfeed/parse"
)

func main() {
	data, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "extractadapter:", err)
		os.Exit(1)
	}
	out := map[string]string{}
	res, err := parse.Page(data, parse.Options{URL: os.Getenv("EXTRACTBENCH_URL"), Source: "stdin"})
	if err != nil {
		fmt.Fprintln(os.Stderr, "extractadapter:", err)
	} else {
		a := res.Article
		body := a.Texts()
		if a.Lead != "" {
			body = append([]string{a.Lead}, body...)
		}
		if a.Disclaimer != "" {
			body = append(body, a.Disclaimer)
		}
		out["articleBody"] = strings.Join(body, "\n")
		out["title"] = a.Title
		sep := " "
		if a.Language == "zh" {
			sep = "、" // names with spaces inside ("Jane Doe") stay whole elsewhere
		}
		out["author"] = strings.Join(a.Authors, sep)
		if out["author"] == "" {
			out["author"] = a.Editor // Chinese portals credit the responsible editor
		}
		if a.Published != nil {
			out["date"] = a.Published.Format(time.DateTime)
		}
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		os.Exit(1)
	}
}
