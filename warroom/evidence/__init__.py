"""The verifiable log: a Merkle tree over every stored event, signed checkpoints,
proofs and receipts. Pure modules (`merkle`, `notes`, `leaf`, `receipt`) know no
database; `tree` keeps the tree in the log's own database."""
