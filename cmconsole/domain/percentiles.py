"""Percentiles by nearest rank: always one of the measured values, never an interpolation."""

import math
from collections.abc import Sequence


def percentile(values: Sequence[float], share: float) -> float | None:
    """The smallest value with at least `share` (0 < share <= 1) of the values at or below it;
    None when there are none. The median is percentile(values, 0.5)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]
