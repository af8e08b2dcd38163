# SPDX-License-Identifier: MIT
# Thin wrapper over CMake. `make demo` and `make test` are the front door;
# `make` alone builds the release tree; `make help` lists every target.
# A target's `## text` is its line in `make help`.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE ?= cmake
BUILD ?= build

.DEFAULT_GOAL := all
.PHONY: help deps all release debug asan tsan fuzz test test-debug test-asan test-tsan test-fuzz test-realkernel demo bench boards install clean

help: ## this list
	@awk -F ':.*## ' '/^[a-z-]+:.*## / { printf "  %-11s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

deps: ## install the missing Debian packages (scripts/install-deps.sh); every build runs it first
	@bash scripts/install-deps.sh

all: release ## the default goal: the release tree

release: deps ## Release build of the library, the labyrinth command and the benchmark in build/release (no tests)
	$(CMAKE) -S . -B $(BUILD)/release -DCMAKE_BUILD_TYPE=Release -DLAB_TESTS=OFF >/dev/null
	$(CMAKE) --build $(BUILD)/release -j$(JOBS)

debug: deps ## Debug build with the tests in build/debug
	$(CMAKE) -S . -B $(BUILD)/debug -DCMAKE_BUILD_TYPE=Debug >/dev/null
	$(CMAKE) --build $(BUILD)/debug -j$(JOBS)

asan: deps ## Debug build under AddressSanitizer and UBSan in build/asan
	$(CMAKE) -S . -B $(BUILD)/asan -DCMAKE_BUILD_TYPE=Debug -DLAB_SANITIZE=address,undefined >/dev/null
	$(CMAKE) --build $(BUILD)/asan -j$(JOBS)

tsan: deps ## RelWithDebInfo build under ThreadSanitizer in build/tsan
	$(CMAKE) -S . -B $(BUILD)/tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLAB_SANITIZE=thread >/dev/null
	$(CMAKE) --build $(BUILD)/tsan -j$(JOBS)

fuzz: deps ## libFuzzer targets (clang) in build/fuzz
	CC=clang $(CMAKE) -S . -B $(BUILD)/fuzz -DCMAKE_BUILD_TYPE=Debug -DLAB_FUZZ=ON -DLAB_BENCH=OFF >/dev/null
	$(CMAKE) --build $(BUILD)/fuzz -j$(JOBS)

test-debug: debug ## every test of the Debug build
	cd $(BUILD)/debug && ctest --output-on-failure -j$(JOBS)

test-asan: asan ## every test but the fuzzers under ASan/UBSan, leaks detected
	cd $(BUILD)/asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j$(JOBS) -E '^fuzz/'

# The concurrency tests (named */*concurrency*, */*stress* or the host's daemon threads, */*background*) under ThreadSanitizer.
test-tsan: tsan ## the concurrency, stress and background-daemon tests under TSan
	cd $(BUILD)/tsan && ctest --output-on-failure -j$(JOBS) -R 'concurrency|stress|background'

# Short libFuzzer runs; LAB_FUZZ_SECONDS=600 make test-fuzz for a long one. -V shows each
# target's one-line throughput (tests/fuzz/run.bash keeps libFuzzer's own output in a log).
test-fuzz: fuzz ## short libFuzzer runs (LAB_FUZZ_SECONDS=600 for a long one)
	cd $(BUILD)/fuzz && ctest -V -j$(JOBS) -R '^fuzz/'

# Boots Debian's 6.1 and 6.12 kernels in QEMU (TCG works: ~1-3 min per boot), runs `labyrinth
# record` around a workload in each guest and replays the result both ways on the host
# (tools/realkernel/run.sh; it installs qemu-system-x86 and busybox-static when missing).
test-realkernel: release ## record + replay on Debian's real 6.1 and 6.12 kernels in QEMU (not in `make test`)
	REALKERNEL_WORK=$(abspath $(BUILD))/realkernel tools/realkernel/run.sh -L $(BUILD)/release/labyrinth
	REALKERNEL_WORK=$(abspath $(BUILD))/realkernel tools/realkernel/run.sh -n -L $(BUILD)/release/labyrinth -K linux-image-6.12-amd64
	@cat $(BUILD)/realkernel/out/*/verdict.txt

test: test-debug test-asan test-tsan test-fuzz ## all four test configurations
	@echo "make test: all configurations passed"

demo: release ## run nic-rx-storm, draw labyrinth.png and labyrinth-timeline.png
	$(BUILD)/release/labyrinth run nic-rx-storm --map labyrinth.png --plot labyrinth-timeline.png

bench: release ## the benchmarks (build/release/bench/labyrinth-bench)
	$(BUILD)/release/bench/labyrinth-bench

boards: deps ## boot the core on the QEMU boards (Cortex-M4, RISC-V 64) and print their UART output
	bash boards/run.sh cortex-m4 $(BUILD)/boards/cortex-m4-full
	bash boards/run.sh riscv64 $(BUILD)/boards/riscv64-full

install: release ## install the release build (PREFIX=... to choose where)
	$(CMAKE) --install $(BUILD)/release $(if $(PREFIX),--prefix $(PREFIX))

clean: ## remove $(BUILD)
	rm -rf $(BUILD)
