"""A hand-over packet: the documents released in a span, with their ledger
lines, as one zip file, for the days when IT fails and things go by memory
stick. With a password it is an AES-256 zip (WinZip's AES format), as the
council's password-protected hand-over folder was.

Inside:
- `documents/<first 12 hex of its SHA-256>-<its name>`: each document's bytes,
  once, however many lines released it;
- `ledger.csv` and `ledger.json`: the lines, each naming its `file`;
- `receipts/line-<n>.json`: each line's receipt (its leaf, inclusion proof and
  a signed checkpoint: `warroom verify-receipt FILE --key VKEY` checks it);
- `SHA256SUMS`: every other file's SHA-256 (`sha256sum -c SHA256SUMS`);
- `packet.json`: what the packet holds and the span it covers.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
import pyzipper

from projections.ledger import COLUMNS, LedgerRow, ledger_csv

# A packet's password, whenever one is given (an empty one included: it
# would make a zip that anyone opens while the sender believes it sealed).
SHORTEST_PASSWORD, LONGEST_PASSWORD = 8, 200


def password_problem(password: str | None) -> str | None:
    """Why `password` cannot seal a packet; None for a good one or none."""
    if password is not None and not (
        SHORTEST_PASSWORD <= len(password) <= LONGEST_PASSWORD
    ):
        return (
            f"a packet's password has {SHORTEST_PASSWORD} to {LONGEST_PASSWORD} "
            "characters"
        )
    return None


@dataclass(frozen=True)
class Span:
    """Lines released (by when it happened) from `start`, up to but not
    including `end`; either end may be open."""

    start: datetime | None = None
    end: datetime | None = None

    def holds(self, line: LedgerRow) -> bool:
        when = datetime.fromisoformat(line["occurred_at"])
        return (self.start is None or when >= self.start) and (
            self.end is None or when < self.end
        )


@dataclass
class Packet:
    inspection_id: str
    span: Span
    position: int
    lines: Sequence[LedgerRow]
    documents: Mapping[str, bytes]  # by SHA-256
    receipts: Mapping[int, bytes] = field(default_factory=dict)  # by line

    def files(self) -> dict[str, bytes]:
        """Every file of the packet, by its path in the zip."""
        # A case's copy is a line with no stored document (no sha256): it is
        # in the ledger and has its receipt, but no file.
        names = {
            line["sha256"]: line["document"] for line in self.lines if line["sha256"]
        }
        paths = {sha: f"documents/{sha[:12]}-{_safe(n)}" for sha, n in names.items()}
        files = {paths[sha]: self.documents[sha] for sha in names}
        lines = [
            {**line, "file": paths.get(line["sha256"] or "")} for line in self.lines
        ]
        files["ledger.json"] = orjson.dumps(
            {"lines": lines}, option=orjson.OPT_INDENT_2
        )
        rows = ({**line, "to": line["to_name"]} for line in lines)
        files["ledger.csv"] = ledger_csv(rows, (*COLUMNS, "file")).encode()
        for n, receipt in sorted(self.receipts.items()):
            files[f"receipts/line-{n}.json"] = receipt
        files["packet.json"] = orjson.dumps(self.manifest(), option=orjson.OPT_INDENT_2)
        files["SHA256SUMS"] = "".join(
            f"{hashlib.sha256(content).hexdigest()}  {path}\n"
            for path, content in sorted(files.items())
        ).encode()
        return files

    def manifest(self) -> dict[str, Any]:
        return {
            "inspection_id": self.inspection_id,
            "from": self.span.start.isoformat() if self.span.start else None,
            "to": self.span.end.isoformat() if self.span.end else None,
            "position": self.position,
            "lines": [line["line"] for line in self.lines],
            "documents": sorted(
                {line["sha256"] for line in self.lines if line["sha256"]}
            ),
            "receipts": len(self.receipts),
        }

    def zip(self, password: str | None = None) -> bytes:
        problem = password_problem(password)
        if problem is not None:
            raise ValueError(problem)
        out = io.BytesIO()
        if password is None:
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as plain:
                for path, content in self.files().items():
                    plain.writestr(path, content)
            return out.getvalue()
        with pyzipper.AESZipFile(
            out, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES
        ) as sealed:
            sealed.setpassword(password.encode())
            sealed.setencryption(pyzipper.WZ_AES, nbits=256)
            for path, content in self.files().items():
                sealed.writestr(path, content)
        return out.getvalue()


def _safe(name: str) -> str:
    # A name from a request becomes a path on someone's disk: no "../", no "/".
    kept = "".join(c if c.isalnum() or c in "._- " else "_" for c in name)
    return kept.strip(". ")[:100] or "document"
