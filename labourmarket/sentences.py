"""Plain-Swedish sentences that say what a computed table shows."""

import pandas as pd

from labourmarket.catalog import Catalog
from labourmarket.formatting import format_number, format_percent, format_period


def describe_largest_gap(gaps: pd.DataFrame, benchmark_name: str, decimals: int = 1) -> str:
    """Say which region and group lie furthest from the benchmark, and by how much.

    `gaps` is labelled (region_name, group_label) as label_gaps returns it.
    """
    known = gaps.dropna(subset=["gap_pp"])
    if known.empty:
        return f"Det finns inga jämförbara värden för {benchmark_name} i urvalet."
    row = known.loc[known["gap_pp"].abs().idxmax()]
    where = f"{row['region_name']}, {row['group_label'].lower()}"
    levels = (
        f"{format_percent(row['value'], decimals)} mot "
        f"{format_percent(row['benchmark_value'], decimals)} i {benchmark_name}"
    )
    if row["gap_pp"] == 0:
        return f"Ingen kommun i urvalet skiljer sig från {benchmark_name}: {where} har {levels}."
    direction = "högre" if row["gap_pp"] > 0 else "lägre"
    size = format_number(abs(row["gap_pp"]), decimals)
    return (
        f"Störst skillnad mot {benchmark_name}: {where} har {levels}, "
        f"{size} procentenheter {direction}."
    )


def compose_source_line(catalog: Catalog, rows: pd.DataFrame) -> str:
    """Name every source behind `rows`, the period the figures describe and when they were got."""
    attributions = [
        str(catalog.source(source_id)["attribution_sv"])
        for source_id in sorted(rows["source_id"].unique())
    ]
    periods = ", ".join(format_period(code) for code in sorted(rows["period"].unique()))
    retrieved = rows["retrieved_at"].max()
    return f"{' '.join(attributions)}. Data avser {periods}; hämtad {retrieved:%Y-%m-%d}."
