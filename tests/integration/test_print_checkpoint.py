"""The printed ledger carries the signed checkpoint it was printed against,
on both databases: the page and its PDF (read back with pdftotext) give the
note in full and its parts in words, and the note copied off the paper
checks with `warroom verify --checkpoint` against the log and the council's
key; a copy whose size was altered does not."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tests.conftest import TEST_VERIFIER_KEY
from tests.helpers import Inspection, WarRoomClient, new_request, walk_request
from tests.integration.test_print import page_text, pdf_pages
from tests.servers import warroom
from warroom.evidence.notes import Checkpoint, Verifier

NOTE = re.compile(r"(\S+)\n(\d+)\n(\S{44})\n\n— (\S+) (\S+)")


def note_off_paper(pdf_text: str) -> str:
    """The checkpoint as someone types it from the printout: origin, size,
    root, a blank line, the signature line."""
    lines = [line.strip() for line in pdf_text.splitlines()]
    marker = next(i for i, line in enumerate(lines) if "The signed checkpoint" in line)
    start = lines.index("warroom.test/log", marker)  # the origin, a line alone
    origin, size, root = lines[start : start + 3]
    signature = next(line for line in lines[start:] if line.startswith("— "))
    return f"{origin}\n{size}\n{root}\n\n{signature}\n"


def test_the_printed_ledger_carries_a_checkpoint_a_paper_copy_is_checked_with(
    client: WarRoomClient, inspection: Inspection, database_url: str, tmp_path: Path
) -> None:
    rid = new_request(client, inspection, title="Annex A: children in need")
    walk_request(client, inspection, rid, "released")
    path = f"/print/inspections/{inspection.id}/ledger"
    page = client.get("auditor", path)
    assert page.status_code == 200, page.text
    head = client.app.evidence.head()
    checkpoint = Checkpoint.verified(
        client.get("auditor", "/api/log/checkpoint").text,
        Verifier.parse(TEST_VERIFIER_KEY),
    )
    assert checkpoint.size == head.size  # nothing stored since the print
    shown = page_text(page.text)
    said = f"printed against the council's signed log when it held {head.size} entries"
    assert said in shown
    root = checkpoint.text().split("\n")[2]
    assert f"Fingerprint {root} (the root hash of all its entries)" in shown
    assert "Signed with warroom.test/log (key id 93a2c5ce)" in shown
    assert "warroom verify --checkpoint FILE --key VKEY" in shown

    pdf = client.get("auditor", path, format="pdf")
    assert pdf.status_code == 200, pdf.text
    printed = "\n".join(pdf_pages(pdf.content))
    assert said in printed
    raw = subprocess.run(
        ["pdftotext", "-layout", "-", "-"],
        input=pdf.content,
        capture_output=True,
        check=True,
    )
    note = note_off_paper(raw.stdout.decode())
    assert NOTE.fullmatch(note.rstrip("\n")), note
    Checkpoint.verified(note, Verifier.parse(TEST_VERIFIER_KEY))  # signed, intact
    paper = tmp_path / "from-paper.txt"
    paper.write_text(note)
    checked = warroom(
        database_url, "verify", "--checkpoint", str(paper), "--key", TEST_VERIFIER_KEY
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "intact" in checked.stdout

    # A copy altered on paper (one more entry than was signed) is refused.
    size = str(head.size)
    altered = tmp_path / "altered.txt"
    altered.write_text(note.replace(f"\n{size}\n", f"\n{head.size + 1}\n", 1))
    refused = warroom(
        database_url, "verify", "--checkpoint", str(altered), "--key", TEST_VERIFIER_KEY
    )
    assert refused.returncode != 0
