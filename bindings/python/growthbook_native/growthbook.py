"""GrowthBook: the growthbook 1.1.0 class, evaluated by libgrowthbook."""

import ctypes
import itertools
import json
import logging
import operator
import os
import sys
import threading
import weakref
from typing import Any, Dict, List, Optional

from . import _lib
from ._abi import (
    GB_ERR_INVALID_ARGUMENT,
    GB_LOG_DEBUG,
    GB_LOG_ERROR,
    GB_LOG_INFO,
    GB_LOG_WARNING,
    GB_SEMANTICS_PYTHON_1_1_0 as PYTHON_1_1_0,
    GB_SOURCE_EXPERIMENT,
    GB_SOURCE_FORCE,
    GB_SUMMARY_ON,
    GB_SUMMARY_SOURCE_MASK,
    GB_SUMMARY_SOURCE_SHIFT,
    GB_SUMMARY_TYPE_MASK,
    GB_VALUE_DOUBLE,
    GB_VALUE_FALSE,
    GB_VALUE_INT,
    GB_VALUE_NULL,
    GB_VALUE_STRING,
    GB_VALUE_TRUE,
)
from ._lib import GrowthBookError, key_bytes, scratch
from .models import Experiment, Feature, FeatureResult, Result
from .repository import feature_repo
from .sticky import AbstractStickyBucketService

logger = logging.getLogger("growthbook")

_SOURCES = _lib.SOURCES
_eval_value = _lib.fast_eval_value
_eval_result = _lib.fast_eval_result
_is_on = _lib.fast_is_on
_KEYS = _lib._KEYS
_tls = _lib._tls
_new = object.__new__


class _Handle(ctypes.c_void_p):
    """A gb_handle that is freed (gb_free) when the last reference to it goes."""

    # gb_free bound here: handles kept by module globals (_loaded_feature_sets) are freed at
    # interpreter exit, after the module's globals are gone
    def __del__(self, _free=_lib.gb_free):
        if self.value:
            _free(self.value)


class _LoadedFeatureSets(object):
    """The feature dicts load_features() returned, each compiled once for the process.

    The feature cache hands every instance the very same dict until the entry is refreshed
    (growthbook 1.1.0's per-request pattern: a new instance, load_features(), a few
    evaluations). Each dict is compiled into one handle kept here, and instances share its
    compiled features (gb_set_features_from: no serialising, no parsing, O(1)) instead of
    compiling their own copy. An entry is keyed by the dict's identity and holds the dict, so
    the identity is not reused while the entry lives; the oldest entries go past LIMIT."""

    LIMIT = 16

    def __init__(self):
        self._lock = threading.Lock()
        self._entries = {}  # (id(features), semantics) -> (features, _Handle)

    def source(self, features, semantics):
        key = (id(features), semantics)
        with self._lock:
            entry = self._entries.get(key)
        if entry is not None and entry[0] is features:
            return entry[1]
        h = _lib.gb_create(_dumps({"semantics": semantics}))
        if not h:
            raise _lib.error()
        handle = _Handle(h)
        _lib.check(_lib.gb_set_features_json(handle, _dumps(GrowthBook._features_json(features))))
        with self._lock:
            self._entries[key] = (features, handle)
            while len(self._entries) > self.LIMIT:
                self._entries.pop(next(iter(self._entries)))
        return handle

    def clear(self):
        with self._lock:
            self._entries.clear()


_loaded_feature_sets = _LoadedFeatureSets()


# The values a summary describes by itself (types up to GB_VALUE_TRUE), indexed by type.
_SCALAR_VALUES = {GB_VALUE_NULL: None, GB_VALUE_FALSE: False, GB_VALUE_TRUE: True}
_SCALARS = tuple(_SCALAR_VALUES[t] for t in range(GB_VALUE_TRUE + 1))


def _value_in(t, v):
    """A value of type t (GB_VALUE_INT and up) from the gb_value `v`."""
    if t == GB_VALUE_INT:
        return v.integer
    if t == GB_VALUE_DOUBLE:
        # an integer beyond 64 bits comes with its literal (exact, as Python's json reads it)
        return int(_string_at(v.text, v.length)) if v.length else v.number
    if t == GB_VALUE_STRING:
        return _string_at(v.text, v.length).decode("utf-8")
    return _loads(_string_at(v.text, v.length))
_string_at = ctypes.string_at
_loads = json.loads


def _summary_value(rc, s):
    """The value of an evaluation from its summary `rc` and the thread's Scratch `s`: null and
    booleans come in the summary itself, other values in the buffer."""
    t = rc & GB_SUMMARY_TYPE_MASK
    return _SCALARS[t] if t <= GB_VALUE_TRUE else _value_in(t, s.value)


