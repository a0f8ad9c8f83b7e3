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

.PHONY: all build run test test-go test-cross test-vscode bench vet fmt-check clean vsix vsix-all

all: build

build:
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/medusa-ls

# Serve the example project on http://127.0.0.1:$(PORT), reloading on every save.
run: build
	@test -f $(EXAMPLE)/.env || cp $(EXAMPLE)/.env.example $(EXAMPLE)/.env
	./$(BIN) develop $(EXAMPLE) --port $(PORT)

# Every test: formatting and vet, the Go tests (race detector on), cross-compilation, the VS Code
# extension's tests, and the editor end-to-end tests when their tools are installed.
test: fmt-check vet test-go test-cross test-vscode

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

# The VS Code extension: build, unit tests, the contract test against bin/medusa-ls, and the
# end-to-end test in code-server + Chromium when vscode-client/e2e/setup.sh has installed them
# (skipped otherwise, unless E2E_REQUIRED=1).
test-vscode: build
	@if ! command -v npm >/dev/null; then echo "test-vscode: skipped (npm is not installed)"; exit 0; fi; \
	MEDUSA_LS_BIN=$(CURDIR)/$(BIN) bash vscode-client/scripts/test.sh


# Benchmarks: figures as JSON (bench/out/results.json) and a table; nothing is asserted.
bench: build
	$(GO) run ./bench -bin $(CURDIR)/$(BIN) -out bench/out

# The VS Code extension with the medusa-ls binary for this machine, and one per platform.
vsix: build
	bash vscode-client/scripts/package.sh $(BIN)

vsix-all:
	@rm -rf dist/vsix-bin && mkdir -p dist/vsix-bin
	@set -e; for p in linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64; do \
		os=$${p%/*}; arch=$${p#*/}; ext=; [ $$os = windows ] && ext=.exe; \
		echo "build $$os/$$arch"; \
		GOOS=$$os GOARCH=$$arch CGO_ENABLED=0 $(GO) build -ldflags '$(LDFLAGS)' -o dist/vsix-bin/medusa-ls-$$os-$$arch$$ext ./cmd/medusa-ls; \
	done
	bash vscode-client/scripts/package.sh --all dist/vsix-bin

clean:
	rm -rf bin dist bench/out
