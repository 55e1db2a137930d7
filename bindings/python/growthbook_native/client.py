"""GrowthBookClient: the multi-user client of growthbook 4.x, evaluated by libgrowthbook.

One client serves every user of a process: it holds one library handle whose features are
loaded once (the library's own remote loading: one request, one compiled feature set shared
by every handle of the process, refreshed in the background on the library's threads), and
each request brings its user as a `UserContext`. The user's attributes are compiled once per
UserContext (a `gb_attributes`, cached on the object and compiled again when they are edited
in place), and every evaluation passes them to the shared handle (gb_is_on_with,
gb_eval_with), so a request costs little more than its evaluations.

Evaluation follows the JS SDK and spec 0.8.0 (the library's "js" semantics), as growthbook
4.x's GrowthBookClient does. `GrowthBookClient` has 4.x's async methods; `GrowthBookClientSync`
has the same methods, synchronous, for WSGI code and threads. Both are one implementation.
What 4.x offers that this client does not, or does differently, is listed in the binding's
README ("The multi-user client")."""

import asyncio
import copy
import ctypes
import dataclasses
import inspect
import itertools
import json
import logging
import operator
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Callable, Dict, List, Optional, Union

from . import _lib
from .growthbook import (
    _INCLUDE_FN,
    _NO_INCLUDE,
    _Handle,
    _dumps,
    Fingerprint,
    _feature_result,
    _include_slot,
    _sticky_get,
    _sticky_save,
    _summary_value,
    _speedups,
)
from ._abi import GB_LOG_WARNING, GB_SEMANTICS_JS
from ._lib import key_bytes
from .helpers import decrypt
from .models import Experiment, FeatureResult, Result

logger = logging.getLogger("growthbook.growthbook_client")

__all__ = [
    "FeatureRefreshStrategy", "GrowthBookClient", "GrowthBookClientSync", "Options", "UserContext",
]


# ---------------------------------------------------------------------------------------------
# growthbook 4.x's data classes
# ---------------------------------------------------------------------------------------------

class FeatureRefreshStrategy(Enum):
    STALE_WHILE_REVALIDATE = "HTTP_REFRESH"
    SERVER_SENT_EVENTS = "SSE"


@dataclass
class Options:
    """growthbook 4.x's Options, field for field (same names, order and defaults)."""

    url: Optional[str] = None
    api_host: Optional[str] = "https://cdn.growthbook.io"
    client_key: Optional[str] = None
    decryption_key: Optional[str] = None
    cache_ttl: int = 60
    stale_ttl: Optional[int] = None
    enabled: bool = True
    qa_mode: bool = False
    enable_dev_mode: bool = False
    refresh_strategy: Optional[FeatureRefreshStrategy] = FeatureRefreshStrategy.STALE_WHILE_REVALIDATE
    sticky_bucket_service: Optional[Any] = None
    sticky_bucket_identifier_attributes: Optional[List[str]] = None
    on_experiment_viewed: Optional[Callable[..., Any]] = None
    on_feature_usage: Optional[Callable[..., Any]] = None
    tracking_plugins: Optional[List[Any]] = None
    http_connect_timeout: Optional[int] = None
    http_read_timeout: Optional[int] = None
    event_logger: Optional[Callable[..., Any]] = None
    remote_eval: bool = False
    cache_key_attributes: Optional[List[str]] = None
    remote_eval_cache_size: int = 1000
    sticky_bucket_cache_ttl: float = 0
    sticky_bucket_cache_size: int = 1000


@dataclass
class UserContext:
    """growthbook 4.x's UserContext, field for field. The client keeps the user's compiled
    attributes on the object (not a field: not compared, copied, pickled or shown)."""

    url: str = ""
    attributes: Dict[str, Any] = field(default_factory=dict)
    groups: Dict[str, Any] = field(default_factory=dict)
    forced_variations: Dict[str, Any] = field(default_factory=dict)
    forced_features: Dict[str, Any] = field(default_factory=dict)
    overrides: Dict[str, Any] = field(default_factory=dict)
    sticky_bucket_assignment_docs: Dict[str, Any] = field(default_factory=dict)
    skip_all_experiments: bool = False

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_gb_state", None)
        return state


def _tracking_user_context(uc):
    """What the callbacks receive, as 4.x's tracking_user_context: a copy whose attributes are
    copied all the way down, so the caller's later edits do not reach a deferred callback."""
    if uc is None:
        return UserContext()
    try:
        return dataclasses.replace(uc, attributes=copy.deepcopy(uc.attributes))
    except TypeError:  # not a dataclass (a duck-typed context): give it as it is
        return uc