def _feature_result(rc, s) -> FeatureResult:
    """The FeatureResult of an evaluation (gb_eval_result / gb_eval_with with the result): every
    slot set directly; the experiment parts (_raw) are decoded when they are read."""
    source = (rc >> GB_SUMMARY_SOURCE_SHIFT) & GB_SUMMARY_SOURCE_MASK
    rule_id = raw = None
    if source == GB_SOURCE_FORCE or source == GB_SOURCE_EXPERIMENT:  # a rule decided
        v = s.value
        n = v.rule_id_length
        if n:
            rule_id = _string_at(v.text + v.length + 1, n).decode("utf-8")
        if source == GB_SOURCE_EXPERIMENT:  # the experiment and its result
            raw = _string_at(v.text + v.length + n + 2, v.result_length)
    r = _new(FeatureResult)
    r.value = _summary_value(rc, s)
    r.source = _SOURCES[source]
    on = rc & GB_SUMMARY_ON != 0
    r.on = on
    r.off = not on
    r._ruleId = rule_id
    r._raw = raw
    r._experiment = r._experimentResult = None
    return r


def _dumps(value) -> bytes:
    # json.dumps with default arguments uses a cached C encoder; custom separators would build
    # a new encoder on every call (several microseconds).
    return json.dumps(value).encode("utf-8")


# Callbacks reach instances through one module-level trampoline per kind and an id in
# user_data, so a callback arriving after an instance is gone finds nothing instead of freed
# memory.
_instances: Dict[int, "weakref.ref[GrowthBook]"] = {}
_ids = itertools.count(1)


def _merge_user(attributes, user) -> dict:
    """The attributes the library evaluates with: the deprecated `user` supplies what the
    attributes lack."""
    if user:
        merged = dict(user)
        merged.update(attributes or {})
        return merged
    return attributes or {}


def _instance(user_data) -> Optional["GrowthBook"]:
    ref = _instances.get(user_data or 0)
    return ref() if ref is not None else None


# The instance whose run() is in progress on this thread, and whether its experiment was
# tracked or its subscribers are to be told (run() does it once it has the Result).
_run_slot = threading.local()
_run_slot.gb = None


def _call_tracking(cb, experiment, result):
    try:
        cb(experiment=experiment, result=result)
    except Exception:
        logger.warning("Tracking callback raised an exception", exc_info=True)


def _notify(gb, experiment, result):
    for cb in list(gb._subscriptions):
        try:
            cb(experiment, result)
        except Exception:
            pass


def _on_track(experiment_json, result_json, user_data):
    gb = _instance(user_data)
    if gb is None:
        return
    cb = gb._tracking_callback
    if cb is None:
        return
    if getattr(_run_slot, "gb", None) is gb:
        _run_slot.track = True
        return
    try:
        experiment = Experiment(**_loads(experiment_json))
        result = Result._from_dict(_loads(result_json))
    except Exception:
        logger.warning("Could not decode an experiment result", exc_info=True)
        return
    _call_tracking(cb, experiment, result)


def _on_subscription(experiment_json, result_json, user_data):
    gb = _instance(user_data)
    if gb is None or not gb._subscriptions:
        return
    if getattr(_run_slot, "gb", None) is gb:
        _run_slot.notify = True
        return
    try:
        experiment = Experiment(**_loads(experiment_json))
        result = Result._from_dict(_loads(result_json))
    except Exception:
        logger.warning("Could not decode an experiment result", exc_info=True)
        return
    _notify(gb, experiment, result)


_RULE_PREFIX = "Evaluating feature "
_RULE_INFIX = ", rule "


def _rule_message(user_data, text):
    """The library's "Evaluating feature k, rule i" as 1.1.0 writes it: with the rule itself
    (its FeatureRule.to_dict()) in place of the index."""
    head, sep, index = text.rpartition(_RULE_INFIX)
    gb = _instance(user_data)
    if not sep or not index.isdigit() or gb is None:
        return text
    feature = gb.get_features().get(head[len(_RULE_PREFIX):])
    i = int(index)
    if feature is None or i >= len(feature.rules):
        return text
    return "%s%s%s" % (head, _RULE_INFIX, feature.rules[i].to_dict())


def _on_log(level, message, user_data):
    try:
        text = message.decode("utf-8", "replace")
        if level == GB_LOG_DEBUG and text.startswith(_RULE_PREFIX):
            text = _rule_message(user_data, text)
        logger.log(level, text)
    except Exception:
        pass


