"""Each layer imports only the layers below it.

    entrypoints          the command line and the demo
    web                  the HTTP app, the live stream, the page
    commands projections the write side and the read side, peers that never
                         import each other
    warroom              domain, application and storage

Imports inside functions count: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Each product package, with the packages it may import besides itself.
MAY_IMPORT: dict[str, frozenset[str]] = {
    "warroom": frozenset(),
    "commands": frozenset({"warroom"}),
    "projections": frozenset({"warroom"}),
    "web": frozenset({"warroom", "commands", "projections"}),
    "entrypoints": frozenset({"warroom", "commands", "projections", "web"}),
}


def project_imports(source: str) -> Iterator[tuple[int, str]]:
    """(line, module) for every import of a product package, at any depth."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            # (A relative import, level > 0, cannot leave its own package.)
            names = [node.module]
        else:
            continue
        for name in names:
            if name.partition(".")[0] in MAY_IMPORT:
                yield node.lineno, name


def wrong_imports(package: str) -> Iterator[str]:
    allowed = MAY_IMPORT[package] | {package}
    for path in sorted((ROOT / package).rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for line, name in project_imports(path.read_text()):
            if name.partition(".")[0] not in allowed:
                yield f"{module} imports {name} (line {line})"


def test_no_package_imports_one_above_it_or_beside_it() -> None:
    wrong = [found for package in MAY_IMPORT for found in wrong_imports(package)]
    assert not wrong, "a package imports one above or beside it:\n" + "\n".join(wrong)


def test_every_package_the_project_installs_has_a_place_in_the_layers() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    include = pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    assert {pattern.rstrip("*") for pattern in include} == set(MAY_IMPORT)


def test_imports_inside_functions_and_type_checking_blocks_are_seen() -> None:
    source = (
        "import json\n"
        "from web.app import create_app\n"
        "if TYPE_CHECKING:\n"
        "    import commands.models\n"
        "def f():\n"
        "    from projections.follower import read_events\n"
        "    from . import sibling\n"
    )
    assert list(project_imports(source)) == [
        (2, "web.app"),
        (4, "commands.models"),
        (6, "projections.follower"),
    ]
