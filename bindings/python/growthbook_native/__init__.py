"""growthbook_native: the growthbook 1.1.0 Python API, evaluated by libgrowthbook.

Switch with one line: `from growthbook_native import GrowthBook, Experiment, ...`."""

from ._lib import GrowthBookError
from .client import FeatureRefreshStrategy, GrowthBookClient, GrowthBookClientSync, Options, UserContext
from .growthbook import GrowthBook
from .growthbook import accelerated as _accelerated  # True when the C accelerator evaluates
from .helpers import (
    chooseVariation,
    decrypt,
    evalCondition,
    gbhash,
    getBucketRanges,
    getEqualWeights,
    getQueryStringOverride,
    inNamespace,
    paddedVersionString,
)
from .models import Experiment, Feature, FeatureResult, FeatureRule, Filter, Result, VariationMeta
from .repository import (
    AbstractFeatureCache,
    CacheEntry,
    FeatureRepository,
    InMemoryFeatureCache,
    feature_repo,
    logger,
)
from .sticky import AbstractStickyBucketService, InMemoryStickyBucketService

__version__ = "0.1.0"

__all__ = [
    "AbstractFeatureCache", "AbstractStickyBucketService", "CacheEntry", "Experiment", "Feature",
    "FeatureRefreshStrategy", "FeatureRepository", "FeatureResult", "FeatureRule", "Filter", "GrowthBook",
    "GrowthBookClient", "GrowthBookClientSync", "GrowthBookError", "Options", "UserContext",
    "InMemoryFeatureCache", "InMemoryStickyBucketService", "Result", "VariationMeta", "chooseVariation",
    "decrypt", "evalCondition", "feature_repo", "gbhash", "getBucketRanges", "getEqualWeights",
    "getQueryStringOverride", "inNamespace", "logger", "paddedVersionString",
]
