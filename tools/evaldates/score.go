package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
)

// entry is one page of go-htmldate's comparison set: its URL, its file
// name under test-files/, and its true publication day ("" when it has
// none).
type entry struct {
	URL, File, Date string
}

// counts are the outcomes of one extractor over the set, counted as
// go-htmldate's scripts/comparison does: a day equal to the true one is a
// true positive, no day where there is one a false negative, no day where
// there is none a true negative, and any other day a false positive.
type counts struct {
	TP, FN, FP, TN int
}

// add counts one page: got and want are days as "2006-01-02", or "".
func (c *counts) add(got, want string) {
	switch {
	case got == "" && want == "":
		c.TN++
	case got == "":
		c.FN++
	case got == want:
		c.TP++
	default:
		c.FP++
	}
}

// scores returns precision, recall, accuracy and F-score with the
// formulas of go-htmldate's result.go (0 where a denominator is 0).
func (c counts) scores() (precision, recall, accuracy, f float64) {
	tp, fn, fp, tn := float64(c.TP), float64(c.FN), float64(c.FP), float64(c.TN)
	div := func(a, b float64) float64 {
		if b == 0 {
			return 0
		}
		return a / b
	}
	return div(tp, tp+fp), div(tp, tp+fn), div(tp+tn, tp+tn+fp+fn), div(2*tp, 2*tp+fp+fn)
}

// row formats one line of the table.
func (c counts) row(name string) string {
	p, r, a, f := c.scores()
	return fmt.Sprintf("%-20s %5d %5d %5d %5d %9.3f %7.3f %8.3f %7.3f", name, c.TP, c.FN, c.FP, c.TN, p, r, a, f)
}

// tableHeader is the header line of the table row prints.
const tableHeader = "extractor               TP    FN    FP    TN precision  recall accuracy F-score"

// readEntries reads the comparison entries of a data-*.go file of
// go-htmldate's scripts/comparison: every composite literal with File and
// Date fields, in order. The file is read as Go source, not run.
func readEntries(path string, src []byte) ([]entry, error) {
	f, err := parser.ParseFile(token.NewFileSet(), path, src, 0)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	var out []entry
	var bad error
	ast.Inspect(f, func(n ast.Node) bool {
		lit, ok := n.(*ast.CompositeLit)
		if !ok || bad != nil {
			return bad == nil
		}
		var e entry
		var hasFile bool
		for _, el := range lit.Elts {
			kv, ok := el.(*ast.KeyValueExpr)
			if !ok {
				continue
			}
			key, ok1 := kv.Key.(*ast.Ident)
			val, ok2 := kv.Value.(*ast.BasicLit)
			if !ok1 || !ok2 || val.Kind != token.STRING {
				continue
			}
			s, err := strconv.Unquote(val.Value)
			if err != nil {
				bad = fmt.Errorf("read %s: %s: %w", path, val.Value, err)
				return false
			}
			switch key.Name {
			case "URL":
				e.URL = s
			case "File":
				e.File, hasFile = s, true
			case "Date":
				e.Date = s
			}
		}
		if hasFile {
			out = append(out, e)
			return false
		}
		return true
	})
	if bad != nil {
		return nil, bad
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("read %s: no entries with a File field", path)
	}
	return out, nil
}
