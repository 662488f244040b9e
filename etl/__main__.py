"""Command line for the ETL: build offline, fetch or update from the registry's sources, status."""

import argparse
import functools
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from etl import freshness, pipeline, progress, set_aside, update
from etl.errors import FileProblemError, SourceError
from etl.http import HttpError, HttpSettingError
from etl.lock import LockBusyError, hold_etl_lock
from etl.raw import finish_landings
from etl.sources import Fetcher, Source, arbetsformedlingen
from labourmarket import cli
from labourmarket.core import paths, store
from labourmarket.core.catalog import CatalogError, load_catalog
from labourmarket.core.schema import ValidationError

DESCRIPTION = """\
Arbetsmarknadsläget ETL: upstream bytes in data/raw -> validated data/clean/observations.parquet.

commands:
  build    rebuild data/clean from data/raw, offline and deterministic
  update   fetch what is new from every source that downloads ({commands}), then build once
  fetch    download from {publishers} into data/raw, then build
  import   copy a file downloaded from Arbetsförmedlingen into data/raw, then build
  status   raw files, where from, how old; each source's newest period and when the next is due
  raw set-aside FILE
           move a raw file the build refuses (and its sidecar) to data/raw/_set_aside/, then build

`update` skips a source whose publisher says nothing changed, and asks for files with
If-None-Match / If-Modified-Since where the server sent an ETag or Last-Modified. It prints
"nothing new" and exits 0 when nothing was; a source that fails is named on stderr (one line
each), the others are still updated and built, and the exit status is 1. Each source runs with
its `fetch` defaults; ARBETSMARKNAD_UPDATE_<COMMAND> (KOLADA, SCB, AF) holds other options,
e.g. ARBETSMARKNAD_UPDATE_SCB="--tables TAB6260,TAB6383".

Only one build, fetch, import or update runs at a time (a lock on data/etl.lock): a second one
waits for the first, or with --no-wait stops with a message.

A malformed file, an HTTP error or a failing check stops with a message naming the source,
the file or URL and the row; data/raw gets no partial download and data/clean stays as it was.
A fetch or import is checked as the build would check it before anything is saved, so a file
the build would refuse never lands; a file left without its sidecar is named and left out.
The data tree is ./data unless ARBETSMARKNAD_DATA_DIR points elsewhere. Fetches wait at most
ARBETSMARKNAD_HTTP_TIMEOUT seconds for an answer (default 3.05 to connect, 30 to read; "10" or
"2,10") and retry 429/5xx ARBETSMARKNAD_HTTP_RETRIES times (default 4) with a back-off of
ARBETSMARKNAD_HTTP_BACKOFF seconds (default 1, doubling; Retry-After is honoured).

examples:
  python -m etl build
  python -m etl update
  python -m etl update --only af --no-wait
{fetch_examples}
  python -m etl import ~/Hämtningar/arbetslosa-andel-2024-10.xlsx
  python -m etl status
  python -m etl raw set-aside raw/arbetsformedlingen/fel-fil-0123456789ab.xlsx --reason "fel månad"
"""


def explain_os_errors(run: Callable[[argparse.Namespace], None]) -> Callable[..., None]:
    """A command whose operating-system errors read as a sentence, not `[Errno 2] ...`."""

    @functools.wraps(run)
    def run_explained(args: argparse.Namespace) -> None:
        try:
            run(args)
        except OSError as error:
            raise FileProblemError(error) from error

    return run_explained


def list_fetched_sources() -> list[tuple[Source, Fetcher]]:
    """The registry's sources that download, each with its fetcher, in registry order."""
    return [(source, source.fetcher) for source in pipeline.SOURCES if source.fetcher]


def describe_commands() -> str:
    """The help text, naming every fetcher's publisher and examples from the registry."""
    fetchers = [fetcher for _, fetcher in list_fetched_sources()]
    examples = [f"  {line}" for fetcher in fetchers for line in fetcher.examples]
    return DESCRIPTION.format(
        publishers=join_words([fetcher.label for fetcher in fetchers]),
        commands=", ".join(fetcher.command for fetcher in fetchers),
        fetch_examples="\n".join(examples),
    )


