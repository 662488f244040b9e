"""Docs and code agree: the README's layout names every module, and every module says what it is."""

import ast
import dataclasses
import importlib
import inspect
import re
import typing
from pathlib import Path

import pytest

from labourmarket.core import paths
from labourmarket.pages import PAGES

README = (paths.REPO_DIR / "README.md").read_text(encoding="utf-8")
LAYOUT = README.split("## Layout", 1)[1].split("```")[1]
PACKAGES = ["labourmarket", "etl", "app_pages"]
MODULES = sorted(
    path.relative_to(paths.REPO_DIR)
    for package in PACKAGES
    for path in (paths.REPO_DIR / package).rglob("*.py")
    if path.name != "__init__.py"
)
INDENT = 2  # the layout nests a folder's entries two spaces deeper


def read_layout_paths(layout: str) -> set[str]:
    """Every path the layout names, from its nesting: "  core/" under "labourmarket/" ..."""
    named: set[str] = set()
    folders: list[str] = []
    for line in layout.splitlines():
        match = re.match(r"^( *)(\S+)", line)
        if not match or not re.fullmatch(r"[\w./<>-]+", match.group(2)):
            continue
        depth = len(match.group(1)) // INDENT
        if len(match.group(1)) > INDENT * (len(folders) + 1):
            continue  # a description's continuation line
        folders = folders[:depth]
        name = match.group(2)
        path = "/".join([*folders, name.rstrip("/")])
        named.add(path)
        if name.endswith("/"):
            folders.append(name.rstrip("/"))
    return named


LAYOUT_PATHS = read_layout_paths(LAYOUT)


@pytest.mark.parametrize("module", MODULES, ids=str)
def test_layout_names_every_module_at_its_path(module):
    assert module.as_posix() in LAYOUT_PATHS, f"README layout does not show {module} at its place"


@pytest.mark.parametrize("named", sorted(p for p in LAYOUT_PATHS if p.endswith(".py")), ids=str)
def test_layout_names_no_missing_file(named):
    assert (paths.REPO_DIR / named).is_file(), f"README layout names {named}, which does not exist"


@pytest.mark.parametrize("app_page", PAGES, ids=lambda app_page: app_page.name)
def test_every_page_has_its_view_with_build(app_page):
    """A page is app_pages/x.py + labourmarket/views/x.py with build(data, choices) -> Content."""
    assert (paths.REPO_DIR / app_page.file).is_file()
    view = importlib.import_module(f"labourmarket.views.{app_page.name}")
    parameters = list(inspect.signature(view.build).parameters)
    assert parameters[:2] == ["data", "choices"], f"views/{app_page.name}.build: {parameters}"
    content = typing.get_type_hints(view.build)["return"]
    assert dataclasses.is_dataclass(content) and content.__dataclass_params__.frozen


@pytest.mark.parametrize("app_page", PAGES, ids=lambda app_page: app_page.name)
def test_every_page_has_its_apptest(app_page):
    tests = [p.stem for p in (paths.REPO_DIR / "tests" / "app").glob("test_*.py")]
    assert any(app_page.name in stem.split("_") for stem in tests), (
        f"no tests/app/test_{app_page.name}.py"
    )


def test_every_page_file_and_view_is_in_pages():
    listed = {page.name for page in PAGES}
    assert {p.stem for p in (paths.REPO_DIR / "app_pages").glob("*.py")} == listed
    views = {p.stem for p in (paths.REPO_DIR / "labourmarket" / "views").glob("*.py")}
    assert views - {"__init__"} == listed


@pytest.mark.parametrize(
    "module",
    [*MODULES, *sorted(p.relative_to(paths.REPO_DIR) for p in paths.REPO_DIR.glob("*.py"))],
    ids=str,
)
def test_every_module_has_a_one_line_docstring(module):
    docstring = ast.get_docstring(ast.parse((paths.REPO_DIR / module).read_text(encoding="utf-8")))
    assert docstring, f"{module} has no module docstring"
    assert docstring.splitlines()[0].endswith("."), (
        f"{module}: first docstring line is not a sentence"
    )


def test_readme_opens_with_the_two_commands():
    opening = "\n".join(README.splitlines()[:12])
    assert "make run" in opening and "make test" in opening


def list_imports(path: Path, depth: int = 1) -> set[str]:
    """The modules a file imports, cut to their first `depth` dotted parts."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            # `from labourmarket.core import store` imports the module labourmarket.core.store
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return {".".join(name.split(".")[:depth]) for name in names}


@pytest.mark.parametrize(
    "module",
    sorted(
        p.relative_to(paths.REPO_DIR)
        for pattern in ("labourmarket/**/*.py", "etl/**/*.py")
        for p in paths.REPO_DIR.glob(pattern)
        if p.name != "ui.py"
    ),
    ids=str,
)
def test_only_ui_and_pages_import_streamlit(module):
    imports = list_imports(paths.REPO_DIR / module)
    assert "streamlit" not in imports
    if module.parts[0] == "labourmarket":
        assert "etl" not in imports, "labourmarket imports nothing from etl"


# What each layer may import from labourmarket: views -> output -> core, and core names
# groups and periods in sentences through formatting only.
ALLOWED_LAYERS = {
    "core": {"labourmarket.core", "labourmarket.output.formatting"},
    "output": {"labourmarket.core", "labourmarket.output"},
    "views": {"labourmarket.core", "labourmarket.output", "labourmarket.views"},
}


@pytest.mark.parametrize(
    "module",
    sorted(
        p.relative_to(paths.REPO_DIR)
        for layer in ALLOWED_LAYERS
        for p in (paths.REPO_DIR / "labourmarket" / layer).glob("*.py")
    ),
    ids=str,
)
def test_layers_import_one_way(module):
    allowed = ALLOWED_LAYERS[module.parts[1]]
    imported = {
        name
        for name in list_imports(paths.REPO_DIR / module, depth=3)
        if name.startswith("labourmarket")
    }
    wrong = {name for name in imported if not any(name.startswith(a) for a in allowed)}
    assert not wrong, f"{module} imports {sorted(wrong)} against the layers"
