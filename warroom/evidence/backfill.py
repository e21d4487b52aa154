"""`warroom tree backfill`: the tree of a log written before it was kept.

Never on start and never by `verify`: a log with events and no tree is a
break until someone says otherwise, because a tree made from the rows as they
are now would prove rows that may have been rewritten (ARCHITECTURE.md,
"Verification only reads"). So it is one explicit command, which adds a leaf
for each event in log order and stores a `TreeBackfilled` event (who, which
positions; its own timestamp says when), all in one transaction: the leaves
are never there without the event that says how they came to be. From then
on checkpoints, receipts and `verify` say that those positions are proven
only from that moment (`warroom.evidence.backfilled`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from eventsourcing.persistence import Mapper, StoredEvent

from warroom.domain.base import Context
from warroom.domain.tree_backfill import TreeBackfill
from warroom.evidence.backfilled import Backfilled
from warroom.evidence.tree import Cursor, Tree
from warroom.logged import LoggedEvent

PAGE = 5000
ACTOR = "warroom tree backfill"


HEAD_RESET = (
    "the tree's head holds no leaf, yet its leaves remain: the tree was "
    "tampered with, not an old log; `warroom verify` names the break"
)


class Refused(ValueError):
    """Nothing to backfill, or a tree that must not be made again."""


class TreeMissing(ValueError):
    """A log with events and no tree: not to be served or appended to."""


def missing_tree_words(events_up_to: int) -> str:
    return (
        f"the log holds events (up to position {events_up_to}) but no Merkle "
        "tree: if it was written before the tree was kept, run `warroom tree "
        "backfill` once (it records who made the tree and when); if not, the "
        "tree was removed: `warroom verify` names the break"
    )


def refuse_without_tree(recorder: Any) -> None:
    """TreeMissing if the log has events and its tree has no leaf: appending
    would give the next event leaf 0, and the tree would never hold the rest."""
    last = recorder.max_notification_id() or 0
    if not last:
        return
    with recorder.datastore.transaction(commit=False) as c:
        # Every council's tree together: the first's may be empty while
        # another's grows.
        size = recorder.tree.leaves_in_all(c)
        leaves = recorder.tree.any_leaf(c)
    if size:
        return
    if leaves:
        raise TreeMissing(HEAD_RESET)
    raise TreeMissing(missing_tree_words(last))


def backfill_tree(recorder: Any, mapper: Mapper[Any], by: str) -> Backfilled:
    """Leaves for every stored event, and the `TreeBackfilled` event, in one
    transaction; Refused if the tree has leaves, the log no events, or the
    log was backfilled before."""
    earlier = recorder.select_events(TreeBackfill.create_id(), limit=1)
    if earlier:
        done = LoggedEvent.from_domain_event(mapper.to_domain_event(earlier[0]), 0)
        raise Refused(
            f"this log's tree was made by `warroom tree backfill` before "
            f"({Backfilled.of(done).at}, by {done.actor_name}): a tree missing "
            "since was removed; `warroom verify` names the break"
        )
    tree: Tree = recorder.tree
    if tree.kind == "postgresql":
        with (
            recorder.datastore.get_connection() as conn,
            conn.transaction(),
            conn.cursor() as curs,
        ):
            curs.execute(f"LOCK TABLE {tree.events_table} IN EXCLUSIVE MODE")
            stored, backfilled = _leaves(curs, tree, mapper, by)
            recorder._insert_stored_events(curs, stored)
            recorder._fetch_ids_after_insert_events(curs, stored)
        return backfilled
    with recorder.datastore.transaction(commit=True) as c:
        c.execute(f"UPDATE {tree.head_table} SET size=size")  # the write lock
        stored, backfilled = _leaves(c, tree, mapper, by)
        recorder._insert_events(c, stored)
    return backfilled


def _leaves(
    c: Cursor, tree: Tree, mapper: Mapper[Any], by: str
) -> tuple[list[StoredEvent], Backfilled]:
    """Under the appends' lock: the leaves, and the event that records them."""
    size = tree.leaves_in_all(c)
    if size:
        raise Refused(f"the log's trees have {size} leaves already")
    if tree.any_leaf(c):
        raise Refused(HEAD_RESET)
    first = last = added = 0
    while page := tree.events_after(c, last, PAGE):
        tree.backfill_page(c, mapper, page)
        first, last, added = first or page[0].id, page[-1].id, added + len(page)
    if not added:
        raise Refused("the log holds no events: its tree grows as they are stored")
    ctx = Context(actor=ACTOR, actor_name=by, occurred_at=datetime.now(UTC))
    record = TreeBackfill(first, last, added, ctx.meta())
    events = record.collect_events()
    stored = [mapper.to_stored_event(e) for e in events]
    done = LoggedEvent.from_domain_event(events[0], 0)
    return stored, Backfilled.of(done)
