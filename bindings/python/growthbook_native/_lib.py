"""Loading libgrowthbook.so and declaring its C functions (include/growthbook.h)."""

import ctypes
import os
import threading
from pathlib import Path

from ._abi import *  # noqa: F401,F403 -- the header's GB_* constants, also as _lib.GB_*
from ._abi import (
    GB_ERR_INTERNAL,
    GB_SOURCE_CYCLIC_PREREQUISITE,
    GB_SOURCE_DEFAULT_VALUE,
    GB_SOURCE_EXPERIMENT,
    GB_SOURCE_FORCE,
    GB_SOURCE_PREREQUISITE,
    GB_SOURCE_UNKNOWN_FEATURE,
)

_SOURCE_NAMES = {
    GB_SOURCE_UNKNOWN_FEATURE: "unknownFeature",
    GB_SOURCE_DEFAULT_VALUE: "defaultValue",
    GB_SOURCE_FORCE: "force",
    GB_SOURCE_EXPERIMENT: "experiment",
    GB_SOURCE_PREREQUISITE: "prerequisite",
    GB_SOURCE_CYCLIC_PREREQUISITE: "cyclicPrerequisite",
}
# FeatureResult.source, indexed by GB_SOURCE_* code.
SOURCES = tuple(_SOURCE_NAMES[code] for code in range(len(_SOURCE_NAMES)))

_ENV_OVERRIDE = "GROWTHBOOK_NATIVE_LIBRARY"


class GrowthBookError(Exception):
    """An error reported by libgrowthbook; `code` is its GB_ERR_* code."""

    def __init__(self, message, code=GB_ERR_INTERNAL):
        super().__init__(message)
        self.code = code


def _find_library():
    override = os.environ.get(_ENV_OVERRIDE)
    if override:
        return override
    here = Path(__file__).resolve().parent
    bundled = here / "libgrowthbook.so"
    if bundled.exists():
        return str(bundled)
    # Running from a source checkout: bindings/python/growthbook_native -> build/lib.
    repo = here.parent.parent.parent / "build" / "lib" / "libgrowthbook.so"
    if repo.exists():
        return str(repo)
    raise ImportError(
        "growthbook_native: libgrowthbook.so not found (looked in the package and the "
        "repository's build/lib); set %s to its path" % _ENV_OVERRIDE
    )


lib = ctypes.CDLL(_find_library())

c_char_p = ctypes.c_char_p
c_void_p = ctypes.c_void_p
c_int = ctypes.c_int
c_double = ctypes.c_double
c_size_t = ctypes.c_size_t


class Value(ctypes.Structure):
    """gb_value."""

    _fields_ = [
        ("type", ctypes.c_int),
        ("source", ctypes.c_int),
        ("on", ctypes.c_int),
        ("variation_id", ctypes.c_int),
        ("integer", ctypes.c_longlong),
        ("number", ctypes.c_double),
        ("length", ctypes.c_size_t),
        ("rule_id_length", ctypes.c_size_t),
        ("result_length", ctypes.c_size_t),
        ("text", ctypes.c_void_p),
    ]


TRACKING_FN = ctypes.CFUNCTYPE(None, c_char_p, c_char_p, c_void_p)
LOG_FN = ctypes.CFUNCTYPE(None, c_int, c_char_p, c_void_p)
STICKY_GET_FN = ctypes.CFUNCTYPE(c_int, c_char_p, c_char_p, c_void_p, c_void_p)
STICKY_SAVE_FN = ctypes.CFUNCTYPE(c_int, c_char_p, c_void_p)
INCLUDE_FN = ctypes.CFUNCTYPE(c_int, c_char_p, c_void_p)
HTTP_FN = ctypes.CFUNCTYPE(c_int, c_char_p, c_char_p, c_void_p, c_void_p)


def _declare(name, restype, *argtypes):
    f = getattr(lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)
    return f


