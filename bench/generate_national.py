"""Write a deterministic SYNTHETIC full-Sweden data tree in SCB json-stat2 format (bench only).

312 regions x monthly 2006M01-2026M10 x sex x (7 ages | 2 birth regions | 4 education levels):
3,042,000 observations in 23 json-stat2 answers, split as the SCB fetcher splits a query
(150,000 cells at most) and saved with the sidecars the fetcher writes. Everything is marked
synthetic: the tables, the measure, the source and every sidecar. It exists so `make bench`
measures the real ETL path at national scale; it is never the app's default data.

Run: `python -m bench.generate_national DIR` (DIR/raw, DIR/reference; then build with
`ARBETSMARKNAD_DATA_DIR=DIR python -m etl build`).
"""

import argparse
import csv
import json
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from etl.http import Fetched
from etl.raw import PROVENANCE_SUFFIX, RawItem, describe_provenance
from etl.sources import scb
from labourmarket.core import paths
from labourmarket.core.catalog import load_catalog

MEASURE_ID = "synthetic_arbetsloshet_16_64"
SOURCE_ID = "synthetic"
CONTENTS_CODE = "SYNT01"
FETCH_ID = "synthetic-national"
RETRIEVED_AT = datetime(2026, 11, 24, tzinfo=UTC)
MONTHS = pd.period_range("2006-01", "2026-10", freq="M")
SEXES = {"1+2": 1.0, "1": 1.05, "2": 0.95}
SUPPRESSED_SHARE = 0.002  # a few ".." cells, so the status path is measured too


@dataclass(frozen=True)
class SyntheticTable:
    """One synthetic SCB table: its group variable and each code's rate multiplier."""

    table_id: str
    variable: str
    multipliers: dict[str, float]
    total_age: str = ""
    label: str = ""


TABLES = (
    SyntheticTable(
        "TAB9901",
        scb.AGE,
        {
            "16-64": 1.0,
            "16-19": 2.6,
            "20-24": 1.8,
            "25-34": 1.1,
            "35-44": 0.85,
            "45-54": 0.75,
            "55-64": 0.8,
        },
        total_age="16-64",
        label="ålder",
    ),
    SyntheticTable("TAB9902", "Fodelseregion", {"in": 0.6, "ut": 2.4}, label="födelseregion"),
    SyntheticTable(
        "TAB9903",
        "UtbNiv",
        {"F": 2.3, "3": 0.9, "EU": 0.55, "US": 1.6},
        label="utbildningsnivå",
    ),
)


def compute_rates(
    table: SyntheticTable, regions: list[str], rng: np.random.Generator
) -> np.ndarray:
    """Rates shaped (region, sex, group, contents=1, month): a region level, group multipliers,
    a business cycle, a season and noise, rounded to one decimal as SCB publishes them."""
    months = np.arange(len(MONTHS))
    level = rng.uniform(3.0, 11.0, len(regions))[:, None, None, None, None]
    sex = np.array(list(SEXES.values()))[None, :, None, None, None]
    group = np.array(list(table.multipliers.values()))[None, None, :, None, None]
    cycle = 1 + 0.25 * np.sin(2 * np.pi * months / 96) + 0.2 * np.exp(-((months - 170) ** 2) / 60)
    season = 1 + 0.06 * np.cos(2 * np.pi * (months % 12) / 12)
    shape = (len(regions), len(SEXES), len(table.multipliers), 1, len(months))
    noise = rng.normal(1.0, 0.04, shape)
    rates = level * sex * group * (cycle * season)[None, None, None, None, :] * noise
    return np.clip(rates, 0.1, 99.0).round(1)


def describe_answer(
    table: SyntheticTable, part: dict[str, list[str]], region_names: dict[str, str]
) -> dict[str, list[str] | dict]:
    """The json-stat2 envelope SCB's PxWebApi 2.0 writes, for one part of the query."""

    def describe(variable: str, labels: dict[str, str]) -> dict:
        codes = part[variable]
        return {
            "label": variable.lower(),
            "category": {
                "index": {code: position for position, code in enumerate(codes)},
                "label": {code: labels.get(code, code) for code in codes},
            },
        }

    return {
        "version": "2.0",
        "class": "dataset",
        "label": f"SYNTETISK arbetslöshet 16-64 år efter region, kön, {table.label} och månad",
        "source": "SYNTHETIC (bench/generate_national.py), not Statistics Sweden",
        "updated": RETRIEVED_AT.isoformat().replace("+00:00", "Z"),
        "role": {"time": [scb.TIME], "metric": [scb.CONTENTS]},
        "id": list(part),
        "size": [len(codes) for codes in part.values()],
        "dimension": {
            scb.REGION: describe(scb.REGION, region_names),
            "Kon": describe("Kon", {"1+2": "totalt", "1": "män", "2": "kvinnor"}),
            table.variable: describe(table.variable, {}),
            scb.CONTENTS: describe(scb.CONTENTS, {CONTENTS_CODE: "arbetslöshet (syntetisk)"}),
            scb.TIME: describe(scb.TIME, {}),
        },
    }


def encode_answer(envelope: dict, rates: np.ndarray, suppressed: np.ndarray) -> bytes:
    values = [None if hidden else rate for rate, hidden in zip(rates, suppressed, strict=True)]
    status = {str(index): ".." for index in np.flatnonzero(suppressed)}
    return json.dumps({**envelope, "value": values, "status": status}).encode("utf-8")