def join_words(words: list[str]) -> str:
    """Join words as a sentence lists them: `a`, `a or b`, `a, b or c`."""
    *rest, last = words or ["nowhere"]
    return f"{', '.join(rest)} or {last}" if rest else last


def report_build() -> None:
    manifest = pipeline.build()
    observations = manifest["observations"]
    print(f"built {paths.clean_dir() / observations['file']}: {observations['rows']} rows")
    for source in manifest["sources"]:
        print(f"  {source['source']}: {source['file']} ({source['rows']} rows)")


@explain_os_errors
def run_build(args: argparse.Namespace) -> None:
    with hold_etl_lock("build", wait=not args.no_wait):
        report_build()


@explain_os_errors
def run_fetch(args: argparse.Namespace) -> None:
    with hold_etl_lock(f"fetch {args.fetcher.command}", wait=not args.no_wait):
        fetch_and_build(args)


def fetch_and_build(args: argparse.Namespace) -> None:
    source: Source = args.source
    fetcher: Fetcher = args.fetcher
    try:
        saved = fetcher.run(args, load_catalog())
    except HttpError as error:
        # The URL may be a mirror or a test server: say which source it was for.
        raise SourceError(source.name, f"{error.method} {error.url}", error.summary) from error
    if not saved:
        return  # the fetcher said why (nothing new)
    directory = paths.raw_dir() / source.name
    print(f"saved {len(saved)} response(s) under {directory}")
    if args.no_build:
        return
    try:
        report_build()
    except Exception:
        names = ", ".join(path.name for path in saved)
        print(
            f"note: the fetched file(s) stay in {directory}: {names}",
            file=sys.stderr,
        )
        raise


@explain_os_errors
def run_import(args: argparse.Namespace) -> None:
    steps = ["parse", "check as the build would", "save", *([] if args.no_build else ["build"])]
    with (
        hold_etl_lock("import", wait=not args.no_wait),
        progress.show_stages(f"import {Path(args.file).name}", steps) as stage,
    ):
        saved = arbetsformedlingen.import_file(
            Path(args.file), load_catalog(), args.region, stage=stage
        )
        print(f"imported {args.file} as {saved}")
        if not args.no_build:
            # The build takes the rows the check before saving parsed: the file is parsed once.
            stage("build")
            report_build()


@explain_os_errors
def run_set_aside(args: argparse.Namespace) -> None:
    """Move a raw file and its sidecar out of the build's way, then build without it."""
    with hold_etl_lock("raw set-aside", wait=not args.no_wait):
        # A batch an interrupted run left half-landed moves in first: a data file whose sidecar
        # still waits in its landing folder then goes aside with it, not without it.
        finish_landings(paths.raw_dir())
        names = [source.name for source in pipeline.SOURCES]
        data = set_aside.resolve_raw_file(args.file, names)
        moved = set_aside.set_aside(data, args.reason)
        kept = "its provenance sidecar and a note" if moved.note["sidecar"] else "a note"
        shown = moved.folder.relative_to(paths.data_dir()).as_posix()
        print(f"set aside {data.name} with {kept} in {shown}")
        if not args.no_build:
            report_build()


def pick_fetched_sources(only: str | None) -> list[tuple[Source, Fetcher]]:
    """The registry's downloading sources, or those `--only` names (by their fetch command)."""
    fetched = list_fetched_sources()
    if not only:
        return fetched
    wanted = [word.strip() for word in only.split(",") if word.strip()]
    known = [fetcher.command for _, fetcher in fetched]
    unknown = [word for word in wanted if word not in known]
    if unknown:
        raise SourceError(
            "cli", "--only", f"unknown source {', '.join(unknown)}: choose from {', '.join(known)}"
        )
    return [(source, fetcher) for source, fetcher in fetched if fetcher.command in wanted]


