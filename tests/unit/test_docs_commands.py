"""Every command the README and the documentation site print works as printed
from the repository root (issue 28): each program a fenced shell block names
(```sh, ```bash, ```console) exists, on the PATH or as a path from the root,
or is one of the few named below that this machine cannot have. And the
events page lists every event type the domain declares."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent.parent
PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])

# Programs the docs may name that a development machine need not have: each
# documented where it is used.
PLACEHOLDERS = {
    "docker": "deploying with compose (docs/operations/deploy.md): Docker "
    "cannot run on the development machines",
}
# The shell's own words, which no PATH holds.
BUILTINS = {"export", "cd", "set", "source", ".", "echo", "exec", "for", "do", "done"}
BLOCK = re.compile(r"^```(sh|bash|console)\n(.*?)^```", re.M | re.S)


def shell_blocks(page: Path) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in BLOCK.finditer(page.read_text())]


OPERATORS = {"&&", "||", "|", ";", "&", "(", ")", ";;", "|&"}


def commands(kind: str, block: str) -> list[list[str]]:
    """The block's commands, each as its words: continuation lines joined,
    comments and output left out (a console block's commands are its `$ `
    lines), split at the shell's operators outside quotes."""
    text = block.replace("\\\n", " ")
    lines = text.splitlines()
    if kind == "console":
        lines = [line[2:] for line in lines if line.startswith("$ ")]
    # Each line ends a command: a "; " opens every line (harmless inside a
    # quoted string that spans lines, which is why the block is read whole).
    text = "\n; ".join(lines)
    # $(...) holds a command of its own.
    inner = re.findall(r"\$\(([^()]*)\)", text)
    text = re.sub(r"\$\([^()]*\)", "X", text)
    found: list[list[str]] = []
    for part in [text, *inner]:
        lexer = shlex.shlex(part, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        lexer.commenters = "#"
        words: list[str] = []
        for token in lexer:
            if token in OPERATORS:
                if words:
                    found.append(words)
                words = []
            else:
                words.append(token)
        if words:
            found.append(words)
    return found


def program(words: list[str]) -> str | None:
    """The program a command runs: its first word after any VAR=value."""
    for word in words:
        if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", word):
            continue
        return word
    return None


def exists(name: str) -> bool:
    if name in BUILTINS or name in PLACEHOLDERS:
        return True
    if "/" in name:
        return (ROOT / name).exists() or Path(name).exists()
    return shutil.which(name) is not None


def named_programs() -> list[tuple[str, str]]:
    return [
        (str(page.relative_to(ROOT)), name)
        for page in PAGES
        for kind, block in shell_blocks(page)
        for command in commands(kind, block)
        if (name := program(command)) is not None
    ]


def test_the_docs_have_shell_blocks_to_check() -> None:
    found = named_programs()
    assert len(found) > 20, found
    pages = {page for page, _ in found}
    assert "README.md" in pages
    names = {name for _, name in found}
    assert {"./scripts/demo", "./scripts/test", ".venv/bin/warroom"} <= names


@pytest.mark.parametrize(
    ("page", "name"), sorted(set(named_programs())), ids=lambda v: str(v)
)
def test_every_program_a_shell_block_names_exists(page: str, name: str) -> None:
    assert exists(name), (
        f"{page} names {name!r}, which is neither on the PATH nor a path from "
        "the repository root (a bare `warroom` is `.venv/bin/warroom` here)"
    )


def test_a_bare_warroom_is_not_printed_in_a_shell_block() -> None:
    bare = [page for page, name in named_programs() if name == "warroom"]
    assert bare == [], bare


def test_the_check_tells_a_missing_program_from_a_present_one() -> None:
    kind, block = "sh", "FOO=1 ./scripts/demo --port 1  # c\nnot-a-program-x | wc -l\n"
    names = [program(c) for c in commands(kind, block)]
    assert names == ["./scripts/demo", "not-a-program-x", "wc"]
    assert exists("./scripts/demo") and exists("wc")
    assert not exists("not-a-program-x") and not exists("warroom/nothing")
    console = "$ .venv/bin/warroom verify\nintact: 3 events\n"
    assert [program(c) for c in commands("console", console)] == [".venv/bin/warroom"]


def test_the_events_page_lists_every_event_type_the_domain_declares() -> None:
    declared = set()
    for module in (ROOT / "warroom" / "domain").glob("*.py"):
        declared |= set(re.findall(r"@event\(\"?(\w+)\"?\)", module.read_text()))
    page = (ROOT / "docs" / "reference" / "events.md").read_text()
    assert len(declared) > 50
    assert sorted(n for n in declared if f"`{n}`" not in page) == []


def test_the_readme_is_short_and_its_links_lead_somewhere() -> None:
    """The README is the front door (at most 150 lines); the site's links are
    checked by `mkdocs build --strict`, the README's here."""
    text = (ROOT / "README.md").read_text()
    assert len(text.splitlines()) <= 150
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text)
    local = [t for t in targets if "://" not in t]
    assert "docs/index.md" in local
    assert [t for t in local if not (ROOT / t).exists()] == []


def test_the_settings_page_names_every_setting() -> None:
    from warroom.config import Settings

    page = (ROOT / "docs" / "reference" / "settings.md").read_text()
    names = [f"WARROOM_{name.upper()}" for name in Settings.model_fields]
    assert len(names) > 50
    assert [name for name in names if f"`{name}`" not in page] == []
