"""Command line for the library: `python -m labourmarket export` writes the Mål och budget pack."""

import argparse
import sys
import time
from pathlib import Path

from labourmarket import cli
from labourmarket.core import store
from labourmarket.core.catalog import Catalog, CatalogError, load_catalog
from labourmarket.core.periods import parse_period
from labourmarket.core.targets import TargetError, load_targets
from labourmarket.output.formats import ImageExportError
from labourmarket.views.export import (
    Pack,
    PackError,
    assemble_pack,
    build_pack,
    describe_periods,
    list_pack_periods,
)

DESCRIPTION = """\
Arbetsmarknadsläget: the Mål och budget pack for a kommun and period, as the Export page makes it.

The pack is one zip per kommun: an Excel workbook (one sheet per table, numbers as numbers, the
sheets Mål and Källor), every chart as PNG and SVG with its title and source line, a Word draft of
the labour-market section, and each table as CSV for Swedish Excel (;, decimal comma, BOM) and as
plain CSV (, and .). Chart images need Chromium (Debian: apt-get install chromium) or BROWSER_PATH.

It reads the built data (python -m etl build); ARBETSMARKNAD_DATA_DIR moves the data tree.
A kommun without figures in the period is skipped and named on stderr with every period it has
figures for; the exit status is 0 when at least one pack was written, else 1.

From the project's folder without an activated venv: make export ARGS="--regions 0181 ...".

examples:
  python -m labourmarket export --regions 0181 --period 2013K3 --out ut/
  python -m labourmarket export --regions 0181,0136 --out ut/      (latest period of each)
  python -m labourmarket export --regions sodertorn --period 2013K3 --out ut/
"""


def resolve_regions(text: str, catalog: Catalog) -> list[str]:
    """Expand kommun codes and group names (sodertorn, lan_01) into SCB region codes."""
    try:
        codes = catalog.resolve_regions(text)
    except KeyError as error:
        hint = "use SCB codes (0181) or a group (sodertorn)"
        raise PackError(f"unknown region or group {error.args[0]!r}: {hint}") from error
    if not codes:
        raise PackError("--regions names no region")
    return list(dict.fromkeys(codes))


def check_regions(regions: list[str], catalog: Catalog) -> None:
    """Refuse a region that is no kommun at once: that is a typo, not a kommun without data."""
    kommuner = set(catalog.regions.loc[catalog.regions["level"] == "municipality", "region_code"])
    for region in regions:
        if region not in kommuner:
            raise PackError(f"{region} ({catalog.region_name(region)}) is not a kommun")


def run_export(args: argparse.Namespace) -> None:
    """Write a pack per kommun with figures; name each kommun skipped and why on stderr.

    Exits 0 when at least one pack was written: a group (sodertorn) is mostly kommuner whose
    figures cover different periods. With nothing written, the reasons are the error.
    """
    manifest = store.read_manifest()
    if manifest is None:
        raise PackError("no built data: run `python -m etl build` (or `make data`) first")
    observations = store.read_observations()
    catalog = load_catalog()
    targets = load_targets(catalog)
    regions = resolve_regions(args.regions, catalog)
    check_regions(regions, catalog)
    if args.period:
        parse_or_refuse(args.period)
    packs: list[Pack] = []
    skipped: list[tuple[str, str]] = []  # the kommun, and which figures it lacks
    # Every pack is assembled before any is drawn: what will be skipped is known at once.
    for region in regions:
        periods = list_pack_periods(observations, region)
        period = args.period or (periods[0] if periods else "")
        name = f"{region} ({catalog.region_name(region)})"
        if not periods:
            skipped.append((name, "at all"))
        elif period not in periods:
            skipped.append((name, f"in {period}; {describe_periods(periods)}"))
        else:
            packs.append(assemble_pack(observations, catalog, targets, manifest, region, period))
    if not packs:
        raise PackError("\n".join(f"no figures for {name} {why}" for name, why in skipped))
    for name, why in skipped:
        print(f"skipped {name}: no figures {why}", file=sys.stderr)
    for pack in packs:
        started = time.perf_counter()
        content = build_pack(pack)
        path = Path(args.out) / f"{pack.stem}.zip"
        store.write_bytes_atomic(path, lambda temp, content=content: temp.write_bytes(content))
        seconds = time.perf_counter() - started
        print(
            f"wrote {path} ({len(content) / 1e6:.1f} MB: {len(pack.tables)} tables, "
            f"{len(pack.charts)} charts, {len(pack.targets)} targets) in {seconds:.1f} s"
        )
    if skipped:
        print(
            f"{len(packs)} of {len(regions)} kommuner written, {len(skipped)} skipped",
            file=sys.stderr,
        )


def parse_or_refuse(period: str) -> None:
    """An unknown period code is a typo for every kommun alike: refused before any pack."""
    try:
        parse_period(period)
    except ValueError as error:
        raise PackError(str(error)) from error


def build_parser() -> argparse.ArgumentParser:
    parser, commands = cli.create_parser("python -m labourmarket", DESCRIPTION, metavar="command")
    export = cli.add_command(
        commands,
        "export",
        run_export,
        "write the Mål och budget pack (zip) for one or more kommuner",
        DESCRIPTION,
    )
    export.add_argument(
        "--regions",
        required=True,
        help="kommun codes or group names, comma-separated: 0181 or 0181,0136 or sodertorn",
    )
    export.add_argument(
        "--period",
        help="period code: 2013K3, 2023, 2024M10 (default: each kommun's latest with figures)",
    )
    export.add_argument("--out", required=True, help="folder to write the zip file(s) into")
    return parser


def main(argv: list[str] | None = None) -> int:
    errors = (PackError, ImageExportError, store.StoreError, CatalogError, TargetError, OSError)
    return cli.run_command(build_parser(), argv, errors)


if __name__ == "__main__":
    sys.exit(main())