# Strings the library allocates come back as void* so they can be freed.
gb_version = _declare("gb_version", c_char_p)
gb_last_error = _declare("gb_last_error", c_char_p)
gb_last_error_code = _declare("gb_last_error_code", c_int)
gb_string_free = _declare("gb_string_free", None, c_void_p)
gb_create = _declare("gb_create", c_void_p, c_char_p)
gb_free = _declare("gb_free", None, c_void_p)
gb_set_features_json = _declare("gb_set_features_json", c_int, c_void_p, c_char_p)
gb_set_features_from = _declare("gb_set_features_from", c_int, c_void_p, c_void_p)
gb_set_saved_groups_json = _declare("gb_set_saved_groups_json", c_int, c_void_p, c_char_p)
gb_set_attributes_json = _declare("gb_set_attributes_json", c_int, c_void_p, c_char_p)
gb_set_forced_variations_json = _declare("gb_set_forced_variations_json", c_int, c_void_p, c_char_p)
gb_set_overrides_json = _declare("gb_set_overrides_json", c_int, c_void_p, c_char_p)
gb_set_url = _declare("gb_set_url", c_int, c_void_p, c_char_p)
gb_set_qa_mode = _declare("gb_set_qa_mode", c_int, c_void_p, c_int)
gb_set_enabled = _declare("gb_set_enabled", c_int, c_void_p, c_int)
gb_get_features_json = _declare("gb_get_features_json", c_void_p, c_void_p)
gb_eval_feature_json = _declare("gb_eval_feature_json", c_void_p, c_void_p, c_char_p)
gb_eval_buffer_create = _declare("gb_eval_buffer_create", c_void_p)
gb_eval_buffer_free = _declare("gb_eval_buffer_free", None, c_void_p)
gb_eval_buffer_value = _declare("gb_eval_buffer_value", c_void_p, c_void_p)
gb_attributes_create = _declare("gb_attributes_create", c_void_p, c_char_p)
gb_attributes_free = _declare("gb_attributes_free", None, c_void_p)

# The hot evaluation calls go through PyDLL, which keeps the GIL: they take well under a
# microsecond, less than releasing and re-taking the GIL would cost. This is safe because the
# library never holds a lock while it calls back (so a callback's need for the GIL never waits
# on a thread that waits for us), and evaluations never block on I/O. Loading features and every
# other call that can take time go through CDLL and release the GIL. Arguments are passed as
# prepared ctypes objects (no argtypes), since per-argument conversion is most of a call's cost.
_fast = ctypes.PyDLL(lib._name)
fast_is_on = _fast.gb_is_on
fast_eval_value = _fast.gb_eval_value
fast_eval_result = _fast.gb_eval_result
fast_eval_with = _fast.gb_eval_with
for _f in (fast_is_on, fast_eval_value, fast_eval_result, fast_eval_with):
    _f.restype = c_int
