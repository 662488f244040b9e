"""Command line for the ETL: build offline, fetch from Kolada/SCB/AF, import AF files, status."""

import argparse
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from etl.errors import SourceError
from etl.http import HttpError, HttpSettingError
from etl.pipeline import SOURCES, build, list_raw_files
from etl.sources import af_tidsserier, arbetsformedlingen, kolada, scb
from labourmarket.core import paths, store
from labourmarket.core.catalog import Catalog, CatalogError, load_catalog
from labourmarket.core.schema import ValidationError

DESCRIPTION = """\
Arbetsmarknadsläget ETL: upstream bytes in data/raw -> validated data/clean/observations.parquet.

commands:
  build    rebuild data/clean from data/raw, offline and deterministic
  fetch    download from Kolada, SCB or Arbetsförmedlingen (af) into data/raw, then build
  import   copy a file downloaded from Arbetsförmedlingen into data/raw, then build
  status   what raw files there are, where from, how old, and whether the build is current

A malformed file, an HTTP error or a failing check stops with a message naming the source,
the file or URL and the row; data/raw gets no partial download and data/clean stays as it was.
The data tree is ./data unless ARBETSMARKNAD_DATA_DIR points elsewhere. Fetches wait at most
ARBETSMARKNAD_HTTP_TIMEOUT seconds for an answer (default 3.05 to connect, 30 to read; "10" or
"2,10") and retry 429/5xx ARBETSMARKNAD_HTTP_RETRIES times (default 4) with a back-off of
ARBETSMARKNAD_HTTP_BACKOFF seconds (default 1, doubling; Retry-After is honoured).

examples:
  python -m etl build
  python -m etl fetch kolada --regions sodertorn,01,00 --years 2015-2024
  python -m etl fetch kolada --kpis N03920,N03935 --regions 0181,0136 --years 2023
  python -m etl fetch scb --tables TAB6260 --regions 0181,01,00 --periods 2024M09,2024M10
  python -m etl fetch af            (AF's newest monthly workbooks, once all of a release is out)
  python -m etl fetch af --no-build --page-url https://arbetsformedlingen.se/statistik/...
  python -m etl import ~/Hämtningar/arbetslosa-andel-2024-10.xlsx
  python -m etl status
"""


def parse_years(text: str) -> list[int]:
    """Read `2015-2024`, `2023` or `2019,2021,2023` into a list of years."""
    years: list[int] = []
    for part in text.split(","):
        first, _, last = part.strip().partition("-")
        try:
            span = list(range(int(first), int(last or first) + 1))
        except ValueError as error:
            raise argparse.ArgumentTypeError(f"not a year or range: {part!r}") from error
        if not span:
            raise argparse.ArgumentTypeError(f"empty range {part!r}: write the earlier year first")
        years += span
    return years


def resolve_regions(text: str, catalog: Catalog) -> list[str]:
    """Expand region codes and group names (sodertorn, lan_01) into SCB region codes."""
    try:
        return catalog.resolve_regions(text)
    except KeyError as error:
        raise SourceError(
            "cli", "--regions", f"unknown region or group {error.args[0]!r}"
        ) from error


def report_build() -> None:
    manifest = build()
    observations = manifest["observations"]
    print(f"built {paths.clean_dir() / observations['file']}: {observations['rows']} rows")
    for source in manifest["sources"]:
        print(f"  {source['source']}: {source['file']} ({source['rows']} rows)")


def run_build(args: argparse.Namespace) -> None:
    report_build()


def fetch_kolada(args: argparse.Namespace, regions: list[str]) -> list[Path]:
    kpis = args.kpis.split(",") if args.kpis else sorted(kolada.load_kpi_map())
    with tqdm(desc="kolada: sidor", unit=" sida", file=sys.stderr) as bar:
        return kolada.fetch(
            kpis,
            regions,
            args.years,
            base_url=args.base_url or kolada.KOLADA_URL,
            progress=lambda url: bar.update(1),
        )


def fetch_scb(args: argparse.Namespace, regions: list[str]) -> list[Path]:
    periods = args.periods.split(",") if args.periods else None
    saved: list[Path] = []
    for table_id in tqdm(args.tables.split(","), desc="scb: tabeller", file=sys.stderr):
        options = {"base_url": args.base_url} if args.base_url else {}
        saved += scb.fetch(table_id, regions, periods, **options)
    return saved