def _on_sticky_get(name, value, buffer, user_data):
    gb = _instance(user_data)
    return _sticky_get(gb.sticky_bucket_service if gb is not None else None, name, value, buffer)


def _on_sticky_save(doc_json, user_data):
    gb = _instance(user_data)
    return _sticky_save(gb.sticky_bucket_service if gb is not None else None, doc_json)


def _sticky_get(service, name, value, buffer):
    """A sticky-bucket get callback's work for `service` (None: no docs)."""
    if service is None:
        return 0
    try:
        doc = service.get_assignments(name.decode("utf-8"), value.decode("utf-8"))
        if doc:
            _lib.gb_buffer_set(buffer, _dumps(doc))
        return 0
    except Exception:
        logger.warning("Sticky bucket service get_assignments raised", exc_info=True)
        return 1


def _sticky_save(service, doc_json):
    """A sticky-bucket save callback's work for `service` (None: nothing kept)."""
    if service is None:
        return 0
    try:
        service.save_assignments(_loads(doc_json))
        return 0
    except Exception:
        logger.warning("Sticky bucket service save_assignments raised", exc_info=True)
        return 1


_include_slot = threading.local()


def _on_include(key, user_data):
    include = getattr(_include_slot, "fn", None)
    if include is None:
        return 1
    try:
        return 1 if include() else 0
    except Exception:
        return -1


_TRACK_FN = _lib.TRACKING_FN(_on_track)
_SUBSCRIPTION_FN = _lib.TRACKING_FN(_on_subscription)
_LOG_FN = _lib.LOG_FN(_on_log)


def _log_threshold():
    """The lowest library level the "growthbook" logger lets through, or 0 for none."""
    for level in (GB_LOG_DEBUG, GB_LOG_INFO, GB_LOG_WARNING, GB_LOG_ERROR):
        if logger.isEnabledFor(level):
            return level
    return 0


# The lowest level the "growthbook" logger passes (_log_threshold()), as of the last logging
# configuration change (_follow_logging_configuration keeps it current).
_log_level = 0


def _install_default_logging(level):
    """The process-wide log callback (gb_set_default_log_callback): every handle without one of
    its own logs to the "growthbook" logger through it, at the lowest level the logger passes
    (none: no callback)."""
    global _log_level
    _log_level = level
    _lib.gb_set_default_log_callback(_LOG_FN if level else _lib.LOG_FN(), level or 0, None)


def _follow_logging_configuration():
    """Logging configured after instances exist (basicConfig, setLevel, logging.disable)
    reaches them, as 1.1.0's logger calls see it: every level change clears the logging
    manager's level cache, and that is where the instances' levels are brought up to date."""
    manager = logging.Logger.manager
    clear = getattr(manager, "_clear_cache", None)
    if clear is None or getattr(clear, "_growthbook", False):
        return

    def _clear_cache(*args, **kwargs):
        clear(*args, **kwargs)
        level = _log_threshold()
        _install_default_logging(level)
        for ref in list(_instances.values()):
            gb = ref()
            if gb is not None:
                try:
                    gb._install_logging(level)
                except Exception:
                    pass

    _clear_cache._growthbook = True
    manager._clear_cache = _clear_cache


_follow_logging_configuration()
_install_default_logging(_log_threshold())
_STICKY_GET_FN = _lib.STICKY_GET_FN(_on_sticky_get)
_STICKY_SAVE_FN = _lib.STICKY_SAVE_FN(_on_sticky_save)
_INCLUDE_FN = _lib.INCLUDE_FN(_on_include)
_NO_INCLUDE = _lib.INCLUDE_FN()


def _synced_setting(slot, default, send):
    """A GrowthBook setting the reference keeps in a plain attribute that code (its own tests,
    for one) assigns directly: assigning it here sends it to the library first (raising,
    with the old value kept, when the library rejects it), then keeps it."""

    def get(self):
        return self.__dict__.get(slot, default)

    def set(self, value):
        if self._h is not None:
            _lib.check(send(self._h, value))
        self.__dict__[slot] = value

    return property(get, set)


# MARK: attribute fingerprints (the ctypes path's; _speedups.c has the same in C)
#
# growthbook 1.1.0 keeps the caller's attributes dict and reads it at every evaluation, so an
# edit in place (attrs["country"] = "UK") changes what the next evaluation sees. The library
# holds a parsed copy instead. So when attributes are sent, every dict and list of the tree
# (the deprecated `user` too) is recorded with its keys and values, held so no identity is
# reused; each evaluation first compares their identities again, and sends the attributes anew
# when any differ. Tuples are immutable: only their mutable descendants are recorded.

