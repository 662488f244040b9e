"""A real `streamlit run` on a free loopback port for the browser tests.

The browser (one Debian chromium per session, a fresh context per test) and the hang guards
are set up in tests/conftest.py.
"""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.server import serve_app
from labourmarket.core import paths

ARTIFACTS = paths.REPO_DIR / "test-artifacts"


@pytest.fixture(scope="session")
def app_url(tmp_path_factory: pytest.TempPathFactory, pristine_build: Path) -> Iterator[str]:
    """Serve the app from a copy of the session's build of the bundled data."""
    root = tmp_path_factory.mktemp("e2e") / "data"
    shutil.copytree(pristine_build, root, symlinks=True)
    with (
        (tmp_path_factory.getbasetemp() / "streamlit.log").open("w") as log,
        serve_app(root, log) as (url, _),
    ):
        yield url
