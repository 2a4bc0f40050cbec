"""The layers of helpers/, as CONTRIBUTING.md draws them: no import points up a layer, no import
cycle, every module placed, imports inside functions say why, no private standard-library module,
no module longer than a reader can hold in mind (``MOST_LINES``).

The picture in CONTRIBUTING.md is the one source of the layer order: this test reads it.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import PROJECT_DIR

HELPERS = PROJECT_DIR / "helpers"
CONTRIBUTING = PROJECT_DIR / "CONTRIBUTING.md"
PACKAGE = "helpers"  # the package's __init__: the notebooks' front door, above every layer
MOST_LINES = 500  # issue 20: a module a student can read; split one that grows past this along its concerns


@dataclass(frozen=True)
class Import:
    """One import of a helpers module (or of a standard-library one) in a helpers module."""

    module: str  # the importing module, e.g. "helpers.wording"
    target: str  # the module imported, e.g. "helpers.lexicon"
    path: str  # the importing file, from the project folder
    line: int
    in_function: bool
    explained: bool  # a comment on the line or the line above says why

    def where(self) -> str:
        return f"{self.path}:{self.line}"


def layers() -> dict[str, int]:
    """Layer number (0 at the bottom) of each module, read from the picture in CONTRIBUTING.md."""
    text = CONTRIBUTING.read_text(encoding="utf-8")
    picture = re.search(r"<!-- layers -->\s*```text\n(.*?)```", text, re.S)
    assert picture, "CONTRIBUTING.md has no layer picture (a ```text block after <!-- layers -->)"
    rows = [line.split(":", 1) for line in picture.group(1).splitlines() if ":" in line]
    assert rows, "the layer picture has no 'layer: modules' lines"
    found: dict[str, int] = {}
    for number, (_, modules) in enumerate(reversed(rows)):  # the picture is drawn top layer first
        for name in modules.split():
            assert name not in found, f"{name} is in two layers of the picture"
            found[name] = number
    return found


def module_names() -> dict[str, Path]:
    """Every module under helpers/, by dotted name (a package by its own name)."""
    names = {}
    for path in sorted(HELPERS.rglob("*.py")):
        parts = path.relative_to(PROJECT_DIR).with_suffix("").parts
        names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return names


def layer_of(module: str, placed: dict[str, int]) -> int | None:
    """A module's layer: its own entry in the picture, or its top-level package's (``coursework``)."""
    name = module.removeprefix(f"{PACKAGE}.")
    return placed.get(name, placed.get(name.split(".")[0]))


def _explained(lines: list[str], number: int) -> bool:
    """A comment on line ``number`` or on the line above it; the line above a block of imports
    (``from IPython import ...`` then ``from IPython.display import ...``) speaks for the block."""
    comment = lambda line: line.split("#", 1)[1].strip() if "#" in line else ""  # noqa: E731
    said = [comment(lines[number - 1])]
    above = number - 2
    while above >= 0 and re.match(r"\s*(import|from)\s", lines[above]):
        above -= 1
    if above >= 0 and lines[above].lstrip().startswith("#"):
        said.append(comment(lines[above]))
    return any(s and not re.match(r"(noqa|type:|pragma)\b", s) for s in said)


def _is_module(name: str, helpers_modules: dict[str, Path]) -> bool:
    if name.startswith(f"{PACKAGE}."):
        return name in helpers_modules
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):  # the parent is a module, not a package: ``name`` is an attribute
        return False


def imports() -> list[Import]:
    """The imports of helpers modules and of standard-library modules found in helpers/."""
    names = module_names()
    return [found for module, path in names.items() for found in _imports_of(module, path, names)]


def _imports_of(module: str, path: Path, names: dict[str, Path]) -> list[Import]:
    """The imports in one module's file, each with whether it sits inside a function and says why."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.Import):
                targets = [alias.name for alias in child.names]
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")[: len(package.split(".")) - child.level + 1]
                    base_name = ".".join(base + ([child.module] if child.module else []))
                else:
                    base_name = child.module or ""
                # ``from . import x`` and ``from re import _casefix`` name modules; ``from .x import name`` names x
                targets = [
                    f"{base_name}.{a.name}" if _is_module(f"{base_name}.{a.name}", names) else base_name for a in child.names
                ]
            else:
                visit(child, nested)
                continue
            for target in dict.fromkeys(targets):
                found.append(
                    Import(
                        module,
                        target,
                        path.relative_to(PROJECT_DIR).as_posix(),
                        child.lineno,
                        in_function,
                        _explained(lines, child.lineno),
                    )
                )

    visit(ast.parse(source, filename=str(path)), False)
    return found


def internal(found: list[Import]) -> list[Import]:
    return [i for i in found if i.target == PACKAGE or i.target.startswith(f"{PACKAGE}.")]


