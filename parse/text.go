package parse

import (
	"errors"
	"fmt"

	"newsfeed/parse/charset"
)

// Text parses a page's raw text — what a reader copies off a news page —
// into records. data may be UTF-8 (with or without a byte-order mark),
// UTF-16 with a byte-order mark, or a legacy encoding such as GB18030/GBK,
// which is detected from the bytes. Errors name opts.Source. The parse
// has the budget of opts.Timeout and MaxBlocks (see Options).
func Text(data []byte, opts Options) (*Result, error) {
	src := opts.Source
	if src == "" {
		src = "input"
	}
	bud := newBudget(src, opts)
	text, enc, err := charset.Decode(data, charset.Hints{ContentType: opts.ContentType, MaxBytes: opts.MaxBytes})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", src, err)
	}
	lines := splitLines(text)
	if err := bud.overBlocks(len(lines)); err != nil {
		return nil, err
	}
	res, err := parseLines(lines, opts, bud)
	if errors.Is(err, ErrBudget) {
		return nil, err // named already
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", src, err)
	}
	res.Encoding = enc
	return res, nil
}
