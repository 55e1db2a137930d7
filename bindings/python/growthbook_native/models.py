"""The data classes of the growthbook 1.1.0 API: Experiment, Result, Feature, FeatureRule,
FeatureResult. Same constructors, attributes and to_dict() shapes."""

import json
import sys
from typing import Any, Dict, List, Optional, Tuple

if sys.version_info >= (3, 8):
    from typing import TypedDict
else:  # pragma: no cover
    from typing_extensions import TypedDict


class VariationMeta(TypedDict):
    key: str
    name: str
    passthrough: bool


class Filter(TypedDict):
    seed: str
    ranges: List[Tuple[float, float]]
    hashVersion: int
    attribute: str


class Experiment(object):
    def __init__(
        self,
        key: str,
        variations: list,
        weights: List[float] = None,
        active: bool = True,
        status: str = "running",
        coverage: int = None,
        condition: dict = None,
        namespace: Tuple[str, float, float] = None,
        url: str = "",
        include=None,
        groups: list = None,
        force: int = None,
        hashAttribute: str = "id",
        fallbackAttribute: str = None,
        hashVersion: int = None,
        ranges: List[Tuple[float, float]] = None,
        meta: List[VariationMeta] = None,
        filters: List[Filter] = None,
        seed: str = None,
        name: str = None,
        phase: str = None,
        disableStickyBucketing: bool = False,
        bucketVersion: int = None,
        minBucketVersion: int = None,
        parentConditions: List[dict] = None,
        # Not in growthbook 1.1.0: a contextual bandit's metadata (spec 0.8.0, js semantics).
        contextualBandit: dict = None,
    ) -> None:
        self.key = key
        self.contextualBandit = contextualBandit
        self.variations = variations
        self.weights = weights
        self.active = active
        self.coverage = coverage
        self.condition = condition
        self.namespace = namespace
        self.force = force
        self.hashAttribute = hashAttribute
        self.hashVersion = hashVersion or 1
        self.ranges = ranges
        self.meta = meta
        self.filters = filters
        self.seed = seed
        self.name = name
        self.phase = phase
        self.disableStickyBucketing = disableStickyBucketing
        self.bucketVersion = bucketVersion or 0
        self.minBucketVersion = minBucketVersion or 0
        self.parentConditions = parentConditions
        self.fallbackAttribute = None
        if not self.disableStickyBucketing:
            self.fallbackAttribute = fallbackAttribute
        # Deprecated properties
        self.status = status
        self.url = url
        self.include = include
        self.groups = groups

    def to_dict(self) -> Dict[str, Any]:
        obj = {
            "key": self.key,
            "variations": self.variations,
            "weights": self.weights,
            "active": self.active,
            "coverage": self.coverage or 1,
            "condition": self.condition,
            "namespace": self.namespace,
            "force": self.force,
            "hashAttribute": self.hashAttribute,
            "hashVersion": self.hashVersion,
            "ranges": self.ranges,
            "meta": self.meta,
            "filters": self.filters,
            "seed": self.seed,
            "name": self.name,
            "phase": self.phase,
        }
        if self.fallbackAttribute:
            obj["fallbackAttribute"] = self.fallbackAttribute
        if self.disableStickyBucketing:
            obj["disableStickyBucketing"] = True
        if self.bucketVersion:
            obj["bucketVersion"] = self.bucketVersion
        if self.minBucketVersion:
            obj["minBucketVersion"] = self.minBucketVersion
        if self.parentConditions:
            obj["parentConditions"] = self.parentConditions
        if self.contextualBandit is not None:
            obj["contextualBandit"] = self.contextualBandit
        return obj

    def update(self, data: dict) -> None:
        for field in ("weights", "status", "coverage", "url", "groups", "force"):
            value = data.get(field, None)
            if value is not None:
                setattr(self, field, value)

    def _definition(self) -> Dict[str, Any]:
        """to_dict() plus the deprecated fields the library still honours."""
        d = self.to_dict()
        if self.coverage is None:
            del d["coverage"]
        else:
            d["coverage"] = self.coverage  # to_dict() shows 0 as 1; the run must see 0
        d["status"] = self.status
        if self.url:
            d["url"] = self.url
        if self.groups:
            d["groups"] = self.groups
        if not self.active:
            d["active"] = False
        return d


