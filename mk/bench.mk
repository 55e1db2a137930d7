# The benchmark comparison (bench/): libgrowthbook from C against a straight-C floor, and
# growthbook_native from Python against pure-Python growthbook 1.1.0, the latest growthbook and
# Unleash's yggdrasil-engine, each in virtual environments under build/. Writes BENCHMARKS.md
# (and the raw samples to build/bench/results.json). About 5 minutes on 2 cores.
#
#   make bench                   the whole comparison
#   make bench BENCH_ARGS=--quick   a fast smoke run (too few samples to publish)

BENCH_C    := $(BINDIR)/bench_c
BENCH_ARGS ?=

.PHONY: bench bench-instructions

$(BENCH_C): bench/c/bench.c $(HEADER) | lib
	@mkdir -p $(BINDIR)
	$(CC) -std=c11 -O2 -g -Wall -Wextra -Werror -pthread -Iinclude $< -o $@ $(LDFLAGS_GB)

# Instructions per evaluation under callgrind (W4 reads the committed bench/data/features-200.json,
# W6 bench/data/features-5000.json, so this works from a fresh clone). make bench reports them too.
BENCH_INSTR := $(BINDIR)/bench_instructions

bench: lib $(BENCH_C) $(BENCH_INSTR)
	@bash scripts/install-deps.sh --bench
	python3 bench/python/bench.py --c-bench $(BENCH_C) --instructions $(BENCH_INSTR) --lib $(LIB) \
		--out BENCHMARKS.md $(BENCH_ARGS)

$(BENCH_INSTR): bench/c/instructions.c $(HEADER) | lib
	@mkdir -p $(BINDIR)
	$(CC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -Iinclude $< -o $@ $(LDFLAGS_GB)

bench-instructions: lib $(BENCH_INSTR)
	@bash scripts/install-deps.sh --bench
	bash bench/instructions.sh $(BENCH_INSTR)
