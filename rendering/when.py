"""When a thing happened, as people read it: one clock on every page.

A thing is shown at the time it happened; where it was written down more
than a minute later, both: "08:10, written down 11:07" (issue 23). The page
says the same in `web/static/js/time.js` (`fmtHappened`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

# Written down within this of happening: one moment, shown once.
LATE = timedelta(minutes=1)


def happened_words(
    occurred: str, recorded: str | None, timezone: str, form: str = "%H:%M"
) -> str:
    """`occurred` in `form`, and when it was written down if that was later."""
    zone = ZoneInfo(timezone)
    shown = datetime.fromisoformat(occurred).astimezone(zone).strftime(form)
    late = written_down_words(occurred, recorded, timezone)
    return f"{shown}, {late}" if late else shown


def written_down_words(occurred: str, recorded: str | None, timezone: str) -> str:
    """ "written down 11:07" if that was over a minute after it happened (with
    its day, if another day); "" if not."""
    if not recorded:
        return ""
    zone = ZoneInfo(timezone)
    happened = datetime.fromisoformat(occurred).astimezone(zone)
    written = datetime.fromisoformat(recorded).astimezone(zone)
    if written - happened <= LATE:
        return ""
    form = "%H:%M" if written.date() == happened.date() else "%d %b %H:%M"
    return f"written down {written.strftime(form)}"
