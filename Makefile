# The two commands a newcomer needs: `make demo` and `make test`.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: deps build test demo bench clean configure fuzz test-asan

deps:
	@bash scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)
	@bash scripts/build-web.sh

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 600

demo: build
	@bash scripts/demo.sh

bench: build
	@bash scripts/bench.sh

# libFuzzer targets (tests/fuzz) under ASan+UBSan with clang, FUZZ_SECONDS each;
# crashes land in tests/fuzz/crashes/. FUZZ_TARGETS picks some (e.g. "config http").
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=
fuzz: deps
	@cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
	  -DTESSERA_FUZZ=ON -DTESSERA_WERROR=OFF $(CMAKE_FLAGS) >/dev/null
	@cmake --build build-fuzz -j $(JOBS) --target fuzzers
	@bash tests/fuzz/run_fuzz.sh build-fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# Unit and integration tests (not the web's) with every target built under
# ASan+UBSan. Sanitizer reports from any process (the tests and the servers they
# start) go to build-asan/sanitizer-logs/; any report fails the target.
test-asan: deps
	@cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTESSERA_SANITIZE=ON \
	  $(CMAKE_FLAGS) >/dev/null
	@cmake --build build-asan -j $(JOBS)
	@rm -rf build-asan/sanitizer-logs && mkdir -p build-asan/sanitizer-logs
	@cd build-asan && \
	  ASAN_OPTIONS=log_path=$(CURDIR)/build-asan/sanitizer-logs/asan:detect_leaks=1:abort_on_error=0 \
	  UBSAN_OPTIONS=log_path=$(CURDIR)/build-asan/sanitizer-logs/ubsan:print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS) --timeout 900 -E '^web_'
	@if ls build-asan/sanitizer-logs/* >/dev/null 2>&1; then \
	  echo "test-asan: sanitizer reports:"; cat build-asan/sanitizer-logs/*; exit 1; \
	elif grep -n "runtime error:" build-asan/Testing/Temporary/LastTest.log; then \
	  echo "test-asan: UBSan reports in the test output above (GCC 12's UBSan ignores log_path)"; exit 1; \
	else echo "test-asan: no sanitizer reports"; fi

clean:
	rm -rf $(BUILD_DIR)