_MAX_DEPTH = 500  # as _speedups.c: bounds the walk, whatever the caller's tree
_is_not = operator.is_not


def _dict_version_reader():
    """CPython up to 3.11 gives every dict a version (PEP 509's ma_version_tag, right after
    ma_used) that each change replaces by a new, globally unique number: a dict whose version
    is unchanged has the same keys and values. The C accelerator reads it directly; here a
    ctypes view of the field, made once per recorded dict, reads it for about what one
    attribute access costs (walking a 5-key dict's keys and values is ten times that). Returns
    the view's maker, or None (the identity walk is used) where the layout is not the one
    checked here."""
    if sys.implementation.name != "cpython" or not (3, 6) <= sys.version_info[:2] < (3, 12):
        return None
    used_at = 2 * ctypes.sizeof(ctypes.c_void_p)  # after ob_refcnt and ob_type
    version_at = used_at + ctypes.sizeof(ctypes.c_ssize_t)

    def view(d):
        return ctypes.c_uint64.from_address(id(d) + version_at)

    try:
        d = {}
        used = ctypes.c_ssize_t.from_address(id(d) + used_at)
        v = view(d)
        seen = {v.value}
        for i in range(3):
            d[str(i)] = i
            if used.value != len(d) or v.value in seen:
                return None
            seen.add(v.value)
        d["0"] = "same length"
        if used.value != len(d) or v.value in seen:
            return None
    except Exception:  # pragma: no cover - any surprise: the walk
        return None
    return view


_dict_version = _dict_version_reader()


def _fp_nodes(root, out, depth=0):
    """Appends (node, version view, version, keys, values) for root and each dict and list
    below it: dicts with a version view are compared by version, the rest by the identities
    of their keys (None for lists) and values."""
    if depth > _MAX_DEPTH:
        raise ValueError("attributes nested more than %d levels deep (or circular)" % _MAX_DEPTH)
    if isinstance(root, dict):
        values = tuple(root.values())
        if _dict_version is not None:
            view = _dict_version(root)
            out.append((root, view, view.value, None, None))
        else:
            out.append((root, None, None, tuple(root), values))
    elif isinstance(root, (list, tuple)):
        values = tuple(root)
        if not isinstance(root, tuple):
            out.append((root, None, None, None, values))
    else:
        return out
    for v in values:
        if isinstance(v, (dict, list, tuple)):
            _fp_nodes(v, out, depth + 1)
    return out


class _PyFingerprint(object):
    """Fingerprint(*roots) of the ctypes path (the accelerator's is _speedups.Fingerprint):
    records the trees; changed() tells whether any was edited in place since."""

    __slots__ = ("_fp",)

    def __init__(self, *roots):
        fp = []
        for root in roots:
            _fp_nodes(root, fp)
        self._fp = fp

    def changed(self) -> bool:
        return _fp_changed(self._fp)


def _fp_changed(fp) -> bool:
    # Every container reachable from the roots is in fp while nothing changed, so comparing
    # each one's own parts is enough.
    for node, view, version, keys, values in fp:
        if view is not None:
            if view.value != version:
                return True
        elif len(node) != len(values):
            return True
        elif keys is None:
            if any(map(_is_not, node, values)):
                return True
        elif values and (any(map(_is_not, node.values(), values)) or any(map(_is_not, node, keys))):
            return True
    return False


