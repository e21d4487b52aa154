"""Who the command line acts as: whoever holds the database is the admin."""

from __future__ import annotations

from commands.run import Actor

CONSOLE = Actor(id="console", name="console", role="admin")
