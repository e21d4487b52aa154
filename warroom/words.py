"""Stored values as people say them, for print pages and emails: "hard
copy", not "hard_copy"; "IRO", not "iro"; "v3", not "vv3"."""

from __future__ import annotations

# Values whose words are not just the value with spaces.
VALUE_WORDS = {
    "kit": "KIT meeting",
    "iro": "IRO",
    "parents_carers": "parents and carers",
    "packet": "compressed packet",
    "direct_to_worker": "asked a worker directly",
}
# Short names people write in capitals.
CAPITALS = frozenset({"kit", "iro", "cin", "cp", "lac", "sif", "ilacs", "jtai"})


def value_words(value: object) -> str:
    """A stored value (a medium, a party, a judgement, a kind) in words."""
    text = str(value or "")
    if text in VALUE_WORDS:
        return VALUE_WORDS[text]
    return " ".join(w.upper() if w in CAPITALS else w for w in text.split("_"))


def version_words(version: object) -> str:
    """A document's version as "v3", given as "3" or as "v3"."""
    text = str(version or "").strip()
    return text if text[:1] in ("v", "V") else f"v{text}"


def who_words(name: str) -> str:
    """Who did something: the command line was stored as "console" before it
    had a name of its own."""
    return "the war room (command line)" if name == "console" else name