@explain_os_errors
def run_update(args: argparse.Namespace) -> None:
    """Fetch what is new from each source, build once if anything is, name the failures."""
    with hold_etl_lock("update", wait=not args.no_wait):
        fetched = pick_fetched_sources(args.only)
        report = update.update_sources(fetched, load_catalog(), terminal=sys.stderr.isatty())
        built = False
        try:
            if report.changed:
                report_build()
                built = True
            elif not is_clean_current():
                print("nothing new, but data/clean does not match data/raw: building")
                report_build()
                built = True
            elif not report.failures:
                print("nothing new")
        except Exception:
            tell_failures(report.failures)
            raise
    if report.failures:
        raise update.SourcesFailedError(report.failures, built)


def tell_failures(lines: list[str]) -> None:
    for line in lines:
        print(f"error: {line}", file=sys.stderr)


def describe_raw_files() -> pd.DataFrame:
    rows = [
        {
            "source": raw.source.name,
            "file": raw.path.name,
            "sha256": raw.provenance["sha256"],
            "retrieved_at": pd.Timestamp(raw.provenance["retrieved_at"]),
            "where": raw.provenance.get("url") or raw.provenance.get("document", ""),
        }
        # Files without a sidecar are named by the build and listed by status, not here.
        for raw in pipeline.find_raw_files(paths.raw_dir(), tell=lambda line: None)
    ]
    return pd.DataFrame(rows, columns=["source", "file", "sha256", "retrieved_at", "where"])


def is_clean_current() -> bool:
    """Whether data/clean was built from exactly the raw files there are now."""
    manifest = store.read_manifest()
    if manifest is None:
        return False
    raw = describe_raw_files()
    built = {(Path(s["file"]).name, s.get("sha256")) for s in manifest["sources"]}
    return built == set(zip(raw["file"], raw["sha256"], strict=True))


def read_checked_dates() -> dict[str, date]:
    """The day `update` last asked each source's publisher, from its state file."""
    checked = {}
    for source, _ in list_fetched_sources():
        stamp = update.read_state(paths.raw_dir() / source.name).get("checked_at")
        if isinstance(stamp, str):
            checked[source.name] = pd.Timestamp(stamp).date()
    return checked


def report_freshness(raw: pd.DataFrame) -> None:
    newest = freshness.read_newest_periods()
    if not newest:
        return
    fetched = {
        name: stamp.date() for name, stamp in raw.groupby("source")["retrieved_at"].max().items()
    }
    today = datetime.now(UTC).date()
    print("freshness (newest period in data/clean; next figures by the publisher's rhythm):")
    for item in freshness.list_freshness(newest, fetched, read_checked_dates(), today):
        print(f"  {item.source:<20} {freshness.describe_freshness(item, today)}")


def report_set_aside() -> None:
    """Files the build leaves out: set aside by hand, or left without a sidecar."""
    for pending in pipeline.find_pending_landings(paths.raw_dir()):
        print(
            "  landing pending (the next build, import or set-aside finishes it):"
            f" {pipeline.display_path(pending)}"
        )
    for orphan in pipeline.find_orphans(paths.raw_dir()):
        print(f"  without provenance (left out of the build): {pipeline.display_path(orphan)}")
    kept = set_aside.list_set_aside()
    if kept:
        print(f"set aside ({set_aside.set_aside_dir()}; the build leaves these out):")
    for item in kept:
        note = item.note
        reason = f": {note['reason']}" if note.get("reason") else ""
        print(
            f"  {item.folder.parent.name:<20} {note.get('file')}, set aside"
            f" {note.get('set_aside_at', '?')}{reason}"
        )


@explain_os_errors
def run_status(args: argparse.Namespace) -> None:
    print(f"data tree: {paths.data_dir()}")
    raw = describe_raw_files()
    now = pd.Timestamp.now(tz="UTC")
    for source in pipeline.SOURCES:
        files = raw[raw["source"] == source.name]
        if files.empty:
            print(f"  {source.name:<20} no files")
            continue
        newest = files["retrieved_at"].max()
        print(
            f"  {source.name:<20} {len(files)} file(s), newest retrieved {newest:%Y-%m-%d} "
            f"({(now - newest).days} days ago)"
        )
        for row in files.itertuples():
            print(f"      {row.file}  {row.where}")
    report_set_aside()
    manifest = store.read_manifest()
    if manifest is None:
        print("clean: not built (run `python -m etl build`)")
        return
    print(f"clean: built {manifest['built_at']}, {manifest['observations']['rows']} rows")
    if not is_clean_current():
        print("clean is out of date: raw files changed since the build; run `python -m etl build`")
    report_freshness(raw)