class Result(object):
    def __init__(
        self,
        variationId: int,
        inExperiment: bool,
        value,
        hashUsed: bool,
        hashAttribute: str,
        hashValue: str,
        featureId: Optional[str],
        meta: VariationMeta = None,
        bucket: float = None,
        stickyBucketUsed: bool = False,
    ) -> None:
        self.variationId = variationId
        self.inExperiment = inExperiment
        self.value = value
        self.hashUsed = hashUsed
        self.hashAttribute = hashAttribute
        self.hashValue = hashValue
        self.featureId = featureId or None
        self.bucket = bucket
        self.stickyBucketUsed = stickyBucketUsed
        self.key = str(variationId)
        self.name = ""
        self.passthrough = False
        if meta:
            if "name" in meta:
                self.name = meta["name"]
            if "key" in meta:
                self.key = meta["key"]
            if "passthrough" in meta:
                self.passthrough = meta["passthrough"]

    @classmethod
    def _from_dict(cls, d: Dict[str, Any]) -> "Result":
        r = cls._from_dict_1_1_0(d)
        bandit = {k: d[k] for k in ("leafId", "variationWeights", "banditVersion") if k in d}
        if bandit:
            r._bandit = bandit
        return r

    @classmethod
    def _from_dict_1_1_0(cls, d: Dict[str, Any]) -> "Result":
        meta = {"key": d.get("key")}
        if "name" in d:
            meta["name"] = d["name"]
        if "passthrough" in d:
            meta["passthrough"] = d["passthrough"]
        return cls(
            variationId=d["variationId"],
            inExperiment=d["inExperiment"],
            value=d["value"],
            hashUsed=d["hashUsed"],
            hashAttribute=d["hashAttribute"],
            hashValue=d["hashValue"],
            featureId=d.get("featureId"),
            meta=meta,
            bucket=d.get("bucket"),
            stickyBucketUsed=d.get("stickyBucketUsed", False),
        )

    def to_dict(self) -> Dict[str, Any]:
        obj = {
            "featureId": self.featureId,
            "variationId": self.variationId,
            "inExperiment": self.inExperiment,
            "value": self.value,
            "hashUsed": self.hashUsed,
            "hashAttribute": self.hashAttribute,
            "hashValue": self.hashValue,
            "key": self.key,
            "stickyBucketUsed": self.stickyBucketUsed,
        }
        if self.bucket is not None:
            obj["bucket"] = self.bucket
        if self.name:
            obj["name"] = self.name
        if self.passthrough:
            obj["passthrough"] = True
        # A contextual bandit's (spec 0.8.0): the leaf, its weights and the bandit's version.
        for k, v in getattr(self, "_bandit", {}).items():
            obj[k] = v
        return obj


def _experiment_from_dict(d: Dict[str, Any]) -> Experiment:
    return Experiment(**d)


class FeatureRule(object):
    def __init__(
        self,
        id: str = None,
        key: str = "",
        variations: list = None,
        weights: List[float] = None,
        coverage: int = None,
        condition: dict = None,
        namespace: Tuple[str, float, float] = None,
        force=None,
        hashAttribute: str = "id",
        fallbackAttribute: str = None,
        hashVersion: int = None,
        range: Tuple[float, float] = None,
        ranges: List[Tuple[float, float]] = None,
        meta: List[VariationMeta] = None,
        filters: List[Filter] = None,
        seed: str = None,
        name: str = None,
        phase: str = None,
        disableStickyBucketing: bool = False,
        bucketVersion: int = None,
        minBucketVersion: int = None,
        parentConditions: List[dict] = None,
    ) -> None:
        if disableStickyBucketing:
            fallbackAttribute = None
        self.id = id
        self.key = key
        self.variations = variations
        self.weights = weights
        self.coverage = coverage
        self.condition = condition
        self.namespace = namespace
        self.force = force
        self.hashAttribute = hashAttribute
        self.fallbackAttribute = fallbackAttribute
        self.hashVersion = hashVersion or 1
        self.range = range
        self.ranges = ranges
        self.meta = meta
        self.filters = filters
        self.seed = seed
        self.name = name
        self.phase = phase
        self.disableStickyBucketing = disableStickyBucketing
        self.bucketVersion = bucketVersion or 0
        self.minBucketVersion = minBucketVersion or 0
        self.parentConditions = parentConditions

    def to_dict(self) -> Dict[str, Any]:
        data: Dict[str, Any] = {}
        if self.id:
            data["id"] = self.id
        if self.key:
            data["key"] = self.key
        if self.variations is not None:
            data["variations"] = self.variations
        if self.weights is not None:
            data["weights"] = self.weights
        if self.coverage and self.coverage != 1:
            data["coverage"] = self.coverage
        if self.condition is not None:
            data["condition"] = self.condition
        if self.namespace is not None:
            data["namespace"] = self.namespace
        if self.force is not None:
            data["force"] = self.force
        if self.hashAttribute != "id":
            data["hashAttribute"] = self.hashAttribute
        if self.hashVersion:
            data["hashVersion"] = self.hashVersion
        if self.range is not None:
            data["range"] = self.range
        if self.ranges is not None:
            data["ranges"] = self.ranges
        if self.meta is not None:
            data["meta"] = self.meta
        if self.filters is not None:
            data["filters"] = self.filters
        if self.seed is not None:
            data["seed"] = self.seed
        if self.name is not None:
            data["name"] = self.name
        if self.phase is not None:
            data["phase"] = self.phase
        if self.fallbackAttribute:
            data["fallbackAttribute"] = self.fallbackAttribute
        if self.disableStickyBucketing:
            data["disableStickyBucketing"] = True
        if self.bucketVersion:
            data["bucketVersion"] = self.bucketVersion
        if self.minBucketVersion:
            data["minBucketVersion"] = self.minBucketVersion
        if self.parentConditions:
            data["parentConditions"] = self.parentConditions
        return data


