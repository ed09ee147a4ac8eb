# plasticore: `make demo` (set up, build, short EqSpike run) and `make test` (set up, build, test suite).
SYSPY      := /usr/bin/python3
BUILD_DIR  := build
JOBS       ?= $(shell nproc)

.PHONY: setup setup-tools build test demo bench fuzz sanitize clean

setup:
	@bash scripts/setup.sh

setup-tools:
	@bash scripts/setup.sh --no-data

$(BUILD_DIR)/CMakeCache.txt:
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release

build: setup-tools $(BUILD_DIR)/CMakeCache.txt
	cmake --build $(BUILD_DIR) -j$(JOBS)

test: setup-tools build
	cd $(BUILD_DIR) && ctest --output-on-failure -j$(JOBS)

demo: setup build
	@bash scripts/demo.sh

bench: setup build
	@bash scripts/setup.sh --no-data --bench
	cmake -S . -B $(BUILD_DIR) >/dev/null   # finds Google Benchmark now: kernels_bench
	cmake --build $(BUILD_DIR) -j$(JOBS)
	@bash bench/run.sh

# libFuzzer targets (clang, ASan + UBSan), each run FUZZ_SECONDS (default 60): docs/reliability.md
fuzz: setup-tools
	@bash scripts/fuzz.sh

# The whole suite under AddressSanitizer + UndefinedBehaviorSanitizer (GCC, -O1), in build-sanitize/
sanitize: setup-tools
	@bash scripts/sanitize.sh

clean:
	rm -rf $(BUILD_DIR) build-fuzz build-sanitize
