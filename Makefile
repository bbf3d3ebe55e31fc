# newsfeed — make run ingests seeds/ and prints where the output is;
# make test runs vet and the race-enabled test suite.
GO        ?= go
BIN       := bin/newsfeed
FUZZTIME  ?= 60s
BENCHTIME ?= 2s
COUNT     ?= 6

.PHONY: all build run test bench fuzz lint clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/newsfeed

# For now: parse every seed page and print a one-line summary of each.
run: build
	@for f in seeds/*; do $(BIN) parse --summary "$$f" || exit 1; done

test:
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...

# Benchmarks, COUNT runs each, ready for benchstat:
#   make bench > new.txt && benchstat old.txt new.txt
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) -count $(COUNT) ./...

# Each fuzz target for FUZZTIME (go test runs one target at a time).
fuzz:
	$(GO) test ./parse -run '^$$' -fuzz '^FuzzParseText$$' -fuzztime $(FUZZTIME)

lint:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

clean:
	rm -rf bin data
