"""Medians with their spread, percentiles, and the load the machine was under."""

from __future__ import annotations

import os
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100), linear between the closest ranks."""
    if not values:
        raise ValueError("no values to take a percentile of")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100.0
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass
class Figure:
    """One figure measured over several runs: reported as the median and spread."""

    unit: str
    runs: list[float] = field(default_factory=list)
    # Higher is better (rates) or lower is better (latencies, seconds).
    higher_is_better: bool = False

    def add(self, value: float) -> None:
        self.runs.append(value)

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    @property
    def spread_pct(self) -> float:
        """(max - min) / median, in percent: how far the runs disagreed."""
        if len(self.runs) < 2 or self.median == 0:
            return 0.0
        return (max(self.runs) - min(self.runs)) / abs(self.median) * 100.0

    def to_json(self) -> dict[str, Any]:
        if not self.runs:  # its stage failed before the first run: say so
            return {"unit": self.unit, "runs": []}
        return {
            "median": _round(self.median),
            "min": _round(min(self.runs)),
            "max": _round(max(self.runs)),
            "spread_pct": round(self.spread_pct, 1),
            "unit": self.unit,
            "runs": [_round(v) for v in self.runs],
        }

    def short(self) -> str:
        if not self.runs:
            return "not measured"
        return f"{human(self.median, self.unit)} ±{self.spread_pct:.0f}%"


def human(value: float, unit: str) -> str:
    if unit == "ms":
        return f"{value:,.1f} ms" if value < 100 else f"{value:,.0f} ms"
    if unit == "s":
        return f"{value:,.2f} s"
    if unit == "KiB":
        return f"{value:,.1f} KiB"
    if unit.endswith("/s"):
        return f"{value:,.0f} {unit}"
    return f"{value:,.3g} {unit}"


def _round(value: float) -> float:
    return round(value, 4) if abs(value) < 100 else round(value, 1)


def load_average() -> float:
    """The 1-minute load average: above the core count, the numbers are noisy."""
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return -1.0
