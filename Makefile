# medusa-ls. The README's two commands: `make run` and `make test`.
GO      ?= go
BIN     := bin/medusa-ls
PKG     := github.com/medusa-ls/medusa-ls
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X $(PKG)/version.Version=$(VERSION)
EXAMPLE := examples/store
PORT    ?= 9000
# Cross-compilation targets checked by `make test` (Linux and macOS are first-class; Windows builds).
PLATFORMS := linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64

.PHONY: all build run test test-go test-cross test-vscode test-e2e bench vet fmt-check clean vsix vsix-all

all: build

build:
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/medusa-ls

# Serve the example project on http://127.0.0.1:$(PORT), reloading on every save.
run: build
	@test -f $(EXAMPLE)/.env || cp $(EXAMPLE)/.env.example $(EXAMPLE)/.env
	./$(BIN) develop $(EXAMPLE) --port $(PORT)

# Every test: formatting and vet, the Go tests (race detector on), cross-compilation, the VS Code
# extension's tests, and the editor end-to-end tests when their tools are installed.
test: fmt-check vet test-go test-cross test-vscode test-e2e

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './vscode-client/*')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

test-go:
	$(GO) test -race -count=1 ./...

test-cross:
	@set -e; for p in $(PLATFORMS); do \
		os=$${p%/*}; arch=$${p#*/}; \
		echo "cross-compile $$os/$$arch"; \
		GOOS=$$os GOARCH=$$arch CGO_ENABLED=0 $(GO) build -o /dev/null ./cmd/medusa-ls; \
	done

# The extension's build and unit tests (npm ci first when node_modules is missing).
test-vscode: build
	@if ! command -v npm >/dev/null; then echo "test-vscode: skipped (npm is not installed)"; exit 0; fi; \
	cd vscode-client && { [ -x node_modules/.bin/esbuild ] || npm ci --no-audit --no-fund; } && npm run --silent build && npm test --silent

test-e2e: build
	@if [ -x scripts/test-e2e.sh ]; then scripts/test-e2e.sh $(CURDIR)/$(BIN); fi

# Benchmarks: figures as JSON (bench/out/results.json) and a table; nothing is asserted.
bench: build
	$(GO) run ./bench -bin $(CURDIR)/$(BIN) -out bench/out

clean:
	rm -rf bin bench/out
