"""Debian's chromium for the tests that need a browser: skipped on a laptop, required under CI."""

import os
from pathlib import Path

import pytest

from bench.server import CHROMIUM


def require_chromium() -> None:
    """Skip without a browser on a developer machine; under CI (CI set) fail instead."""
    if Path(CHROMIUM).exists():
        return
    message = f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)