def test_every_module_is_in_one_layer_of_the_picture():
    placed = layers()
    missing = [m for m in module_names() if m != PACKAGE and layer_of(m, placed) is None]
    assert not missing, f"modules with no layer (add them to the picture in CONTRIBUTING.md): {missing}"
    unknown = [name for name in placed if layer_of(f"{PACKAGE}.{name}", {}) is None and f"{PACKAGE}.{name}" not in module_names()]
    assert not unknown, f"the picture names modules that do not exist: {unknown}"


def test_no_import_points_up_a_layer():
    placed = layers()
    upward = []
    for found in internal(imports()):
        if found.target == PACKAGE:
            upward.append(f"{found.where()} imports the package itself (helpers/__init__.py is above every layer)")
            continue
        if found.module == PACKAGE:
            continue  # the front door imports from every layer
        here, there = layer_of(found.module, placed), layer_of(found.target, placed)
        if here is not None and there is not None and there > here:
            upward.append(f"{found.where()}: {found.module} (layer {here}) imports {found.target} (layer {there})")
    assert not upward, "imports that point up a layer:\n" + "\n".join(upward)


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The import cycles of a graph, one per strongly connected component (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    components: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(edges.get(node, ())):
            if other not in index:
                connect(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in edges.get(node, ()):
                components.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            connect(node)
    return components


def test_cycle_finder_finds_a_cycle_and_passes_a_chain():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": {"c"}}) == []


def test_no_import_cycle():
    """Imports inside functions count: a cycle hidden in a function is still a cycle."""
    edges: dict[str, set[str]] = {}
    lines: dict[tuple[str, str], str] = {}
    for found in internal(imports()):
        if found.module != PACKAGE and found.target != PACKAGE:
            edges.setdefault(found.module, set()).add(found.target)
            lines.setdefault((found.module, found.target), found.where())
    cycles = _cycles(edges)
    described = [" <-> ".join(c) + " (" + ", ".join(lines[a, b] for a in c for b in c if (a, b) in lines) + ")" for c in cycles]
    assert not cycles, "import cycles:\n" + "\n".join(described)


def test_imports_inside_functions_say_why():
    """An import belongs at the top of its module unless a comment on its line, or the line above, says why."""
    hidden = [f"{i.where()}: {i.target}" for i in imports() if i.in_function and not i.explained]
    assert not hidden, "imports inside functions with no comment saying why:\n" + "\n".join(hidden)


def test_no_private_standard_library_module():
    """No ``re._parser``, ``sre_parse`` or any other module the standard library keeps to itself."""
    private = []
    for found in imports():
        parts = found.target.split(".")
        private_part = any(p.startswith("_") and not p.endswith("__") for p in parts)  # ``__future__`` is public
        if parts[0] in sys.stdlib_module_names and (private_part or parts[0].startswith("sre_")):
            private.append(f"{found.where()}: {found.target}")
    assert not private, "private standard-library modules imported:\n" + "\n".join(private)


@pytest.mark.parametrize(
    "source, bad",
    [
        ("import re._parser as p\n", True),
        ("from re import _casefix\n", True),
        ("import sre_parse\n", True),
        ("import re\n", False),
    ],
)
def test_the_private_module_check_reads_every_import_form(tmp_path, monkeypatch, source, bad):
    """The check above on a module written for the purpose: it must see each way of importing."""
    fake = tmp_path / "helpers"
    fake.mkdir()
    (fake / "__init__.py").write_text("")
    (fake / "probe.py").write_text(source)
    monkeypatch.setattr(sys.modules[__name__], "HELPERS", fake)
    monkeypatch.setattr(sys.modules[__name__], "PROJECT_DIR", tmp_path)
    if bad:
        with pytest.raises(AssertionError, match="probe.py:1"):
            test_no_private_standard_library_module()
    else:
        test_no_private_standard_library_module()


def test_no_module_is_longer_than_a_reader_can_hold():
    """Every module of helpers/ (subpackages included) has at most MOST_LINES lines."""
    long = []
    for path in module_names().values():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MOST_LINES:
            long.append(f"{path.relative_to(PROJECT_DIR).as_posix()}: {lines} lines")
    assert not long, f"modules over {MOST_LINES} lines (split each along its concerns):\n" + "\n".join(long)


@pytest.mark.parametrize("lines, bad", [(MOST_LINES + 1, True), (MOST_LINES, False)])
def test_the_length_check_names_the_long_module_and_its_length(tmp_path, monkeypatch, lines, bad):
    """The check above on a package written for the purpose: one line too many fails, naming the file and its length."""
    fake = tmp_path / "helpers"
    (fake / "sub").mkdir(parents=True)
    (fake / "__init__.py").write_text("")
    (fake / "sub" / "__init__.py").write_text("")
    (fake / "sub" / "probe.py").write_text("x = 1\n" * lines)
    monkeypatch.setattr(sys.modules[__name__], "HELPERS", fake)
    monkeypatch.setattr(sys.modules[__name__], "PROJECT_DIR", tmp_path)
    if bad:
        with pytest.raises(AssertionError, match=f"helpers/sub/probe.py: {lines} lines"):
            test_no_module_is_longer_than_a_reader_can_hold()
    else:
        test_no_module_is_longer_than_a_reader_can_hold()