class _PyCore(object):
    """What _speedups.Core does in C, written with ctypes: the base of GrowthBook when the
    accelerator is not built (or GROWTHBOOK_NATIVE_PURE is set). Its methods are the hot ones
    and are written out in full: each Python call a helper would cost is a sizeable part of
    theirs."""

    _hp = None  # the _Handle (every call passes it as is)
    _attributes_value = None  # the attributes as the caller gave them
    _user_value = None  # the deprecated `user`
    _fp = None  # the fingerprint of the attributes the handle was sent, or None
    _sent = None  # the JSON of those attributes

    def _set_handle(self, hp):
        self._hp = hp
        self._fp = self._sent = None

    def _set_features_from(self, source):
        _lib.check(_lib.gb_set_features_from(self._hp, source))

    def _fp_record(self, attributes, user, json_bytes):
        self._fp = _fp_nodes(user, _fp_nodes(attributes, []))
        self._sent = json_bytes

    def _fp_changed(self) -> bool:
        fp = self._fp
        return fp is not None and _fp_changed(fp)

    def _send_attributes(self, attributes, user):
        """Sends the attributes the library hashes with (the deprecated `user` fills gaps),
        unless the handle has these already, and records them; raises, leaving everything as
        it was, when the library rejects them."""
        if self._h is None:
            return  # _open sends them
        json_bytes = _dumps(_merge_user(attributes, user))
        if json_bytes != self._sent:
            _lib.check(_lib.gb_set_attributes_json(self._h, json_bytes))
        self._fp_record(attributes, user, json_bytes)

    def setAttributes(self, attributes: dict) -> None:
        return self.set_attributes(attributes)

    def set_attributes(self, attributes: dict) -> None:
        self._handle()
        self._attributes = attributes  # the property sends them to the library

    def isOn(self, key: str) -> bool:
        return self.is_on(key)

    def is_on(self, key: str) -> bool:
        # The hottest call: a destroyed instance passes NULL and is told apart only on failure.
        # (the call is made outside the except clause: a callback's exception would chain
        # the KeyError of an uncached key)
        fp = self._fp
        if fp is not None and _fp_changed(fp):
            self._resync_attributes()
        try:
            k = _KEYS[key]
        except KeyError:
            k = key_bytes(key)
        rc = _is_on(self._hp, k)
        if rc == 1:
            return True
        if rc == 0:
            return False
        self._fail()
        return self.is_on(key)

    def isOff(self, key: str) -> bool:
        return self.is_off(key)

    def is_off(self, key: str) -> bool:
        return not self.is_on(key)

    def getFeatureValue(self, key: str, fallback):
        return self.get_feature_value(key, fallback)

    def get_feature_value(self, key: str, fallback):
        fp = self._fp
        if fp is not None and _fp_changed(fp):
            self._resync_attributes()
        try:
            s = _tls.scratch
        except AttributeError:
            s = scratch()
        try:
            k = _KEYS[key]
        except KeyError:
            k = key_bytes(key)
        rc = _eval_value(self._hp, k, s.buffer)
        if rc < 0:
            self._fail()
            return self.get_feature_value(key, fallback)
        value = _summary_value(rc, s)
        return value if value is not None else fallback

    def evalFeature(self, key: str) -> FeatureResult:
        return self.eval_feature(key)

    def eval_feature(self, key: str) -> FeatureResult:
        fp = self._fp
        if fp is not None and _fp_changed(fp):
            self._resync_attributes()
        try:
            s = _tls.scratch
        except AttributeError:
            s = scratch()
        try:
            k = _KEYS[key]
        except KeyError:
            k = key_bytes(key)
        rc = _eval_result(self._hp, k, s.buffer)
        if rc < 0:
            self._fail()
            return self.eval_feature(key)
        return _feature_result(rc, s)


def _accelerator():
    """The compiled base, bound to the library ctypes loaded; None when it is not built or
    GROWTHBOOK_NATIVE_PURE is set (to anything but "" or "0")."""
    global _speedups_error
    if os.environ.get("GROWTHBOOK_NATIVE_PURE", "") not in ("", "0"):
        _speedups_error = "GROWTHBOOK_NATIVE_PURE is set"
        return None
    try:
        from . import _speedups
    except ImportError as e:
        _speedups_error = "not built (%s)" % e
        return None
    try:
        _speedups.bind(_lib.lib._name, FeatureResult, _SOURCES, json.loads, json.dumps, _lib.error, _merge_user)
    except (ImportError, OSError) as e:
        _speedups_error = str(e)
        return None
    return _speedups


_speedups_error = None  # why the accelerator is not in use, when it is not
_speedups = _accelerator()
# Which path evaluates: True for the C base (_speedups.Core), False for ctypes (_PyCore).
accelerated = _speedups is not None
if accelerated:
    _Core = _speedups.Core
    _dumps = _speedups.dumps  # json.dumps's bytes exactly (tests/test_speedups.py checks)
    Fingerprint = _speedups.Fingerprint
else:
    _Core = _PyCore
    Fingerprint = _PyFingerprint


