"""Module functions return growthbook 1.1.0's Python number types, not only its values: the
library computes in doubles, the reference in Python numbers whose type follows the inputs'.
Expected values are growthbook 1.1.0's own results."""

import pytest

from growthbook_native import getBucketRanges


@pytest.mark.parametrize("args,expected", [
    ((2, 1, [1, 0]), [(0, 1), (1, 1)]),
    ((2, 1, [1.0, 0.0]), [(0, 1.0), (1.0, 1.0)]),
    ((2, 1.0, None), [(0, 0.5), (0.5, 1.0)]),
    ((2,), [(0, 0.5), (0.5, 1.0)]),
    ((3, 1, [0, 0, 1]), [(0, 0), (0, 0), (0, 1)]),
    ((2, 0.5, [1, 0]), [(0, 0.5), (1, 1.0)]),
    ((2, 1.5, [0, 1]), [(0, 0), (0, 1)]),
    ((3, 1, [0.1, 0.2, 0.7]), [(0, 0.1), (0.1, 0.30000000000000004), (0.30000000000000004, 1.0)]),
    ((0,), []),
])
def test_get_bucket_ranges_types(args, expected):
    got = getBucketRanges(*args)
    assert got == expected
    assert [tuple(type(x) for x in r) for r in got] == [tuple(type(x) for x in r) for r in expected]