def add_fetch_commands(fetch: argparse.ArgumentParser) -> None:
    """`fetch <command>` for every source in the registry that downloads, with its own options."""
    commands = fetch.add_subparsers(
        dest="fetch_command",
        metavar="source",
        required=True,
        help="which publisher to fetch from",
    )
    for source, fetcher in list_fetched_sources():
        parser = commands.add_parser(fetcher.command, help=fetcher.help, description=fetcher.help)
        fetcher.add_arguments(parser)
        parser.add_argument("--no-build", action="store_true", help="only download")
        add_no_wait_argument(parser)
        parser.set_defaults(source=source, fetcher=fetcher)


def add_no_wait_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-wait",
        action="store_true",
        help="when another build, fetch or update is running, stop with a message instead of"
        " waiting for it",
    )


def add_raw_commands(commands: argparse._SubParsersAction) -> None:
    """`raw set-aside FILE`: the one thing a user does to a raw file by hand."""
    raw = cli.add_command(
        commands, "raw", run_set_aside, "act on one raw file: set-aside FILE (see its --help)"
    )
    actions = raw.add_subparsers(dest="raw_command", metavar="action", required=True)
    aside = actions.add_parser(
        "set-aside",
        help="move a raw file and its sidecar to data/raw/_set_aside/<source>/, then build",
        description="Move a raw file the build refuses, with its provenance sidecar, to"
        " data/raw/_set_aside/<source>/<time>-<name>/ with a note of when and why; the build"
        " leaves that folder out and `status` lists it. To put it back, move both files back.",
    )
    aside.add_argument(
        "file",
        help="the raw file, or a sidecar whose file is gone (a path, or raw/<source>/<file> as"
        " messages name it)",
    )
    aside.add_argument("--reason", default="", help="why, kept in the note")
    aside.add_argument("--no-build", action="store_true", help="only move the file")
    add_no_wait_argument(aside)


def create_parser() -> argparse.ArgumentParser:
    parser, commands = cli.create_parser("python -m etl", describe_commands())
    build = cli.add_command(
        commands, "build", run_build, "rebuild data/clean from data/raw (offline)"
    )
    add_no_wait_argument(build)
    updated = cli.add_command(
        commands, "update", run_update, "fetch what is new from every source, then build once"
    )
    updated.add_argument(
        "--only",
        help="fetch commands of the sources to update, comma-separated (default: all of them)",
    )
    add_no_wait_argument(updated)
    fetch = cli.add_command(commands, "fetch", run_fetch, "download into data/raw, then build")
    add_fetch_commands(fetch)
    imported = cli.add_command(
        commands, "import", run_import, "import a file downloaded from Arbetsförmedlingen"
    )
    imported.add_argument("file", help="the .xlsx or .csv file as downloaded")
    imported.add_argument(
        "--region",
        help="SCB code of the one region an older one-region download holds, when its title"
        " does not name it (e.g. 0181)",
    )
    imported.add_argument("--no-build", action="store_true", help="only copy into data/raw")
    add_no_wait_argument(imported)
    cli.add_command(commands, "status", run_status, "show raw files, their age and the build")
    add_raw_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    errors = (
        SourceError,
        HttpError,
        HttpSettingError,
        ValidationError,
        CatalogError,
        store.StoreError,
        LockBusyError,
        FileProblemError,
        OSError,
    )
    try:
        return cli.run_command(
            create_parser(),
            argv,
            errors,
            after_error="The previous clean data (if any) is unchanged.",
        )
    except update.SourcesFailedError as failed:
        tell_failures(failed.lines)
        done = (
            "the build used their last good raw files"
            if failed.built
            else "data/clean is unchanged"
        )
        print(f"update incomplete: {len(failed.lines)} source(s) failed; {done}.", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
