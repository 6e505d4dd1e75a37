"""Timing helpers: the median of several runs after one to warm the caches."""

import statistics
import time
from collections.abc import Callable


def median_ms(call: Callable[[], object], repeats: int) -> float:
    call()  # warm the caches once
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def paired_median_ms(
    ours: Callable[[], object], baseline: Callable[[], object], repeats: int
) -> tuple[float, float]:
    """Medians of two calls measured in alternation, so that both see the same machine."""
    ours()
    baseline()
    mine, theirs = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        ours()
        mine.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        baseline()
        theirs.append((time.perf_counter() - started) * 1000)
    return statistics.median(mine), statistics.median(theirs)
