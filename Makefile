# libgrowthbook -- GNU make.
#
#   make lib     build/lib/libgrowthbook.so (Swift runtime linked statically)
#   make demo    build and run the C demo on examples/features.json
#   make test    Swift tests, C tests, and checks of the shared library's
#                exports and dependencies
#   make clean   remove build outputs
#
# Every target can be run again at any time; swift build is incremental and
# the C programs are rebuilt only when their inputs change.

SHELL       := /bin/bash
SWIFT       ?= swift
CC          = gcc
SWIFT_FLAGS ?= -c release --product growthbook -Xswiftc -static-stdlib \
               -Xlinker --version-script=$(CURDIR)/bindings/c/libgrowthbook.map
CFLAGS      ?= -std=c11 -O2 -g -Wall -Wextra -Werror
TEST_TIMEOUT ?= 600

BUILD   := build
LIBDIR  := $(BUILD)/lib
BINDIR  := $(BUILD)/bin
LIB     := $(LIBDIR)/libgrowthbook.so
HEADER  := include/growthbook.h

# Programs find the library next to them: build/bin/../lib.
LDFLAGS_GB := -L$(LIBDIR) -lgrowthbook -Wl,-rpath,'$$ORIGIN/../lib'

C_TEST_SRCS := $(wildcard Tests/c/*.c)
C_TESTS     := $(patsubst Tests/c/%.c,$(BINDIR)/%,$(C_TEST_SRCS))

# Delete a target whose recipe failed, so a broken output is never reused.
.DELETE_ON_ERROR:
.PHONY: all deps test-deps lib demo test swift-test c-tests remote-tests check-lib clean

all: lib

# --- the library -------------------------------------------------------------

# Always ask swift build (it knows the Swift sources' dependencies and does
# nothing when they are unchanged); copy only when the result changed, so the C
# programs are not relinked needlessly.
# System libraries (libcurl, libcrypto) and test tools, installed only where missing.
deps:
	@bash scripts/install-deps.sh

test-deps:
	@bash scripts/install-deps.sh --test

lib: deps
	$(SWIFT) build $(SWIFT_FLAGS)
	@mkdir -p $(LIBDIR)
	@src="$$($(SWIFT) build $(SWIFT_FLAGS) --show-bin-path)/libgrowthbook.so"; \
	if ! cmp -s "$$src" $(LIB); then \
		cp "$$src" $(LIB).tmp && mv $(LIB).tmp $(LIB) && echo "installed $(LIB)"; \
	else echo "$(LIB) is up to date"; fi

# --- C programs --------------------------------------------------------------

$(BINDIR)/demo: examples/c/demo.c $(HEADER) | lib
	@mkdir -p $(BINDIR)
	$(CC) $(CFLAGS) -Iinclude $< -o $@ $(LDFLAGS_GB)

$(BINDIR)/test_%: Tests/c/test_%.c $(HEADER) | lib
	@mkdir -p $(BINDIR)
	$(CC) $(CFLAGS) -pthread -Iinclude $< -o $@ $(LDFLAGS_GB)

# The order-only "| lib" prerequisite builds the library first but does not
# make the programs depend on its timestamp; they link to it dynamically.

demo: lib $(BINDIR)/demo
	$(BINDIR)/demo examples/features.json

# --- tests -------------------------------------------------------------------

test: test-deps swift-test c-tests remote-tests check-lib

# Swift Testing runs suites in parallel, so the per-category fixture counts are gathered
# from the log and printed together at the end.
swift-test: deps
	@mkdir -p $(BUILD)
	set -o pipefail; $(SWIFT) test 2>&1 | tee $(BUILD)/swift-test.log
	@echo "== spec fixture cases through the Swift evaluator"
	@grep '^\[fixtures\]' $(BUILD)/swift-test.log | sort

# Runs every C test even if one fails; fails if any failed (or timed out).
c-tests: lib $(C_TESTS)
	@failed=""; for t in $(C_TESTS); do \
		echo "== $$t"; \
		timeout $(TEST_TIMEOUT) $$t || failed="$$failed $$t"; \
	done; \
	if [ -n "$$failed" ]; then echo "c-tests: FAILED:$$failed"; exit 1; fi

# Remote loading against an HTTP server on loopback that the tests start themselves.
remote-tests: lib
	GB_LIBRARY=$(CURDIR)/$(LIB) timeout $(TEST_TIMEOUT) python3 -m pytest -q -p no:cacheprovider Tests/remote

# The library exports every function the header declares, and does not depend
# on the Swift toolchain at run time. gcc -E strips the header's comments, so
# only real declarations are counted.
check-lib: lib
	@set -e; \
	names=$$($(CC) -E -P -Iinclude $(HEADER) | grep -oE '\bgb_[a-z0-9_]+[[:space:]]*\(' | tr -d '( \t' | sort -u); \
	test -n "$$names" || { echo "check-lib: no gb_ functions found in $(HEADER)"; exit 1; }; \
	exported=$$(nm -D --defined-only $(LIB) | awk '{print $$NF}'); \
	missing=0; count=0; \
	for n in $$names; do \
		count=$$((count + 1)); \
		if ! printf '%s\n' "$$exported" | grep -qx "$$n"; then \
			echo "check-lib: $(LIB) does not export $$n"; missing=$$((missing + 1)); fi; \
	done; \
	test $$missing -eq 0 || { echo "check-lib: $$missing of $$count functions missing"; exit 1; }; \
	echo "check-lib: all $$count header functions exported"; \
	deps=$$(env -u LD_LIBRARY_PATH ldd $(LIB)); \
	printf '%s\n' "$$deps"; \
	if printf '%s\n' "$$deps" | grep -E '/opt/swift|libswift[^ ]*\.so|not found'; then \
		echo "check-lib: $(LIB) depends on the Swift toolchain or a missing library"; exit 1; fi; \
	echo "check-lib: no Swift toolchain dependencies"

clean:
	rm -rf $(BUILD)
	$(SWIFT) package clean
