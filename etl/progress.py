"""Progress of a long import on stderr: a bar whose clock ticks on a terminal, lines in a log."""

import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TextIO

from tqdm import tqdm

TICK_SECONDS = 0.5  # how often a terminal's bar redraws its clock while one step runs

Stage = Callable[[str], None]
# Rows a parser has read during the current step, when a bar or log is shown; see count_rows.
ROWS_READ: ContextVar[list[int] | None] = ContextVar("rows_read", default=None)


def skip_stage(name: str) -> None:
    """The stage callback of a caller that shows no progress."""


def count_rows(number: int = 1) -> None:
    """A parser's hook: `number` more rows read; shown beside the step (a no-op without a bar)."""
    rows = ROWS_READ.get()
    if rows is not None:
        rows[0] += number


def describe_rows(rows: list[int]) -> str:
    return f"{rows[0]} rows read" if rows[0] else ""


@contextmanager
def show_stages(
    description: str, stages: Sequence[str], stream: TextIO | None = None
) -> Iterator[Stage]:
    """Yield stage(name): call it as each step starts; the bar counts finished steps.

    On a terminal the bar redraws every TICK_SECONDS, so a parse of minutes shows its clock
    running (and the rows read, where the parser calls count_rows); in a log each step is one
    line, with the time so far and the rows the step before it read.
    """
    stream = stream or sys.stderr
    rows = [0]
    token = ROWS_READ.set(rows)
    try:
        if stream.isatty():
            with draw_stages(description, stages, stream, rows) as stage:
                yield stage
        else:
            with tell_stages(description, stages, stream, rows) as stage:
                yield stage
    finally:
        ROWS_READ.reset(token)


@contextmanager
def draw_stages(
    description: str, stages: Sequence[str], stream: TextIO, rows: list[int]
) -> Iterator[Stage]:
    """A tqdm bar of steps whose clock (and rows read) a thread redraws while a step runs."""
    bar = tqdm(
        total=len(stages),
        desc=description,
        unit=" step",
        file=stream,
        bar_format="{desc}: {n_fmt}/{total_fmt} steps [{elapsed}]{postfix}",  # postfix: ", step"
    )
    stop = threading.Event()

    current = [""]

    def tick() -> None:
        while not stop.wait(TICK_SECONDS):
            counted = describe_rows(rows)
            bar.set_postfix_str(f"{current[0]} ({counted})" if counted else current[0])

    ticker = threading.Thread(target=tick, daemon=True)
    ticker.start()
    started = False

    def stage(name: str) -> None:
        nonlocal started
        if started:
            bar.update(1)
        started = True
        rows[0] = 0
        current[0] = name
        bar.set_postfix_str(name)

    try:
        yield stage
        if started:
            bar.update(1)
    finally:
        stop.set()
        ticker.join()
        bar.close()


@contextmanager
def tell_stages(
    description: str, stages: Sequence[str], stream: TextIO, rows: list[int]
) -> Iterator[Stage]:
    """Plain lines for a log: `import x.xlsx: step 2/4: check as the build would (after 41.2 s)`."""
    start = time.monotonic()
    number = 0

    def stage(name: str) -> None:
        nonlocal number
        number += 1
        counted = describe_rows(rows)
        after = f"after {time.monotonic() - start:.1f} s" + (f"; {counted}" if counted else "")
        shown = f" ({after})" if number > 1 else ""
        stream.write(f"{description}: step {number}/{len(stages)}: {name}{shown}\n")
        stream.flush()
        rows[0] = 0

    yield stage
    stream.write(f"{description}: done in {time.monotonic() - start:.1f} s\n")
    stream.flush()
