"""Text that reaches XML, iCalendar, email headers and PDFs.

Two halves of one rule. At the edge (commands/models.py) a command's text is
refused if it holds a control character other than tab and newline, and a
one-line field (a title, a name) is refused if it holds a line break. Events
stored before that rule can never be edited, so every output edge also
renders text through `printable` or `one_line`: a control character shows
as U+FFFD, a line break in a one-line place as a space. An XML serialiser
(the Atom feed) raises on such a character, and an email header refuses a
line break: neither may turn one old title into a 500 or an email that can
never be sent.
"""

from __future__ import annotations

import re

# Unicode's control characters (Cc) but tab and newline; U+FFFE and U+FFFF,
# which XML 1.0 forbids; and lone surrogates, which no store can hold but an
# in-memory string can.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
# Every character str.splitlines() ends a line at: an email header refuses
# each of them, and a person reads each as a new line.
_LINE_BREAK = re.compile("[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
# A line ended the Windows way is a newline, not a control character; when
# rendering, so is an old Mac's lone CR.
_CRLF = re.compile("\r\n")
_ANY_CR = re.compile("\r\n?")

REPLACEMENT = "\ufffd"


def newlines(text: str) -> str:
    """A CRLF reads as the newline it means (a lone CR stays a control)."""
    return _CRLF.sub("\n", text)


def control_problem(text: str) -> str | None:
    """Why `text` may not be stored, if it holds a control character."""
    found = _CONTROL.search(text)
    if found is None:
        return None
    return (
        f"holds a control character ({_code(found.group())} at character "
        f"{found.start() + 1}): text may hold tabs and line breaks, no other "
        "control characters"
    )


def line_break_problem(text: str) -> str | None:
    """Why `text` may not be a one-line field, if it holds a line break."""
    found = _LINE_BREAK.search(text)
    if found is None:
        return None
    return (
        f"must be one line: it holds a line break ({_code(found.group())} at "
        f"character {found.start() + 1})"
    )


def printable(text: str) -> str:
    """Text as it may be shown anywhere: newlines and tabs kept, any other
    control character replaced by U+FFFD."""
    return _CONTROL.sub(REPLACEMENT, _ANY_CR.sub("\n", text))


def one_line(text: str) -> str:
    """Text for one line (a header, a title): each line break a space, any
    other control character U+FFFD."""
    return printable(_LINE_BREAK.sub(" ", _ANY_CR.sub("\n", text)))


def _code(character: str) -> str:
    return f"U+{ord(character):04X}"
