"""The tree's proofs against RFC 9162 as the RFC writes it, not as we do.

`mth`, `path` and `proof` below are section 2.1.1, 2.1.3.1 and 2.1.4.1 typed
out as the RFC states them (recursive, on lists of leaves), sharing no code
with `warroom.evidence.merkle`, which keeps subtree hashes and folds ranges.
"""

from __future__ import annotations

import hashlib
import random

from warroom.evidence import merkle
from warroom.evidence.merkle import CompactRange
from warroom.evidence.notes import Checkpoint, Signer, Verifier


def sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def k_of(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(d: list[bytes]) -> bytes:
    if not d:
        return sha(b"")
    if len(d) == 1:
        return sha(b"\x00" + d[0])
    k = k_of(len(d))
    return sha(b"\x01" + mth(d[:k]) + mth(d[k:]))


def path(m: int, d: list[bytes]) -> list[bytes]:
    if len(d) == 1:
        return []
    k = k_of(len(d))
    if m < k:
        return [*path(m, d[:k]), mth(d[k:])]
    return [*path(m - k, d[k:]), mth(d[:k])]


def subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if b else [mth(d)]
    k = k_of(n)
    if m <= k:
        return [*subproof(m, d[:k], b), mth(d[k:])]
    return [*subproof(m - k, d[k:], False), mth(d[:k])]


def proof(m: int, d: list[bytes]) -> list[bytes]:
    return subproof(m, d, True)


class StoredTree:
    """Our side: leaves appended one by one, every completed node kept."""

    def __init__(self) -> None:
        self.compact = CompactRange()
        self.nodes: dict[tuple[int, int], bytes] = {}

    def append(self, leaf: bytes) -> None:
        hashed = merkle.leaf_hash(leaf)
        self.nodes[(0, self.compact.size)] = hashed
        for level, index, value in self.compact.append(hashed):
            self.nodes[(level, index)] = value

    def inclusion(self, index: int, size: int) -> list[bytes]:
        return merkle.hash_ranges(merkle.inclusion_ranges(index, size), self.nodes)

    def consistency(self, old: int, new: int) -> list[bytes]:
        return merkle.hash_ranges(merkle.consistency_ranges(old, new), self.nodes)


LEAVES = [f"event {i}".encode() for i in range(300)]


def test_roots_and_both_proofs_match_the_rfc_for_every_size_up_to_300() -> None:
    rng = random.Random(9162)
    tree = StoredTree()
    for n in range(1, 301):
        tree.append(LEAVES[n - 1])
        d = LEAVES[:n]
        root = mth(d)
        assert tree.compact.root() == root
        assert merkle.root_from(n, tree.nodes) == root
        for index in {0, n - 1, rng.randrange(n), rng.randrange(n)}:
            ours = tree.inclusion(index, n)
            assert ours == path(index, d), (index, n)
            leaf = merkle.leaf_hash(d[index])
            assert merkle.verify_inclusion(leaf, index, n, ours, root)
        for old in {1, n, rng.randint(1, n), rng.randint(1, n)}:
            ours = tree.consistency(old, n)
            assert ours == proof(old, d), (old, n)
            assert merkle.verify_consistency(old, n, mth(d[:old]), root, ours)


def test_a_proof_with_any_hash_changed_or_for_another_leaf_is_rejected() -> None:
    rng = random.Random(12)
    tree = StoredTree()
    for leaf in LEAVES[:300]:
        tree.append(leaf)
    for n in rng.sample(range(2, 301), 40):
        root = mth(LEAVES[:n])
        index = rng.randrange(n)
        good = tree.inclusion(index, n)
        leaf = merkle.leaf_hash(LEAVES[index])
        other = merkle.leaf_hash(b"not in the log")
        assert not merkle.verify_inclusion(other, index, n, good, root)
        if good:
            bad = list(good)
            bad[rng.randrange(len(bad))] = sha(b"forged")
            assert not merkle.verify_inclusion(leaf, index, n, bad, root)
        old = rng.randint(1, n - 1)
        consistent = tree.consistency(old, n)
        assert not merkle.verify_consistency(
            old, n, mth(LEAVES[:old]), sha(b"another root"), consistent
        )
        assert not merkle.verify_consistency(
            old, n, sha(b"another old root"), root, consistent
        )


def test_a_compact_range_survives_being_stored_and_read_back() -> None:
    compact = CompactRange()
    for leaf in LEAVES[:77]:
        compact.append(merkle.leaf_hash(leaf))
    again = CompactRange.from_bytes(77, compact.to_bytes())
    again.append(merkle.leaf_hash(LEAVES[77]))
    assert again.root() == mth(LEAVES[:78])


def test_keys_round_trip_through_their_text_even_when_base64_holds_a_plus() -> None:
    signers = [Signer.generate("example.gov.uk/warroom") for _ in range(40)]
    assert any("+" in s.key_text().split("+", 4)[4] for s in signers)
    for signer in signers:
        again = Signer.parse(signer.key_text())
        assert again.verifier_text() == signer.verifier_text()
        note = Checkpoint("example.gov.uk/warroom", 3, b"\x07" * 32).signed(again)
        checked = Checkpoint.verified(note, Verifier.parse(signer.verifier_text()))
        assert checked.size == 3
