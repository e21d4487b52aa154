"""`OwnPositions` (issue 22, finding 11): a council's own positions, 1, 2,
3..., map to the log's and back through its tree's leaves, and what they say
does not depend on how many events another council stored between.

(The routes do not use it yet: see the module's docstring for the design.)
"""

from __future__ import annotations

from tests.integration import test_organisation_trees as two_councils
from tests.integration.test_organisation_trees import Council, busy, tree_leaves
from warroom.evidence.positions import OwnPositions

# Leeds, the first council, and York, added after (their fixtures).
leeds, york = two_councils.leeds, two_councils.york


def own_positions(council: Council) -> OwnPositions:
    app = council.client.app
    return OwnPositions(app.evidence.tree, app.evidence.datastore)


def test_a_councils_own_positions_are_its_leaves_counted_whatever_another_stores(
    leeds: Council, york: Council
) -> None:
    for requests in (0, 1, 30, 2):
        busy(leeds, requests)
        busy(york, 1)
    positions = own_positions(york)
    leaves = tree_leaves(york.client.app, york.tree)  # (leaf index, log position)
    assert [index for index, _ in leaves] == list(range(len(leaves)))
    for index, log_position in leaves:
        assert positions.to_log(york.tree, index + 1) == log_position
        assert positions.to_own(york.tree, log_position) == index + 1
    assert positions.to_log(york.tree, 0) == 0
    assert positions.to_log(york.tree, len(leaves) + 1) is None  # past its end
    # Any log position in between (another council's event) reads as the
    # count of York's own events at or below it: no gap shows.
    owns = [positions.to_own(york.tree, p) for p in range(leaves[-1][1] + 40)]
    assert owns == sorted(owns) and set(owns) == set(range(len(leaves) + 1))
    leeds_leaves = tree_leaves(leeds.client.app, leeds.tree)
    ours = own_positions(leeds)
    assert [ours.to_own(leeds.tree, p) for _, p in leeds_leaves] == list(
        range(1, len(leeds_leaves) + 1)
    )