class GrowthBook(_Core):
    _own_log = False  # the handle has a log callback of its own (see _install_logging)

    def __init__(
        self,
        enabled: bool = True,
        attributes: dict = {},
        url: str = "",
        features: dict = {},
        qa_mode: bool = False,
        on_experiment_viewed=None,
        api_host: str = "",
        client_key: str = "",
        decryption_key: str = "",
        cache_ttl: int = 60,
        forced_variations: dict = {},
        sticky_bucket_service: AbstractStickyBucketService = None,
        sticky_bucket_identifier_attributes: List[str] = None,
        # Not in growthbook 1.1.0: saved groups for $inGroup / $notInGroup conditions.
        saved_groups: dict = None,
        # Deprecated args
        trackingCallback=None,
        qaMode: bool = False,
        user: dict = {},
        groups: dict = {},
        overrides: dict = {},
        forcedVariations: dict = {},
        # Not in growthbook 1.1.0: spec 0.8.0's contextual bandit definitions (js semantics).
        contextual_bandits: dict = None,
        # Not in growthbook 1.1.0 (last, so no 1.1.0 positional argument moves): the
        # evaluation semantics the library follows, "python-1.1.0" (exactly growthbook 1.1.0,
        # which this module stands in for) or "js" (the JS SDK, spec 0.8.0: the C library's
        # default, and what contextual bandits and saved groups need).
        semantics: str = PYTHON_1_1_0,
    ):
        if not isinstance(semantics, str):
            raise TypeError("semantics must be a str, not %s" % type(semantics).__name__)
        # The settings go straight to where their properties keep them (the properties would
        # send each to a handle, and there is none yet: _open passes them all to gb_create).
        d = self.__dict__
        d["_h"] = None
        d["_id"] = next(_ids)
        d["_enabled_value"] = enabled
        d["_url_value"] = url
        d["_qa_value"] = qa_mode or qaMode
        d["_overrides_value"] = overrides
        d["_forced_value"] = forced_variations or forcedVariations
        self._attributes_value = attributes
        self._user_value = user
        self._api_host = api_host
        self._client_key = client_key
        self._decryption_key = decryption_key
        self._cache_ttl = cache_ttl
        self._groups = groups
        self.sticky_bucket_service = sticky_bucket_service
        self.sticky_bucket_identifier_attributes = sticky_bucket_identifier_attributes
        self._tracking_callback = on_experiment_viewed or trackingCallback
        self._subscriptions = set()
        self._subscription_id = 0
        self._features_cache = None
        self._semantics = semantics
        # Saved groups and contextual bandits are compiled into the features: an instance
        # given its own compiles the features it loads itself (see _LoadedFeatureSets).
        self._own_compile_inputs = bool(saved_groups or contextual_bandits)

        self._destroyed = False
        self._open(features, saved_groups, groups, overrides, contextual_bandits)

    def _open(self, features, saved_groups, groups, overrides, contextual_bandits):
        """Creates the library handle for this instance's settings (and, when given, features,
        saved groups, groups, overrides and bandits)."""
        # Only what differs from the library's defaults: every key costs parsing.
        d = self.__dict__
        options: Dict[str, Any] = {}
        if not d.get("_enabled_value", True):
            options["enabled"] = False
        if d.get("_qa_value"):
            options["qaMode"] = True
        url = d.get("_url_value")
        if url:
            options["url"] = url
        # (api_host, client_key, decryption_key and cache_ttl are the feature repository's, in
        # Python: the handle does not load features itself)
        attrs = _merge_user(self._attributes_value, self._user_value)
        # The accelerator gives the handle its attributes once it is made, built without JSON
        # (_send_attributes): cheaper than writing them into the options for the library to parse.
        attrs_later = accelerated and bool(attrs)
        if attrs and not attrs_later:
            options["attributes"] = attrs
        if features:
            options["features"] = self._features_json(features)
        if saved_groups:
            options["savedGroups"] = saved_groups
        forced = d.get("_forced_value")
        if forced:
            options["forcedVariations"] = forced
        if groups:
            options["groups"] = groups
        if overrides:
            options["overrides"] = overrides
        if self.sticky_bucket_identifier_attributes:
            options["stickyBucketIdentifierAttributes"] = self.sticky_bucket_identifier_attributes
        options["semantics"] = self._semantics
        if contextual_bandits:
            options["contextualBandits"] = contextual_bandits
        h = _lib.gb_create(_dumps(options))
        if not h:
            raise _lib.error()
        # One object for every call (the fast calls pass it without conversion); it frees the
        # handle when its last reference goes, so a call in flight on another thread (which
        # holds one) finishes before the handle is freed, even if destroy() runs meanwhile.
        # (_set_handle also gives the accelerator's C field its pointer.)
        self._h = hp = _Handle(h)
        self._set_handle(hp)
        if attrs_later:
            self._send_attributes(self._attributes_value, self._user_value)  # (records them)
        else:
            # what the handle was given, so edits in place are noticed (and, on the ctypes
            # path, an unchanged set_attributes is not sent again)
            self._fp_record(self._attributes_value, self._user_value,
                            None if accelerated else (_dumps(attrs) if attrs else b"{}"))
        _instances[self._id] = weakref.ref(self)
        self._own_log = False  # a new handle
        if _log_level == GB_LOG_DEBUG:
            self._install_logging()
        if self._tracking_callback is not None:
            _lib.gb_set_tracking_callback(h, _TRACK_FN, self._id)
        if self.sticky_bucket_service is not None:
            _lib.check(_lib.gb_set_sticky_bucket_service(h, _STICKY_GET_FN, _STICKY_SAVE_FN, self._id))

    # MARK: plumbing

    def _handle(self):
        h = self._h
        if h is None:
            self._revive()
            h = self._h
        return h

    def _revive(self):
        """After destroy(): a new, empty handle. growthbook 1.1.0's destroy() clears the
        instance (features, attributes, callbacks, forced variations, overrides, groups) and
        leaves it usable; the handle is made again only when the instance is used."""
        if not self._destroyed:
            raise GrowthBookError("this GrowthBook instance has no handle", GB_ERR_INVALID_ARGUMENT)
        self._destroyed = False
        self._open(None, None, None, None, None)

    @property
    def semantics(self) -> str:
        """The evaluation semantics of this instance ("python-1.1.0" unless given)."""
        return self._semantics

    def _install_logging(self, level=None):
        """At DEBUG, gives the handle a log callback of its own: its per-rule lines name the
        rule as this instance's FeatureRule.to_dict(). Above DEBUG the process-wide callback
        (_install_default_logging) takes its messages, so an instance sets nothing up."""
        level = _log_level if level is None else level
        h = self._h
        own = level == GB_LOG_DEBUG
        if h is not None and (own or self._own_log):
            _lib.gb_set_log_callback(h, _LOG_FN if own else _lib.LOG_FN(), level or 0, self._id)
            self._own_log = own

    def _hash_attributes(self) -> dict:
        return _merge_user(self._attributes, self._user)

    @staticmethod
    def _features_json(features: dict) -> dict:
        out = {}
        for key, feature in features.items():
            out[key] = feature.to_dict() if isinstance(feature, Feature) else feature
        return out

    # The attributes and the deprecated `user` are kept as the caller gave them (get_attributes
    # returns that very dict, as 1.1.0 does) in _attributes_value and _user_value, C fields of
    # the accelerator's base. Assigning either sends the merged attributes first
    # (_send_attributes: the base's), raising with the old value kept if the library refuses.

    @property
    def _attributes(self):
        a = self._attributes_value
        return {} if a is None else a

    @_attributes.setter
    def _attributes(self, value):
        self._send_attributes(value, self._user_value)
        self._attributes_value = value

    @property
    def _user(self):
        u = self._user_value
        return {} if u is None else u

    @_user.setter
    def _user(self, value):
        self._send_attributes(self._attributes_value, value)
        self._user_value = value

    def _resync_attributes(self):
        """Called before an evaluation when the attributes were edited in place since they
        were sent (the fingerprint differs): sends them again."""
        self._send_attributes(self._attributes_value, self._user_value)

    def _sync_attributes(self):
        if self._fp_changed():
            self._resync_attributes()

    def _set_attributes_slow(self, attributes):
        """set_attributes on an instance without a handle (destroyed): made again first."""
        self._handle()
        self._attributes = attributes

    _url = _synced_setting("_url_value", "", lambda h, v: _lib.gb_set_url(h, (v or "").encode("utf-8")))
    _qaMode = _synced_setting("_qa_value", False, lambda h, v: _lib.gb_set_qa_mode(h, 1 if v else 0))
    _enabled = _synced_setting("_enabled_value", True, lambda h, v: _lib.gb_set_enabled(h, 1 if v else 0))
    _forcedVariations = _synced_setting(
        "_forced_value", {}, lambda h, v: _lib.gb_set_forced_variations_json(h, _dumps(v or {}))
    )
    _overrides = _synced_setting("_overrides_value", {}, lambda h, v: _lib.gb_set_overrides_json(h, _dumps(v or {})))

    @property
    def _trackingCallback(self):
        return self._tracking_callback

    @_trackingCallback.setter
    def _trackingCallback(self, callback):
        self._tracking_callback = callback
        if self._h is not None:
            _lib.gb_set_tracking_callback(self._h, _TRACK_FN if callback is not None else _lib.TRACKING_FN(), self._id)

    # MARK: features and attributes

    def load_features(self) -> None:
        if not self._client_key:
            raise ValueError("Must specify `client_key` to refresh features")
        self._handle()
        features = feature_repo.load_features(self._api_host, self._client_key, self._decryption_key, self._cache_ttl)
        if features is None:
            return
        if self._own_compile_inputs or not isinstance(features, dict):
            # compiled against this instance's own saved groups or bandits: its own copy
            self.set_features(features)
            return
        source = _loaded_feature_sets.source(features, self._semantics)
        self._set_features_from(source)
        self._features_cache = None

    def setFeatures(self, features: dict) -> None:
        return self.set_features(features)

    def set_features(self, features: dict) -> None:
        _lib.check(_lib.gb_set_features_json(self._handle(), _dumps(self._features_json(features))))
        self._features_cache = None

    def getFeatures(self) -> Dict[str, Feature]:
        return self.get_features()

    def get_features(self) -> Dict[str, Feature]:
        if self._h is None:
            return {}
        if self._features_cache is None:
            raw = _loads(_lib.take_string(_lib.gb_get_features_json(self._h)))
            self._features_cache = {
                k: Feature(defaultValue=v.get("defaultValue"), rules=v.get("rules", [])) for k, v in raw.items()
            }
        return self._features_cache

    # set_attributes and setAttributes: the base's (_speedups.Core or _PyCore).

    def getAttributes(self) -> dict:
        return self.get_attributes()

    def get_attributes(self) -> dict:
        return self._attributes

    def destroy(self) -> None:
        """Clears the instance as growthbook 1.1.0 does (features, attributes, tracking
        callback, subscriptions, forced variations, overrides, groups); it stays usable, empty.
        The handle is freed when the last call using it returns (see _Handle)."""
        if self._h is None:
            return
        self._h = None
        self._set_handle(None)
        self._destroyed = True
        _instances.pop(self._id, None)
        self._subscriptions.clear()
        self._subscription_id = 0
        self._tracking_callback = None
        self._features_cache = None
        self._attributes_value = {}
        self.__dict__["_forced_value"] = {}
        self.__dict__["_overrides_value"] = {}
        self._groups = {}

    def __del__(self):
        try:
            self.destroy()
        except Exception:
            pass

    def _no_copy(self, *args):
        raise TypeError(
            "a GrowthBook instance cannot be copied or pickled: it owns a native handle that a "
            "copy would share; create another GrowthBook with the same options instead")

    __copy__ = __deepcopy__ = __reduce__ = __reduce_ex__ = __getstate__ = _no_copy

    # MARK: evaluation
    #
    # is_on, is_off, get_feature_value, eval_feature and their camelCase names are the base's:
    # _speedups.Core's, in C, or _PyCore's, with ctypes.

    def _fail(self):
        """After a failed call: True when the instance was destroyed (it is made again, empty,
        and the caller repeats the call); else raises the library's error."""
        if self._h is None and self._destroyed:
            self._revive()
            return True
        raise _lib.error()

    def getAllResults(self):
        return self.get_all_results()

    def get_all_results(self):
        if self._h is None:
            return {}
        raw = _loads(_lib.take_string(_lib.gb_get_all_results_json(self._h)))
        return {
            k: {"experiment": Experiment(**v["experiment"]), "result": Result._from_dict(v["result"])}
            for k, v in raw.items()
        }

    def run(self, experiment: Experiment) -> Result:
        h = self._handle()
        self._sync_attributes()
        include = experiment.include
        _include_slot.fn = include
        # Callbacks the run triggers wait for its Result: 1.1.0 hands them the very Experiment
        # given here and the very Result returned (before run() returns, as here).
        _run_slot.gb = self
        _run_slot.track = _run_slot.notify = False
        try:
            ptr = _lib.gb_run_experiment_with_include_json(
                h, _dumps(experiment._definition()), _INCLUDE_FN if include else _NO_INCLUDE, None
            )
        finally:
            _include_slot.fn = None
            _run_slot.gb = None
        tracked, notify = _run_slot.track, _run_slot.notify  # (a callback may run() again)
        result = Result._from_dict(_loads(_lib.take_string(ptr)))
        # the experiment's own variation object, as 1.1.0 returns it (a tuple stays a tuple)
        variations = experiment.variations
        if 0 <= result.variationId < len(variations):
            result.value = variations[result.variationId]
        if tracked and self._tracking_callback is not None:
            _call_tracking(self._tracking_callback, experiment, result)
        if notify:
            _notify(self, experiment, result)
        return result

    def subscribe(self, callback):
        h = self._handle()
        if not self._subscription_id:
            self._subscription_id = _lib.check(_lib.gb_subscribe(h, _SUBSCRIPTION_FN, self._id))
        self._subscriptions.add(callback)
        return lambda: self._subscriptions.discard(callback)

    def refresh_sticky_buckets(self, force: bool = False) -> None:
        h = self._handle()
        self._sync_attributes()
        _lib.check(_lib.gb_refresh_sticky_buckets(h, 1 if force else 0))
