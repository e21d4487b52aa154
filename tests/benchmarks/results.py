"""What one measurement reports, its goals and ratios, and the printed table."""

from __future__ import annotations

import json
import os
import platform
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.benchmarks.stats import Figure, human, load_average


@dataclass
class Measurement:
    name: str
    db: str
    # measured | failed | not built
    status: str = "measured"
    figures: dict[str, Figure] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    ratios: list[dict[str, Any]] = field(default_factory=list)
    goals: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str | None = None
    load_before: float = field(default_factory=load_average)
    load_after: float | None = None
    seconds: float = 0.0

    def figure(self, key: str, unit: str, *, higher_is_better: bool = False) -> Figure:
        if key not in self.figures:
            self.figures[key] = Figure(unit=unit, higher_is_better=higher_is_better)
        return self.figures[key]

    def goal_at_most(self, key: str, limit: float, label: str) -> None:
        """A figure's median must stay under a limit."""
        value = self.figures[key].median
        met = value < limit
        self.goals.append(
            {
                "goal": label,
                "figure": key,
                "measured": round(value, 4),
                "limit": limit,
                "met": met,
                "gap": None if met else f"{value / limit:.2f} x the limit",
            }
        )

    def ratio(
        self,
        key: str,
        mine: str,
        other: Measurement,
        theirs: str,
        at_least: float | None,
        label: str,
    ) -> None:
        """This run's figure over another measurement's figure from the same run."""
        numerator = self.figures[mine].median
        denominator = other.figures[theirs].median
        value = numerator / denominator if denominator else 0.0
        entry: dict[str, Any] = {
            "ratio": key,
            "value": round(value, 4),
            "numerator": {
                "name": self.name,
                "db": self.db,
                "figure": mine,
                **self.figures[mine].to_json(),
            },
            "denominator": {
                "name": other.name,
                "db": other.db,
                "figure": theirs,
                **other.figures[theirs].to_json(),
            },
        }
        self.ratios.append(entry)
        if at_least is not None:
            met = value >= at_least
            self.goals.append(
                {
                    "goal": label,
                    "figure": key,
                    "measured": round(value, 4),
                    "limit": at_least,
                    "met": met,
                    "gap": None
                    if met
                    else f"{at_least / value:.1f} x short"
                    if value
                    else "nothing measured",
                }
            )

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "db": self.db,
            "status": self.status,
            "figures": {k: f.to_json() for k, f in self.figures.items()},
            "ratios": self.ratios,
            "goals": self.goals,
            "params": self.params,
            "notes": self.notes,
            "error": self.error,
            "load_average_1m": {"before": self.load_before, "after": self.load_after},
            "seconds": round(self.seconds, 2),
        }


# The figures shown in the table for each measurement, in order.
HEADLINE: dict[str, tuple[str, ...]] = {
    "library_append": ("events_per_s",),
    "http_commands": ("commands_per_s", "p50_ms", "p99_ms"),
    "library_replay": ("events_per_s",),
    "rebuild": ("events_per_s", "paired_ratio"),
    "as_of": ("p50_ms", "p95_ms"),
    "cold_start": ("first_answer_s", "no_saved_views_first_answer_s"),
    "serve_after_killed_rebuild": (
        "rebuild_s",
        "serve_s",
        "rebuild_cpu_s",
        "serve_cpu_s",
        "rebuild_rss_mib",
        "serve_rss_mib",
    ),
    "command_throughput": (
        "commands_per_s",
        "p99_ms",
        "server_cpu_ms_per_command",
        "generator_cpu_ms_per_command",
        "thin_peer_server_cpu_ms_per_command",
    ),
    "thin_peer": (
        "commands_per_s",
        "p99_ms",
        "server_cpu_ms_per_command",
        "generator_cpu_ms_per_command",
    ),
    "command_stalls": ("p50_ms", "p99_ms", "slowest_catch_up_s"),
}


def table(measurements: list[Measurement]) -> str:
    rows = [("measurement", "db", "figures (median ±spread)", "goal")]
    for m in measurements:
        if m.status != "measured":
            detail = m.status if not m.error else f"{m.status}: {m.error}"
            rows.append((m.name, m.db, detail[:110], "-"))
            continue
        keys = HEADLINE.get(m.name) or tuple(
            k
            for k in m.figures
            if (k.endswith("p99_ms") and "from_request" not in k)
            or k == "kib_per_stream"
        )
        shown = [f"{k} {m.figures[k].short()}" for k in keys if k in m.figures]
        shown += [f"{r['ratio']} {r['value']:.2f}x" for r in m.ratios]
        verdicts = [
            f"{'MET' if g['met'] else 'NOT MET'} {g['goal']}"
            + ("" if g["met"] else f" ({g['gap']})")
            for g in m.goals
        ]
        rows.append((m.name, m.db, "; ".join(shown), "; ".join(verdicts) or "baseline"))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = []
    for i, row in enumerate(rows):
        lines.append(
            "  ".join(c.ljust(w) for c, w in zip(row[:3], widths, strict=True))
            + "  "
            + row[3]
        )
        if i == 0:
            lines.append("-" * min(160, sum(widths) + 6 + len(row[3])))
    return "\n".join(lines)


def write_json(
    path: Path, measurements: list[Measurement], settings: dict[str, Any]
) -> None:
    document = {
        "benchmark": "warroom",
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "settings": settings,
        "measurements": [m.to_json() for m in measurements],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n")


__all__ = ["Measurement", "human", "table", "write_json"]
