"""The verifiable log: a Merkle tree over every stored event (RFC 9162),
signed checkpoints (C2SP tlog-checkpoint in a signed-note, Ed25519), proofs,
receipts, and the full check.

What other parts (export and import, packets) reuse:

- `leaf.leaf_bytes(logged_event)` / `leaf.leaf_of(mapper, notification)`: a
  leaf's bytes, the event's canonical JSON (it holds the event's position:
  a log rebuilt elsewhere has the same root only at the same positions);
- `merkle`: leaf and node hashes, `CompactRange`, the ranges and hashes of
  inclusion and consistency proofs, and checking them;
- `notes`: `Signer`, `Verifier`, `Checkpoint` (`.signed(signer)`,
  `Checkpoint.verified(note, verifier)`);
- `receipt.verify_receipt(receipt, verifier)`: a receipt checked offline;
- `log.VerifiableLog`, as `WarRoom.evidence`: `head()`, `root_at(size)`,
  `inclusion(index, size)`, `consistency(old, new)`, `receipt(position,
  signer)`, `seals(inspection_id)`, `verify(checkpoints, verifier, progress)`
  (the walk itself in `walk`, which reads the log in one ordered pass);
- `keys.load_signer(database, key, key_file)`: where the signing key comes from.
- `readonly.ReadOnlyLog(database)`: the log opened so that the database
  refuses any write (`warroom verify`, `GET /api/verify`, the live check);
- `backfill.backfill_tree(...)`: `warroom tree backfill`, the only way an old
  log gets its tree, recorded (`backfilled.Backfilled`: what checkpoints,
  receipts and `verify` then say);
- `broken.LogBroken` / `LogHealth`: `log_broken`, found by appends
  (`refuse_taken`) and by `sentinel.Sentinel`, the live server's check of
  what it folds against the tree.

Pure modules (`merkle`, `notes`, `leaf`, `receipt`) know no database; `tree`
keeps the tree in the log's own database, written by `warroom.storage`'s
recorders in the events' transaction (and holds the SQL `walk` reads it
with).
"""
