"""Run `python -m etl` and SIGKILL it just before or after its n-th rename: a crash on cue.

    CRASH_AT=after:1 python -m tests.faults.crashpoint build

Every publishing step of a build is a rename (os.replace/os.rename), so killing the process at
each of them in turn visits every state a crash can leave on disk, without timing luck.
A run that never reaches the n-th rename finishes normally.
"""

import os
import signal
import sys
from collections.abc import Callable
from typing import Any

from etl.__main__ import main

CRASH_ENV = "CRASH_AT"


def read_crash_point() -> tuple[str, int]:
    when, _, number = os.environ[CRASH_ENV].partition(":")
    if when not in ("before", "after") or not number.isdigit():
        raise SystemExit(f"{CRASH_ENV} must be before:N or after:N, not {os.environ[CRASH_ENV]!r}")
    return when, int(number)


def arm(rename: Callable[..., Any], when: str, number: int, count: list[int]) -> Callable[..., Any]:
    def crash_on_cue(*args: Any, **kwargs: Any) -> Any:
        count[0] += 1
        if count[0] == number and when == "before":
            os.kill(os.getpid(), signal.SIGKILL)
        result = rename(*args, **kwargs)
        if count[0] == number and when == "after":
            os.kill(os.getpid(), signal.SIGKILL)
        return result

    return crash_on_cue


def run() -> int:
    when, number = read_crash_point()
    count = [0]  # shared by both renames: the n-th rename of either kind
    os.replace = arm(os.replace, when, number, count)
    os.rename = arm(os.rename, when, number, count)
    return main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(run())
