"""Generate a national-scale SYNTHETIC observations table for benchmarks (never app data)."""

import numpy as np
import pandas as pd

from labourmarket.catalog import Catalog
from labourmarket.schema import COLUMNS

SYNTHETIC_MEASURES = ["synthetic_rate_a", "synthetic_rate_b", "synthetic_rate_c"]
SYNTHETIC_SOURCE = "synthetic_benchmark"
GROUPS = [
    ("total", "total", "total", "total"),
    ("women", "total", "total", "total"),
    ("men", "total", "total", "total"),
    ("total", "16-24", "total", "total"),
    ("total", "25-54", "total", "total"),
    ("total", "55-64", "total", "total"),
    ("total", "total", "born_in_sweden", "total"),
    ("total", "total", "foreign_born", "total"),
    ("total", "total", "total", "pre_upper_secondary"),
    ("total", "total", "total", "upper_secondary"),
    ("total", "total", "total", "post_secondary"),
    ("total", "total", "total", "unknown"),
]


def generate_observations(catalog: Catalog, years: range = range(2010, 2026)) -> pd.DataFrame:
    """Every region x month x group x synthetic measure, with random rates in 0-40 %."""
    months = pd.period_range(f"{years.start}-01", f"{years.stop - 1}-12", freq="M")
    regions = catalog.regions["region_code"].to_numpy()
    index = pd.MultiIndex.from_product(
        [SYNTHETIC_MEASURES, regions, range(len(months)), range(len(GROUPS))],
        names=["measure_id", "region_code", "month", "group"],
    ).to_frame(index=False)
    groups = pd.DataFrame(GROUPS, columns=["sex", "age", "birth_region", "education"])
    rng = np.random.default_rng(2013)
    frame = index.join(groups, on="group")
    frame["period"] = months.strftime("%YM%m")[frame["month"]]
    frame["period_start"] = months.to_timestamp()[frame["month"]]
    frame["frequency"] = "M"
    frame["value"] = rng.uniform(0, 40, len(frame)).round(1)
    frame["status"] = pd.Series(pd.NA, index=frame.index, dtype="string")
    frame["source_id"] = SYNTHETIC_SOURCE
    frame["retrieved_at"] = pd.Timestamp("2026-11-24", tz="UTC")
    text_columns = [c for c in COLUMNS if c not in ("period_start", "value", "retrieved_at")]
    return frame[COLUMNS].astype({c: "string" for c in text_columns})


def extend_catalog(catalog: Catalog) -> Catalog:
    """Add the synthetic measures and their source so validation accepts them."""
    template = catalog.measures.iloc[[0]]
    measures = pd.concat(
        [catalog.measures]
        + [
            template.assign(measure_id=m, name_sv=f"Syntetiskt {m}", source_id=SYNTHETIC_SOURCE)
            for m in SYNTHETIC_MEASURES
        ],
        ignore_index=True,
    )
    source = catalog.sources.iloc[[0]].assign(source_id=SYNTHETIC_SOURCE, title="Synthetic")
    sources = pd.concat([catalog.sources, source], ignore_index=True)
    return Catalog(catalog.regions, catalog.region_groups, measures, sources)
