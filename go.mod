module newsfeed

go 1.26.0

require (
	github.com/gogs/chardet v0.0.0-20211120154057-b7413eaefb8f
	go.etcd.io/bbolt v1.4.3
	golang.org/x/net v0.62.0
	golang.org/x/text v0.44.0
)

require golang.org/x/sys v0.50.0 // indirect
