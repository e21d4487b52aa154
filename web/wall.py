"""The room's wall at `/wall`: the display view (static/wall.html).

A page of its own rather than a view of the working page: no buttons, no
replay, nobody's name, large type. It signs in as the page does, from the
token in its address's fragment (`/wall#token=...`), which never reaches the
server.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

PAGE = Path(__file__).parent / "static" / "wall.html"

router = APIRouter()


@router.get("/wall", include_in_schema=False)
def wall() -> FileResponse:
    return FileResponse(PAGE, media_type="text/html")
