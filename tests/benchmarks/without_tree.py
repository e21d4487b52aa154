"""`warroom` exactly as built, but with the Merkle tree's append switched off:
the "same build without it" that `http_commands_without_tree` measures
against. Only the benchmark runs this, on a database of its own that it then
drops (its events have no leaves, so that log would not verify)."""

from __future__ import annotations

from typing import Any

from entrypoints.cli import main
from warroom.evidence.tree import Tree


def _no_leaves(*args: Any, **kwargs: Any) -> None:
    return None


if __name__ == "__main__":
    setattr(Tree, "append", _no_leaves)  # noqa: B010 - mypy: no method assignment
    raise SystemExit(main())
