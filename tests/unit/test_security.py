"""Security settings: Streamlit's server config, and HTML reaching the page only from constants."""

import ast
import tomllib
from collections.abc import Set
from pathlib import Path

import pytest

from labourmarket.core import paths

CONFIG = paths.REPO_DIR / ".streamlit" / "config.toml"
APP_SOURCES = [
    paths.REPO_DIR / "app.py",
    *sorted((paths.REPO_DIR / "app_pages").glob("*.py")),
    *sorted((paths.REPO_DIR / "labourmarket").glob("*.py")),
]
HTML_FUNCTIONS = {"html"}  # st.html, components.html, streamlit.components.v1.html
UNSAFE_KEYWORDS = {"unsafe_allow_html", "unsafe_allow_javascript"}


def read_config() -> dict:
    return tomllib.loads(CONFIG.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("section", "key", "expected"),
    [
        ("server", "enableXsrfProtection", True),
        ("server", "enableCORS", True),
        ("server", "headless", True),
        ("client", "showErrorDetails", "none"),
        ("client", "toolbarMode", "viewer"),
        ("browser", "gatherUsageStats", False),
    ],
)
def test_streamlit_config_sets(section, key, expected):
    assert read_config()[section][key] == expected


def test_uploads_are_small():
    """No page takes uploads; the cap matches the largest file an import accepts (20 MB)."""
    assert read_config()["server"]["maxUploadSize"] == 20


def list_string_constants(tree: ast.Module) -> set[str]:
    """Module-level names bound once to a string literal (NAME = "..." or NAME: str = "...")."""
    bound: dict[str, int] = {}
    literal: set[str] = set()
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Name):
                bound[target.id] = bound.get(target.id, 0) + 1
                value = node.value
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    literal.add(target.id)
    return {name for name in literal if bound[name] == 1}


def list_imported_constants(tree: ast.Module, root: Path) -> set[str]:
    """Names imported from this repository's modules that are string constants there."""
    names = set()
    for node in tree.body:
        if not isinstance(node, ast.ImportFrom) or node.level or not node.module:
            continue
        module = root / f"{node.module.replace('.', '/')}.py"
        if not module.exists():
            continue
        constants = list_string_constants(ast.parse(module.read_text(encoding="utf-8")))
        names |= {alias.asname or alias.name for alias in node.names if alias.name in constants}
    return names


def is_constant(node: ast.expr | None, constants: set[str]) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    return isinstance(node, ast.Name) and node.id in constants


def is_html_call(call: ast.Call) -> bool:
    """st.html(...), components.html(...), or a keyword that lets raw HTML through."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    unsafe = any(
        k.arg in UNSAFE_KEYWORDS and not (isinstance(k.value, ast.Constant) and not k.value.value)
        for k in call.keywords
    )
    return name in HTML_FUNCTIONS or unsafe


def find_html_calls(source: str, imported: Set[str] = frozenset()) -> tuple[int, list[int]]:
    """Return (how many calls put raw HTML on the page, the lines of those built from data)."""
    tree = ast.parse(source)
    constants = list_string_constants(tree) | imported
    checked, offending = 0, []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not is_html_call(node):
            continue
        checked += 1
        body = node.args[0] if node.args else None
        body = next((k.value for k in node.keywords if k.arg == "body"), body)
        if not is_constant(body, constants):
            offending.append(node.lineno)
    return checked, offending


@pytest.mark.parametrize(
    ("snippet", "is_safe"),
    [
        ('st.markdown(f"<b>{name}</b>", unsafe_allow_html=True)', False),
        ('st.markdown(body="<b>" + name, unsafe_allow_html=True)', False),
        ("st.write(text, unsafe_allow_html=True)", False),
        ("css = build_css()\nst.html(css)", False),
        ('CSS = "<style></style>"\nCSS = name\nst.html(CSS)', False),
        ("CSS = make()\nst.html(CSS)", False),
        ('components.html(f"<p>{row}</p>", height=80)', False),
        ("st.html(body=page)", False),
        ('st.html("<p>x</p>", unsafe_allow_javascript=flag)', True),
        ('st.markdown("<br>", unsafe_allow_html=True)', True),
        ('CSS = """<style>p {}</style>"""\nst.html(CSS)', True),
        ('st.markdown(f"**{name}**")', True),
        ('st.markdown(f"<b>{name}</b>", unsafe_allow_html=False)', True),
    ],
)
def test_html_checker_tells_constants_from_data(snippet, is_safe):
    checked, offending = find_html_calls(snippet)
    assert checked == 1 or (is_safe and checked == 0)
    assert (offending == []) == is_safe, offending


def scan_file(path: Path) -> tuple[int, list[int]]:
    source = path.read_text(encoding="utf-8")
    return find_html_calls(source, list_imported_constants(ast.parse(source), paths.REPO_DIR))


@pytest.mark.parametrize("path", APP_SOURCES, ids=lambda p: str(p.relative_to(paths.REPO_DIR)))
def test_raw_html_on_the_page_comes_only_from_constants(path):
    _, offending = scan_file(path)
    assert offending == [], f"{path.name}: raw HTML built from data on line(s) {offending}"


def test_the_html_scan_sees_the_calls_the_app_makes():
    """The Nämndvy injects its CSS with st.html (two calls): the scan finds and accepts them."""
    assert sum(scan_file(path)[0] for path in APP_SOURCES) >= 2
