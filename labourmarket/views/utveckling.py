"""What the Utveckling page offers: groups of a measure, their labels, period choices, table."""

from collections.abc import Mapping

import pandas as pd

from labourmarket.core.gaps import BREAKDOWNS, order_groups
from labourmarket.core.ranking import phrase_group
from labourmarket.output.formatting import format_group, format_period
from labourmarket.output.shown_table import NumberFormat, ShownTable, make_shown_table

TOTAL = "total"
TRANSFORM_LABELS = {
    "value": "Värden",
    "moving_average": "Glidande årsmedelvärde",
    "year_on_year": "Förändring mot ett år tidigare",
}


def list_groups(observations: pd.DataFrame, sex: str = TOTAL) -> list[str]:
    """Group keys one sex has: "total" and "dimension:code" where one breakdown varies.

    Sex is a choice of its own (it crosses every breakdown), not a group here.
    """
    rows = observations[observations["sex"] == sex]
    keys = []
    for dimension in BREAKDOWNS:
        others = [d for d in BREAKDOWNS if d != dimension]
        varied = rows[(rows[others] == TOTAL).all(axis=1)]
        codes = [c for c in order_groups(dimension, list(varied[dimension].unique())) if c != TOTAL]
        keys += [f"{dimension}:{code}" for code in codes]
    has_total = (rows[list(BREAKDOWNS)] == TOTAL).all(axis=1).any()
    return [TOTAL, *keys] if has_total else keys


def decode_group(key: str) -> dict[str, str]:
    """ "birth_region:foreign_born" -> {"birth_region": "foreign_born"}; "total" -> {}."""
    if key == TOTAL:
        return {}
    dimension, _, code = key.partition(":")
    return {dimension: code}


def format_group_key(key: str, population: str) -> str:
    if key == TOTAL:
        return f"Totalt {population}".strip()
    dimension, code = next(iter(decode_group(key).items()))
    return format_group(dimension, code, population)


def describe_subject(key: str, population: str, sex: str = TOTAL) -> str:
    """The sentence's subject: "arbetslösheten bland utrikes födda", "… bland män 18-24 år"."""
    if sex != TOTAL:
        return f"arbetslösheten{phrase_group({**decode_group(key), 'sex': sex})}"
    if key == TOTAL:
        return f"arbetslösheten ({population})"
    dimension, code = next(iter(decode_group(key).items()))
    if dimension == "age":
        return f"arbetslösheten bland {code}-åringar"
    if dimension == "education":
        return (
            f"arbetslösheten bland personer med {format_group(dimension, code).lower()} utbildning"
        )
    return f"arbetslösheten bland {format_group(dimension, code).lower()}"


def list_transforms(frequency: str) -> list[str]:
    """A yearly series has no seasonal swing to smooth: only its values and yearly change."""
    return ["value", "year_on_year"] if frequency == "A" else list(TRANSFORM_LABELS)


def shape_trend_table(
    trend: pd.DataFrame, column: str, names: Mapping[str, str], decimals: int
) -> ShownTable:
    """The Utveckling table: a row per period, a column per region, figures rounded as shown."""
    table = trend.assign(
        Region=trend["region_code"].map(lambda code: names.get(code, code)),
        Period=trend["period"].map(format_period),
    ).pivot_table(index="Period", columns="Region", values=column, sort=False, dropna=False)
    table = table.reset_index().rename_axis(columns=None)
    regions = [c for c in table.columns if c != "Period"]
    return make_shown_table(table, dict.fromkeys(regions, NumberFormat(decimals)))
