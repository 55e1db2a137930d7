#!/usr/bin/env bash
# test_install.sh -- `make install` into a temporary prefix, then build the
# examples against the installed files only, the way a user would:
#
#   1. cc examples/c/demo.c $(pkg-config --cflags --libs growthbook), run it;
#   2. c++ -std=c++17 examples/cpp/demo.cpp $(pkg-config ...), run it;
#   3. if cmake is installed: a CMake project using find_package(growthbook)
#      and growthbook::growthbook (Tests/install/CMakeLists.txt), run its programs;
#   4. `make uninstall` removes every installed file.
#
# PKG_CONFIG_PATH points at the prefix and, because the prefix is not a system
# one, LD_LIBRARY_PATH lets the programs find the library at run time. No other
# flag (no -I, -L or rpath) is given. Run from the repository root (make
# install-test does). Prints "N passed, N failed".
set -uo pipefail

MAKE=${MAKE:-make}
CC=${CC_FOR_INSTALL_TEST:-cc}
CXX=${CXX_FOR_INSTALL_TEST:-c++}
root=$(pwd)
prefix=$(mktemp -d "${TMPDIR:-/tmp}/growthbook-prefix.XXXXXX")
work=$(mktemp -d "${TMPDIR:-/tmp}/growthbook-consumer.XXXXXX")
trap 'rm -rf "$prefix" "$work"' EXIT

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok: $*"; }
bad() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }
summary() { echo "$passed passed, $failed failed"; [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]; }

echo "== make install PREFIX=$prefix"
if ! $MAKE --no-print-directory install PREFIX="$prefix" >"$work/install.log" 2>&1; then
    cat "$work/install.log" >&2
    bad "make install failed"
    summary
    exit 1
fi
for f in lib/libgrowthbook.so include/growthbook.h include/growthbook.hpp lib/pkgconfig/growthbook.pc \
    lib/cmake/growthbook/growthbookConfig.cmake lib/cmake/growthbook/growthbookConfigVersion.cmake; do
    if [ -f "$prefix/$f" ]; then ok "installed $f"; else bad "not installed: $f"; fi
done
(cd "$prefix" && find . -type f | sort | sed 's/^/    /')

export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
export LD_LIBRARY_PATH="$prefix/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
header_version=$(sed -n 's/^#define GB_VERSION "\(.*\)"/\1/p' include/growthbook.h)

echo "== pkg-config"
if [ "$(pkg-config --modversion growthbook)" = "$header_version" ]; then
    ok "pkg-config --modversion growthbook = $header_version"
else
    bad "pkg-config --modversion growthbook: $(pkg-config --modversion growthbook 2>&1)"
fi
flags=$(pkg-config --cflags --libs growthbook)
echo "    pkg-config --cflags --libs growthbook: $flags"

# The demo's output is deterministic; check a few of its lines.
check_demo() { # name binary
    local name=$1 bin=$2 out
    if ! out=$(cd "$root" && "$bin" examples/features.json 2>&1); then
        bad "$name exited nonzero: $out"
        return
    fi
    printf '%s\n' "$out" | sed 's/^/    | /' | head -n 12
    if printf '%s\n' "$out" | grep -q "experiment exposure(s) tracked" &&
        printf '%s\n' "$out" | grep -q "\[tracking\] viewed experiment button-color-2024" &&
        printf '%s\n' "$out" | grep -q '"Howdy, neighbour!"'; then
        ok "$name ran and evaluated the example features"
    else
        bad "$name output is not what the demo prints"
    fi
    # It found the installed library, not the build tree's.
    # (grep without -q reads all of ldd's output: with -q an early exit could kill ldd with SIGPIPE,
    # which pipefail reports as a failure.)
    if ldd "$bin" | grep "libgrowthbook.so => $prefix/lib/libgrowthbook.so" >/dev/null; then
        ok "$name uses $prefix/lib/libgrowthbook.so"
    else
        bad "$name does not load the installed library: $(ldd "$bin" | grep growthbook)"
    fi
}

echo "== $CC examples/c/demo.c \$(pkg-config --cflags --libs growthbook)"
# shellcheck disable=SC2086 # the flags are meant to split
if $CC examples/c/demo.c $flags -o "$work/demo-c"; then
    ok "examples/c/demo.c built with pkg-config flags only"
    check_demo "demo (C)" "$work/demo-c"
else
    bad "examples/c/demo.c did not build"
fi

echo "== $CXX -std=c++17 examples/cpp/demo.cpp \$(pkg-config --cflags --libs growthbook)"
# shellcheck disable=SC2086
if $CXX -std=c++17 examples/cpp/demo.cpp $flags -o "$work/demo-cpp"; then
    ok "examples/cpp/demo.cpp built with pkg-config flags only"
    check_demo "demo (C++)" "$work/demo-cpp"
else
    bad "examples/cpp/demo.cpp did not build"
fi

echo "== CMake: find_package(growthbook) and growthbook::growthbook"
if command -v cmake >/dev/null 2>&1; then
    if cmake -S Tests/install -B "$work/cmake" -DCMAKE_PREFIX_PATH="$prefix" >"$work/cmake.log" 2>&1 &&
        cmake --build "$work/cmake" >>"$work/cmake.log" 2>&1; then
        ok "CMake consumer configured and built ($(cmake --version | head -n 1))"
        check_demo "demo-c (CMake)" "$work/cmake/demo-c"
        check_demo "demo-cpp (CMake)" "$work/cmake/demo-cpp"
    else
        sed 's/^/    | /' "$work/cmake.log" >&2
        bad "CMake consumer failed"
    fi
    # A version the package does not satisfy is refused.
    mkdir -p "$work/cmake-v"
    printf 'cmake_minimum_required(VERSION 3.14)\nproject(v C)\nfind_package(growthbook 9.0 REQUIRED)\n' \
        >"$work/cmake-v/CMakeLists.txt"
    if cmake -S "$work/cmake-v" -B "$work/cmake-v/build" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null 2>&1; then
        bad "find_package(growthbook 9.0) accepted version $header_version"
    else
        ok "find_package(growthbook 9.0) refused"
    fi
else
    echo "cmake not found: the CMake package config was installed but NOT checked"
fi

echo "== make uninstall PREFIX=$prefix"
if $MAKE --no-print-directory uninstall PREFIX="$prefix" >"$work/uninstall.log" 2>&1 &&
    [ -z "$(find "$prefix" -type f)" ]; then
    ok "make uninstall removed every installed file"
else
    bad "files left after make uninstall: $(find "$prefix" -type f | tr '\n' ' ')"
fi

summary
