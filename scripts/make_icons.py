"""Draws the page's home-screen icons (web/static/icons): run once, committed.

.venv/bin/python scripts/make_icons.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

OUT = Path(__file__).resolve().parent.parent / "web" / "static" / "icons"
BACKGROUND = "#10151c"
AMBER = "#ffc21a"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def icon(size: int, *, maskable: bool) -> Image.Image:
    image = Image.new("RGB", (size, size), BACKGROUND)
    draw = ImageDraw.Draw(image)
    # A maskable icon keeps what matters inside the middle 80% circle.
    inset = size * (0.22 if maskable else 0.1)
    draw.rounded_rectangle(
        (inset, inset, size - inset, size - inset),
        radius=size * 0.08,
        outline=AMBER,
        width=max(2, size // 40),
    )
    font = ImageFont.truetype(FONT, int(size * (0.26 if maskable else 0.34)))
    draw.text((size / 2, size / 2), "WR", fill=AMBER, font=font, anchor="mm")
    return image


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (180, 192, 512):
        icon(size, maskable=False).save(OUT / f"icon-{size}.png", optimize=True)
    icon(512, maskable=True).save(OUT / "icon-maskable-512.png", optimize=True)


if __name__ == "__main__":
    main()
