"""A minimal ctypes wrapper of libgrowthbook's C ABI (include/growthbook.h)
for the remote-loading tests.

The library is $GB_LIBRARY, or <repo>/build/lib/libgrowthbook.so. The
result codes (GB_OK, GB_ERR_*) are read from include/growthbook.h.
Symbols are declared lazily: a function the loaded library lacks raises
AttributeError only when a test uses it.
"""

import ctypes
import json
import os
import re
import threading
from ctypes import (CFUNCTYPE, c_char_p, c_int, c_size_t,
                    c_void_p)

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LIBRARY = os.environ.get("GB_LIBRARY") or os.path.join(REPO, "build", "lib", "libgrowthbook.so")
HEADER = os.path.join(REPO, "include", "growthbook.h")


def _header_constants():
    """{name: int} for every GB_* enum member of include/growthbook.h, read as
    bindings/python/tests/test_abi_constants.py reads it: the header is the one
    definition of the result codes (GB_OK, GB_ERR_*) these tests compare with."""
    with open(HEADER) as f:
        text = re.sub(r"//[^\n]*", "", re.sub(r"/\*.*?\*/", " ", f.read(), flags=re.S))
    constants = {}
    for body in re.findall(r"\benum\b[^{;]*\{([^}]*)\}", text):
        for member in body.split(","):
            m = re.fullmatch(r"\s*(GB_\w+)\s*=\s*(\S+)\s*", member)
            if m:
                constants[m.group(1)] = int(m.group(2), 0)
    return constants


globals().update(_header_constants())
ERROR_NAMES = {v: k for k, v in dict(globals()).items() if k.startswith("GB_ERR_") or k == "GB_OK"}
# The codes the tests name (a header the parser cannot read fails here, not as a NameError later).
for _name in ("GB_OK", "GB_ERR_INVALID_ARGUMENT", "GB_ERR_JSON", "GB_ERR_NETWORK", "GB_ERR_HTTP",
              "GB_ERR_DECRYPT"):
    assert _name in ERROR_NAMES.values(), "%s not found in %s" % (_name, HEADER)
del _name

# gb_http_fn: int (*)(const char *url, const char *headers_json,
#                     gb_http_response *response, void *user_data)
HTTP_FN = CFUNCTYPE(c_int, c_char_p, c_char_p, c_void_p, c_void_p)
# gb_log_fn: void (*)(int level, const char *message, void *user_data)
LOG_FN = CFUNCTYPE(None, c_int, c_char_p, c_void_p)

_SIGNATURES = {
    "gb_version": ([], c_char_p),
    "gb_last_error": ([], c_char_p),
    "gb_last_error_code": ([], c_int),
    "gb_string_free": ([c_void_p], None),
    "gb_create": ([c_char_p], c_void_p),
    "gb_free": ([c_void_p], None),
    "gb_set_features_json": ([c_void_p, c_char_p], c_int),
    "gb_set_saved_groups_json": ([c_void_p, c_char_p], c_int),
    "gb_set_attributes_json": ([c_void_p, c_char_p], c_int),
    "gb_get_features_json": ([c_void_p], c_void_p),
    "gb_eval_feature_json": ([c_void_p, c_char_p], c_void_p),
    "gb_get_feature_value_json": ([c_void_p, c_char_p], c_void_p),
    "gb_eval_feature_with_attributes_json": ([c_void_p, c_char_p, c_char_p], c_void_p),
    "gb_is_on": ([c_void_p, c_char_p], c_int),
    "gb_load_features": ([c_void_p], c_int),
    "gb_set_log_callback": ([c_void_p, LOG_FN, c_int, c_void_p], c_int),
    "gb_decrypt": ([c_char_p, c_char_p], c_void_p),
    "gb_clear_cache": ([], None),
    "gb_shutdown": ([c_int], c_int),
    "gb_set_http_transport": ([HTTP_FN, c_void_p], c_int),
    "gb_http_response_set_status": ([c_void_p, c_int], c_int),
    "gb_http_response_set_header": ([c_void_p, c_char_p, c_char_p], c_int),
    "gb_http_response_set_body": ([c_void_p, c_char_p, c_size_t], c_int),
}

_lib = ctypes.CDLL(LIBRARY)  # CDLL: the GIL is released during calls
_declared = {}
_declare_lock = threading.Lock()


def fn(name):
    """The library function name, with its argtypes/restype declared."""
    f = _declared.get(name)
    if f is None:
        with _declare_lock:
            f = getattr(_lib, name)  # AttributeError if the symbol is missing
            argtypes, restype = _SIGNATURES[name]
            f.argtypes = argtypes
            f.restype = restype
            _declared[name] = f
    return f


def has(name):
    try:
        getattr(_lib, name)
        return True
    except AttributeError:
        return False


def _b(s):
    return None if s is None else s.encode("utf-8")


def _take_string(ptr):
    """Copy a library-owned char* and free it; None for NULL."""
    if not ptr:
        return None
    try:
        return ctypes.string_at(ptr).decode("utf-8")
    finally:
        fn("gb_string_free")(ptr)


class GBError(Exception):
    def __init__(self, what, code, message):
        super().__init__("%s failed: %s (%d): %s" % (what, ERROR_NAMES.get(code, "?"), code, message))
        self.code = code
        self.message = message


def version():
    return fn("gb_version")().decode()


