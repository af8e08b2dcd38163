# SPDX-License-Identifier: MIT
# Thin wrapper over CMake. `make demo` and `make test` are the front door.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE ?= cmake
BUILD ?= build

deps:
	@bash scripts/install-deps.sh

.PHONY: deps all release debug asan tsan fuzz test test-debug test-asan test-tsan test-fuzz demo bench install clean

all: release

release: deps
	$(CMAKE) -S . -B $(BUILD)/release -DCMAKE_BUILD_TYPE=Release -DLAB_TESTS=OFF >/dev/null
	$(CMAKE) --build $(BUILD)/release -j$(JOBS)

debug: deps
	$(CMAKE) -S . -B $(BUILD)/debug -DCMAKE_BUILD_TYPE=Debug >/dev/null
	$(CMAKE) --build $(BUILD)/debug -j$(JOBS)

asan: deps
	$(CMAKE) -S . -B $(BUILD)/asan -DCMAKE_BUILD_TYPE=Debug -DLAB_SANITIZE=address,undefined >/dev/null
	$(CMAKE) --build $(BUILD)/asan -j$(JOBS)

tsan: deps
	$(CMAKE) -S . -B $(BUILD)/tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLAB_SANITIZE=thread >/dev/null
	$(CMAKE) --build $(BUILD)/tsan -j$(JOBS)

fuzz: deps
	CC=clang $(CMAKE) -S . -B $(BUILD)/fuzz -DCMAKE_BUILD_TYPE=Debug -DLAB_FUZZ=ON -DLAB_BENCH=OFF >/dev/null
	$(CMAKE) --build $(BUILD)/fuzz -j$(JOBS)

test-debug: debug
	cd $(BUILD)/debug && ctest --output-on-failure -j$(JOBS)

test-asan: asan
	cd $(BUILD)/asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j$(JOBS) -E '^fuzz/'

# The concurrency tests (named */*concurrency*, */*stress* or the host's daemon threads, */*background*) under ThreadSanitizer.
test-tsan: tsan
	cd $(BUILD)/tsan && ctest --output-on-failure -j$(JOBS) -R 'concurrency|stress|background'

# Short libFuzzer runs; LAB_FUZZ_SECONDS=600 make test-fuzz for a long one.
test-fuzz: fuzz
	cd $(BUILD)/fuzz && ctest --output-on-failure -j$(JOBS) -R '^fuzz/'

test: test-debug test-asan test-tsan test-fuzz
	@echo "make test: all configurations passed"

demo: release
	$(BUILD)/release/labyrinth run nic-rx-storm --map labyrinth.png --plot labyrinth-timeline.png

bench: release
	$(BUILD)/release/bench/labyrinth-bench

install: release
	$(CMAKE) --install $(BUILD)/release $(if $(PREFIX),--prefix $(PREFIX))

clean:
	rm -rf $(BUILD)
