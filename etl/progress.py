"""Progress of a long import on stderr: a bar whose clock ticks on a terminal, lines in a log."""

import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TextIO

from tqdm import tqdm

TICK_SECONDS = 0.5  # how often a terminal's bar redraws its clock while one step runs

Stage = Callable[[str], None]


def skip_stage(name: str) -> None:
    """The stage callback of a caller that shows no progress."""


@contextmanager
def show_stages(
    description: str, stages: Sequence[str], stream: TextIO | None = None
) -> Iterator[Stage]:
    """Yield stage(name): call it as each step starts; the bar counts finished steps.

    On a terminal the bar redraws every TICK_SECONDS, so a parse of minutes shows its clock
    running; in a log each step is one line, with the seconds the step before it took.
    """
    stream = stream or sys.stderr
    if not stream.isatty():
        with tell_stages(description, stages, stream) as stage:
            yield stage
        return
    bar = tqdm(
        total=len(stages),
        desc=description,
        unit=" step",
        file=stream,
        bar_format="{desc}: {n_fmt}/{total_fmt} steps [{elapsed}] {postfix}",
    )
    stop = threading.Event()

    def tick() -> None:
        while not stop.wait(TICK_SECONDS):
            bar.refresh()

    ticker = threading.Thread(target=tick, daemon=True)
    ticker.start()
    started = False

    def stage(name: str) -> None:
        nonlocal started
        if started:
            bar.update(1)
        started = True
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
def tell_stages(description: str, stages: Sequence[str], stream: TextIO) -> Iterator[Stage]:
    """Plain lines for a log: `import x.xlsx: step 2/4: check as the build would (after 41.2 s)`."""
    start = time.monotonic()
    number = 0

    def stage(name: str) -> None:
        nonlocal number
        number += 1
        after = f" (after {time.monotonic() - start:.1f} s)" if number > 1 else ""
        stream.write(f"{description}: step {number}/{len(stages)}: {name}{after}\n")
        stream.flush()

    yield stage
    stream.write(f"{description}: done in {time.monotonic() - start:.1f} s\n")
    stream.flush()