_RULE_FIELDS = (
    "id", "key", "variations", "weights", "coverage", "condition", "namespace", "force", "hashAttribute",
    "fallbackAttribute", "hashVersion", "range", "ranges", "meta", "filters", "seed", "name", "phase",
    "disableStickyBucketing", "bucketVersion", "minBucketVersion", "parentConditions",
)


class Feature(object):
    def __init__(self, defaultValue=None, rules: list = []) -> None:
        self.defaultValue = defaultValue
        self.rules: List[FeatureRule] = []
        for rule in rules:
            if isinstance(rule, FeatureRule):
                self.rules.append(rule)
            else:
                self.rules.append(FeatureRule(**{k: rule[k] for k in _RULE_FIELDS if k in rule}))

    def to_dict(self) -> dict:
        return {"defaultValue": self.defaultValue, "rules": [rule.to_dict() for rule in self.rules]}


class FeatureResult(object):
    """The outcome of evaluating a feature. Results from the library decode their experiment
    parts only when read."""

    __slots__ = ("value", "source", "on", "off", "_ruleId", "_experiment", "_experimentResult", "_raw")

    def __init__(
        self,
        value,
        source: str,
        experiment: Experiment = None,
        experimentResult: Result = None,
        ruleId: str = None,
    ) -> None:
        self.value = value
        self.source = source
        self._ruleId = ruleId
        self._experiment = experiment
        self._experimentResult = experimentResult
        self._raw = None
        self.on = bool(value)
        self.off = not bool(value)

    def _decoded(self):
        raw = self._raw
        if raw is not None and not isinstance(raw, dict):
            raw = self._raw = json.loads(raw)
        return raw

    @property
    def ruleId(self):
        return self._ruleId

    @ruleId.setter
    def ruleId(self, v):
        self._ruleId = v

    @property
    def experiment(self):
        if self._experiment is None and self._raw is not None:
            d = self._decoded().get("experiment")
            if d is not None:
                self._experiment = _experiment_from_dict(d)
        return self._experiment

    @experiment.setter
    def experiment(self, v):
        self._experiment = v

    @property
    def experimentResult(self):
        if self._experimentResult is None and self._raw is not None:
            d = self._decoded().get("experimentResult")
            if d is not None:
                self._experimentResult = Result._from_dict(d)
        return self._experimentResult

    @experimentResult.setter
    def experimentResult(self, v):
        self._experimentResult = v

    def to_dict(self) -> Dict[str, Any]:
        # growthbook 1.1.0's shape: ruleId only when a rule with an id decided
        data = {"value": self.value, "source": self.source, "on": self.on, "off": self.off}
        if self.ruleId:
            data["ruleId"] = self.ruleId
        if self.experiment:
            data["experiment"] = self.experiment.to_dict()
        if self.experimentResult:
            data["experimentResult"] = self.experimentResult.to_dict()
        return data

    def __repr__(self):
        return "FeatureResult(value=%r, source=%r)" % (self.value, self.source)
