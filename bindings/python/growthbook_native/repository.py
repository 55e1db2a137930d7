"""Feature caches and the module-level feature repository, as in growthbook 1.1.0: payloads
are fetched with `feature_repo._get` (replaceable, as tests written for the reference mock it)
and kept in `feature_repo.cache` (an InMemoryFeatureCache keyed "api_host::client_key", or
your own through `set_cache`), shared by every instance of the process, decrypted."""

import json
import logging
import urllib.request
from abc import ABC, abstractmethod
from time import time
from typing import Dict, Optional

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
        self.http = None

    def set_cache(self, cache: AbstractFeatureCache) -> None:
        self.cache = cache

    def clear_cache(self):
        self.cache.clear()

    def load_features(
        self, api_host: str, client_key: str, decryption_key: str = "", ttl: int = 60
    ) -> Optional[Dict]:
        key = api_host + "::" + client_key
        cached = self.cache.get(key)
        if not cached:
            res = self._fetch_features(api_host, client_key, decryption_key)
            if res is not None:
                self.cache.set(key, res, ttl)
                logger.debug("Fetched features from API, stored in cache")
                return res
        return cached

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
