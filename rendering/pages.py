"""Print-ready pages and their PDFs: Jinja2 templates (autoescaped) and WeasyPrint.

A print page is standalone HTML: A4, black on white, no buttons, forms or
scripts, the inspection and the moment it was printed at the top of every
page (a table header, which browsers and WeasyPrint both repeat on each
page), page numbers in the page's margin. Its PDF is the same HTML laid out
by WeasyPrint, in-process, with the same style sheet: no browser to start,
and the hard copy is the page.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    pass_context,
    select_autoescape,
)
from jinja2.runtime import Context

from rendering.calendar import change_text
from rendering.when import happened_words
from warroom.text import printable
from warroom.words import value_words, version_words, who_words

TEMPLATES = Path(__file__).parent / "templates"
PRINT_CSS = Path(__file__).parent.parent / "web" / "static" / "print.css"


@cache
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["change"] = _change_in_zone
    env.filters["named"] = lambda key, names: names.get(
        key, "an inspector not on the roster"
    )
    env.filters["words"] = value_words
    env.filters["version"] = version_words
    env.filters["who"] = who_words
    return env


@pass_context
def _change_in_zone(context: Context, change: object) -> str:
    """A meeting's change in words, times in the inspection's zone."""
    return change_text(change, context["inspection"]["timezone"])


def local_time(instant: str, timezone: str, form: str = "%H:%M") -> str:
    """An ISO instant in the inspection's zone, as a person reads it."""
    return datetime.fromisoformat(instant).astimezone(ZoneInfo(timezone)).strftime(form)


def render_html(
    template: str,
    *,
    title: str,
    inspection: dict[str, Any],
    position: int,
    past: bool,
    for_pdf: bool = False,
    stood_at: str | None = None,
    clock: dict[str, str] | None = None,
    **context: Any,
) -> str:
    """`stood_at`: the instant a page of the past shows things as they stood
    (people read a time, never a log position)."""
    zone = inspection["timezone"]
    printed_at = datetime.now(UTC).astimezone(ZoneInfo(zone))
    page = (
        _environment()
        .get_template(template)
        .render(
            title=title,
            inspection=inspection,
            printed_at=printed_at.strftime("%Y-%m-%d %H:%M %Z"),
            position=position,
            past=past,
            stood_at=stood_at,
            clock=clock,
            for_pdf=for_pdf,
            local=lambda instant, form="%H:%M": local_time(instant, zone, form),
            happened=lambda occurred, recorded, form="%H:%M": happened_words(
                occurred, recorded, zone, form
            ),
            **context,
        )
    )
    # Text stored before commands refused control characters: shown as
    # U+FFFD on the page, in its PDF and in the Atom feed that embeds it.
    return printable(page)


# Laying out a PDF is CPU-bound (a 200-line ledger takes about 2 s, more on
# a busy machine): a few at once per server process, so that a round of
# printing never takes every core from commands and streams.
PDFS_AT_ONCE = threading.BoundedSemaphore(2)


def render_pdf(html: str) -> bytes:
    """The page as a PDF. Nothing is fetched: the style sheet is read from
    disk and every other URL is refused."""
    # Imported here: WeasyPrint loads pango and fonts, which only PDFs need.
    from weasyprint import HTML

    document = HTML(string=html, url_fetcher=_fetch_nothing)
    with PDFS_AT_ONCE:
        pdf: bytes = document.write_pdf(stylesheets=[_print_css()])
    return pdf


@cache
def _print_css() -> Any:
    from weasyprint import CSS

    return CSS(filename=str(PRINT_CSS))


def _fetch_nothing(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError(f"a print page fetches nothing ({url[:40]})")
