"""Command line for the ETL: `python -m etl build` rebuilds data/clean from data/raw offline."""

import argparse
import sys

from etl.errors import SourceError
from etl.pipeline import build
from labourmarket import paths
from labourmarket.catalog import CatalogError
from labourmarket.schema import ValidationError
from labourmarket.store import StoreError

DESCRIPTION = """\
Arbetsmarknadsläget ETL.

  build   Rebuild data/clean/observations.parquet and manifest.json from the raw files
          under data/raw (offline, deterministic). A malformed file or a failing check
          stops the build with a message naming the source, file and rows; the previous
          clean data stays as it was.

The data tree is ./data unless ARBETSMARKNAD_DATA_DIR points elsewhere.
"""


def run_build(args: argparse.Namespace) -> int:
    manifest = build()
    observations = manifest["observations"]
    print(f"built {paths.clean_dir() / observations['file']}: {observations['rows']} rows")
    for source in manifest["sources"]:
        print(f"  {source['source']}: {source['file']} ({source['rows']} rows)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m etl",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("build", help="rebuild data/clean from data/raw").set_defaults(
        handler=run_build
    )
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except (SourceError, ValidationError, CatalogError, StoreError) as error:
        print(f"error: {error}\nThe previous clean data (if any) is unchanged.", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
