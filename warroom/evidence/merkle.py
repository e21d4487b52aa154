"""The log's Merkle tree, hashed as RFC 9162 section 2.1 says.

leaf hash = SHA-256(0x00 || leaf bytes); node = SHA-256(0x01 || left || right).

The tree is kept as the hashes of its complete, aligned subtrees: node
(level, index) is the hash of leaves [index * 2**level, (index + 1) * 2**level).
Level 0 is the leaves. Every range the RFC's algorithms ask for starts at a
multiple of a power of two at least as large as itself, so its hash folds from
at most log2(n) stored nodes (`aligned_blocks`): a root, an inclusion proof or
a consistency proof costs O(log n) stored hashes, never a rehash of the log.

Appending needs only the "compact range" of the tree: the hashes of the
complete subtrees that its size decomposes into, one per set bit
(`CompactRange`). Each appended leaf completes, on average, one more node.

This module is pure: it reads nodes through a mapping and knows no database.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

Node = tuple[int, int]  # (level, index)

EMPTY_ROOT = hashlib.sha256(b"").digest()


class Nodes(Protocol):
    """Stored (or recomputed) hashes of complete subtrees, by (level, index)."""

    def __getitem__(self, node: Node, /) -> bytes: ...


def leaf_hash(leaf: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def aligned_blocks(lo: int, hi: int) -> list[Node]:
    """The complete subtrees [lo, hi) folds from, left to right."""
    blocks: list[Node] = []
    start = lo
    size = hi - lo
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            assert start % (1 << level) == 0, "range not aligned"
            blocks.append((level, start >> level))
            start += 1 << level
    return blocks


def fold(hashes: Sequence[bytes]) -> bytes:
    """The hash of a range from its aligned blocks' hashes (right to left)."""
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = node_hash(left, result)
    return result


# --- which ranges a proof is made of (RFC 9162 2.1.3.1 and 2.1.4.1) ---------


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """PATH(index, D[0:size]) as the ranges whose hashes it lists, in order."""
    if not 0 <= index < size:
        raise ValueError(f"index {index} is not in a tree of size {size}")
    path: list[tuple[int, int]] = []
    lo, hi, m = 0, size, index
    while hi - lo > 1:
        k = _split(hi - lo)
        if m < k:
            path.append((lo + k, hi))
            hi = lo + k
        else:
            path.append((lo, lo + k))
            lo, m = lo + k, m - k
    path.reverse()
    return path


def consistency_ranges(old: int, new: int) -> list[tuple[int, int]]:
    """PROOF(old, D[0:new]) as the ranges whose hashes it lists, in order."""
    if not 0 < old <= new:
        raise ValueError(f"no consistency proof from {old} to {new}")
    proof: list[tuple[int, int]] = []
    lo, hi, m, complete = 0, new, old, True
    while m != hi - lo:
        k = _split(hi - lo)
        if m <= k:
            proof.append((lo + k, hi))
            hi = lo + k
        else:
            proof.append((lo, lo + k))
            lo, m, complete = lo + k, m - k, False
    if not complete:
        proof.append((lo, hi))
    proof.reverse()
    return proof


def nodes_for(ranges: Iterable[tuple[int, int]]) -> set[Node]:
    return {node for lo, hi in ranges for node in aligned_blocks(lo, hi)}


def hash_ranges(ranges: Iterable[tuple[int, int]], nodes: Nodes) -> list[bytes]:
    return [fold([nodes[n] for n in aligned_blocks(lo, hi)]) for lo, hi in ranges]


def root_nodes(size: int) -> list[Node]:
    return aligned_blocks(0, size)


def root_from(size: int, nodes: Nodes) -> bytes:
    if size == 0:
        return EMPTY_ROOT
    return fold([nodes[n] for n in aligned_blocks(0, size)])


# --- checking proofs (RFC 9162 2.1.3.2 and 2.1.4.2) -------------------------


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """Whether `proof` shows the leaf hash `leaf` at `index` in the tree `root`."""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    old_size: int,
    new_size: int,
    old_root: bytes,
    new_root: bytes,
    proof: Sequence[bytes],
) -> bool:
    """Whether `proof` shows tree `old_root` is a prefix of tree `new_root`."""
    if not 0 < old_size <= new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root leads
        path.insert(0, old_root)
    if not path:
        return False
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root


# --- appending ---------------------------------------------------------------


@dataclass
class CompactRange:
    """The hashes of the complete subtrees a tree of `size` decomposes into,
    largest first: all that appending to it and its root need."""

    size: int = 0
    hashes: list[bytes] = field(default_factory=list)

    def append(self, leaf: bytes) -> list[tuple[int, int, bytes]]:
        """Adds one leaf hash; the interior nodes it completes, (level, index, hash)."""
        completed: list[tuple[int, int, bytes]] = []
        index, level, current = self.size, 0, leaf
        while index & 1:
            current = node_hash(self.hashes.pop(), current)
            index >>= 1
            level += 1
            completed.append((level, index, current))
        self.hashes.append(current)
        self.size += 1
        return completed

    def root(self) -> bytes:
        return fold(self.hashes) if self.hashes else EMPTY_ROOT

    def to_bytes(self) -> bytes:
        return b"".join(self.hashes)

    @classmethod
    def from_bytes(cls, size: int, packed: bytes) -> CompactRange:
        hashes = [packed[i : i + 32] for i in range(0, len(packed), 32)]
        assert len(hashes) == size.bit_count(), "compact range does not fit its size"
        return cls(size=size, hashes=hashes)