# ---------------------------------------------------------------------------------------------
# Library objects
# ---------------------------------------------------------------------------------------------

class _Attributes(ctypes.c_void_p):
    """A gb_attributes freed when its last reference goes."""

    def __del__(self):
        if self.value:
            _lib.gb_attributes_free(self.value)


class _Slot(object):
    """Where a user's evaluations go: `h` is the handle, or None once the client closed (the
    library then answers GB_ERR_INVALID_ARGUMENT, which the slow path turns into an error)."""

    __slots__ = ("h", "__weakref__")

    def __init__(self, h=None):
        self.h = h


class _UserState(object):
    """A UserContext compiled for one client: its attributes (`attrs`), the slot its
    evaluations go to, its forced features, and what it was compiled from, to see edits: the
    objects in its fields (`src`: attributes; `settings`: the other fields, None when it had
    none) and the Fingerprint of every dict and list in them (the GrowthBook class's, which
    tells an edit in place by identities and dict versions, never by ==, so 1 -> True is an
    edit)."""

    __slots__ = ("owner", "src", "settings", "fp", "attrs", "slot", "forced")


def _settings_of(uc):
    """A UserContext's fields other than attributes and sticky docs, in _UserState.settings's order."""
    return (uc.url, uc.groups, uc.forced_variations, uc.forced_features, uc.overrides, uc.skip_all_experiments)


def _has_settings(uc) -> bool:
    return bool(uc.url or uc.groups or uc.forced_variations or uc.forced_features or uc.overrides
                or uc.skip_all_experiments)
_KEYS = _lib._KEYS
_tls = _lib._tls
_scratch = _lib.scratch
_loads = json.loads
_new = object.__new__

# The evaluation calls, each (handle, key, attributes) -> its answer, or _FAILED on a library
# error (the caller's slow path reads it): the accelerator's when it is built, else ctypes.
if _speedups is not None:
    _FAILED = _speedups.FAILED
    _is_on_with = _speedups.is_on_with
    _value_with = _speedups.value_with
    _result_with = _speedups.result_with
    _attributes_create = _speedups.attributes_create
    _attributes_build = _speedups.attributes_build  # without JSON; None: take the JSON path
else:
    _attributes_build = None
    _FAILED = object()
    _c_is_on_with = _lib.fast_is_on_with
    _c_eval_with = _lib.fast_eval_with
    _attributes_create = _lib.fast_attributes_create

    def _key(key):
        try:
            return _KEYS[key]
        except KeyError:
            return key_bytes(key)

    def _is_on_with(h, key, attrs):
        rc = _c_is_on_with(h, _key(key), attrs)
        return True if rc == 1 else False if rc == 0 else _FAILED

    def _eval_with(h, key, attrs, with_result):
        try:
            s = _tls.scratch
        except AttributeError:
            s = _scratch()
        rc = _c_eval_with(h, _key(key), attrs, with_result, s.buffer)
        if rc < 0:
            return _FAILED
        return _feature_result(rc, s) if with_result else _summary_value(rc, s)

    def _value_with(h, key, attrs):
        return _eval_with(h, key, attrs, 0)

    def _result_with(h, key, attrs):
        return _eval_with(h, key, attrs, 1)


def _js_truthy(value) -> bool:
    if value is None or value is False or value == "":
        return False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value == value and value != 0
    return True


# ---------------------------------------------------------------------------------------------
# Callbacks: one module-level trampoline per kind, the client found by the id in user_data
# ---------------------------------------------------------------------------------------------

_is = operator.is_
_clients: Dict[int, "weakref.ref[_ClientCore]"] = {}
_ids = itertools.count(1)
# Per thread: the UserContext being evaluated (for the tracking callback, which the library
# calls on the evaluating thread from inside the evaluation) and run()'s pending exposure.
# (An Experiment's include function goes where the GrowthBook class's does: _include_slot.)
_current = threading.local()


def _client_of(user_data):
    ref = _clients.get(user_data or 0)
    return ref() if ref is not None else None


def _on_track(experiment_json, result_json, user_data):
    client = _client_of(user_data)
    if client is None:
        return
    try:
        client._exposure(experiment_json, result_json)
    except Exception:
        logger.exception("Error in tracking callback")


def _on_log(level, message, user_data):
    try:
        logger.log(level, message.decode("utf-8", "replace"))
    except Exception:
        pass


def _sticky_service(user_data):
    client = _client_of(user_data)
    return client.options.sticky_bucket_service if client is not None else None


def _on_sticky_get(name, value, buffer, user_data):
    return _sticky_get(_sticky_service(user_data), name, value, buffer)


