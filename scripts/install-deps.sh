#!/usr/bin/env bash
# Installs what building (and, with --test, testing) libgrowthbook needs, only where missing:
# Debian's libcurl, OpenSSL, PCRE2 and hiredis development packages; for the tests also g++ (the C++ wrapper's
# tests), cJSON (libcjson-dev: the C fixture runner reads the spec files with it), cmake (checks
# the installed CMake package config), redis-server (the Redis tests start their own), Python's headers (python3-dev: the Python binding's
# accelerator) and the Python packages the tests use; with --bench,
# valgrind (make bench-instructions counts instructions with its callgrind tool); with --wheel,
# patchelf (Debian) and auditwheel (PyPI, pinned, into its own venv build/wheel-tools) for
# make python-wheel, which repairs the Python wheel to a manylinux tag.
# Safe to run again and again; `make lib`, `make demo` and `make test` call it.
set -euo pipefail

apt_missing=()
command -v pkg-config >/dev/null 2>&1 || apt_missing+=(pkg-config)
pkg-config --exists libcurl 2>/dev/null || apt_missing+=(libcurl4-openssl-dev)
pkg-config --exists libcrypto 2>/dev/null || apt_missing+=(libssl-dev)
pkg-config --exists hiredis 2>/dev/null || apt_missing+=(libhiredis-dev)
{ pkg-config --exists libpcre2-8 && pkg-config --exists libpcre2-16; } 2>/dev/null || apt_missing+=(libpcre2-dev)
command -v gcc >/dev/null 2>&1 || apt_missing+=(gcc)
command -v nm >/dev/null 2>&1 || apt_missing+=(binutils)
if [ "${1:-}" = "--test" ]; then
    command -v g++ >/dev/null 2>&1 || apt_missing+=(g++)
    pkg-config --exists libcjson 2>/dev/null || apt_missing+=(libcjson-dev)
    command -v cmake >/dev/null 2>&1 || apt_missing+=(cmake)
    # The Redis tests start a server of their own on loopback.
    command -v redis-server >/dev/null 2>&1 || apt_missing+=(redis-server)
    # Python's headers: the Python binding's accelerator (growthbook_native/_speedups.c)
    # compiles against them (python3 may be one with headers of its own, e.g. pyenv's)
    python3 -c 'import os, sys, sysconfig; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' \
        2>/dev/null || apt_missing+=(python3-dev)
fi
if [ "${1:-}" = "--bench" ]; then
    command -v valgrind >/dev/null 2>&1 || apt_missing+=(valgrind)
fi

if [ "${1:-}" = "--wheel" ]; then
    command -v patchelf >/dev/null 2>&1 || apt_missing+=(patchelf)
fi

if [ "${#apt_missing[@]}" -gt 0 ]; then
    echo "install-deps: installing ${apt_missing[*]}"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${apt_missing[@]}"
fi

if [ "${1:-}" = "--test" ]; then
    # pytest-mock: growthbook 1.1.0's own test file (test_reference_suite.py) uses `mocker`
    if ! python3 -c 'import pytest, pytest_mock, cryptography' >/dev/null 2>&1; then
        echo "install-deps: installing pytest, pytest-mock and cryptography for the tests"
        python3 -m pip install -q pytest pytest-mock cryptography
    fi
fi

if [ "${1:-}" = "--wheel" ]; then
    # auditwheel lives in a venv of its own under build/ (removed by make clean), pinned so the
    # repaired wheel does not change with a new release; recreated only when missing or other.
    # 6.7.0 is the newest that repairs correctly with Debian 12's patchelf 0.14.3: 6.8.0 batches
    # the patchelf calls, which that patchelf gets wrong (NEEDED left unrenamed), and 6.8.1
    # refuses patchelf older than 0.14.5.
    AUDITWHEEL_VERSION=6.7.0
    tools="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build/wheel-tools"
    have=$("$tools/bin/python" -c 'import importlib.metadata as m; print(m.version("auditwheel"))' 2>/dev/null || true)
    if [ "$have" != "$AUDITWHEEL_VERSION" ] || [ ! -x "$tools/bin/auditwheel" ]; then
        echo "install-deps: installing auditwheel $AUDITWHEEL_VERSION into $tools"
        rm -rf "$tools"
        python3 -m venv "$tools"
        "$tools/bin/python" -m pip install -q --disable-pip-version-check "auditwheel==$AUDITWHEEL_VERSION"
    fi
fi
