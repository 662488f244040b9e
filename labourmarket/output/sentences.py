"""Plain-Swedish sentences that say what a computed table shows."""

import pandas as pd

from labourmarket.core.catalog import Catalog
from labourmarket.output.formatting import format_number, format_percent, format_period


def describe_largest_gap(gaps: pd.DataFrame, benchmark_name: str, decimals: int = 1) -> str:
    """Say which region and group lie furthest from the benchmark, and by how much.

    `gaps` is labelled (region_name, group_label) as label_gaps returns it.
    """
    known = gaps.dropna(subset=["gap_pp"])
    if known.empty:
        return f"Det finns inga jämförbara värden för {benchmark_name} i urvalet."
    largest = known["gap_pp"].abs().max()
    if largest == 0:
        return f"Ingen kommun i urvalet skiljer sig från {benchmark_name} i någon grupp."
    # Every row at the maximum is named: a tie (e.g. 16-64 and 18-24 both +7,4) must not hide one.
    ties = known[known["gap_pp"].abs() == largest]
    directions = {"högre" if gap > 0 else "lägre" for gap in ties["gap_pp"]}
    parts = [
        f"{row.region_name}, {row.group_label.lower()} har "
        f"{format_percent(row.value, decimals)} mot {format_percent(row.benchmark_value, decimals)}"
        + ("" if len(directions) == 1 else f" ({'högre' if row.gap_pp > 0 else 'lägre'})")
        for row in ties.itertuples()
    ]
    joined = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} och {parts[-1]}"
    size = format_number(largest, decimals)
    direction = f" {directions.pop()}" if len(directions) == 1 else ""
    return (
        f"Störst skillnad mot {benchmark_name}: {joined} i {benchmark_name}, "
        f"{size} procentenheter{direction}."
    )


def compose_source_line(catalog: Catalog, rows: pd.DataFrame) -> str:
    """Name every source behind `rows`, the period the figures describe and when they were got."""
    attributions = [
        str(catalog.source(source_id)["attribution_sv"])
        for source_id in sorted(rows["source_id"].unique())
    ]
    codes = sorted(rows["period"].unique())
    periods = (
        f"{format_period(codes[0])}–{format_period(codes[-1])}"
        if len(codes) > 2
        else " och ".join(format_period(code) for code in codes)
    )
    retrieved = rows["retrieved_at"].max()
    return f"{' '.join(attributions)}. Data avser {periods}; hämtad {retrieved:%Y-%m-%d}."
