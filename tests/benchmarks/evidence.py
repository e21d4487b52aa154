"""The verifiable log's costs: appending with and without the tree, side by
side; verifying the whole log; a proof and a checkpoint at the log's size."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from tests.benchmarks.library import Note
from warroom.application import WarRoom
from warroom.config import Database
from warroom.evidence.notes import Signer


def append_pair(url: str, seconds: float) -> tuple[float, float]:
    """Events/s appending one event per transaction, serially, through the
    product's recorder: (with the tree, with the tree's append switched off).

    Both on the same database, back to back, so the only difference is the
    tree's work in the transaction (its leaf, its nodes, its head) and the
    decoding of the events for their leaves, just before it.
    """
    app = WarRoom(Database.from_url(url))
    meta: dict[str, Any] = {
        "actor": "0b7c1f5e-8d9a-4a43-9b0e-3f7f8e1a9c55",
        "actor_name": "Karen Andrews",
        "occurred_at": datetime.now(UTC).isoformat(),
        "inspection_id": "6f1c2b8e-6a43-4b43-9b0e-3f7f8e1a9c55",
        "idempotency_key": None,
    }
    tree = app.recorder.tree  # type: ignore[attr-defined]
    append, prepare = tree.append, tree.prepare
    off = lambda *args, **kwargs: None  # noqa: E731
    unprepared: Callable[..., list[Any]] = lambda *args, **kwargs: []  # noqa: E731
    counts, times = [0, 0], [0.0, 0.0]
    try:
        for _ in range(20):
            app.save(Note(meta["inspection_id"], "warm-up", meta))
        # Alternating slices of a tenth of a second, so that drift in the
        # machine's load and the tables' growth hit both sides alike.
        for turn in range(max(2, round(seconds * 20))):
            side = turn % 2
            tree.append = append if side == 0 else off
            tree.prepare = prepare if side == 0 else unprepared
            count, spent = _slice(app, meta, 0.1)
            counts[side] += count
            times[side] += spent
        return counts[0] / times[0], counts[1] / times[1]
    finally:
        tree.append, tree.prepare = append, prepare
        app.close()


def _slice(app: WarRoom, meta: dict[str, Any], seconds: float) -> tuple[int, float]:
    count = 0
    started = time.perf_counter()
    deadline = started + seconds
    while time.perf_counter() < deadline:
        app.save(Note(meta["inspection_id"], "Supervision records", meta))
        count += 1
    return count, time.perf_counter() - started


def verify_rate(app: WarRoom) -> tuple[int, float, bool]:
    """(events, seconds, intact) of `warroom verify` over the whole log."""
    started = time.perf_counter()
    report = app.evidence.verify()
    return report.events, time.perf_counter() - started, report.intact


def proof_and_checkpoint_ms(app: WarRoom, samples: int) -> tuple[float, float]:
    """Median ms of an inclusion proof (random leaf, whole tree) and of a
    signed checkpoint of the head, as the routes make them."""
    signer = Signer.generate("warroom.benchmark/log")
    size = app.evidence.head().size
    rng = random.Random(7)
    proofs, checkpoints = [], []
    for _ in range(samples):
        started = time.perf_counter()
        app.evidence.inclusion(rng.randrange(size), size)
        proofs.append(time.perf_counter() - started)
        started = time.perf_counter()
        app.evidence.checkpoint(signer)
        checkpoints.append(time.perf_counter() - started)
    proofs.sort()
    checkpoints.sort()
    return proofs[len(proofs) // 2] * 1000, checkpoints[len(checkpoints) // 2] * 1000