class ByteBars:
    """One tqdm bar in bytes per file being downloaded, on stderr."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.bar: tqdm | None = None
        self.name = ""

    def update(self, name: str, done: int, total: int | None) -> None:
        if name != self.name:
            self.close()
            self.name = name
            self.bar = tqdm(
                desc=f"{self.prefix}: {name}",
                total=total,
                unit="B",
                unit_scale=True,
                file=sys.stderr,
            )
        if self.bar is not None:
            self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def fetch_af(args: argparse.Namespace, regions: list[str]) -> list[Path]:
    # A workbook the build could not parse must not land: each one is parsed before saving.
    check = partial(arbetsformedlingen.check_file, catalog=load_catalog())
    bars = ByteBars("af")
    try:
        saved = af_tidsserier.fetch(
            args.page_url, check, bars.update, on_plan=lambda plan: print(plan.describe())
        )
    finally:
        bars.close()
    if not saved:
        held = af_tidsserier.describe_held(af_tidsserier.read_held_months())
        print(f"nothing new: held {held}")
    return saved


def run_fetch(args: argparse.Namespace) -> None:
    # AF's page lists whole-country workbooks: no regions to ask for.
    regions = [] if args.source == "af" else resolve_regions(args.regions, load_catalog())
    fetchers = {"kolada": fetch_kolada, "scb": fetch_scb, "af": fetch_af}
    try:
        saved = fetchers[args.source](args, regions)
    except HttpError as error:
        # The URL may be a mirror or a test server: say which source it was for.
        source = name_raw_source(args.source)
        raise SourceError(source, f"{error.method} {error.url}", error.summary) from error
    if args.source == "af" and not saved:
        return
    directory = paths.raw_dir() / name_raw_source(args.source)
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


def name_raw_source(fetch_source: str) -> str:
    """The source a fetch saves under in data/raw (af's files are arbetsformedlingen's)."""
    return arbetsformedlingen.SOURCE if fetch_source == "af" else fetch_source


def run_import(args: argparse.Namespace) -> None:
    saved = arbetsformedlingen.import_file(Path(args.file), load_catalog(), args.region)
    print(f"imported {args.file} as {saved}")
    if not args.no_build:
        report_build()


def describe_raw_files() -> pd.DataFrame:
    rows = [
        {
            "source": raw.source.name,
            "file": raw.path.name,
            "sha256": raw.provenance["sha256"],
            "retrieved_at": pd.Timestamp(raw.provenance["retrieved_at"]),
            "where": raw.provenance.get("url") or raw.provenance.get("document", ""),
        }
        for raw in list_raw_files(paths.raw_dir())
    ]
    return pd.DataFrame(rows, columns=["source", "file", "sha256", "retrieved_at", "where"])


def run_status(args: argparse.Namespace) -> None:
    print(f"data tree: {paths.data_dir()}")
    raw = describe_raw_files()
    now = pd.Timestamp.now(tz="UTC")
    for source in SOURCES:
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
    manifest = store.read_manifest()
    if manifest is None:
        print("clean: not built (run `python -m etl build`)")
        return
    print(f"clean: built {manifest['built_at']}, {manifest['observations']['rows']} rows")
    built = {(Path(s["file"]).name, s.get("sha256")) for s in manifest["sources"]}
    current = set(zip(raw["file"], raw["sha256"], strict=True))
    if built != current:
        print("clean is out of date: raw files changed since the build; run `python -m etl build`")


def add_command(
    commands: argparse._SubParsersAction, name: str, run: Callable, help_text: str
) -> argparse.ArgumentParser:
    parser = commands.add_parser(name, help=help_text, description=help_text)
    parser.set_defaults(handler=run)
    return parser


def create_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m etl",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    add_command(commands, "build", run_build, "rebuild data/clean from data/raw (offline)")
    fetch = add_command(commands, "fetch", run_fetch, "download into data/raw, then build")
    fetch.add_argument(
        "source",
        choices=["kolada", "scb", "af"],
        help="which publisher to fetch from (af: Arbetsförmedlingen's tidsserier page)",
    )
    fetch.add_argument(
        "--regions",
        default="sodertorn,01,00",
        help="SCB codes and/or groups, comma-separated: 0181,01,00, sodertorn, lan_01 "
        "(default: sodertorn,01,00; not used by af)",
    )
    fetch.add_argument(
        "--years",
        type=parse_years,
        default=parse_years("2015-2024"),
        help="2015-2024 or 2023 (not used by af)",
    )
    fetch.add_argument("--kpis", help="kolada: KPI ids (default: every KPI in kolada_kpis.csv)")
    fetch.add_argument(
        "--tables",
        default="TAB6260",
        help="scb: table ids from scb_tables.csv, e.g. TAB6260,TAB6383 (default TAB6260)",
    )
    fetch.add_argument(
        "--periods", help="scb: period codes, e.g. 2024M09,2024M10 (default: all the table has)"
    )
    fetch.add_argument("--no-build", action="store_true", help="only download")
    fetch.add_argument(
        "--base-url", help=f"API root (default {kolada.KOLADA_URL}, or {scb.V2_URL} for scb)"
    )
    fetch.add_argument(
        "--page-url",
        default=af_tidsserier.AF_PAGE_URL,
        help=f"af: the page that links the workbooks (default {af_tidsserier.AF_PAGE_URL})",
    )
    imported = add_command(
        commands, "import", run_import, "import a file downloaded from Arbetsförmedlingen"
    )
    imported.add_argument("file", help="the .xlsx or .csv file as downloaded")
    imported.add_argument(
        "--region",
        help="SCB code of the one region an older one-region download holds, when its title"
        " does not name it (e.g. 0181)",
    )
    imported.add_argument("--no-build", action="store_true", help="only copy into data/raw")
    add_command(commands, "status", run_status, "show raw files, their age and the build")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = create_parser().parse_args(argv)
    try:
        args.handler(args)
    except (
        SourceError,
        HttpError,
        HttpSettingError,
        ValidationError,
        CatalogError,
        store.StoreError,
        OSError,
    ) as error:
        print(f"error: {error}\nThe previous clean data (if any) is unchanged.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
