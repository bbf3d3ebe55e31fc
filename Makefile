# newsfeed — make run ingests seeds/ into data/newsfeed.db and publishes data/feeds/;
# make test runs vet and the race-enabled test suite.
GO        ?= go
BIN       := bin/newsfeed
FUZZTIME  ?= 60s
BENCHTIME ?= 2s
COUNT     ?= 6

.PHONY: all build run test test-cluster bench bench-serve fuzz lint clean eval-extract eval-dates soak

all: build

build:
	$(GO) build -o $(BIN) ./cmd/newsfeed

# Ingest every seed page into data/newsfeed.db, then publish every feed
# into data/feeds/, print the paths of the files written and the
# database's stats. Running it again changes nothing: the pages are
# unchanged, so no file is rewritten and the change log stays as it was.
DB        := data/newsfeed.db
FEEDS     := data/feeds

run: build
	@mkdir -p $(dir $(DB))
	$(BIN) run --db $(DB) --out $(FEEDS) seeds/
	$(BIN) stats --db $(DB)

test:
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...
	cd third_party/go-dateparser && $(GO) test -race -count=1 ./...

# The tests of a three-server NATS cluster (embedded servers joined by
# routes, streams and the fetch-state bucket at R3): schedule, three
# workers and a materializer in-process, then the same with worker and
# ingest --from-nats processes, while the records stream's leader is
# shut down: no record lost, none doubled. Not part of make test: the
# tests that lose a server run only with NEWSFEED_TEST_CLUSTER=1.
test-cluster:
	NEWSFEED_TEST_CLUSTER=1 $(GO) test -race -count=1 -v -run 'R3' ./cluster/... ./cmd/newsfeed/

# The soak test: a test site whose pages appear, change and expire, read
# by `newsfeed run` every 2s with a retention of SOAK/8, while a client
# polls the feeds. It fails unless memory, open files, the database and
# the change log stay flat after the warm-up, every feed parses, every
# page the site shows has its article once, nothing is past retention,
# and check passes. Samples: $(SOAK_OUT)/soak.csv and soak.png.
SOAK      ?= 30m
SOAK_OUT  ?= data/soak

soak:
	@mkdir -p $(SOAK_OUT)
	SOAK=$(SOAK) SOAK_OUT=$(abspath $(SOAK_OUT)) $(GO) test -run '^TestSoak$$' -v -count=1 -timeout 0 ./internal/soak/

# Benchmarks, COUNT runs each, ready for benchstat:
#   make bench > new.txt && benchstat old.txt new.txt
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) -count $(COUNT) ./...

# newsfeed serve beside nginx (one worker) on loopback, the same 50-item
# Atom feed from both, loaded by wrk: requests/s, p99 latency and CPU time
# per request for 200s (gzip and identity) and 304s, in one table; once
# with GOMAXPROCS=1 (like for like with nginx's one worker), once with
# Go's default (what a user gets). About 7 minutes; not part of make test.
# Installs Debian's nginx and wrk when missing (needs root).
BENCH_SERVE_FLAGS ?= -d 5s -c 100 -rounds 3

bench-serve: build
	@test -x /usr/sbin/nginx && command -v wrk >/dev/null || \
		{ apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y nginx wrk; }
	$(GO) build -o bin/benchserve ./tools/benchserve
	bin/benchserve -bin $(BIN) -procs 1 $(BENCH_SERVE_FLAGS)
	@echo
	bin/benchserve -bin $(BIN) -procs 0 -access-log=false $(BENCH_SERVE_FLAGS)

# Every fuzz target of every package, each for FUZZTIME (go test fuzzes
# one target at a time). -timeout 0: go test's own 10-minute limit would
# end a 10-minute fuzz as a failure. A run that fails with "context
# deadline exceeded" and writes no failing input is the fuzz
# coordinator's race at the end of -fuzztime (go.dev/issue/75804, fixed in
# Go 1.27), reported and passed over; any other failure stops.
fuzz:
	@for pkg in $$($(GO) list ./...); do \
		for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
			echo "== $$pkg $$t"; \
			dir=$$($(GO) list -f '{{.Dir}}' $$pkg)/testdata/fuzz/$$t; \
			before=$$(ls $$dir 2>/dev/null | wc -l); \
			$(GO) test $$pkg -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) -timeout 0 > fuzz.log 2>&1; rc=$$?; \
			grep -v '^fuzz: elapsed' fuzz.log; \
			if [ $$rc -ne 0 ]; then \
				if grep -q 'context deadline exceeded' fuzz.log && [ "$$(ls $$dir 2>/dev/null | wc -l)" = "$$before" ]; then \
					echo "== $$t: the fuzz coordinator's deadline race, no failing input (go.dev/issue/75804)"; \
				else rm -f fuzz.log; exit 1; fi; \
			fi; \
		done; \
	done; rm -f fuzz.log

# Body, date and author extraction scored on ../shared/aeb and
# ../shared/zh-cwce beside go-trafilatura and readeck go-readability, in one
# run each. Our extractor reads the pages as they are; the libraries get
# the Chinese pages transcoded to UTF-8 (-to-utf8), as they cannot detect
# the encoding themselves.
EXTRACTBENCH_SRC ?= ../shared/tools/extractbench
EXTRACTBENCH_BIN ?= $(HOME)/.cache/extractbench/bin

eval-extract:
	$(MAKE) -C $(EXTRACTBENCH_SRC) build BIN=$(EXTRACTBENCH_BIN)
	$(GO) build -o bin/extractadapter ./tools/extractadapter
	$(EXTRACTBENCH_BIN)/extractbench run -data ../shared/aeb \
		-e readeck,trafilatura-nofallback,trafilatura -cmdjson "newsfeed=$(CURDIR)/bin/extractadapter"
	$(EXTRACTBENCH_BIN)/extractbench run -data ../shared/zh-cwce -to-utf8 -e readeck,trafilatura
	$(EXTRACTBENCH_BIN)/extractbench run -data ../shared/zh-cwce -e "" -cmdjson "newsfeed=$(CURDIR)/bin/extractadapter"

# newsfeed's publication day on go-htmldate's public date set beside
# go-htmldate fast and extensive, one run, that set's own scoring. The pages
# are read in place from the original module in the module cache (the
# replace in go.mod points at a patched copy without test-files).
HTMLDATE_VERSION = $(shell $(GO) list -m -f '{{.Version}}' github.com/markusmobius/go-htmldate)

eval-dates:
	$(GO) build -o bin/evaldates ./tools/evaldates
	bin/evaldates -dir "$$($(GO) mod download -json github.com/markusmobius/go-htmldate@$(HTMLDATE_VERSION) | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$$/\1/p')"

lint:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...
	$(GO) run ./tools/codestats

clean:
	rm -rf bin data
