"""Docs and code agree: the README's layout names every module, and every module says what it is."""

import ast
import re

import pytest

from labourmarket.core import paths

README = (paths.REPO_DIR / "README.md").read_text(encoding="utf-8")
LAYOUT = README.split("## Layout", 1)[1].split("```")[1]
PACKAGES = ["labourmarket", "etl", "etl/sources", "app_pages"]
MODULES = sorted(
    path.relative_to(paths.REPO_DIR)
    for package in PACKAGES
    for path in (paths.REPO_DIR / package).glob("*.py")
    if path.name != "__init__.py"
)


@pytest.mark.parametrize("module", MODULES, ids=str)
def test_layout_names_every_module(module):
    assert module.name in LAYOUT, f"README layout does not mention {module}"


def test_layout_names_no_missing_file():
    project_files = {
        path.relative_to(paths.REPO_DIR).as_posix()
        for path in paths.REPO_DIR.rglob("*.py")
        if ".venv" not in path.parts
    }
    for name in re.findall(r"([\w/]+\.py)", LAYOUT):
        assert any(f == name or f.endswith(f"/{name}") for f in project_files), (
            f"README layout names {name}, which does not exist"
        )


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


def list_imports(path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize(
    "module",
    sorted(
        p.relative_to(paths.REPO_DIR)
        for pattern in ("labourmarket/*.py", "etl/**/*.py")
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
