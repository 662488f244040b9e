"""Write a full-size SYNTHETIC AF "andel" pivot workbook (and its records as CSV) for the bench.

All 290 kommuner under their counties, "Uppgift saknas" rows within a few counties and one
with an unknown county, every month of the range, all 48 counts; deterministic for a seed.
--reg gives labour forces as register counts, --bas as averages with decimals. The CSV holds
the same records as text, the floor a reader of the cache is measured against.

Run: `python -m bench.generate_af_workbook OUT.xlsx [--bas|--reg] [--months 2008-01:2026-08]
[--csv OUT.csv]`.
"""

import argparse
import csv
import sys
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from bench.af_workbook import (
    AF_ANDEL_FIELDS,
    AF_UNKNOWN,
    RECORDS_PART,
    format_number,
    generate_af_andel_records,
    write_af_andel_workbook,
)
from labourmarket.core import paths

# Counties whose residual row ("Uppgift saknas" as kommun) the workbook carries.
RESIDUAL_COUNTIES = ("01", "12", "14", "22", "25")
DEFAULT_SEED = 20260824
# The repository's own list, not the data tree's: the bench may point that at an empty tree.
REGIONS_CSV = paths.REPO_DIR / "data" / "reference" / "regions.csv"


def read_kommuner(regions_csv: Path) -> list[tuple[str, str]]:
    """(county name, kommun name) for every kommun, county by county, plus residual rows."""
    with regions_csv.open(encoding="utf-8", newline="") as handle:
        regions = list(csv.DictReader(handle))
    counties = {
        row["county_code"]: row["region_name"] for row in regions if row["level"] == "county"
    }
    kommuner = []
    for code, county in sorted(counties.items()):
        kommuner += [
            (county, row["region_name"])
            for row in regions
            if row["level"] == "municipality" and row["county_code"] == code
        ]
        if code in RESIDUAL_COUNTIES:
            kommuner.append((county, AF_UNKNOWN))
    kommuner.append((AF_UNKNOWN, AF_UNKNOWN))
    return kommuner


def list_months(span: str) -> list[str]:
    """'2008-01:2026-08' -> every 'YYYY-MM' from the first to the last, both included."""
    first, last = span.split(":")
    year, month = (int(part) for part in first.split("-"))
    end = tuple(int(part) for part in last.split("-"))
    months = []
    while (year, month) <= end:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    if not months:
        raise ValueError(f"--months {span}: the first month is after the last")
    return months


def write_csv(target: Path, records: Iterable[Sequence[object]]) -> None:
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([spec.name for spec in AF_ANDEL_FIELDS])
        for record in records:
            writer.writerow(
                "" if value is None else value if isinstance(value, str) else format_number(value)
                for value in record
            )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="the .xlsx to write")
    kind = parser.add_mutually_exclusive_group()
    kind.add_argument("--bas", action="store_true", help="AK as averages (the bas file)")
    kind.add_argument("--reg", action="store_true", help="AK as register counts (default)")
    parser.add_argument("--months", default="2008-01:2026-08", help="FIRST:LAST, as YYYY-MM")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--missing-rate", type=float, default=0.001)
    parser.add_argument("--csv", type=Path, help="also write the same records as CSV here")
    parser.add_argument("--regions", type=Path, default=REGIONS_CSV, help="the regions.csv to use")
    args = parser.parse_args(argv)
    kommuner = read_kommuner(args.regions)
    months = list_months(args.months)

    def generate() -> Iterator[tuple[object, ...]]:
        return generate_af_andel_records(
            kommuner, months, bas=args.bas, seed=args.seed, missing_rate=args.missing_rate
        )

    count = write_af_andel_workbook(args.out, generate())
    if args.csv:
        write_csv(args.csv, generate())
    with zipfile.ZipFile(args.out) as archive:
        records_size = archive.getinfo(RECORDS_PART).file_size
    print(
        f"{args.out}: {count} records ({len(kommuner)} regions x {len(months)} months),"
        f" {args.out.stat().st_size / 1e6:.1f} MB; records part {records_size / 1e6:.1f} MB"
        " unpacked"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
