"""The print renderer alone: the day's seal when the blog has one, and markup
from the log shown as text, never run."""

from __future__ import annotations

from typing import Any

from rendering.pages import render_html
from tests.days import iso_day
from web.routes.feeds import BLOG_SECTIONS

INSPECTION = {"title": "SIF <b>", "framework": "SIF", "timezone": "Europe/London"}


def blog(**extra: Any) -> dict[str, Any]:
    empty: dict[str, Any] = {key: [] for key, _ in BLOG_SECTIONS}
    return {
        "day": iso_day(1),
        "timezone": "Europe/London",
        "posts": [{"title": "<script>alert(1)</script>", "body": "x", "by": "A"}],
        **empty,
        **extra,
    }


def page(**blog_fields: Any) -> str:
    return render_html(
        "blog.html",
        title="The day's blog",
        inspection=INSPECTION,
        position=7,
        past=False,
        blog=blog(**blog_fields),
        sections=BLOG_SECTIONS,
    )


def test_the_blog_page_prints_the_days_seal_when_there_is_one() -> None:
    seal = "warroom.example/log\n1234\nq2Yk5h...=\n\n— warroom Az3Gb..."
    html = page(seal=seal)
    assert "<h2>The day's seal</h2>" in html
    assert "warroom.example/log\n1234\nq2Yk5h...=" in html
    assert "seal" not in page().split("<h1>", 1)[1]


def test_markup_from_the_log_is_printed_as_text() -> None:
    html = page()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "SIF &lt;b&gt;" in html
