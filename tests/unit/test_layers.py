"""Each layer imports only the layers below it.

    entrypoints          the command line and the demo
    web                  the HTTP side only: the app, its routes, the live
                         stream, the page
    mail push clock      what the server does beside the HTTP side: email
                         (the blog, invitations), Web Push, closing days at
                         an hour; peers that never import each other
    rendering            calendars, Atom, print pages and PDFs, packets
    commands projections the write side and the read side, peers that never
                         import each other
    warroom              domain, application and storage

Imports inside functions count: a lazy import is still a dependency.

And no module imports itself round a loop (a imports b imports a, or longer):
a loop makes the order of imports matter, and hides which of the two is the
lower. A loop is broken by moving the piece both need into a module of its
own (or a small protocol), not by hiding an import inside a function.
"""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Each product package, with the packages it may import besides itself.
MAY_IMPORT: dict[str, frozenset[str]] = {
    "warroom": frozenset(),
    "commands": frozenset({"warroom"}),
    "projections": frozenset({"warroom"}),
    "rendering": frozenset({"warroom", "projections"}),
    "mail": frozenset({"warroom", "commands", "projections", "rendering"}),
    "push": frozenset({"warroom", "commands", "projections"}),
    "clock": frozenset({"warroom", "commands", "projections"}),
    "web": frozenset(
        {"warroom", "commands", "projections", "rendering", "mail", "push", "clock"}
    ),
    "entrypoints": frozenset(
        {
            "warroom",
            "commands",
            "projections",
            "rendering",
            "mail",
            "push",
            "clock",
            "web",
        }
    ),
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


def test_the_image_copies_every_package_and_mypy_checks_every_one() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text().splitlines()
    copied = {line.split()[1] for line in dockerfile if line.startswith("COPY ")}
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    checked = set(pyproject["tool"]["mypy"]["packages"])
    assert set(MAY_IMPORT) - copied == set()
    assert set(MAY_IMPORT) - checked == set()


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


def modules_of(root: Path, packages: Iterable[str]) -> dict[str, Path]:
    """Each module's dotted name (a package by its `__init__.py`) -> its file."""
    found: dict[str, Path] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def imported_modules(module: str, path: Path, known: set[str]) -> set[str]:
    """The project's modules `module` imports, at any depth of its code.

    `from a import b` imports the module `a.b` when there is one, else `a`;
    relative imports are resolved against the module's own package."""

    def known_part(name: str) -> str | None:
        while name and name not in known:
            name = name.rpartition(".")[0]
        return name or None

    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, *([base] if base else [])])
            names += [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                for alias in node.names
            ]
    return {m for name in names if (m := known_part(name)) and m != module}


def import_loops(root: Path, packages: Iterable[str]) -> list[list[str]]:
    """One loop for each group of modules that import each other, as the list
    of modules round it (the first repeated at the end)."""
    files = modules_of(root, packages)
    graph = {m: imported_modules(m, path, set(files)) for m, path in files.items()}
    loops: list[list[str]] = []
    done: set[str] = set()
    for start in sorted(graph):
        if start in done:
            continue
        loop = _loop_from(start, graph)
        done.add(start)
        if loop:
            loops.append(loop)
            done.update(loop)
    return loops


def _loop_from(start: str, graph: dict[str, set[str]]) -> list[str] | None:
    """The shortest way from `start` back to itself, if there is one."""
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following: list[str] = []
        for module in frontier:
            for imported in sorted(graph[module]):
                if imported == start:
                    path = [module]
                    while path[-1] != start:
                        path.append(came_from[path[-1]])
                    return [start, *reversed(path[:-1]), start]
                if imported not in came_from:
                    came_from[imported] = module
                    following.append(imported)
        frontier = following
    return None


def test_no_module_imports_itself_round_a_loop() -> None:
    loops = import_loops(ROOT, MAY_IMPORT)
    assert not loops, "modules import each other:\n" + "\n".join(
        " -> ".join(loop) for loop in loops
    )


def test_the_loop_check_finds_and_names_loops_direct_and_round_about(
    tmp_path: Path,
) -> None:
    files = {
        # a.one <-> a.two, directly; one of them lazily, inside a function.
        "a/__init__.py": "",
        "a/one.py": "from a import two\n",
        "a/two.py": "def f():\n    from a.one import x\n",
        # b.x -> b.sub.y -> c -> b.x, round about, relative and absolute.
        "b/__init__.py": "",
        "b/x.py": "from .sub import y\n",
        "b/sub/__init__.py": "",
        "b/sub/y.py": "import c.z\n",
        "c/__init__.py": "",
        "c/z.py": "from ..b.x import thing\nfrom b.x import thing\n",
        # Imports in one direction only are no loop.
        "c/low.py": "import json\n",
        "c/high.py": "from c import low\nfrom c.low import json\n",
    }
    for name, source in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(source)
    assert import_loops(tmp_path, ["a", "b", "c"]) == [
        ["a.one", "a.two", "a.one"],
        ["b.sub.y", "c.z", "b.x", "b.sub.y"],
    ]


def test_no_loop_is_found_where_imports_go_one_way(tmp_path: Path) -> None:
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "__init__.py").write_text("from p import low\n")
    (tmp_path / "p" / "low.py").write_text("import json\n")
    (tmp_path / "p" / "high.py").write_text("from p.low import x\nimport p\n")
    assert import_loops(tmp_path, ["p"]) == []
