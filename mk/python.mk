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

# A wheel built here, installed in a bare environment, imported with a PATH that has no Swift.
python-wheel-check: lib
	@rm -rf $(PY_WHEELS) $(BUILD)/wheel-venv
	python3 -m pip wheel -q --disable-pip-version-check --no-deps -w $(PY_WHEELS) ./bindings/python
	python3 -m venv $(BUILD)/wheel-venv
	$(BUILD)/wheel-venv/bin/python -m pip install -q --disable-pip-version-check $(PY_WHEELS)/*.whl
	cd /tmp && env -i PATH=/usr/bin:/bin HOME=/tmp $(CURDIR)/$(BUILD)/wheel-venv/bin/python -c \
	  "import growthbook_native as g; gb = g.GrowthBook(features={'f': {'defaultValue': True}}); \
	   assert gb.is_on('f'); print('wheel check: growthbook_native', g.__version__, 'loads', g._lib.lib._name)"
