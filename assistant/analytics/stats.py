"""Small statistics used by the figures: median, rate, Wilson interval and Newcombe's difference interval."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable

Z95 = 1.959963984540054


def median(values: Iterable[float]) -> float | None:
    """Returns the median, or None for no values."""
    values = list(values)
    return statistics.median(values) if values else None


def rate(part: int, whole: int) -> float | None:
    """Returns part / whole, or None when whole is 0 (no data is not a zero rate)."""
    return part / whole if whole else None


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Returns the Wilson score interval of a proportion (95% by default)."""
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe(successes_a: int, n_a: int, successes_b: int, n_b: int, z: float = Z95) -> tuple[float, float, float]:
    """Returns (difference p_a - p_b, lower, upper): Newcombe's hybrid score interval (method 10, 1998)."""
    p_a, p_b = successes_a / n_a, successes_b / n_b
    l_a, u_a = wilson(successes_a, n_a, z)
    l_b, u_b = wilson(successes_b, n_b, z)
    difference = p_a - p_b
    lower = difference - math.sqrt((p_a - l_a) ** 2 + (u_b - p_b) ** 2)
    upper = difference + math.sqrt((u_a - p_a) ** 2 + (p_b - l_b) ** 2)
    return difference, lower, upper
