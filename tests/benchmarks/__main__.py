"""`python -m tests.benchmarks [--db sqlite|postgresql|both] [--quick] [--out FILE]`.

Exits 0 when every measurement ran, whether or not it met its goal (goals are
reported as met or not met, with the gap); 1 when a measurement failed to run.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from tests.benchmarks.databases import KINDS, postgres_problem
from tests.benchmarks.results import Measurement, table, write_json
from tests.benchmarks.runner import STAGES, Plan, Run
from tests.benchmarks.stats import load_average

# A whole run is cut off after this long, whatever happens (seconds). The
# quick run takes about 200 s on an idle machine; CI's may be loaded.
LIMITS = {True: 900.0, False: 3 * 3600.0}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.benchmarks",
        description="The war room measured beside its own database's limits.",
    )
    parser.add_argument("--db", choices=(*KINDS, "both"), default="both")
    parser.add_argument(
        "--quick", action="store_true", help="small logs, short runs (CI)"
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="every stage at its smallest size: proves the benchmark runs "
        "(scripts/test); its figures are not worth quoting",
    )
    parser.add_argument("--out", type=Path, default=Path("benchmark-results.json"))
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated stages to run (default: all): " + ",".join(STAGES),
    )
    args = parser.parse_args(argv)
    only = frozenset(filter(None, args.only.split(",")))
    if unknown := only - set(STAGES):
        parser.error(
            f"unknown stage(s) {', '.join(sorted(unknown))}; known: {', '.join(STAGES)}"
        )

    plan = Plan.of(args.quick or args.smoke, smoke=args.smoke)
    kinds = list(KINDS) if args.db == "both" else [args.db]
    started = time.perf_counter()
    deadline = time.monotonic() + LIMITS[plan.quick]
    load_at_start = load_average()
    measurements: list[Measurement] = []
    with tempfile.TemporaryDirectory(prefix="warroom-bench-") as workdir:
        for kind in kinds:
            problem = postgres_problem() if kind == "postgresql" else None
            if problem is not None:
                failed = Measurement(name="all", db=kind, status="failed")
                failed.error = problem
                measurements.append(failed)
                print(f"[{kind}] {problem}", file=sys.stderr)
                continue
            measurements += Run(kind, plan, Path(workdir), deadline).all(only)
    seconds = time.perf_counter() - started
    settings = {
        "quick": plan.quick,
        "smoke": plan.smoke,
        "only": sorted(only),
        "databases": kinds,
        "plan": vars(plan),
        "seconds": round(seconds, 1),
        "load_average_1m": {"start": load_at_start, "end": load_average()},
    }
    write_json(args.out, measurements, settings)
    print()
    print(table(measurements))
    print(
        f"\n{'smoke' if plan.smoke else 'quick' if plan.quick else 'full'} run "
        f"on {', '.join(kinds)} "
        f"in {seconds:.0f} s; load average {load_at_start} -> {load_average()} "
        f"on 2 cores; results in {args.out}"
    )
    return 1 if any(m.status == "failed" for m in measurements) else 0


if __name__ == "__main__":
    raise SystemExit(main())
