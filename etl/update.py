"""`python -m etl update`: every source that downloads, fetched only when it has changed.

Per source, in registry order: its fetcher's arguments (defaults, or ARBETSMARKNAD_UPDATE_<NAME>),
then the cheapest way to tell "unchanged" that the source offers:

- the fetcher's `version` hook (etl/sources/__init__.py): the publisher's own word (SCB's
  `updated`, Kolada's publication dates); the same answer as at the last good run skips it;
- otherwise run() itself, with conditional GETs (etl/http.py): a 304 answers from the body kept
  in data/raw/<source>/.http-cache, and AF's fetcher compares file months on its own.

A run that brings the same bytes again puts the old sidecars back, so data/raw is unchanged and
the held files keep the date they arrived. A source that fails is reported and skipped: its raw
files stay as they were (fetchers land a whole batch or nothing), and the build uses them.
"""

import argparse
import contextlib
import io
import json
import os
import re
import shlex
import sys
import traceback
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn, TextIO

from tqdm import tqdm
from tqdm.contrib import DummyTqdmFile

from etl import http
from etl.errors import FileProblemError, SourceError, describe_os_error
from etl.raw import PROVENANCE_SUFFIX
from etl.sources import Fetcher, Source
from labourmarket.core import paths, store
from labourmarket.core.catalog import Catalog, CatalogError
from labourmarket.core.schema import ValidationError

STATE_FILE = ".update-state.json"  # hidden: the build reads raw files through sidecars only
CACHE_DIR = ".http-cache"
ARGUMENTS_ENV = "ARBETSMARKNAD_UPDATE_{command}"  # e.g. ARBETSMARKNAD_UPDATE_KOLADA
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
VERSION_SHOWN = 80  # characters of a version shown in a line


class UpdateSettingError(ValueError):
    """A fetcher's arguments from the environment that its parser refuses."""


class SourcesFailedError(Exception):
    """One or more sources failed; the others were updated (and built)."""

    def __init__(self, lines: Sequence[str], built: bool) -> None:
        self.lines, self.built = list(lines), built
        super().__init__("; ".join(self.lines))


EXPECTED_ERRORS = (
    SourceError,
    http.HttpError,
    http.HttpSettingError,
    UpdateSettingError,
    ValidationError,
    CatalogError,
    OSError,
)


class SettingsParser(argparse.ArgumentParser):
    """An argument parser whose errors are exceptions (argparse's own exit the process)."""

    def error(self, message: str) -> NoReturn:
        raise UpdateSettingError(f"{self.prog}: {message}")


def name_arguments_variable(fetcher: Fetcher) -> str:
    return ARGUMENTS_ENV.format(command=fetcher.command.upper())


def read_fetch_arguments(
    fetcher: Fetcher, environ: Mapping[str, str] = os.environ
) -> argparse.Namespace:
    """The fetcher's own options: its defaults, overridden by ARBETSMARKNAD_UPDATE_<NAME>.

    E.g. ARBETSMARKNAD_UPDATE_SCB="--tables TAB6260,TAB6383" (the same words as after
    `python -m etl fetch scb`).
    """
    name = name_arguments_variable(fetcher)
    text = environ.get(name, "")
    try:
        words = shlex.split(text)
    except ValueError as error:
        raise UpdateSettingError(f"{name}={text!r}: {error}") from error
    parser = SettingsParser(prog=name, add_help=False)
    fetcher.add_arguments(parser)
    return parser.parse_args(words)


# --- what a source holds -------------------------------------------------------------------------


@dataclass(frozen=True)
class Held:
    """The raw files of one source as its sidecars describe them."""

    files: dict[str, str]  # file name -> sha256
    sidecars: dict[str, str]  # sidecar name -> its exact text

    def list_changes(self, later: "Held") -> list[str]:
        """Files that are new in `later` or whose bytes differ, by name."""
        return sorted(name for name, sha in later.files.items() if self.files.get(name) != sha)