def _on_sticky_save(doc_json, user_data):
    return _sticky_save(_sticky_service(user_data), doc_json)


_TRACK_FN = _lib.TRACKING_FN(_on_track)
_LOG_FN = _lib.LOG_FN(_on_log)
_STICKY_GET_FN = _lib.STICKY_GET_FN(_on_sticky_get)
_STICKY_SAVE_FN = _lib.STICKY_SAVE_FN(_on_sticky_save)


def _result_from(d):
    r = Result._from_dict(d)
    # 4.x's Result carries a contextual bandit's exposure metadata as attributes
    r.leafId = d.get("leafId")
    r.variationWeights = d.get("variationWeights")
    r.banditVersion = d.get("banditVersion")
    return r


def _not_supported(what):
    raise NotImplementedError("growthbook_native's GrowthBookClient does not support %s" % what)


# ---------------------------------------------------------------------------------------------
# The implementation both clients share (synchronous)
# ---------------------------------------------------------------------------------------------

class _ClientCore(object):
    TRACKED_LIMIT = 100000  # exposures remembered for de-duplication (as the library's default)
    POOL_LIMIT = 256  # handles kept for users with their own settings (url, forced variations...)

    def __init__(self, options: Optional[Union[Dict[str, Any], Options]] = None) -> None:
        self.options = (
            options if isinstance(options, Options) else Options(**options) if options else Options()
        )
        o = self.options
        if o.remote_eval:
            _not_supported("remote_eval (features are evaluated locally, by the library)")
        service = o.sticky_bucket_service
        if service is not None and (
            inspect.iscoroutinefunction(getattr(service, "get_assignments", None))
            or inspect.iscoroutinefunction(getattr(service, "save_assignments", None))
        ):
            _not_supported("an async sticky bucket service (the library calls the service from inside "
                           "an evaluation, synchronously): use a synchronous AbstractStickyBucketService")
        if service is not None and not (hasattr(service, "get_assignments") and hasattr(service, "save_assignments")):
            raise TypeError("sticky_bucket_service must have get_assignments and save_assignments")
        if o.refresh_strategy is not None and not isinstance(o.refresh_strategy, FeatureRefreshStrategy):
            raise TypeError("refresh_strategy must be a FeatureRefreshStrategy or None")
        self._id = next(_ids)
        _clients[self._id] = weakref.ref(self)
        self._lock = threading.RLock()
        self._tracked: "OrderedDict[tuple, bool]" = OrderedDict()
        self._tracked_lock = threading.Lock()
        self._subscriptions: set = set()
        self._subscriptions_lock = threading.Lock()
        self._callback_tasks: set = set()
        self._pool: "OrderedDict[str, _Slot]" = OrderedDict()
        self._slots: "weakref.WeakSet[_Slot]" = weakref.WeakSet()
        self._payload: Dict[str, Any] = {}
        self._root = _Slot()  # h: the root handle once features are installed
        self._root_h: Optional[_Handle] = None
        self._remote = bool(o.client_key)
        self._refreshing = self._remote and o.refresh_strategy is not None
        self._tracking_plugins = list(o.tracking_plugins or [])
        self._initialized_plugins: List[Any] = []
        self._ensure_root()
        self._initialize_plugins()

    # MARK: handles

    def _base_options(self) -> Dict[str, Any]:
        o = self.options
        opts: Dict[str, Any] = {"semantics": GB_SEMANTICS_JS}
        if not o.enabled:
            opts["enabled"] = False
        if o.qa_mode:
            opts["qaMode"] = True
        if o.url:
            opts["url"] = o.url
        if o.sticky_bucket_identifier_attributes:
            opts["stickyBucketIdentifierAttributes"] = o.sticky_bucket_identifier_attributes
        return opts

    def _remote_options(self) -> Dict[str, Any]:
        o = self.options
        opts: Dict[str, Any] = {"apiHost": o.api_host or "https://cdn.growthbook.io", "clientKey": o.client_key}
        if o.decryption_key:
            opts["decryptionKey"] = o.decryption_key
        if o.cache_ttl != 60:
            opts["cacheTTL"] = o.cache_ttl
        timeout = (o.http_connect_timeout or 0) + (o.http_read_timeout or 0)
        if timeout:
            opts["timeout"] = timeout
        if o.refresh_strategy is FeatureRefreshStrategy.SERVER_SENT_EVENTS:
            opts["streaming"] = True
        elif o.refresh_strategy is FeatureRefreshStrategy.STALE_WHILE_REVALIDATE:
            opts["refreshInterval"] = max(1, o.cache_ttl)
        return opts

    def _new_handle(self, opts) -> _Handle:
        h = _lib.gb_create(_dumps(opts))
        if not h:
            raise _lib.error()
        handle = _Handle(h)
        level = GB_LOG_WARNING
        _lib.gb_set_log_callback(handle, _LOG_FN, level, None)
        if self.options.on_experiment_viewed is not None or self._tracking_plugins:
            _lib.check(_lib.gb_set_tracking_callback(handle, _TRACK_FN, self._id))
        if self.options.sticky_bucket_service is not None:
            _lib.check(_lib.gb_set_sticky_bucket_service(handle, _STICKY_GET_FN, _STICKY_SAVE_FN, self._id))
        return handle

    def _ensure_root(self) -> _Handle:
        with self._lock:
            if self._root_h is None:
                opts = self._base_options()
                if self._remote:
                    opts.update(self._remote_options())
                self._root_h = self._new_handle(opts)
            return self._root_h

    def _slot_for(self, settings) -> _Slot:
        """A handle for users with these settings (url, groups, forced variations, overrides,
        skip_all_experiments), sharing the root's compiled features: made once, pooled."""
        key = json.dumps(settings, sort_keys=True)
        with self._lock:
            slot = self._pool.get(key)
            if slot is not None:
                self._pool.move_to_end(key)
                return slot
            root = self._root.h
            if root is None:
                return self._root  # not initialized: the evaluation reports it
            opts = self._base_options()
            if settings.pop("qaMode", False):
                opts["qaMode"] = True
            opts.update(settings)
            if self._refreshing:
                # loaded from the process-wide cache (one compiled set per payload) and
                # subscribed to the root's refreshes
                opts.update(self._remote_options())
                handle = self._new_handle(opts)
                if _lib.gb_load_features(handle) < 0:
                    _lib.check(_lib.gb_set_features_from(handle, root))
            else:
                handle = self._new_handle(opts)
                _lib.check(_lib.gb_set_features_from(handle, root))
            slot = _Slot(handle)
            self._pool[key] = slot
            self._slots.add(slot)
            while len(self._pool) > self.POOL_LIMIT:
                self._pool.popitem(last=False)  # users still holding it keep it alive
            return slot

    # MARK: users

    def _state(self, uc) -> _UserState:
        """The user's compiled state, compiled anew when the user context was edited: a field
        given another object, or a dict or list in it edited in place at any depth."""
        st = getattr(uc, "_gb_state", None)  # (no AttributeError raised for a new context)
        if st is not None and st.owner is self and uc.attributes is st.src and not st.fp.changed():
            settings = st.settings
            if settings is None:
                # _has_settings(uc), written out: this runs on every evaluation
                if not (uc.url or uc.groups or uc.forced_variations or uc.forced_features or uc.overrides
                        or uc.skip_all_experiments):
                    return st
            elif all(map(_is, _settings_of(uc), settings)):
                return st
        return self._compile(uc)

    def _compile(self, uc) -> _UserState:
        try:
            a = uc.attributes
            has_settings = _has_settings(uc)
            settings = _settings_of(uc) if has_settings else None
        except AttributeError as e:
            raise TypeError("user_context must be a UserContext, not %s (%s)" % (type(uc).__name__, e)) from None
        if not isinstance(a, dict):
            raise TypeError("user_context.attributes must be a dict, not %s" % type(a).__name__)
        try:
            fp = Fingerprint(a) if settings is None else Fingerprint(a, *settings[1:5])
            p = _attributes_build(a) if _attributes_build is not None else None
            if p is None:
                p = _attributes_create(_dumps(a))
                if not p:
                    raise _lib.error()
        except (TypeError, ValueError, RecursionError) as e:
            raise TypeError("user_context must be JSON-serialisable: %s" % e) from None
        if _speedups is None:
            p = _Attributes(p)  # (the accelerator's own Attributes frees itself)
        st = _new(_UserState)
        st.attrs = p
        st.src = a
        st.settings = settings
        st.fp = fp
        st.forced = None
        st.owner = self
        if settings is None:
            st.slot = self._root
        else:
            self._settings(st, settings)
        try:
            uc._gb_state = st
        except AttributeError:
            pass  # a context without a __dict__: compiled again each call
        return st

    def _settings(self, st, extra):
        """A user with settings of its own (url, groups, forced variations or features,
        overrides, skip_all_experiments): a pooled handle with those settings."""
        url, groups, forced_variations, forced_features, overrides, skip = extra
        for name, value in (("groups", groups), ("forced_variations", forced_variations),
                            ("forced_features", forced_features), ("overrides", overrides)):
            if not isinstance(value, dict):
                raise TypeError("user_context.%s must be a dict, not %s" % (name, type(value).__name__))
        if url is None:
            url = ""
        if not isinstance(url, str):
            raise TypeError("user_context.url must be a str, not %s" % type(url).__name__)
        st.forced = dict(forced_features) if forced_features else None
        settings: Dict[str, Any] = {}
        url = url or self.options.url or ""
        if url != (self.options.url or ""):
            settings["url"] = url
        if groups:
            settings["groups"] = groups
        if forced_variations:
            settings["forcedVariations"] = forced_variations
        if overrides:
            settings["overrides"] = overrides
        if skip:
            settings["qaMode"] = True
        if settings:
            try:
                _dumps(settings)
            except (TypeError, ValueError) as e:
                raise TypeError("user_context settings must be JSON-serialisable: %s" % e) from None
            st.slot = self._slot_for(settings)
        else:
            st.slot = self._root

    def _failed(self, uc, st):
        """After a negative answer: True when the user's state was stale (compiled for a closed
        or re-initialized client; the caller repeats), else raises."""
        if self._root.h is None:
            raise RuntimeError("GrowthBook client not properly initialized")
        if st.slot.h is None:
            try:
                del uc._gb_state
            except AttributeError:
                pass
            return True
        raise _lib.error()

    # MARK: evaluation

    # _current.uc (read by the tracking callback only) is set only when the handles have one:
    # a threading.local assignment costs more than the evaluation.

    def eval_feature(self, key: str, user_context: UserContext, *, tracking_buffer=None) -> FeatureResult:
        if tracking_buffer is not None:
            _not_supported("tracking_buffer")
        st = self._state(user_context)
        forced = st.forced
        if forced is not None and key in forced:
            r = FeatureResult(forced[key], "override")
            r.on = _js_truthy(r.value)
            r.off = not r.on
        else:
            if self.options.on_experiment_viewed is not None or self._tracking_plugins:
                _current.uc = user_context
            r = _result_with(st.slot.h, key, st.attrs)
            if r is _FAILED:
                self._failed(user_context, st)
                return self.eval_feature(key, user_context)
        if self.options.on_feature_usage is not None:
            self._feature_usage(key, r, user_context)
        return r

    def is_on(self, key: str, user_context: UserContext, *, tracking_buffer=None) -> bool:
        if tracking_buffer is not None:
            _not_supported("tracking_buffer")
        st = self._state(user_context)
        options = self.options
        if st.forced is not None or options.on_feature_usage is not None:
            return self.eval_feature(key, user_context).on
        if options.on_experiment_viewed is not None or self._tracking_plugins:
            _current.uc = user_context
        r = _is_on_with(st.slot.h, key, st.attrs)
        if r is _FAILED:
            self._failed(user_context, st)
            return self.is_on(key, user_context)
        return r

    def is_off(self, key: str, user_context: UserContext, *, tracking_buffer=None) -> bool:
        return not self.is_on(key, user_context, tracking_buffer=tracking_buffer)

    def get_feature_value(self, key: str, fallback, user_context: UserContext, *, tracking_buffer=None):
        if tracking_buffer is not None:
            _not_supported("tracking_buffer")
        st = self._state(user_context)
        options = self.options
        if st.forced is not None or options.on_feature_usage is not None:
            value = self.eval_feature(key, user_context).value
            return fallback if value is None else value
        if options.on_experiment_viewed is not None or self._tracking_plugins:
            _current.uc = user_context
        value = _value_with(st.slot.h, key, st.attrs)
        if value is _FAILED:
            self._failed(user_context, st)
            return self.get_feature_value(key, fallback, user_context)
        return fallback if value is None else value

    def run(self, experiment: Experiment, user_context: UserContext, *, tracking_buffer=None) -> Result:
        """An inline experiment for the user: on a handle of its own for this call (the
        library runs inline experiments with a handle's attributes), sharing the features."""
        if tracking_buffer is not None:
            _not_supported("tracking_buffer")
        if not hasattr(experiment, "_definition"):
            raise TypeError("experiment must be a growthbook_native Experiment, not %s"
                            % type(experiment).__name__)
        st = self._state(user_context)
        source = st.slot.h
        if source is None:
            self._failed(user_context, st)
            return self.run(experiment, user_context)
        opts = self._base_options()
        url = user_context.url or self.options.url
        if url:
            opts["url"] = url
        if user_context.groups:
            opts["groups"] = user_context.groups
        if user_context.forced_variations:
            opts["forcedVariations"] = user_context.forced_variations
        if user_context.overrides:
            opts["overrides"] = user_context.overrides
        if user_context.skip_all_experiments:
            opts["qaMode"] = True
        opts["attributes"] = user_context.attributes
        handle = self._new_handle(opts)
        _lib.check(_lib.gb_set_features_from(handle, source))
        include = experiment.include
        pending = []
        _include_slot.fn = include
        _current.run = pending
        _current.uc = user_context
        try:
            ptr = _lib.gb_run_experiment_with_include_json(
                handle, _dumps(experiment._definition()), _INCLUDE_FN if include else _NO_INCLUDE, None)
        finally:
            _include_slot.fn = None
            _current.run = None
        d = _loads(_lib.take_string(ptr))
        result = _result_from(d)
        variations = experiment.variations
        if 0 <= result.variationId < len(variations):
            result.value = variations[result.variationId]
        if pending:
            self._call_tracking(experiment, result, user_context)
        self._fire_subscriptions(experiment, result)
        return result

    # MARK: callbacks

    def _exposure(self, experiment_json, result_json):
        """The library's tracking callback (on the evaluating thread, inside the evaluation)."""
        if self.options.on_experiment_viewed is None:
            return
        d_exp = _loads(experiment_json)
        d_res = _loads(result_json)
        key = (d_res.get("hashAttribute"), str(d_res.get("hashValue")), d_exp.get("key"),
               str(d_res.get("variationId")))
        with self._tracked_lock:
            if key in self._tracked:
                return
            self._tracked[key] = True
            if len(self._tracked) > self.TRACKED_LIMIT:
                self._tracked.popitem(last=False)
        pending = getattr(_current, "run", None)
        if pending is not None:  # run() calls back with its own Experiment and Result
            pending.append(key)
            return
        uc = getattr(_current, "uc", None)
        # The callback may evaluate on this thread: it gets a buffer of its own, so the one the
        # evaluation in progress writes to is not overwritten.
        saved = getattr(_tls, "scratch", None)
        _tls.scratch = _lib.Scratch()
        try:
            self._call_tracking(Experiment(**d_exp), _result_from(d_res), uc)
        finally:
            if saved is None:
                del _tls.scratch
            else:
                _tls.scratch = saved

    def _call_tracking(self, experiment, result, uc):
        cb = self.options.on_experiment_viewed
        if cb is None:
            return
        try:
            self._run_user_callback(cb, (), "tracking", {
                "experiment": experiment, "result": result, "user_context": _tracking_user_context(uc)})
        except Exception:
            logger.exception("Error in tracking callback")

    def _feature_usage(self, key, result, uc):
        cb = self.options.on_feature_usage
        if cb is None:
            return
        try:
            self._run_user_callback(cb, (key, result, _tracking_user_context(uc)), "feature usage")
        except Exception:
            logger.exception("Error in feature usage callback")

    def _fire_subscriptions(self, experiment, result):
        with self._subscriptions_lock:
            subscriptions = list(self._subscriptions)
        for cb in subscriptions:
            try:
                self._run_user_callback(cb, (experiment, result), "subscription")
            except Exception:
                logger.exception("Error in subscription callback")

    def _run_user_callback(self, callback, args, what, kwargs=None):
        """A callback may be sync or async: an awaitable it returns is scheduled on the running
        event loop (and awaited by close()), or, with no loop running, dropped with an error,
        as growthbook 4.x does."""
        result = callback(*args, **(kwargs or {}))
        if inspect.isawaitable(result):
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                if asyncio.iscoroutine(result):
                    result.close()
                logger.error("Async %s callback requires a running event loop; dropped", what)
                return
            fut = asyncio.ensure_future(result, loop=loop)
            self._callback_tasks.add(fut)

            def done(f):
                self._callback_tasks.discard(f)
                if not f.cancelled() and f.exception() is not None:
                    logger.error("Error in %s callback", what, exc_info=f.exception())

            fut.add_done_callback(done)

    def subscribe(self, callback) -> Callable[[], None]:
        """callback(experiment, result) after every run() (as in 4.x: not for feature
        evaluations). Returns a function that unsubscribes it."""
        with self._subscriptions_lock:
            self._subscriptions.add(callback)

        def unsubscribe() -> None:
            with self._subscriptions_lock:
                self._subscriptions.discard(callback)
        return unsubscribe

    def set_event_logger(self, fn) -> None:
        self.options.event_logger = fn

    # MARK: features

    def _initialize(self) -> bool:
        if not self._remote:
            logger.error("No features repository available")
            return False
        root = self._ensure_root()
        rc = _lib.gb_load_features(root)
        if rc < 0:
            logger.error("Failed to load initial features: %s", _lib.error())
            return False
        with self._lock:
            self._root.h = root
        return True

    def _install(self, data: Dict[str, Any]) -> None:
        """Installs a payload's sections (features, savedGroups, contextualBandits; an absent
        section keeps what was installed before, as 4.x's set_payload) into the root handle and
        every pooled one: compiled once, shared by all of them (gb_set_features_from)."""
        if not isinstance(data, dict):
            raise TypeError("a payload must be a dict, not %s" % type(data).__name__)
        payload = dict(self._payload)
        if "features" in data:
            features = data["features"] or {}
            if not isinstance(features, dict):
                raise TypeError("features must be a dict, not %s" % type(features).__name__)
            payload["features"] = {
                k: (f.to_dict() if hasattr(f, "to_dict") else f) for k, f in features.items()}
        for section in ("savedGroups", "contextualBandits"):
            if section in data:
                payload[section] = data[section] or {}
        opts = {"semantics": GB_SEMANTICS_JS, "features": payload.get("features", {})}
        if payload.get("savedGroups"):
            opts["savedGroups"] = payload["savedGroups"]
        if payload.get("contextualBandits"):
            opts["contextualBandits"] = payload["contextualBandits"]
        source = _lib.gb_create(_dumps(opts))
        if not source:
            raise _lib.error()
        source = _Handle(source)
        with self._lock:
            root = self._ensure_root()
            _lib.check(_lib.gb_set_features_from(root, source))
            for slot in list(self._slots):
                h = slot.h
                if h is not None:
                    _lib.check(_lib.gb_set_features_from(h, source))
            self._payload = payload
            self._root.h = root

    def _set_payload(self, payload: Dict[str, Any]) -> None:
        if not isinstance(payload, dict):
            raise TypeError("a payload must be a dict, not %s" % type(payload).__name__)
        data = dict(payload)
        key = self.options.decryption_key or ""
        for enc, plain in (("encryptedFeatures", "features"), ("encryptedSavedGroups", "savedGroups"),
                           ("encryptedContextualBandits", "contextualBandits")):
            if enc in data:
                if not key:
                    raise ValueError("Must specify decryption_key")
                data[plain] = _loads(decrypt(data.pop(enc), key))
        self._install({k: data[k] for k in ("features", "savedGroups", "contextualBandits") if k in data})

    def _close(self) -> None:
        with self._lock:
            for slot in list(self._slots):
                slot.h = None
            self._pool.clear()
            self._root.h = None
            self._root = _Slot()  # states compiled before are stale (see _failed)
            self._root_h = None  # freed when the last call using it returns
            self._payload = {}
        with self._tracked_lock:
            self._tracked.clear()
        with self._subscriptions_lock:
            self._subscriptions.clear()
        self._cleanup_plugins()

    def reduce_payload(self, *args, **kwargs):
        _not_supported("reduce_payload")

    # MARK: plugins (as 4.x: initialize(client) or a callable, cleanup() at close)

    def _initialize_plugins(self) -> None:
        for plugin in self._tracking_plugins:
            try:
                initialize = getattr(plugin, "initialize", None)
                if callable(initialize):
                    initialize(self)
                elif callable(plugin):
                    plugin(self)
                else:
                    logger.warning("Plugin %s is neither callable nor has initialize method", plugin)
                    continue
                self._initialized_plugins.append(plugin)
            except Exception as e:
                logger.error("Failed to initialize plugin %s: %s", plugin, e)

    def _cleanup_plugins(self) -> None:
        for plugin in self._initialized_plugins:
            try:
                cleanup = getattr(plugin, "cleanup", None)
                if callable(cleanup):
                    cleanup()
            except Exception as e:
                logger.error("Error cleaning up plugin %s: %s", plugin, e)
        self._initialized_plugins = []

    def __del__(self):
        try:
            _clients.pop(self._id, None)
        except Exception:
            pass


