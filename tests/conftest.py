"""Shared fixtures: a private copy of the data tree per test, and one built from it."""

import shutil
from pathlib import Path

import pytest

from etl.pipeline import build
from labourmarket.core import paths, store
from labourmarket.core.catalog import load_catalog
from labourmarket.core.store import LoadedData

REPO_DATA = paths.REPO_DIR / "data"


@pytest.fixture
def data_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Copy data/raw and data/reference into a temp tree and point the whole system at it."""
    root = tmp_path / "data"
    for part in ("raw", "reference"):
        shutil.copytree(REPO_DATA / part, root / part)
    monkeypatch.setenv(paths.DATA_DIR_ENV, str(root))
    return root


@pytest.fixture
def built_tree(data_tree: Path) -> Path:
    """A temp data tree with data/clean built from the bundled raw files."""
    build()
    return data_tree


@pytest.fixture(scope="session")
def bundled_data(tmp_path_factory: pytest.TempPathFactory) -> LoadedData:
    """The bundled data built once per session in its own tree, read as the app reads it."""
    root = tmp_path_factory.mktemp("bundled") / "data"
    for part in ("raw", "reference"):
        shutil.copytree(REPO_DATA / part, root / part)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(paths.DATA_DIR_ENV, str(root))
        build()
        return LoadedData(
            store.read_observations(),
            load_catalog(),
            store.read_manifest(),
            store.read_data_version(),
        )
