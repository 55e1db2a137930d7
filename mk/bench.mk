# The benchmark comparison (bench/): libgrowthbook from C against a straight-C floor, and
# growthbook_native from Python against pure-Python growthbook 1.1.0, the latest growthbook and
# Unleash's yggdrasil-engine, each in virtual environments under build/. Writes BENCHMARKS.md
# (and the raw samples to build/bench/results.json). About 5 minutes on 2 cores.
#
#   make bench                   the whole comparison
#   make bench BENCH_ARGS=--quick   a fast smoke run (too few samples to publish)

BENCH_C    := $(BINDIR)/bench_c
BENCH_ARGS ?=

.PHONY: bench

$(BENCH_C): bench/c/bench.c $(HEADER) | lib
	@mkdir -p $(BINDIR)
	$(CC) -std=c11 -O2 -g -Wall -Wextra -Werror -pthread -Iinclude $< -o $@ $(LDFLAGS_GB)

bench: lib $(BENCH_C)
	python3 bench/python/bench.py --c-bench $(BENCH_C) --lib $(LIB) --out BENCHMARKS.md $(BENCH_ARGS)
