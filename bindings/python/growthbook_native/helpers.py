"""The reference's module functions, computed by the library."""

import ctypes
import json
from typing import List, Optional, Tuple

from . import _lib
from ._abi import GB_SEMANTICS_PYTHON_1_1_0 as PYTHON_1_1_0


def _b(s) -> bytes:
    return s.encode("utf-8") if isinstance(s, str) else str(s).encode("utf-8")


def _j(v) -> bytes:
    return json.dumps(v, separators=(",", ":")).encode("utf-8")


def gbhash(seed: str, value: str, version: int) -> Optional[float]:
    out = ctypes.c_double()
    rc = _lib.check(_lib.gb_hash(_b(seed), _b(value), int(version), ctypes.byref(out)))
    return out.value if rc == 1 else None


def getEqualWeights(numVariations: int) -> List[float]:
    return json.loads(_lib.take_string(_lib.gb_get_equal_weights_json(int(numVariations))))


def getBucketRanges(numVariations: int, coverage: float = 1, weights: List[float] = None) -> List[Tuple[float, float]]:
    raw = _lib.take_string(
        _lib.gb_get_bucket_ranges_json(int(numVariations), float(coverage), None if weights is None else _j(weights))
    )
    return _python_number_types(json.loads(raw), numVariations, coverage, weights)


def _python_number_types(ranges, numVariations, coverage, weights):
    """The library computes in doubles; 1.1.0 in Python numbers, whose type follows its inputs':
    each range starts at `cumulative` (int 0, int while the weights so far are ints) and ends at
    start + coverage * weight (int when all three are). The same values, with 1.1.0's types."""
    if coverage < 0:
        coverage = 0
    if coverage > 1:
        coverage = 1
    valid = weights is not None and len(weights) == numVariations and 0.99 <= sum(weights) <= 1.01
    int_coverage = isinstance(coverage, int)
    int_so_far = True
    out = []
    for i, (start, end) in enumerate(ranges):
        int_weight = valid and i < len(weights) and isinstance(weights[i], int)
        out.append((int(start) if int_so_far else start,
                    int(end) if int_so_far and int_coverage and int_weight else end))
        int_so_far = int_so_far and int_weight
    return out


def chooseVariation(n: float, ranges: List[Tuple[float, float]]) -> int:
    out = ctypes.c_int()
    _lib.check(_lib.gb_choose_variation(float(n), _j([list(r) for r in ranges]), ctypes.byref(out)))
    return out.value


def inNamespace(userId: str, namespace: Tuple[str, float, float]) -> bool:
    return _lib.check(_lib.gb_in_namespace(_b(userId), _j(list(namespace)))) == 1


def getQueryStringOverride(id: str, url: str, numVariations: int) -> Optional[int]:
    out = ctypes.c_int()
    rc = _lib.check(_lib.gb_get_query_string_override(_b(id), _b(url or ""), int(numVariations), ctypes.byref(out)))
    return out.value if rc == 1 else None


def evalCondition(attributes: dict, condition: dict, savedGroups: dict = None, semantics: str = PYTHON_1_1_0) -> bool:
    """semantics: "python-1.1.0" (growthbook 1.1.0's, the default here) or "js", as
    GrowthBook(semantics=...)."""
    groups = None if savedGroups is None else _j(savedGroups)
    rc = _lib.gb_eval_condition_semantics_json(_b(semantics), _j(condition), _j(attributes), groups)
    return _lib.check(rc) == 1


def paddedVersionString(input) -> str:
    if isinstance(input, bool) or not isinstance(input, (int, float, str)) or input == "":
        input = "0"
    return _lib.take_string(_lib.gb_padded_version_string(_b(input))).decode("utf-8")


def decrypt(encrypted_str: str, key_str: str) -> str:
    """Decrypts an encrypted payload; raises ValueError when it cannot (as the reference's
    cryptography calls raise)."""
    ptr = _lib.gb_decrypt(_b(encrypted_str), _b(key_str))
    if not ptr:
        raise ValueError(_lib.error().args[0])
    return _lib.take_string(ptr).decode("utf-8")
