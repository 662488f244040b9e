"""Shared fixtures: a private copy of the data tree per test, one built from it, and the browser.

The bundled raw files are built once per test session (per xdist worker: each is a process of
its own) into `pristine_build`; `built_tree` copies that build into the test's own tree instead
of building again. A test never writes to `pristine_build` itself.

Browser tests share one Debian chromium per session (pytest-playwright's session-scoped
`browser`, launched with the arguments below) and get a fresh context per test. Their waits are
hang guards (HANG_GUARD_MS), never a pass criterion: a busy machine may be slow, not wrong.

Under pytest-xdist (`make test` runs `-n auto --dist loadgroup`) every browser test (marker
e2e) is in one group, so a single worker starts the shared server and the one browser, and the
tests of a file with module- or class-scoped fixtures are one group, so those are set up once;
every other test goes to whichever worker is free.
"""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from bench.server import CHROMIUM_ARGS
from etl.pipeline import build
from labourmarket.core import paths, store
from labourmarket.core.catalog import load_catalog
from labourmarket.core.store import LoadedData
from tests.chromium import CHROMIUM, require_chromium

REPO_DATA = paths.REPO_DIR / "data"
BUNDLED = ("raw", "reference")
# How long a browser test waits for anything before it gives up: long enough for a cold
# Streamlit run on a 2-core machine that runs other suites too; only a hang takes longer.
HANG_GUARD_MS = 120_000
expect.set_options(timeout=HANG_GUARD_MS)
BROWSER_GROUP = "browser"


SHARED_SCOPES = {"module", "class", "package"}


def uses_shared_fixture(item: pytest.Item) -> bool:
    """Whether the test uses a fixture set up once for its module, class or package."""
    info = getattr(item, "_fixtureinfo", None)
    definitions = info.name2fixturedefs.values() if info else ()
    return any(d.scope in SHARED_SCOPES for defs in definitions for d in defs)


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Give tests their xdist group (see the module's docstring); no effect without xdist.

    A test without a group goes to whichever worker is free; a group goes to one worker.
    """
    for item in items:
        if item.get_closest_marker("xdist_group"):
            continue
        if item.get_closest_marker("e2e"):
            item.add_marker(pytest.mark.xdist_group(BROWSER_GROUP))
        elif uses_shared_fixture(item):
            item.add_marker(pytest.mark.xdist_group(item.path.as_posix()))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    require_chromium()
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "viewport": {"width": 1400, "height": 2200}, "locale": "sv-SE"}


@pytest.fixture
def page(page: Page) -> Iterator[Page]:
    """pytest-playwright's page (a fresh context in the session's browser), with hang guards."""
    page.set_default_timeout(HANG_GUARD_MS)
    page.set_default_navigation_timeout(HANG_GUARD_MS)
    yield page


def copy_bundled(root: Path) -> Path:
    """Copy data/raw and data/reference into root (created)."""
    for part in BUNDLED:
        shutil.copytree(REPO_DATA / part, root / part)
    return root


@pytest.fixture
def data_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Copy data/raw and data/reference into a temp tree and point the whole system at it."""
    root = copy_bundled(tmp_path / "data")
    monkeypatch.setenv(paths.DATA_DIR_ENV, str(root))
    return root


@pytest.fixture(scope="session")
def pristine_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled raw files built once for the session; copy it, never change it."""
    root = copy_bundled(tmp_path_factory.mktemp("pristine") / "data")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(paths.DATA_DIR_ENV, str(root))
        build()
    return root


def copy_build(source: Path, root: Path) -> Path:
    """Copy what a build added to source (data/clean, a relative link, and its generation)."""
    for entry in sorted(source.iterdir()):
        target = root / entry.name
        if entry.name in BUNDLED:
            continue
        if entry.is_symlink():
            target.symlink_to(entry.readlink())
        elif entry.is_dir():
            shutil.copytree(entry, target, symlinks=True)
        else:
            shutil.copy2(entry, target)
    return root


@pytest.fixture
def built_tree(data_tree: Path, pristine_build: Path) -> Path:
    """A temp data tree with data/clean built from the bundled raw files (the session's build)."""
    return copy_build(pristine_build, data_tree)


@pytest.fixture(scope="session")
def bundled_data(pristine_build: Path) -> LoadedData:
    """The bundled data built once per session in its own tree, read as the app reads it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(paths.DATA_DIR_ENV, str(pristine_build))
        return LoadedData(
            store.read_observations(),
            load_catalog(),
            store.read_manifest(),
            store.read_data_version(),
        )
