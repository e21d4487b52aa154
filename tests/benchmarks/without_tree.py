"""`warroom` exactly as built, but with the Merkle tree's append (and its
preparation, the events decoded before the lock) and the server's check of
its log against the tree (`warroom.evidence.sentinel`) switched off:
the "same build without it" that `http_commands_without_tree` measures
against. Only the benchmark runs this, on a database of its own that it then
drops (its events have no leaves, so that log would not verify)."""

from __future__ import annotations

from typing import Any

from entrypoints.cli import main
from warroom.evidence.sentinel import Sentinel
from warroom.evidence.tree import Tree


def _no_leaves(*args: Any, **kwargs: Any) -> None:
    return None


def _nothing_prepared(*args: Any, **kwargs: Any) -> list[Any]:
    return []


if __name__ == "__main__":
    setattr(Tree, "append", _no_leaves)  # noqa: B010 - mypy: no method assignment
    setattr(Tree, "prepare", _nothing_prepared)  # noqa: B010
    # Its events have no leaves: the check would find the log broken at once.
    setattr(Sentinel, "check", _no_leaves)  # noqa: B010
    raise SystemExit(main())
