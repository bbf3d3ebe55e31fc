// Package record defines the records newsfeed produces — articles,
// interviews and headlines — with their JSON shape and their stable IDs.
//
// The JSON shape is the contract downstream programs rely on: every record
// is one object whose first key is "kind"; field names never change; a field
// the page did not give is omitted, except "published", which is always
// present and null when the page does not say when something was published.
// Nothing here does I/O.
package record

import (
	"encoding/json"
	"time"
)

// Kind names a record type. It is the value of the "kind" key.
type Kind string

// The record kinds.
const (
	KindArticle   Kind = "article"
	KindInterview Kind = "interview"
	KindHeadline  Kind = "headline"
)

// List names a headline list a page shows.
type List string

// The headline lists, in the order pages usually show them.
const (
	ListRelated     List = "related"
	ListRecommended List = "recommended"
	ListHot         List = "hot"
)

// Record is any of *Article, *Interview and *Headline.
type Record interface {
	// RecordKind returns the record's kind.
	RecordKind() Kind
	// RecordID returns the record's stable id.
	RecordID() string
}

// Article is one news page's main text.
type Article struct {
	ID    string `json:"id"`
	Site  string `json:"site,omitempty"`
	URL   string `json:"url,omitempty"`
	Title string `json:"title"`
	// Lead is the pull quote or standfirst shown under the title.
	Lead string `json:"lead,omitempty"`
	// Blocks are the body in page order: paragraphs (speaker labels
	// kept), sub-headings, pictures with their captions, quotes, lists,
	// tables and preformatted text.
	Blocks []Block `json:"blocks,omitempty"`
	// Image is the lead picture's absolute http(s) URL: the body's first
	// picture, else the page's og:image (or twitter:image, JSON-LD image)
	// when it is not a logo.
	Image string `json:"image,omitempty"`
	// Authors are the byline's names: people, or on self-media platforms
	// the account shown in the byline slot. Never the outlet.
	Authors []string `json:"authors,omitempty"`
	// Editor is the 责任编辑 (or plain 编辑) credit as shown, staff code
	// included ("杨倩_NF4425").
	Editor     string `json:"editor,omitempty"`
	Disclaimer string `json:"disclaimer,omitempty"`
	Column     string `json:"column,omitempty"`
	// Outlet is the outlet credited as the story's origin (来源：新京报, or
	// the outlet shown unlabelled in the date/source slot), as shown.
	Outlet string `json:"outlet,omitempty"`
	// Published is nil when the page does not say; it is never guessed.
	Published *time.Time `json:"published"`
	// Language is a BCP 47 tag ("zh", "en") inferred from the text.
	Language string `json:"language,omitempty"`
	// Source is the file path or URL the page was read from.
	Source string `json:"source,omitempty"`
	// ContentHash is the hex SHA-256 of the page's decoded text.
	ContentHash string `json:"content_hash,omitempty"`
	// Related, Recommended and Hot are the ids of the headlines the page
	// lists, in page order.
	Related     []string `json:"related,omitempty"`
	Recommended []string `json:"recommended,omitempty"`
	Hot         []string `json:"hot,omitempty"`
}

// Role says whether a turn asks or answers.
type Role string

// The turn roles.
const (
	RoleQuestion Role = "question"
	RoleAnswer   Role = "answer"
)

// Turn is one speaker's contribution to an interview.
type Turn struct {
	// Speaker is the label as written on the page (提问, 薛澜, Q, …).
	Speaker string `json:"speaker"`
	Role    Role   `json:"role"`
	// Paragraphs hold the turn's text without the speaker label; an answer
	// runs on over the unlabelled paragraphs that follow it.
	Paragraphs []string `json:"paragraphs"`
}

// Interview is the question-and-answer part of an article.
type Interview struct {
	ID        string `json:"id"`
	ArticleID string `json:"article_id"`
	Title     string `json:"title"`
	// Interviewer is the question label as written (提问, 观察者网, Q, …).
	Interviewer string `json:"interviewer,omitempty"`
	// Interviewees are the answering speakers' names as written, in order
	// of first appearance. Generic answer labels (答, A) name nobody.
	Interviewees []string `json:"interviewees,omitempty"`
	// Note is the page's remark on the transcript, such as
	// 以下为根据采访内容整理的文字记录….
	Note  string `json:"note,omitempty"`
	Turns []Turn `json:"turns"`
}

// Headline is an item of a related, recommended or hot list. The same
// headline seen in several lists or on several pages is one record.
type Headline struct {
	ID        string     `json:"id"`
	Site      string     `json:"site,omitempty"`
	Title     string     `json:"title"`
	URL       string     `json:"url,omitempty"`
	Published *time.Time `json:"published"`
	Column    string     `json:"column,omitempty"`
	// Lists are every list the headline has been seen in, in the order
	// first seen.
	Lists []List `json:"lists"`
	// Comments is the newest comment count a page showed; nil when no page
	// showed one.
	Comments *int `json:"comments,omitempty"`
	// FirstSeen and LastSeen are set by the store.
	FirstSeen time.Time `json:"first_seen,omitzero"`
	LastSeen  time.Time `json:"last_seen,omitzero"`
}

// RecordKind returns KindArticle.
func (*Article) RecordKind() Kind { return KindArticle }

// RecordKind returns KindInterview.
func (*Interview) RecordKind() Kind { return KindInterview }

// RecordKind returns KindHeadline.
func (*Headline) RecordKind() Kind { return KindHeadline }

// RecordID returns the article's id.
func (a *Article) RecordID() string { return a.ID }

// RecordID returns the interview's id.
func (iv *Interview) RecordID() string { return iv.ID }

// RecordID returns the headline's id.
func (h *Headline) RecordID() string { return h.ID }

// HasList reports whether the headline has been seen in list l.
func (h *Headline) HasList(l List) bool {
	for _, x := range h.Lists {
		if x == l {
			return true
		}
	}
	return false
}

// MarshalJSON writes the article with "kind" as its first key.
func (a Article) MarshalJSON() ([]byte, error) {
	type plain Article
	return json.Marshal(struct {
		Kind Kind `json:"kind"`
		plain
	}{KindArticle, plain(a)})
}

// UnmarshalJSON reads an article record, including one written before
// the body became blocks: its "paragraphs" and "captions" become blocks
// (see LegacyBlocks) when it has no "blocks". Records on a stream or in an
// export written by an older newsfeed so read as new ones.
func (a *Article) UnmarshalJSON(data []byte) error {
	type plain Article
	var v struct {
		plain
		Paragraphs []string `json:"paragraphs"`
		Captions   []string `json:"captions"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	*a = Article(v.plain)
	if len(a.Blocks) == 0 {
		a.Blocks = LegacyBlocks(v.Paragraphs, v.Captions)
	}
	return nil
}

// MarshalJSON writes the interview with "kind" as its first key.
func (iv Interview) MarshalJSON() ([]byte, error) {
	type plain Interview
	return json.Marshal(struct {
		Kind Kind `json:"kind"`
		plain
	}{KindInterview, plain(iv)})
}

// MarshalJSON writes the headline with "kind" as its first key.
func (h Headline) MarshalJSON() ([]byte, error) {
	type plain Headline
	return json.Marshal(struct {
		Kind Kind `json:"kind"`
		plain
	}{KindHeadline, plain(h)})
}
