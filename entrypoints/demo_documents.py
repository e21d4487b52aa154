"""The demo's documents, each what its name says: a .pdf is a PDF.

Made with WeasyPrint, which the war room already uses for its print pages, so
that a document downloaded from the demo opens in any PDF reader (and
`pdftotext` reads its words back).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class DemoDocument:
    name: str
    version: str
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def pdf(title: str, paragraphs: list[str]) -> bytes:
    """A one-page PDF: a heading and its paragraphs."""
    # Imported here: WeasyPrint loads pango and fonts, which only PDFs need.
    from weasyprint import HTML

    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    html = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(title)}</title>"
        "<style>@page { size: A4; margin: 2cm } body { font-family: sans-serif }"
        "</style></head>"
        f"<body><h1>{escape(title)}</h1>{body}</body></html>"
    )
    made: bytes = HTML(string=html).write_pdf()
    return made


def sufficiency_strategy() -> DemoDocument:
    return DemoDocument(
        name="sufficiency-strategy.pdf",
        version="2",
        content=pdf(
            "Sufficiency Strategy 2016 (draft 2)",
            [
                "How the council will make sure there are enough good placements "
                "for the children it looks after, close to home.",
                "1. Where we are: 612 children looked after; 71% placed within "
                "20 miles; 9% in residential care.",
                "2. What we will do: recruit 40 more foster carers by March; "
                "open two small children's homes; commission supported lodgings "
                "for care leavers.",
                "3. How we will know: placement stability, distance from home and "
                "care leavers in suitable accommodation, reported monthly.",
            ],
        ),
    )


def caseload_report() -> DemoDocument:
    """A CSV, as the case system exports it."""
    rows = [
        ("team", "social workers", "children", "average caseload", "last month"),
        ("North", "14", "238", "17.0", "18.2"),
        ("South", "12", "251", "20.9", "19.8"),
        ("East", "15", "229", "15.3", "16.0"),
        ("Front door (MASH)", "9", "131", "14.6", "15.1"),
    ]
    text = "".join(",".join(row) + "\r\n" for row in rows)
    return DemoDocument(
        name="caseload-report.csv", version="1", content=text.encode("utf-8")
    )