def read_held(source: str, directory: Path) -> Held:
    files, sidecars = {}, {}
    for sidecar in sorted(directory.glob(f"*{PROVENANCE_SUFFIX}")):
        try:
            text = sidecar.read_text(encoding="utf-8")
            provenance = json.loads(text)
            files[str(provenance["file"])] = str(provenance["sha256"])
        except (OSError, ValueError, KeyError, TypeError) as error:
            detail = describe_os_error(error) if isinstance(error, OSError) else str(error)
            raise SourceError(source, str(sidecar), f"unreadable sidecar: {detail}") from error
        sidecars[sidecar.name] = text
    return Held(files, sidecars)


def restore_sidecars(directory: Path, before: Held, after: Held) -> int:
    """Put back sidecars a fetch rewrote for the very same bytes; return how many."""
    restored = 0
    for name, text in before.sidecars.items():
        if after.sidecars.get(name, text) != text:
            store.write_bytes_atomic(
                directory / name, lambda path, text=text: path.write_text(text, encoding="utf-8")
            )
            restored += 1
    return restored


def read_state(directory: Path) -> dict[str, Any]:
    """What the last good update of this source recorded; {} if none (or unreadable)."""
    try:
        state = json.loads((directory / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def write_state(directory: Path, state: Mapping[str, Any]) -> None:
    text = json.dumps(state, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    store.write_bytes_atomic(directory / STATE_FILE, lambda p: p.write_text(text, encoding="utf-8"))


def as_json(value: Any) -> Any:
    """value as it reads back from JSON (tuples become lists), for comparing with a state."""
    return json.loads(json.dumps(value, default=str, sort_keys=True))


def format_time(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


# --- one source ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceOutcome:
    """What updating one source did, in one line."""

    source: str
    changed: tuple[str, ...] = ()  # raw files new or with new bytes
    note: str = ""
    error: str = ""  # one line naming the source; "" when it worked

    def describe(self) -> str:
        return (
            f"{self.source}: failed (error below)" if self.error else f"{self.source}: {self.note}"
        )


def is_known(version: Any) -> bool:
    """Whether a version says something: not None, and no None inside a dict or list of them.

    SCB may name no `updated` for one table of several: that table cannot be skipped, so
    neither can the fetch.
    """
    if isinstance(version, dict):
        return all(is_known(value) for value in version.values())
    if isinstance(version, list):
        return all(is_known(item) for item in version)
    return version is not None


def describe_version(version: Any) -> str:
    text = version if isinstance(version, str) else json.dumps(version, ensure_ascii=False)
    return text if len(text) <= VERSION_SHOWN else f"{text[: VERSION_SHOWN - 1]}…"


def describe_requests(cache: http.ValidatorCache) -> str:
    if not cache.not_modified:
        return ""
    asked = cache.not_modified + cache.downloaded
    return f"; {cache.not_modified} of {asked} GET(s) answered 304 Not Modified"


def fetch_if_changed(source: Source, fetcher: Fetcher, catalog: Catalog) -> SourceOutcome:
    """Ask the source what is new and fetch it; raises what the fetcher raises."""
    directory = paths.raw_dir() / source.name
    options = read_fetch_arguments(fetcher)
    arguments = as_json(vars(options))
    before = read_held(source.name, directory)
    state = read_state(directory)
    now = format_time(datetime.now(UTC))
    with http.remember_validators(directory / CACHE_DIR) as cache:
        version = as_json(fetcher.version(options, catalog)) if fetcher.version else None
        if (
            is_known(version)
            and state.get("arguments") == arguments
            and state.get("version") == version
            and state.get("files") == before.files
        ):
            write_state(directory, {**state, "checked_at": now})
            return SourceOutcome(
                source.name, note=f"nothing new (as at the last run: {describe_version(version)})"
            )
        fetcher.run(options, catalog)
        cache.forget_unused()  # a whole run: what it asked for is all it needs next time
    after = read_held(source.name, directory)
    changed = before.list_changes(after)
    if not changed:
        restore_sidecars(directory, before, after)
        after = before
    write_state(
        directory,
        {
            "arguments": arguments,
            "version": version,
            "files": after.files,
            "checked_at": now,
            "changed_at": now if changed else state.get("changed_at"),
        },
    )
    if changed:
        note = f"{len(changed)} new or changed file(s){describe_requests(cache)}"
    else:
        note = f"nothing new{describe_requests(cache)}"
    return SourceOutcome(source.name, tuple(changed), note)


def update_source(source: Source, fetcher: Fetcher, catalog: Catalog) -> SourceOutcome:
    """fetch_if_changed, with a failure turned into an outcome naming the source."""
    try:
        return fetch_if_changed(source, fetcher, catalog)
    except OSError as error:
        text = str(FileProblemError(error))
    except EXPECTED_ERRORS as error:
        text = str(error)
    except Exception as error:  # a bug in one fetcher must not stop the others
        traceback.print_exc()
        text = f"unexpected {type(error).__name__}: {error} (traceback above)"
    line = text if text.startswith(f"{source.name}: ") else f"{source.name}: {text}"
    return SourceOutcome(source.name, error=" ".join(line.split()))


# --- progress: bars on a terminal, plain lines in a log -------------------------------------------


class PlainLines(io.TextIOBase):
    """What a log gets of progress bars: each line as it last stood, redraws dropped.

    tqdm redraws a line with carriage returns (and clears it with spaces); a terminal shows the
    last state, a log file would keep every redraw.
    """

    def __init__(self, target: TextIO) -> None:
        super().__init__()
        self.target = target
        self.pending = ""

    def write(self, text: str) -> int:
        self.pending += text
        *lines, self.pending = self.pending.split("\n")
        for line in lines:
            self.emit(line)
        return len(text)

    def emit(self, line: str) -> None:
        # The last state drawn; a bar that clears itself ends with spaces and a carriage return.
        drawn = [part.rstrip() for part in ANSI_ESCAPE.sub("", line).split("\r") if part.strip()]
        if drawn:
            shown = drawn[-1]
            self.target.write(shown + "\n")
            self.target.flush()

    def flush(self) -> None:
        self.target.flush()

    def finish(self) -> None:
        """Write what is left of an unfinished line."""
        if self.pending:
            self.emit(self.pending)
            self.pending = ""

    def isatty(self) -> bool:
        return False


@contextlib.contextmanager
def route_output(terminal: bool) -> Iterator[None]:
    """During fetches: on a terminal, prints go above the bars; in a log, bars become lines."""
    if terminal:
        with contextlib.redirect_stdout(DummyTqdmFile(sys.stdout)):
            yield
        return
    lines = PlainLines(sys.stderr)
    try:
        with contextlib.redirect_stderr(lines):
            yield
    finally:
        lines.finish()


@dataclass(frozen=True)
class UpdateReport:
    outcomes: tuple[SourceOutcome, ...]

    @property
    def changed(self) -> bool:
        return any(outcome.changed for outcome in self.outcomes)

    @property
    def failures(self) -> list[str]:
        return [outcome.error for outcome in self.outcomes if outcome.error]


def update_sources(
    fetched: Sequence[tuple[Source, Fetcher]], catalog: Catalog, terminal: bool
) -> UpdateReport:
    """Update each source in turn, telling progress; one failing leaves the others to run."""
    outcomes = []
    with tqdm(
        total=len(fetched), desc="update", unit=" source", file=sys.stderr, disable=not terminal
    ) as bar:
        for number, (source, fetcher) in enumerate(fetched, start=1):
            bar.set_postfix_str(source.name)
            if not terminal:
                print(f"[{number}/{len(fetched)}] {source.name}: asking {fetcher.label}")
            with route_output(terminal):
                outcome = update_source(source, fetcher, catalog)
            bar.update(1)
            tqdm.write(outcome.describe(), file=sys.stdout)
            outcomes.append(outcome)
    return UpdateReport(tuple(outcomes))
