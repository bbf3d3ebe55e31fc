package record

import "time"

// Page is one page read and parsed: its records and what identifies the
// read, so that a store can tell a page it has seen from a changed one.
// It is what ingest hands to a writer.
type Page struct {
	// Source is the file path or URL the page was read from.
	Source string
	// ContentHash is the article's content hash: the same text read again
	// has the same hash.
	ContentHash string
	// Seen is when the page was read; zero means the writer's clock. A
	// page that travels (over NATS, say) carries it, so that every store
	// it reaches gives its headlines the same first_seen and last_seen.
	Seen    time.Time
	Article *Article
	// Interview is nil when the page holds none.
	Interview *Interview
	Headlines []*Headline
	// ArticleJSON and InterviewJSON are the records' JSON when the reader
	// encoded them already — ingest's workers do, in parallel, so that
	// the one writer need not; a writer encodes them itself when nil.
	ArticleJSON, InterviewJSON []byte
}

// WriteResult counts what storing a batch of pages did.
type WriteResult struct {
	// New, Changed and Unchanged count pages: never seen before, seen
	// with other content, seen with the same content.
	New, Changed, Unchanged int
	// Inserted and Updated count records: new ones, and existing ones
	// that changed in a field a reader sees. Each is one change-log entry.
	Inserted, Updated int
	// LastSeq is the newest change-log sequence number after the write.
	LastSeq uint64
}

// Add adds o's counts to r and keeps the newer LastSeq.
func (r *WriteResult) Add(o WriteResult) {
	r.New += o.New
	r.Changed += o.Changed
	r.Unchanged += o.Unchanged
	r.Inserted += o.Inserted
	r.Updated += o.Updated
	r.LastSeq = max(r.LastSeq, o.LastSeq)
}
