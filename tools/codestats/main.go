// Command codestats checks two limits the project keeps on its own code:
// no non-test function longer than -max-lines lines (the declaration
// line to the closing brace), and no package but the allowed ones with
// more than -max-exported exported names (top-level functions, types,
// variables and constants, and methods). It prints what passes over a
// limit, the longest functions and the largest packages, and exits 1
// when a limit is passed.
//
//	go run ./tools/codestats            # from the repository root
package main

import (
	"cmp"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

func main() {
	maxLines := flag.Int("max-lines", 80, "the most lines a non-test function may have")
	maxExported := flag.Int("max-exported", 60, "the most exported names a package may have")
	allow := flag.String("allow", "store", "comma-separated packages (directories) exempt from -max-exported")
	top := flag.Int("top", 5, "how many of the longest functions and largest packages to list")
	flag.Parse()
	funcs, exported, err := measure(".")
	if err != nil {
		fmt.Fprintf(os.Stderr, "codestats: %v\n", err)
		os.Exit(2)
	}
	over := false
	slices.SortFunc(funcs, func(a, b fn) int { return cmp.Compare(b.lines, a.lines) })
	fmt.Printf("longest functions (limit %d lines):\n", *maxLines)
	for i, f := range funcs {
		if i < *top || f.lines > *maxLines {
			fmt.Printf("  %4d  %s\n", f.lines, f.name)
		}
		over = over || f.lines > *maxLines
	}
	type pkg struct {
		dir string
		n   int
	}
	var pkgs []pkg
	for dir, n := range exported {
		pkgs = append(pkgs, pkg{dir, n})
	}
	slices.SortFunc(pkgs, func(a, b pkg) int { return cmp.Or(cmp.Compare(b.n, a.n), strings.Compare(a.dir, b.dir)) })
	fmt.Printf("exported names per package (limit %d, except %s):\n", *maxExported, *allow)
	for i, p := range pkgs {
		exempt := slices.Contains(strings.Split(*allow, ","), p.dir)
		if i < *top || p.n > *maxExported && !exempt {
			fmt.Printf("  %4d  %s\n", p.n, p.dir)
		}
		over = over || p.n > *maxExported && !exempt
	}
	if over {
		os.Exit(1)
	}
}

// fn is one function and its length in lines.
type fn struct {
	name  string
	lines int
}

// measure reads the non-test Go files below root, outside third_party,
// testdata and hidden folders, and returns every function with its
// length, and the number of exported names of each library package.
func measure(root string) ([]fn, map[string]int, error) {
	var funcs []fn
	exported := map[string]int{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && (d.Name() == "third_party" || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		for _, decl := range f.Decls {
			if fd, ok := decl.(*ast.FuncDecl); ok && fd.Body != nil {
				lines := fset.Position(fd.End()).Line - fset.Position(fd.Pos()).Line + 1
				funcs = append(funcs, fn{path + " " + fd.Name.Name, lines})
			}
		}
		if f.Name.Name != "main" {
			exported[filepath.Dir(path)] += countExported(f)
		}
		return nil
	})
	return funcs, exported, err
}

// countExported counts the exported top-level names and methods of f.
func countExported(f *ast.File) int {
	n := 0
	for _, decl := range f.Decls {
		switch d := decl.(type) {
		case *ast.FuncDecl:
			if d.Name.IsExported() {
				n++
			}
		case *ast.GenDecl:
			for _, spec := range d.Specs {
				switch s := spec.(type) {
				case *ast.TypeSpec:
					if s.Name.IsExported() {
						n++
					}
				case *ast.ValueSpec:
					for _, name := range s.Names {
						if name.IsExported() {
							n++
						}
					}
				}
			}
		}
	}
	return n
}
