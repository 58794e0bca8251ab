# essnap front door. `make demo` and `make test` work on a fresh machine: they install what is
# missing, build, start the local stack and run.
SHELL := /bin/bash
BUILD_DIR ?= build
CMAKE_BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)

# make install / make package: a release build of its own (build-release/, tests and benchmarks off),
# so that they never disturb build/; PREFIX and DESTDIR as usual.
RELEASE_DIR ?= build-release
PREFIX ?= /usr/local
DESTDIR ?=
# The one place the version is written: src/essnap/version.hpp (CMakeLists.txt reads it too).
VERSION := $(shell sed -nE 's/.*kVersion = "([0-9.]+)";.*/\1/p' src/essnap/version.hpp)
REGISTRY ?= localhost
CONTAINER_ENGINE ?= docker

.PHONY: all deps deps-build deps-package deps-stack build test unit-test demo bench stack-up stack-down \
	stack-status format clean compat-table release install package image

all: build

# What building needs (compiler, CMake, Ninja, -dev libraries) apart from what the test stack needs.
deps: deps-build deps-stack
deps-build:
	@scripts/install-deps.sh build
deps-package:
	@scripts/install-deps.sh package
deps-stack:
	@scripts/install-deps.sh stack

# The working build (make build / test / demo / bench): -O2 with line tables only (-g1: backtraces
# name functions, files and lines), which compiles about a third faster than full -g (measured on
# the cluster/ unity unit: 24.2 s of CPU with -g, 16.5 s with -g1). The release build below keeps -g.
DEV_FLAGS := -O2 -g1 -DNDEBUG
$(BUILD_DIR)/build.ninja: CMakeLists.txt
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(CMAKE_BUILD_TYPE) \
		-DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$(DEV_FLAGS)" -DCMAKE_C_FLAGS_RELWITHDEBINFO="$(DEV_FLAGS)" \
		>/dev/null

build: deps-build $(BUILD_DIR)/build.ninja
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# RelWithDebInfo (-O2 -g): the installed binary is stripped, its debug info kept in
# $(RELEASE_DIR)/essnap.debug. The prefix is given again at install time, so PREFIX may change.
$(RELEASE_DIR)/build.ninja: CMakeLists.txt
	@cmake -S . -B $(RELEASE_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DESSNAP_BUILD_TESTS=OFF -DESSNAP_BUILD_BENCH=OFF >/dev/null

release: deps-package $(RELEASE_DIR)/build.ninja
	@cmake --build $(RELEASE_DIR) -j $(JOBS)

install: release
	@DESTDIR="$(DESTDIR)" cmake --install $(RELEASE_DIR) --prefix "$(PREFIX)"

# The .deb (prefix /usr): $(RELEASE_DIR)/essnap_$(VERSION)_<arch>.deb.
package: release
	@cd $(RELEASE_DIR) && cpack -G DEB >/dev/null && ls "$$PWD"/essnap_*.deb

# The container image (Dockerfile): REGISTRY/essnap:VERSION; no container engine is needed otherwise.
image:
	$(CONTAINER_ENGINE) build -t $(REGISTRY)/essnap:$(VERSION) \
		--build-arg ESSNAP_GIT_COMMIT=$$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown) .

# Everything: build, stack up (unless already up), every ctest suite, stack down (if we started it).
# The stack's side (scripts/install-deps.sh stack, stack up, the package test's Debian root) runs in
# the background while the build compiles (scripts/run-tests.sh --build; docs/TESTING.md).
test: deps-build $(BUILD_DIR)/build.ninja
	@BUILD_DIR=$(BUILD_DIR) JOBS=$(JOBS) scripts/run-tests.sh --build

# Unit tests only; no stack.
unit-test: build
	@cd $(BUILD_DIR) && ctest -L unit --output-on-failure -j $(JOBS)

demo: deps-stack build stack-up
	@scripts/demo.sh

bench: deps-stack build stack-up
	@bench/run.sh

stack-up: deps-stack
	@scripts/stack.sh up

stack-down:
	@scripts/stack.sh down

stack-status:
	@scripts/stack.sh status

# Regenerate docs/COMPATIBILITY.md's measured restore matrix against the running stack.
compat-table: build
	@scripts/compat-table.sh $(BUILD_DIR)

format:
	@find src tests bench -type f \( -name '*.cpp' -o -name '*.hpp' -o -name '*.h' \) -not -path '*/data/*' -print0 | xargs -0 clang-format -i

clean:
	rm -rf $(BUILD_DIR) $(RELEASE_DIR)

# libFuzzer targets of the repository-format parsers (tests/fuzz/): SMILE decoder and blob
# framing, seeded from tests/data/repo/, FUZZ_SECONDS each (default 120). Needs clang.
.PHONY: fuzz
fuzz: deps-stack
	@tests/fuzz/run.sh