def last_error():
    return fn("gb_last_error")().decode("utf-8")


def last_error_code():
    return fn("gb_last_error_code")()


def _fail(what):
    # read the code first: both are thread-local and valid until the next call
    code = last_error_code()
    msg = last_error()
    raise GBError(what, code, msg)


def create(options=None):
    """A new handle (an int) for the options dict; raises GBError on NULL."""
    text = None if options is None else json.dumps(options)
    h = fn("gb_create")(_b(text))
    if not h:
        _fail("gb_create")
    return h


def free(handle):
    fn("gb_free")(handle)


def set_features(handle, features):
    rc = fn("gb_set_features_json")(handle, _b(json.dumps(features)))
    if rc != GB_OK:
        _fail("gb_set_features_json")
    return rc


def set_saved_groups(handle, groups):
    rc = fn("gb_set_saved_groups_json")(handle, _b(json.dumps(groups)))
    if rc != GB_OK:
        _fail("gb_set_saved_groups_json")
    return rc


def set_attributes(handle, attributes):
    rc = fn("gb_set_attributes_json")(handle, _b(json.dumps(attributes)))
    if rc != GB_OK:
        _fail("gb_set_attributes_json")
    return rc


def get_features(handle):
    s = _take_string(fn("gb_get_features_json")(handle))
    if s is None:
        _fail("gb_get_features_json")
    return json.loads(s)


def eval(handle, key, attributes=None):  # noqa: A001 - the brief's name
    """The FeatureResult of key as a dict (with attributes: for this call)."""
    if attributes is None:
        s = _take_string(fn("gb_eval_feature_json")(handle, _b(key)))
    else:
        s = _take_string(fn("gb_eval_feature_with_attributes_json")(
            handle, _b(key), _b(json.dumps(attributes))))
    if s is None:
        _fail("gb_eval_feature_json")
    return json.loads(s)


def value(handle, key, attributes=None):
    return eval(handle, key, attributes)["value"]


def load(handle):
    """gb_load_features: the int result code (last_error() then explains a
    failure)."""
    return fn("gb_load_features")(handle)


def decrypt(encrypted, key):
    """The decrypted text, or None on error (then last_error_code())."""
    return _take_string(fn("gb_decrypt")(_b(encrypted), _b(key)))


def decrypt_raw(encrypted, key):
    """gb_decrypt with bytes/None arguments (for NULL tests)."""
    return _take_string(fn("gb_decrypt")(encrypted, key))


def clear_cache():
    fn("gb_clear_cache")()


def shutdown(timeout_ms):
    """gb_shutdown: the int result code."""
    return fn("gb_shutdown")(timeout_ms)


def library_threads():
    """The names of the library's background threads in this process (gb-stream,
    gb-refresher, gb-refresh)."""
    names = []
    for tid in os.listdir("/proc/self/task"):
        try:
            with open("/proc/self/task/%s/comm" % tid) as f:
                name = f.read().strip()
        except OSError:  # the thread just ended
            continue
        if name.startswith("gb-"):
            names.append(name)
    return sorted(names)


# Every CFUNCTYPE object ever handed to the library stays referenced here: a
# background refresher might still be about to call an old transport.
_transports = []


def set_transport(pyfunc):
    """Route HTTP through pyfunc(url: str, headers: dict, response: int) ->
    int, or restore libcurl with None. pyfunc fills the response with
    response_set_status/_header/_body. An exception in pyfunc returns 1
    (request failed) and is kept in transport_errors."""
    if pyfunc is None:
        return fn("gb_set_http_transport")(HTTP_FN(), None)

    def trampoline(url, headers_json, response, user_data):
        try:
            headers = json.loads(headers_json.decode("utf-8")) if headers_json else None
            return int(pyfunc(url.decode("utf-8"), headers, response))
        except BaseException as e:  # never let an exception cross the C ABI
            transport_errors.append(e)
            return 1

    cb = HTTP_FN(trampoline)
    _transports.append(cb)
    return fn("gb_set_http_transport")(cb, None)


transport_errors = []

# The log callbacks handed to the library, kept referenced for the life of the process (a test
# that checks they are no longer called must not turn a late call into a crash of its own).
_log_callbacks = []


def set_log_callback(handle, pyfunc, min_level=None):
    """Route the handle's log messages at min_level (default GB_LOG_DEBUG) and above to
    pyfunc(level: int, message: str); an exception in pyfunc is kept in callback_errors."""
    def trampoline(level, message, user_data):
        try:
            pyfunc(level, message.decode("utf-8", "replace") if message else "")
        except BaseException as e:  # never let an exception cross the C ABI
            callback_errors.append(e)

    cb = LOG_FN(trampoline)
    _log_callbacks.append(cb)
    level = GB_LOG_DEBUG if min_level is None else min_level
    rc = fn("gb_set_log_callback")(handle, cb, level, None)
    if rc != GB_OK:
        _fail("gb_set_log_callback")
    return rc


callback_errors = []


def response_set_status(response, status):
    return fn("gb_http_response_set_status")(response, status)


def response_set_header(response, name, value):
    return fn("gb_http_response_set_header")(response, _b(name), _b(value))


def response_set_body(response, body):
    if isinstance(body, str):
        body = body.encode("utf-8")
    return fn("gb_http_response_set_body")(response, body, len(body))
