# essnap front door. `make demo` and `make test` work on a fresh machine: they install what is
# missing, build, start the local stack and run.
SHELL := /bin/bash
BUILD_DIR ?= build
CMAKE_BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)

.PHONY: all deps build test unit-test demo bench stack-up stack-down stack-status format clean compat-table

all: build

deps:
	@scripts/install-deps.sh

$(BUILD_DIR)/build.ninja: CMakeLists.txt
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(CMAKE_BUILD_TYPE) >/dev/null

build: deps $(BUILD_DIR)/build.ninja
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# Everything: build, stack up (unless already up), every ctest suite, stack down (if we started it).
test: build
	@scripts/run-tests.sh

# Unit tests only; no stack.
unit-test: build
	@cd $(BUILD_DIR) && ctest -L unit --output-on-failure -j $(JOBS)

demo: build stack-up
	@scripts/demo.sh

bench: build stack-up
	@bench/run.sh

stack-up: deps
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
	rm -rf $(BUILD_DIR)

# libFuzzer targets of the repository-format parsers (tests/fuzz/): SMILE decoder and blob
# framing, seeded from tests/data/repo/, FUZZ_SECONDS each (default 120). Needs clang.
.PHONY: fuzz
fuzz: deps
	@tests/fuzz/run.sh