# ---------------------------------------------------------------------------------------------
# The two clients
# ---------------------------------------------------------------------------------------------

class GrowthBookClientSync(_ClientCore):
    """GrowthBookClient's methods, synchronous: for WSGI servers and threads (every method is
    safe to call from many threads at once). Callbacks must be synchronous."""

    def __init__(self, options: Optional[Union[Dict[str, Any], Options]] = None) -> None:
        o = options if isinstance(options, Options) else Options(**options) if options else Options()
        for name in ("on_experiment_viewed", "on_feature_usage", "event_logger"):
            if inspect.iscoroutinefunction(getattr(o, name)):
                raise TypeError("GrowthBookClientSync: %s must be synchronous (use GrowthBookClient "
                                "for async callbacks)" % name)
        super().__init__(o)

    def initialize(self) -> bool:
        """Loads the features (blocking). True on success; False, logged, on failure."""
        try:
            return self._initialize()
        except Exception as e:
            logger.error("Initialization failed: %s", e, exc_info=True)
            return False

    def set_features(self, features: Dict[str, Any]) -> None:
        self._install({"features": features})

    def set_payload(self, payload: Dict[str, Any]) -> None:
        self._set_payload(payload)

    def log_event(self, event_name: str, properties: Optional[Dict[str, Any]] = None,
                  user_context: Optional[UserContext] = None) -> None:
        if not self.options.event_logger:
            logger.warning("log_event called but no event logger is configured. "
                           "Add GrowthBookTrackingPlugin to enable event logging.")
            return
        try:
            self.options.event_logger(event_name, properties or {}, user_context or UserContext())
        except Exception as e:
            logger.exception("Error in event logger: %s", e)

    def close(self) -> None:
        self._close()

    def __enter__(self) -> "GrowthBookClientSync":
        self.initialize()
        return self

    def __exit__(self, exc_type, exc_val, exc_tb) -> None:
        self.close()


