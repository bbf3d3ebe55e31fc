module newsfeed

go 1.26.0

require (
	github.com/gogs/chardet v0.0.0-20211120154057-b7413eaefb8f
	golang.org/x/net v0.62.0
	golang.org/x/text v0.44.0
)
