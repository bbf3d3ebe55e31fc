// Package htmlpage reads the structure of an HTML news page — never the
// meaning of its words, which is package parse's. It gives parse:
//
//   - the page's lines of text as a reader copies them, with the captions
//     the markup marks (Blocks);
//   - what the page says about itself in <meta>, Open Graph, JSON-LD, the
//     canonical link and its first headings, as written (ReadMeta);
//   - for a site with a profile, what the profile's CSS selectors find:
//     title, body, date, author and editor elements, list items with their
//     links (Profile.Extract);
//   - for any other page, the main content as a library finds it
//     (MainContent).
//
// parse hands these lines to its classifier with explicit hints (the
// captions; that the lines are one article's container) and reads the
// dates, names and counts in them with the same rules as raw text.
package htmlpage