_eval_feature = _ClientCore.eval_feature
_is_on = _ClientCore.is_on
_get_feature_value = _ClientCore.get_feature_value
_run = _ClientCore.run


class GrowthBookClient(_ClientCore):
    """growthbook 4.x's GrowthBookClient: `await client.initialize()`, then
    `await client.eval_feature(key, user_context)` and the rest. Evaluations run on the calling
    thread without yielding (they take about a microsecond); loading runs in an executor."""

    async def initialize(self) -> bool:
        try:
            return await asyncio.get_running_loop().run_in_executor(None, self._initialize)
        except Exception as e:
            logger.error("Initialization failed: %s", e, exc_info=True)
            return False

    async def eval_feature(self, key: str, user_context: UserContext, *, tracking_buffer=None) -> FeatureResult:
        if tracking_buffer is not None:
            _not_supported("tracking_buffer")
        return _eval_feature(self, key, user_context)

    async def is_on(self, key: str, user_context: UserContext, *, tracking_buffer=None) -> bool:
        if tracking_buffer is not None:
            _not_supported("tracking_buffer")
        return _is_on(self, key, user_context)

    async def is_off(self, key: str, user_context: UserContext, *, tracking_buffer=None) -> bool:
        if tracking_buffer is not None:
            _not_supported("tracking_buffer")
        return not _is_on(self, key, user_context)

    async def get_feature_value(self, key: str, fallback, user_context: UserContext, *, tracking_buffer=None):
        if tracking_buffer is not None:
            _not_supported("tracking_buffer")
        return _get_feature_value(self, key, fallback, user_context)

    async def run(self, experiment: Experiment, user_context: UserContext, *, tracking_buffer=None) -> Result:
        if tracking_buffer is not None:
            _not_supported("tracking_buffer")
        return _run(self, experiment, user_context)

    async def set_features(self, features: Dict[str, Any]) -> None:
        self._install({"features": features})

    async def set_payload(self, payload: Dict[str, Any]) -> None:
        self._set_payload(payload)

    async def preload_remote_eval(self, user_context: UserContext) -> None:
        """A no-op, as in 4.x without remote_eval (which this client does not support)."""

    async def flush_sticky_bucket_saves(self) -> None:
        """Nothing to wait for: the library saves sticky bucket docs during the evaluation."""

    async def log_event(self, event_name: str, properties: Optional[Dict[str, Any]] = None,
                        user_context: Optional[UserContext] = None) -> None:
        if not self.options.event_logger:
            logger.warning("log_event called but no event logger is configured. "
                           "Add GrowthBookTrackingPlugin to enable event logging.")
            return
        try:
            result = self.options.event_logger(event_name, properties or {}, user_context or UserContext())
            if inspect.isawaitable(result):
                await result
        except Exception as e:
            logger.exception("Error in event logger: %s", e)

    async def close(self) -> None:
        """Awaits the async callbacks scheduled so far, then frees the handles (which stops
        their background refreshes); evaluations afterwards raise RuntimeError."""
        while self._callback_tasks:
            await asyncio.gather(*list(self._callback_tasks), return_exceptions=True)
            await asyncio.sleep(0)
        self._close()

    async def __aenter__(self) -> "GrowthBookClient":
        await self.initialize()
        return self

    async def __aexit__(self, exc_type, exc_val, exc_tb) -> None:
        await self.close()
