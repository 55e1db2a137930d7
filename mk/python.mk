# The Python binding (bindings/python): installed into a virtual environment the way a user
# installs it (pip install ./bindings/python), then its pytest suite, twice: with the compiled
# accelerator (growthbook_native/_speedups.c, built here with -Wall -Wextra -Werror; it must be
# built: GROWTHBOOK_NATIVE_REQUIRE_ACCEL makes tests/test_speedups.py fail if the package fell
# back to ctypes) and on the ctypes path alone (GROWTHBOOK_NATIVE_PURE=1); and the wheel
# checked to run with no Swift toolchain on PATH.

PY_VENV   := $(BUILD)/venv
PY_WHEELS := $(BUILD)/wheels
PY_TEST   := timeout $(TEST_TIMEOUT) $(PY_VENV)/bin/python -m pytest -q -p no:cacheprovider bindings/python/tests

.PHONY: python-install python-tests python-wheel-check

python-install: lib test-deps
	@rm -rf $(PY_VENV)
	python3 -m venv --system-site-packages $(PY_VENV)
	GROWTHBOOK_NATIVE_STRICT=1 $(PY_VENV)/bin/python -m pip install -q --disable-pip-version-check ./bindings/python

python-tests: python-install
	@echo "python-tests: with the accelerator"
	cd $(CURDIR) && env -u GROWTHBOOK_NATIVE_PURE GROWTHBOOK_NATIVE_REQUIRE_ACCEL=1 $(PY_TEST)
	@echo "python-tests: the ctypes path (GROWTHBOOK_NATIVE_PURE=1)"
	cd $(CURDIR) && GROWTHBOOK_NATIVE_PURE=1 $(PY_TEST)
	cd $(BUILD) && $(CURDIR)/$(PY_VENV)/bin/python $(CURDIR)/examples/python/demo.py > /dev/null
	cd $(BUILD) && GROWTHBOOK_NATIVE_PURE=1 $(CURDIR)/$(PY_VENV)/bin/python $(CURDIR)/examples/python/demo.py > /dev/null

# A distributable wheel (README "A wheel to distribute"): pip wheel packs the library into the
# package (tagged linux_x86_64, which package indexes refuse), then auditwheel repair grafts
# the shared libraries it needs that a manylinux system may lack (libcurl, libcrypto, libssl,
# PCRE2 and what they need in turn) into growthbook_native.libs/, renamed with a hash, points
# libgrowthbook.so's NEEDED and RPATH at them, and retags the wheel with the most compatible
# manylinux policy the symbols allow (WHEEL_PLAT=auto; or name one, e.g. manylinux_2_35_x86_64).
# The library packed is build/lib/libgrowthbook.so (built by make lib) unless
# GROWTHBOOK_NATIVE_LIBRARY names one built elsewhere; then lib is not made.
PY_WHEEL_RAW := $(BUILD)/wheel-raw
WHEEL_TOOLS  := $(BUILD)/wheel-tools
AUDITWHEEL   := $(WHEEL_TOOLS)/bin/auditwheel
WHEEL_PLAT   ?= auto
PY_WHEEL_LIB := $(if $(GROWTHBOOK_NATIVE_LIBRARY),,lib)

.PHONY: wheel-deps python-wheel

# patchelf (Debian) and auditwheel (pinned, in the venv $(WHEEL_TOOLS)), only where missing.
wheel-deps:
	@bash scripts/install-deps.sh --wheel

python-wheel: $(PY_WHEEL_LIB) wheel-deps
	@rm -rf $(PY_WHEEL_RAW) $(PY_WHEELS)
	python3 -m pip wheel -q --disable-pip-version-check --no-deps -w $(PY_WHEEL_RAW) ./bindings/python
	$(AUDITWHEEL) repair --plat $(WHEEL_PLAT) -w $(PY_WHEELS) $(PY_WHEEL_RAW)/*.whl
	@ls -l $(PY_WHEELS)/*.whl

# The repaired wheel: auditwheel show reports a manylinux policy; installed into a bare venv
# and run with an empty environment (PATH=/usr/bin:/bin, no Swift), it imports and evaluates
# (regexes through both PCRE2 libraries, decryption through libcrypto), and every library it
# loads for libgrowthbook.so comes from its growthbook_native.libs (/proc/self/maps, and every
# symbol binding the dynamic linker makes for the wheel's files, LD_DEBUG=bindings); no ELF
# file in it needs the Swift toolchain. See Tests/wheel/check_wheel.sh.
python-wheel-check: python-wheel
	timeout $(TEST_TIMEOUT) bash Tests/wheel/check_wheel.sh $(PY_WHEELS) $(WHEEL_TOOLS) $(BUILD)/wheel-venv
