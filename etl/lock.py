"""One ETL writer at a time: a build, fetch or update waits for the flock on data/etl.lock.

Two builds at once could each delete the other's new generation of data/clean (see
store.write_clean), leaving the link pointing at nothing; two updates would download the same
files twice. The lock is the kernel's (fcntl.flock on an open file), so a killed process never
leaves it held. Never delete the file while a run may hold it: a new run would lock a new file
beside the old one. It only says who holds the lock, for the message a waiting run prints.
"""

import fcntl
import json
import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from labourmarket.core import paths

LOCK_FILE = "etl.lock"  # not hidden: hidden entries beside data/clean are build debris

# Per thread, the lock files this thread holds and how deep: build() inside update() re-enters.
# Another thread of the same process opens its own descriptor and waits like another process.
HELD = threading.local()


class LockBusyError(Exception):
    """Another ETL run holds the lock and the caller chose not to wait."""


def lock_path() -> Path:
    return paths.data_dir() / LOCK_FILE


def read_holds() -> dict[str, int]:
    if not hasattr(HELD, "depths"):
        HELD.depths = {}
    return HELD.depths


def describe_holder(descriptor: int) -> str:
    """`pid 4242 (etl update, since 2026-11-30T06:00:01Z)` from the file, or a plain fallback."""
    try:
        holder = json.loads(os.pread(descriptor, 4096, 0).decode("utf-8"))
        return f"pid {holder['pid']} (etl {holder['purpose']}, since {holder['since']})"
    except (OSError, ValueError, KeyError, TypeError):
        return "another ETL run"  # written a moment ago, or by a crashed holder: no details


def write_holder(descriptor: int, purpose: str) -> None:
    since = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    text = json.dumps({"pid": os.getpid(), "purpose": purpose, "since": since}) + "\n"
    os.ftruncate(descriptor, 0)
    os.pwrite(descriptor, text.encode("utf-8"), 0)


def tell_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@contextmanager
def hold_etl_lock(
    purpose: str, *, wait: bool = True, tell: Callable[[str], None] = tell_stderr
) -> Iterator[None]:
    """Hold data/etl.lock for the block; re-entrant within one thread.

    When another run holds it: wait (telling who we wait for) or, with wait=False, raise
    LockBusyError naming the holder. Usable as a decorator: `@hold_etl_lock("build")`.
    """
    path = lock_path()
    key = str(path.absolute())
    depths = read_holds()
    if depths.get(key):
        depths[key] += 1
        try:
            yield
        finally:
            depths[key] -= 1
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = describe_holder(descriptor)
            if not wait:
                raise LockBusyError(
                    f"{path}: {holder} is still running; not waiting (--no-wait). "
                    "Try again when it has finished."
                ) from None
            tell(f"waiting for {holder} to finish ({path}) ...")
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        write_holder(descriptor, purpose)
        depths[key] = 1
        try:
            yield
        finally:
            del depths[key]
    finally:
        os.close(descriptor)  # closing the descriptor releases the flock
