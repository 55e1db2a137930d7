# libgrowthbook -- GNU make.
#
#   make lib       build/lib/libgrowthbook.so (Swift runtime linked statically)
#   make demo      build and run the C demo on examples/features.json
#   make demo-cpp  the same with the C++ wrapper (examples/cpp/demo.cpp)
#   make test      every suite: Swift, C (ABI, spec fixtures, threads, hostile
#                  inputs), C++ wrapper, remote loading, Python binding
#                  (mk/python.mk), checks of the library's exports and
#                  dependencies, install, the thread tests under
#                  ThreadSanitizer, the C tests and a 1M-evaluation loop under
#                  AddressSanitizer + LeakSanitizer, and a short smoke run of
#                  every libFuzzer target
#   make stress    STRESS_TIME seconds (default 60) of threads mixing every call,
#                  remote loading against a loopback server with injected faults,
#                  handles created and freed; threads, descriptors and resident
#                  size printed and checked flat (make test runs 12 s of it)
#   make fuzz      every libFuzzer target for FUZZ_TIME seconds (default 60)
#   make install   PREFIX=/usr/local (default) [DESTDIR=...]: the library,
#                  growthbook.h, growthbook.hpp, a pkg-config file and a CMake
#                  package config; make uninstall removes them
#   make python-wheel  the Python binding's wheel, repaired by auditwheel to a
#                  manylinux tag with the libraries it needs inside
#                  (build/wheels; README "A wheel to distribute")
#   make clean     remove build outputs (also the Python binding's: bindings/python/build,
#                  its *.egg-info, __pycache__)
#
# Every target can be run again at any time; swift build is incremental and
# the C programs are rebuilt only when their inputs change.

SHELL       := /bin/bash
SWIFT       ?= swift
CC          = gcc
CXX         = g++
SWIFT_FLAGS ?= -c release --product growthbook -Xswiftc -static-stdlib \
               -Xlinker --version-script=$(CURDIR)/bindings/c/libgrowthbook.map
CFLAGS      ?= -std=c11 -O2 -g -Wall -Wextra -Werror
CXXFLAGS    ?= -std=c++17 -O2 -g -Wall -Wextra -Wpedantic -Werror
TEST_TIMEOUT ?= 600

BUILD   := build
LIBDIR  := $(BUILD)/lib
BINDIR  := $(BUILD)/bin
LIB     := $(LIBDIR)/libgrowthbook.so
HEADER  := include/growthbook.h
HPP     := bindings/c/growthbook.hpp
VERSION := $(shell sed -n 's/^\#define GB_VERSION "\(.*\)"/\1/p' $(HEADER))

# Installation layout (GNU conventions; DESTDIR for staged installs).
PREFIX     ?= /usr/local
DESTDIR    ?=
LIBDIR_INST ?= $(PREFIX)/lib
INCDIR_INST ?= $(PREFIX)/include
PCDIR_INST  ?= $(LIBDIR_INST)/pkgconfig
CMAKEDIR_INST ?= $(LIBDIR_INST)/cmake/growthbook

# Programs find the library next to them: build/bin/../lib.
LDFLAGS_GB := -L$(LIBDIR) -lgrowthbook -Wl,-rpath,'$$ORIGIN/../lib'

