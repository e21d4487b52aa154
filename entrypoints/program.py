"""How the person at the terminal runs `warroom`, for the commands the
command line and the demo print: printed that way, each works as printed.

From a checkout, `./scripts/demo` installs it into `.venv`, which is not on
the PATH, so a bare `warroom ...` would fail there; from the Docker image it
is on the PATH."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

CHECKOUT = ".venv/bin/warroom"


def program() -> str:
    """`warroom` when that name on the PATH is this program, else the path it
    was started by (relative to here when it is below here), else the
    checkout's."""
    started = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    on_path = shutil.which("warroom")
    if started is not None and started.name == "warroom":
        if on_path and Path(on_path).resolve() == started.resolve():
            return "warroom"
        here, path = Path.cwd().resolve(), started.absolute()
        return os.path.relpath(path, here) if path.is_relative_to(here) else str(path)
    return "warroom" if on_path else CHECKOUT