# For the multi-user client (client.py): per-call attributes, keeping the GIL as above.
fast_is_on_with = _fast.gb_is_on_with
fast_is_on_with.restype = c_int
fast_attributes_create = _fast.gb_attributes_create
fast_attributes_create.restype = c_void_p
fast_attributes_create.argtypes = [c_char_p]
gb_run_experiment_with_include_json = _declare(
    "gb_run_experiment_with_include_json", c_void_p, c_void_p, c_char_p, INCLUDE_FN, c_void_p
)
gb_get_all_results_json = _declare("gb_get_all_results_json", c_void_p, c_void_p)
gb_set_tracking_callback = _declare("gb_set_tracking_callback", c_int, c_void_p, TRACKING_FN, c_void_p)
gb_subscribe = _declare("gb_subscribe", c_int, c_void_p, TRACKING_FN, c_void_p)
gb_set_log_callback = _declare("gb_set_log_callback", c_int, c_void_p, LOG_FN, c_int, c_void_p)
gb_set_default_log_callback = _declare("gb_set_default_log_callback", c_int, LOG_FN, c_int, c_void_p)
gb_buffer_set = _declare("gb_buffer_set", c_int, c_void_p, c_char_p)
gb_set_sticky_bucket_service = _declare(
    "gb_set_sticky_bucket_service", c_int, c_void_p, STICKY_GET_FN, STICKY_SAVE_FN, c_void_p
)
gb_refresh_sticky_buckets = _declare("gb_refresh_sticky_buckets", c_int, c_void_p, c_int)
gb_load_features = _declare("gb_load_features", c_int, c_void_p)
gb_decrypt = _declare("gb_decrypt", c_void_p, c_char_p, c_char_p)
gb_clear_cache = _declare("gb_clear_cache", None)
gb_set_http_transport = _declare("gb_set_http_transport", c_int, HTTP_FN, c_void_p)
gb_http_response_set_status = _declare("gb_http_response_set_status", c_int, c_void_p, c_int)
gb_http_response_set_header = _declare("gb_http_response_set_header", c_int, c_void_p, c_char_p, c_char_p)
gb_http_response_set_body = _declare("gb_http_response_set_body", c_int, c_void_p, c_char_p, c_size_t)
gb_eval_condition_json = _declare("gb_eval_condition_json", c_int, c_char_p, c_char_p, c_char_p)
gb_eval_condition_semantics_json = _declare(
    "gb_eval_condition_semantics_json", c_int, c_char_p, c_char_p, c_char_p, c_char_p)
gb_hash = _declare("gb_hash", c_int, c_char_p, c_char_p, c_int, ctypes.POINTER(c_double))
gb_get_bucket_ranges_json = _declare("gb_get_bucket_ranges_json", c_void_p, c_int, c_double, c_char_p)
gb_choose_variation = _declare("gb_choose_variation", c_int, c_double, c_char_p, ctypes.POINTER(c_int))
gb_in_namespace = _declare("gb_in_namespace", c_int, c_char_p, c_char_p)
gb_get_equal_weights_json = _declare("gb_get_equal_weights_json", c_void_p, c_int)
gb_get_query_string_override = _declare(
    "gb_get_query_string_override", c_int, c_char_p, c_char_p, c_int, ctypes.POINTER(c_int)
)
gb_padded_version_string = _declare("gb_padded_version_string", c_void_p, c_char_p)


def error():
    """The calling thread's last library error, as an exception."""
    message = gb_last_error() or b""
    return GrowthBookError(message.decode("utf-8", "replace"), gb_last_error_code())


def check(rc):
    if rc < 0:
        raise error()
    return rc


def take_string(ptr):
    """Reads and frees a string the library returned; raises on NULL."""
    if not ptr:
        raise error()
    try:
        return ctypes.string_at(ptr)
    finally:
        gb_string_free(ptr)


class Scratch(object):
    """A thread's gb_eval_buffer and a view of its gb_value."""

    __slots__ = ("buffer", "value")

    def __init__(self):
        ptr = gb_eval_buffer_create()
        if not ptr:
            raise MemoryError("gb_eval_buffer_create failed")
        self.buffer = c_void_p(ptr)
        self.value = Value.from_address(gb_eval_buffer_value(ptr))

    def __del__(self):
        try:
            gb_eval_buffer_free(self.buffer)
        except Exception:
            pass


_tls = threading.local()


def scratch():
    try:
        return _tls.scratch
    except AttributeError:
        s = _tls.scratch = Scratch()
        return s


_KEYS = {}


def key_bytes(key):
    """A feature key as UTF-8 bytes, cached: keys repeat, encoding them each call costs."""
    b = _KEYS.get(key)
    if b is None:
        if not isinstance(key, str):
            raise TypeError("feature key must be a str, not %s" % type(key).__name__)
        b = key.encode("utf-8")
        if len(_KEYS) < 100000:
            _KEYS[key] = b
    return b
