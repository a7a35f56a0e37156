# pressroom: the front door. `make run` and `make test` work on a fresh
# machine with Go installed; `make test` installs whatever else tests need.

GO        ?= go
FUZZTIME  ?= 5s
FUZZ_TARGETS := FuzzParseMarkdown FuzzParseHTML FuzzParseText FuzzParseJSON
BIN       := bin

.PHONY: run test unit fuzz lint bench build clean deploy

## run: check the bundled example articles with the bundled config (no AWS, no flags)
run:
	$(GO) run ./cmd/pressroom check --config examples/site/pressroom.yaml examples/site/articles

## test: vet, unit and golden tests (with the race detector), then each fuzz target for $(FUZZTIME)
## (minimising a new input is capped at 50 runs: the default 60 s would eat the whole budget)
test: lint unit fuzz

unit:
	$(GO) test -race -count=1 ./...

fuzz:
	@for target in $(FUZZ_TARGETS); do \
		echo "fuzzing $$target for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 50x ./internal/article || exit 1; \
	done

## lint: go vet, gofmt, and staticcheck when it is installed
lint:
	$(GO) vet ./...
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi
	@if command -v staticcheck >/dev/null; then staticcheck ./...; fi

## bench: every benchmark, 5 runs each, for benchstat
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 5 ./...

## build: the pressroom CLI in bin/ (the Lambda bootstrap zips arrive with the AWS functions)
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '-s -w' -o $(BIN)/pressroom ./cmd/pressroom

## deploy: not available yet: the SAM template and Lambda functions are still to come
deploy:
	@echo "deploy: the AWS functions and template.yaml are not built yet (see README, Status)"; exit 1

clean:
	rm -rf $(BIN)
