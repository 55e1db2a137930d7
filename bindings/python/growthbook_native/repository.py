"""Feature caches and the module-level feature repository, as in growthbook 1.1.0.

By default the library itself fetches and caches payloads (process-wide, shared with every
other user of libgrowthbook in the process). Two hooks of the reference still work:
`feature_repo.set_cache(...)` with your own cache routes loading through Python, and replacing
`feature_repo._get` (as tests written for the reference do) routes the library's HTTP requests
through it via the host-transport callback."""

import json
import logging
import threading
import urllib.request
from abc import ABC, abstractmethod
from time import time
from typing import Dict, Optional

from . import _lib
from ._abi import GB_ERR_DECRYPT
from .helpers import decrypt

logger = logging.getLogger("growthbook")


class AbstractFeatureCache(ABC):
    @abstractmethod
    def get(self, key: str) -> Optional[Dict]:
        pass

    @abstractmethod
    def set(self, key: str, value: Dict, ttl: int) -> None:
        pass

    def clear(self) -> None:
        pass


class CacheEntry(object):
    def __init__(self, value: Dict, ttl: int) -> None:
        self.value = value
        self.ttl = ttl
        self.expires = time() + ttl

    def update(self, value: Dict):
        self.value = value
        self.expires = time() + self.ttl


class InMemoryFeatureCache(AbstractFeatureCache):
    def __init__(self) -> None:
        self.cache: Dict[str, CacheEntry] = {}

    def get(self, key: str) -> Optional[Dict]:
        if key in self.cache:
            entry = self.cache[key]
            if entry.expires >= time():
                return entry.value
        return None

    def set(self, key: str, value: Dict, ttl: int) -> None:
        if key in self.cache:
            self.cache[key].update(value)
        self.cache[key] = CacheEntry(value, ttl)

    def clear(self) -> None:
        self.cache.clear()


class _Response(object):
    """What `_get` returns: status, data (bytes) and headers, like urllib3's response."""

    def __init__(self, status, data, headers):
        self.status = status
        self.data = data
        self.headers = headers


class FeatureRepository(object):
    def __init__(self) -> None:
        self.cache: AbstractFeatureCache = InMemoryFeatureCache()
        self._default_cache = self.cache
        self.http = None

    def set_cache(self, cache: AbstractFeatureCache) -> None:
        self.cache = cache

    def clear_cache(self):
        self.cache.clear()
        _lib.gb_clear_cache()

    def _uses_python_cache(self) -> bool:
        return self.cache is not self._default_cache

    def _get_is_replaced(self) -> bool:
        return "_get" in self.__dict__ or type(self)._get is not FeatureRepository._get

    def load_features(
        self, api_host: str, client_key: str, decryption_key: str = "", ttl: int = 60
    ) -> Optional[Dict]:
        key = api_host + "::" + client_key
        if not self._uses_python_cache():
            return self._load_native(api_host, client_key, decryption_key, ttl)
        cached = self.cache.get(key)
        if not cached:
            res = self._fetch_features(api_host, client_key, decryption_key)
            if res is not None:
                self.cache.set(key, res, ttl)
                logger.debug("Fetched features from API, stored in cache")
                return res
        return cached

    def _load_native(self, api_host, client_key, decryption_key, ttl) -> Optional[Dict]:
        options = {"apiHost": api_host or "https://cdn.growthbook.io", "clientKey": client_key,
                   "decryptionKey": decryption_key or "", "cacheTTL": ttl}
        h = _lib.gb_create(json.dumps(options).encode("utf-8"))
        if not h:
            raise _lib.error()
        try:
            _sync_transport()
            if _lib.gb_load_features(h) < 0:
                err = _lib.error()
                if err.code == GB_ERR_DECRYPT and not decryption_key:
                    raise ValueError("Must specify decryption_key")
                logger.warning("Failed to fetch features: %s", err)
                return None
            return json.loads(_lib.take_string(_lib.gb_get_features_json(h)))
        finally:
            _lib.gb_free(h)

    # Perform the GET request (separate method for easy mocking)
    def _get(self, url: str):
        request = urllib.request.Request(url, headers={"Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=10) as r:
                return _Response(r.status, r.read(), dict(r.headers))
        except urllib.error.HTTPError as e:
            return _Response(e.code, e.read(), dict(e.headers or {}))

    def _fetch_and_decode(self, api_host: str, client_key: str) -> Optional[Dict]:
        try:
            r = self._get(self._get_features_url(api_host, client_key))
            if r.status >= 400:
                logger.warning("Failed to fetch features, received status code %d", r.status)
                return None
            return json.loads(r.data.decode("utf-8"))
        except Exception:
            logger.warning("Failed to decode feature JSON from GrowthBook API")
            return None

    def _fetch_features(self, api_host: str, client_key: str, decryption_key: str = "") -> Optional[Dict]:
        decoded = self._fetch_and_decode(api_host, client_key)
        if not decoded:
            return None
        if "encryptedFeatures" in decoded:
            if not decryption_key:
                raise ValueError("Must specify decryption_key")
            try:
                return json.loads(decrypt(decoded["encryptedFeatures"], decryption_key))
            except Exception:
                logger.warning("Failed to decrypt features from GrowthBook API response")
                return None
        elif "features" in decoded:
            return decoded["features"]
        else:
            logger.warning("GrowthBook API response missing features")
            return None

    @staticmethod
    def _get_features_url(api_host: str, client_key: str) -> str:
        api_host = (api_host or "https://cdn.growthbook.io").rstrip("/")
        return api_host + "/api/features/" + client_key


# Singleton instance
feature_repo = FeatureRepository()


# The library's HTTP requests go through `feature_repo._get` once code has replaced it.
_transport_installed = False
_transport_lock = threading.Lock()


def _transport(url, headers_json, response, user_data):
    try:
        r = feature_repo._get(url.decode("utf-8"))
        status = int(getattr(r, "status", 0) or 0)
        _lib.gb_http_response_set_status(response, status)
        headers = getattr(r, "headers", None) or {}
        try:
            items = list(headers.items())
        except Exception:
            items = []
        for name, value in items:
            _lib.gb_http_response_set_header(response, str(name).encode("utf-8"), str(value).encode("utf-8"))
        data = getattr(r, "data", b"") or b""
        if isinstance(data, str):
            data = data.encode("utf-8")
        _lib.gb_http_response_set_body(response, data, len(data))
        return 0
    except Exception:
        logger.warning("feature_repo._get raised", exc_info=True)
        return 1


_TRANSPORT_FN = _lib.HTTP_FN(_transport)


def _sync_transport():
    """Installs the host transport while `feature_repo._get` is replaced, removes it after."""
    global _transport_installed
    want = feature_repo._get_is_replaced()
    if want == _transport_installed:
        return
    with _transport_lock:
        if want != _transport_installed:
            _lib.gb_set_http_transport(_TRANSPORT_FN if want else _lib.HTTP_FN(), None)
            _transport_installed = want
