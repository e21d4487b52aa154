"""Who the command line acts as: whoever holds the database is the admin."""

from __future__ import annotations

from commands.run import Actor

# Its name is what people read beside what it did (the feed, the blog);
# its id stays "console", as every event it stored says.
CONSOLE = Actor(id="console", name="the war room (command line)", role="admin")