C_TEST_SRCS := $(wildcard Tests/c/*.c)
C_TESTS     := $(patsubst Tests/c/%.c,$(BINDIR)/%,$(C_TEST_SRCS))
CPP_TEST_SRCS := $(wildcard Tests/cpp/*.cpp)
CPP_TESTS     := $(patsubst Tests/cpp/%.cpp,$(BINDIR)/cpp_%,$(CPP_TEST_SRCS))

# Delete a target whose recipe failed, so a broken output is never reused.
.DELETE_ON_ERROR:
.PHONY: all deps test-deps lib demo demo-cpp test swift-test c-tests cpp-tests remote-tests \
        check-lib install uninstall install-test tsan asan fuzz fuzz-smoke fuzz-build clean \
        stress stress-short

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

$(BINDIR)/test_%: Tests/c/test_%.c Tests/c/testutil.h $(HEADER) | lib
	@mkdir -p $(BINDIR)
	$(CC) $(CFLAGS) -pthread -Iinclude $< -o $@ $(LDFLAGS_GB)

# The spec fixture runner reads the fixture files with cJSON (libcjson-dev).
$(BINDIR)/test_fixtures: Tests/c/test_fixtures.c $(HEADER) | lib test-deps
	@mkdir -p $(BINDIR)
	$(CC) $(CFLAGS) -Iinclude $$(pkg-config --cflags libcjson) $< -o $@ $(LDFLAGS_GB) \
		$$(pkg-config --libs libcjson) -lm

# --- C++ programs (the header-only wrapper bindings/c/growthbook.hpp) ----------

$(BINDIR)/demo-cpp: examples/cpp/demo.cpp $(HEADER) $(HPP) | lib
	@mkdir -p $(BINDIR)
	$(CXX) $(CXXFLAGS) -Iinclude -Ibindings/c $< -o $@ $(LDFLAGS_GB)

$(BINDIR)/cpp_%: Tests/cpp/%.cpp $(HEADER) $(HPP) | lib test-deps
	@mkdir -p $(BINDIR)
	$(CXX) $(CXXFLAGS) -pthread -Iinclude -Ibindings/c $< -o $@ $(LDFLAGS_GB)

# The order-only "| lib" prerequisite builds the library first but does not
# make the programs depend on its timestamp; they link to it dynamically.

demo: lib $(BINDIR)/demo
	$(BINDIR)/demo examples/features.json

demo-cpp: lib $(BINDIR)/demo-cpp
	$(BINDIR)/demo-cpp examples/features.json

# --- install -------------------------------------------------------------------

# The .pc and CMake files are written from the templates in bindings/c with the
# final paths (DESTDIR is only a staging root, never written into them).
SUBST = sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR_INST)|g' \
            -e 's|@INCLUDEDIR@|$(INCDIR_INST)|g' -e 's|@VERSION@|$(VERSION)|g'

install: lib
	install -d $(DESTDIR)$(LIBDIR_INST) $(DESTDIR)$(INCDIR_INST) $(DESTDIR)$(PCDIR_INST) \
		$(DESTDIR)$(CMAKEDIR_INST)
	install -m 0755 $(LIB) $(DESTDIR)$(LIBDIR_INST)/libgrowthbook.so
	install -m 0644 $(HEADER) $(HPP) $(DESTDIR)$(INCDIR_INST)/
	$(SUBST) bindings/c/growthbook.pc.in > $(DESTDIR)$(PCDIR_INST)/growthbook.pc
	$(SUBST) bindings/c/growthbookConfig.cmake.in > $(DESTDIR)$(CMAKEDIR_INST)/growthbookConfig.cmake
	$(SUBST) bindings/c/growthbookConfigVersion.cmake.in \
		> $(DESTDIR)$(CMAKEDIR_INST)/growthbookConfigVersion.cmake
	@# A system library directory needs the dynamic linker's cache refreshed.
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" -eq 0 ] && command -v ldconfig >/dev/null 2>&1 && \
	    case "$(LIBDIR_INST)" in /usr/lib|/usr/local/lib|/lib) true;; *) false;; esac; then \
		ldconfig; echo "ldconfig: refreshed the cache for $(LIBDIR_INST)"; fi
	@echo "installed libgrowthbook $(VERSION) under $(DESTDIR)$(PREFIX)"

uninstall:
	rm -f $(DESTDIR)$(LIBDIR_INST)/libgrowthbook.so $(DESTDIR)$(INCDIR_INST)/growthbook.h \
		$(DESTDIR)$(INCDIR_INST)/growthbook.hpp $(DESTDIR)$(PCDIR_INST)/growthbook.pc \
		$(DESTDIR)$(CMAKEDIR_INST)/growthbookConfig.cmake \
		$(DESTDIR)$(CMAKEDIR_INST)/growthbookConfigVersion.cmake
	-rmdir $(DESTDIR)$(CMAKEDIR_INST) 2>/dev/null

# --- tests -------------------------------------------------------------------

test: test-deps swift-test c-tests cpp-tests remote-tests stress-short python-tests python-wheel-check check-lib install-test tsan asan fuzz-smoke

# Swift Testing runs suites in parallel, so the per-category fixture counts are gathered
# from the log and printed together at the end.
swift-test: deps
	@mkdir -p $(BUILD)
	set -o pipefail; $(SWIFT) test 2>&1 | tee $(BUILD)/swift-test.log
	@echo "== spec fixture cases through the Swift evaluator"
	@grep '^\[fixtures\]' $(BUILD)/swift-test.log | sort

# Runs every C test even if one fails; fails if any failed (or timed out).
# test_fixtures runs every spec fixture category of both files through the ABI.
c-tests: lib test-deps $(C_TESTS)
	@failed=""; for t in $(C_TESTS); do \
		echo "== $$t"; \
		timeout $(TEST_TIMEOUT) $$t || failed="$$failed $$t"; \
	done; \
	if [ -n "$$failed" ]; then echo "c-tests: FAILED:$$failed"; exit 1; fi

# The C++ wrapper's tests; also builds the C++ demo, so the example always compiles.
cpp-tests: lib test-deps $(CPP_TESTS) $(BINDIR)/demo-cpp
	@failed=""; for t in $(CPP_TESTS); do \
		echo "== $$t"; \
		timeout $(TEST_TIMEOUT) $$t || failed="$$failed $$t"; \
	done; \
	if [ -n "$$failed" ]; then echo "cpp-tests: FAILED:$$failed"; exit 1; fi

# Remote loading against an HTTP server on loopback that the tests start themselves.
remote-tests: lib
	GB_LIBRARY=$(CURDIR)/$(LIB) timeout $(TEST_TIMEOUT) python3 -m pytest -q -p no:cacheprovider Tests/remote

# Threads mixing every call, with remote loading against Tests/stress/stress_server.py on
# loopback (faults injected per client key); see Tests/stress/stress.c for what is checked.
STRESS_TIME ?= 60
STRESS_SHORT_TIME ?= 12
$(BINDIR)/stress: Tests/stress/stress.c $(HEADER) | lib
	@mkdir -p $(BINDIR)
	$(CC) $(CFLAGS) -pthread -Iinclude $< -o $@ $(LDFLAGS_GB)

stress: lib test-deps $(BINDIR)/stress
	bash Tests/stress/run.sh $(BINDIR)/stress $(STRESS_TIME)

stress-short: lib test-deps $(BINDIR)/stress
	bash Tests/stress/run.sh $(BINDIR)/stress $(STRESS_SHORT_TIME)

# make install into a temporary prefix; build and run examples/c and examples/cpp
# with pkg-config flags only, and a find_package(growthbook) CMake project when
# cmake is installed (it is a test dependency: scripts/install-deps.sh --test).
install-test: lib test-deps
	MAKE="$(MAKE)" timeout $(TEST_TIMEOUT) bash Tests/install/test_install.sh

# The thread tests (C and C++) against a ThreadSanitizer build of the library
# (.build-tsan; see Tests/tsan/run.sh for why that build locks with pthreads).
tsan: test-deps
	SWIFT=$(SWIFT) TEST_TIMEOUT=$(TEST_TIMEOUT) bash Tests/tsan/run.sh

# The C tests (test_abi, test_typed_eval, test_fixtures, test_hostile) and a loop of
# 1,000,000 evaluations (Tests/asan/eval_loop.c) under AddressSanitizer and
# LeakSanitizer, against a second build of the library with -sanitize=address
# (.build-asan; see Tests/asan/run.sh).
asan: test-deps
	SWIFT=$(SWIFT) TEST_TIMEOUT=$(TEST_TIMEOUT) bash Tests/asan/run.sh

# libFuzzer targets (Fuzz/README.md), built with -sanitize=fuzzer,address in .build-fuzz.
# fuzz-smoke runs each for FUZZ_SMOKE_TIME seconds (part of make test); fuzz for
# FUZZ_TIME seconds, keeping the corpus in .build-fuzz/corpus. FUZZ_TARGETS picks some.
FUZZ_TIME ?= 60
FUZZ_SMOKE_TIME ?= 5
fuzz-build:
	SWIFT=$(SWIFT) bash Fuzz/run.sh build

fuzz-smoke:
	SWIFT=$(SWIFT) bash Fuzz/run.sh smoke $(FUZZ_SMOKE_TIME)

fuzz:
	SWIFT=$(SWIFT) bash Fuzz/run.sh fuzz $(FUZZ_TIME)

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

# Also what pip writes into bindings/python when it builds the binding (pip install/wheel
# ./bindings/python: build/, with its copy of the library, and the egg-info), and Python caches.
clean:
	rm -rf $(BUILD) .build-tsan .build-asan .build-fuzz
	rm -rf bindings/python/build bindings/python/*.egg-info
	find bindings bench Tests examples -name __pycache__ -type d -prune -exec rm -rf {} +
	$(SWIFT) package clean
include mk/python.mk
include mk/bench.mk
