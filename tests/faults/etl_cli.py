"""Run `python -m etl` in a subprocess on a temp data tree; fingerprint what a fault must spare."""

import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from labourmarket.core import paths

# Cases run side by side: each is mostly an interpreter starting up, and no two share a tree.
WORKERS = 3
T = TypeVar("T")
# A failing fetch fails at once: one retry, no back-off. A server that does not answer is told
# by a short read timeout (its reply comes much later: tests/http_server.py Reply.delay);
# every other case waits patiently, so that a slow machine never turns an answer into a timeout.
FAST_HTTP = {
    "ARBETSMARKNAD_HTTP_TIMEOUT": "1,0.3",
    "ARBETSMARKNAD_HTTP_RETRIES": "1",
    "ARBETSMARKNAD_HTTP_BACKOFF": "0",
}
PATIENT_HTTP = {**FAST_HTTP, "ARBETSMARKNAD_HTTP_TIMEOUT": "10,60"}


def run_etl(
    root: Path, *args: str, timeout: float = 300, http: Mapping[str, str] = PATIENT_HTTP
) -> subprocess.CompletedProcess[str]:
    """Run the real command line against the data tree at root (timeout: a hang guard only)."""
    env = {**os.environ, paths.DATA_DIR_ENV: str(root), **http}
    return subprocess.run(
        [sys.executable, "-m", "etl", *args],
        cwd=paths.REPO_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def run_side_by_side(cases: Mapping[str, Callable[[], T]]) -> dict[str, Future[T]]:
    """Start every case at once; a test reads its own case's outcome (or error) with .result()."""
    with ThreadPoolExecutor(WORKERS) as pool:
        futures = {name: pool.submit(case) for name, case in cases.items()}
    return futures


@dataclass(frozen=True)
class Outcome:
    """A finished command, the tree it ran on, and that tree as it was before."""

    result: subprocess.CompletedProcess[str]
    root: Path
    before: "Before"
    detail: str = ""  # e.g. the server's URL, to fill into the expected message
    requests: int = 0  # how many requests the server saw


def copy_tree(source: Path, target: Path) -> Path:
    """A private copy of a built tree; links stay links, so data/clean stays what it was."""
    shutil.copytree(source, target, symlinks=True)
    return target


def hash_clean(root: Path) -> dict[str, str]:
    """sha256 of every file a reader of data/clean can see."""
    clean = root / "clean"
    return {
        path.relative_to(clean).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(clean.rglob("*"))
        if path.is_file()
    }


def list_raw(root: Path) -> set[str]:
    """Every entry under data/raw, hidden ones included (a staging folder left behind counts)."""
    raw = root / "raw"
    return {path.relative_to(raw).as_posix() for path in raw.rglob("*")}


@dataclass(frozen=True)
class Before:
    """What a failing command must leave exactly as it was."""

    clean: dict[str, str]
    raw: set[str]


def take_before(root: Path) -> Before:
    return Before(hash_clean(root), list_raw(root))


def assert_failed_cleanly(
    result: subprocess.CompletedProcess[str], root: Path, before: Before, *fragments: str
) -> str:
    """Non-zero exit, no traceback, every fragment in the message, clean and raw untouched."""
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    message = result.stderr
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in:\n{message}"
    assert "The previous clean data (if any) is unchanged." in message
    assert hash_clean(root) == before.clean
    assert list_raw(root) == before.raw
    return message


def read_error_line(result: subprocess.CompletedProcess[str]) -> str:
    """The `error: ...` line the command printed (what the report quotes)."""
    return next(line for line in result.stderr.splitlines() if line.startswith("error: "))


def read_manifest(root: Path) -> dict:
    return json.loads((root / "clean" / "manifest.json").read_text(encoding="utf-8"))


def assert_consistent_clean(root: Path) -> None:
    """The manifest describes exactly the Parquet file beside it."""
    parquet = (root / "clean" / "observations.parquet").read_bytes()
    assert read_manifest(root)["observations"]["sha256"] == hashlib.sha256(parquet).hexdigest()
