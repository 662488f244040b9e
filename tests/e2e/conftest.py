"""A real `streamlit run` on a free loopback port, and Debian's chromium driven by Playwright."""

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from bench.server import CHROMIUM_ARGS, serve_app
from labourmarket.core import paths
from tests.chromium import CHROMIUM, require_chromium

# A cold Streamlit script run on a busy 2-core machine can pass Playwright's 5 s default.
expect.set_options(timeout=15_000)

ARTIFACTS = paths.REPO_DIR / "test-artifacts"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    require_chromium()
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "viewport": {"width": 1400, "height": 2200}, "locale": "sv-SE"}


@pytest.fixture(scope="session")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Build the bundled data into a temp tree and serve the app from it."""
    root = tmp_path_factory.mktemp("e2e") / "data"
    for part in ("raw", "reference"):
        shutil.copytree(paths.REPO_DIR / "data" / part, root / part)
    env = {**os.environ, paths.DATA_DIR_ENV: str(root)}
    subprocess.run([sys.executable, "-m", "etl", "build"], env=env, check=True, cwd=paths.REPO_DIR)
    with (
        (tmp_path_factory.getbasetemp() / "streamlit.log").open("w") as log,
        serve_app(root, log) as (url, _),
    ):
        yield url