def write_table(
    table: SyntheticTable, directory: Path, region_names: dict[str, str], seed: int
) -> int:
    """Write one table's answers and sidecars; return the number of cells."""
    rng = np.random.default_rng(seed)
    regions = list(region_names)
    selection = {
        scb.REGION: regions,
        "Kon": list(SEXES),
        table.variable: list(table.multipliers),
        scb.CONTENTS: [CONTENTS_CODE],
        scb.TIME: list(MONTHS.strftime("%YM%m")),
    }
    rates = compute_rates(table, regions, rng)
    suppressed = rng.random(rates.shape) < SUPPRESSED_SHARE
    parts = scb.split_selection(selection, scb.MAX_CELLS, table.table_id)
    start = 0
    for number, part in enumerate(parts, start=1):
        stop = start + len(part[scb.REGION])
        envelope = describe_answer(table, part, region_names)
        content = encode_answer(envelope, rates[start:stop].ravel(), suppressed[start:stop].ravel())
        name = scb.name_raw_file(table.table_id, "v2", part)
        fetched = Fetched(
            method="POST",
            url=f"synthetic://bench.generate_national/{table.table_id}",
            status=200,
            content=content,
            content_type="application/json; charset=UTF-8",
            retrieved_at=RETRIEVED_AT,
        )
        extra = {
            "source_id": SOURCE_ID,
            "synthetic": True,
            "table_id": table.table_id,
            "api": "v2",
            "measure_ids": [MEASURE_ID],
            "contents_codes": {MEASURE_ID: CONTENTS_CODE},
            "part": f"{number}/{len(parts)}",
            "publisher": "Syntetiska data (bench/generate_national.py)",
        }
        (directory / name).write_bytes(content)
        sidecar = directory / f"{Path(name).stem}{PROVENANCE_SUFFIX}"
        sidecar.write_text(describe_provenance(RawItem(name, fetched, extra), FETCH_ID), "utf-8")
        start = stop
    return rates.size


def append_rows(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open(encoding="utf-8", newline="") as file:
        columns = next(csv.reader(file))
    with path.open("a", encoding="utf-8", newline="") as file:
        csv.DictWriter(file, columns, lineterminator="\n").writerows(rows)


def register_synthetic_source(reference: Path) -> None:
    """Add the synthetic tables, measure and source to a copy of the reference tables."""
    note = "SYNTHETIC: bench/generate_national.py, for benchmarks only"
    append_rows(
        reference / scb.REGISTRY_FILE,
        [
            {
                "table_id": table.table_id,
                "measure_id": MEASURE_ID,
                "contents_code": CONTENTS_CODE,
                "contents_label": "arbetslöshet (syntetisk)",
                "total_age": table.total_age,
                "age_bands": " ".join(c for c in table.multipliers if c != table.total_age)
                if table.total_age
                else "",
                "is_preliminary": "false",
                "source_id": SOURCE_ID,
                "path_v1": "",
                "note": note,
            }
            for table in TABLES
        ],
    )
    append_rows(
        reference / "measures.csv",
        [
            {
                "measure_id": MEASURE_ID,
                "name_sv": "SYNTETISK arbetslöshet 16-64 år (%), endast för prestandamätning",
                "definition_sv": "Slumpade tal i SCB:s format för att mäta appen i full skala. "
                "Inte statistik.",
                "population_sv": "16-64 år",
                "denominator_sv": "Ingen (syntetiska tal)",
                "unit": "percent",
                "decimals": "1",
                "lower_is_better": "true",
                "source_id": SOURCE_ID,
                "comparability_group": "synthetic",
                "series_break_periods": "",
                "series_breaks_sv": "",
            }
        ],
    )
    append_rows(
        reference / "sources.csv",
        [
            {
                "source_id": SOURCE_ID,
                "publisher": "Syntetiska data",
                "title": "Syntetisk nationell benchmark (bench/generate_national.py)",
                "via": "Genererad lokalt",
                "url": "",
                "licence": "Ingen (syntetiska tal)",
                "attribution_sv": "SYNTETISKA DATA – inte statistik (bench/generate_national.py)",
            }
        ],
    )


def generate_national(root: Path, seed: int = 2013) -> int:
    """Write root/raw (bundled + synthetic SCB answers) and root/reference; return the cells."""
    for part in ("raw", "reference"):
        shutil.copytree(paths.REPO_DIR / "data" / part, root / part, dirs_exist_ok=True)
    register_synthetic_source(root / "reference")
    catalog = load_catalog(root / "reference")
    region_names = dict(
        zip(catalog.regions["region_code"], catalog.regions["region_name"], strict=True)
    )
    directory = root / "raw" / scb.SOURCE
    directory.mkdir(parents=True, exist_ok=True)
    return sum(
        write_table(table, directory, region_names, seed + offset)
        for offset, table in enumerate(TABLES)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path, help="an empty or new directory for the data tree")
    arguments = parser.parse_args()
    cells = generate_national(arguments.root)
    print(f"{cells:,} synthetic cells written under {arguments.root / 'raw' / scb.SOURCE}")


if __name__ == "__main__":
    main()
