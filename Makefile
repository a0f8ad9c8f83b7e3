# medusa-ls. The README's commands: `make run` and `make test`; `make dist` builds a release.
SHELL   := bash
GO      ?= go
BIN     := bin/medusa-ls
PKG     := github.com/medusa-ls/medusa-ls
# The version: X.Y.Z when HEAD is tagged vX.Y.Z, else a prerelease of BASE_VERSION (semver, as npm
# wants it).
BASE_VERSION := 0.1.0
TAG     := $(shell git describe --tags --exact-match --match 'v[0-9]*' 2>/dev/null)
VERSION ?= $(if $(TAG),$(patsubst v%,%,$(TAG)),$(BASE_VERSION)-dev.g$(shell git rev-parse --short HEAD 2>/dev/null || echo 0))
LDFLAGS := -X $(PKG)/version.Version=$(VERSION)
EXAMPLE := examples/store
PORT    ?= 9000
# A release's platforms, GOOS/GOARCH:npm-name (npm's process.platform-process.arch).
DIST_PLATFORMS := linux/amd64:linux-x64 linux/arm64:linux-arm64 darwin/amd64:darwin-x64 darwin/arm64:darwin-arm64 windows/amd64:win32-x64
# `make test` type-checks these besides this machine's (go vet): every OS with code of its own.
# Architectures share all of medusa-ls's code; `make dist` builds each one.
VET_PLATFORMS := darwin/arm64 windows/amd64
# The largest .vsix `make dist` accepts.
VSIX_MAX_BYTES := 10485760
NATIVE  = $(shell node -p 'process.platform + "-" + process.arch' 2>/dev/null)

.PHONY: all build run test fmt-check vet vet-cross test-go test-vscode test-npm bench dist dist-bin dist-npm dist-vsix dist-test publish vsix clean

all: build

build:
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/medusa-ls

# Serve the example project on http://127.0.0.1:$(PORT), reloading on every save.
run: build
	@test -f $(EXAMPLE)/.env || cp $(EXAMPLE)/.env.example $(EXAMPLE)/.env
	./$(BIN) develop $(EXAMPLE) --port $(PORT)

# Every test: formatting, vet (here and type-checked for macOS and Windows), the Go tests (race
# detector on), the VS Code extension's tests, the npm packages installed from their tarballs,
# and the editor end-to-end tests when their tools are installed. A test that cannot run prints
# one line saying what it lacks and how to install it.
test: fmt-check vet vet-cross test-go test-vscode test-npm

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './vscode-client/*')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

vet-cross:
	@set -e; for p in $(VET_PLATFORMS); do \
		echo "go vet ./... for $$p"; \
		GOOS=$${p%/*} GOARCH=$${p#*/} CGO_ENABLED=0 $(GO) vet ./...; \
	done

# One line per package as go test prints them, the failures in full, and one line per skipped
# test with its reason (internal/testsum).
test-go:
	@set -o pipefail; $(GO) test -race -count=1 -timeout 40m -json ./... | $(GO) run ./internal/testsum

# The VS Code extension: build, unit tests, the contract test against bin/medusa-ls, and the
# end-to-end test in code-server + Chromium when vscode-client/e2e/setup.sh has installed them
# (skipped otherwise, unless E2E_REQUIRED=1).
test-vscode: build
	@if ! command -v npm >/dev/null; then echo "test-vscode: SKIPPED: npm is not installed (apt-get install npm)"; exit 0; fi; \
	MEDUSA_LS_BIN=$(CURDIR)/$(BIN) bash vscode-client/scripts/test.sh

# The npm packages for this machine, with bin/medusa-ls inside: packed, installed from the
# tarballs into a copy of the example, and run with npx (npm/pack-test.sh).
test-npm: build
	@if ! command -v npm >/dev/null; then echo "test-npm: SKIPPED: npm is not installed (apt-get install npm)"; exit 0; fi; \
	set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	t=$(NATIVE); case $$t in linux-x64) g=linux-amd64;; linux-arm64) g=linux-arm64;; darwin-x64) g=darwin-amd64;; darwin-arm64) g=darwin-arm64;; win32-x64) g=windows-amd64.exe;; \
		*) echo "test-npm: SKIPPED: medusa-ls has no npm package for $$t"; exit 0;; esac; \
	mkdir -p $$tmp/bin; cp $(BIN) $$tmp/bin/medusa-ls-$$g; \
	node npm/build.mjs --version $(VERSION) --bin $$tmp/bin --out $$tmp/npm --only $$t >/dev/null; \
	bash npm/pack-test.sh $$tmp/npm

# Benchmarks: figures as JSON (bench/out/results.json) and a table; nothing is asserted.
bench: build
	$(GO) run ./bench -bin $(CURDIR)/$(BIN) -out bench/out

# A release in dist/: stripped binaries for every platform (dist/bin), the npm packages
# (dist/npm: medusa-ls and @medusa-ls/<platform>) and one .vsix per platform (dist/vsix).
dist: dist-bin dist-npm dist-vsix
	@echo "dist $(VERSION):"; ls -l dist/bin/* dist/npm/*.tgz dist/vsix/*.vsix | awk '{printf "  %-60s %5.1f MB\n", $$9, $$5/1048576}'

dist-bin:
	@rm -rf dist/bin && mkdir -p dist/bin
	@set -e; for p in $(DIST_PLATFORMS); do \
		gp=$${p%%:*}; os=$${gp%/*}; arch=$${gp#*/}; ext=; [ $$os = windows ] && ext=.exe; \
		echo "build $$os/$$arch"; \
		GOOS=$$os GOARCH=$$arch CGO_ENABLED=0 $(GO) build -trimpath -ldflags '-s -w $(LDFLAGS)' -o dist/bin/medusa-ls-$$os-$$arch$$ext ./cmd/medusa-ls; \
	done

# The packages as folders (what `npm publish` takes) and as tarballs (what `npm install` takes):
# dist/npm/medusa-ls-$(VERSION).tgz and dist/npm/medusa-ls-<platform>-$(VERSION).tgz.
dist-npm: dist-bin
	@node npm/build.mjs --version $(VERSION) --bin dist/bin --out dist/npm >/dev/null
	@set -e; for d in dist/npm/*/; do (cd $$d && npm pack --silent --pack-destination .. >/dev/null); done
	@ls dist/npm/*.tgz

dist-vsix: dist-bin
	@rm -rf dist/vsix
	bash vscode-client/scripts/package.sh --out dist/vsix --all dist/bin
	@set -e; for f in dist/vsix/*.vsix; do \
		n=$$(wc -c < $$f); if [ $$n -gt $(VSIX_MAX_BYTES) ]; then echo "$$f is $$n bytes, over $(VSIX_MAX_BYTES)"; exit 1; fi; \
	done

# The release's npm packages, installed from their tarballs and run (npm/pack-test.sh), and
# checked for publishing (npm/publish.sh --dry-run).
dist-test: dist
	bash npm/pack-test.sh dist/npm
	bash npm/publish.sh --dry-run dist/npm

# Publishes dist/npm to the npm registry (after `npm login`), platform packages first. Only a
# commit tagged vX.Y.Z can be published.
publish: dist
	bash npm/publish.sh dist/npm

# The VS Code extension with this machine's medusa-ls binary inside.
vsix: build
	bash vscode-client/scripts/package.sh $(BIN)

clean:
	rm -rf bin dist bench/out
