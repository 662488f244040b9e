"""Say a split of an unemployment gap in Swedish words, and shape it as a table."""

import math
from collections.abc import Mapping
from decimal import Decimal

import pandas as pd

from labourmarket.core.decomposition import Decomposition, GroupEffect, label_group
from labourmarket.core.trends import format_in_sentence
from labourmarket.output.formatting import (
    BREAKDOWN_LABELS,
    format_number,
    format_percent,
    round_half_up,
)

# What "en större del av arbetskraften ..." goes on with, per group.
GROUP_PHRASES: dict[str, str] = {
    "foreign_born": "är utrikes född",
    "born_in_sweden": "är född i Sverige",
    "unknown_birth_region": "saknar uppgift om födelseregion",
    "pre_upper_secondary": "har förgymnasial utbildning",
    "upper_secondary": "har gymnasial utbildning",
    "post_secondary": "har eftergymnasial utbildning",
    "unknown": "saknar uppgift om utbildning",
    "18-24": "är unga (18-24 år)",
    "other_ages": "är 25-54 år",
}
TABLE_COLUMNS = [
    "Uppdelning",
    "Grupp",
    "Kommun",
    "Jämförelse",
    "Andel av arbetskraften (%)",
    "Andel av arbetskraften, jämförelse (%)",
    "Arbetslöshet (%)",
    "Arbetslöshet, jämförelse (%)",
    "Sammansättning (p.e.)",
    "Inom gruppen (p.e.)",
]
TOTAL_LABEL = "Totalt"
NO_SPLIT = "Skillnaden kan inte delas upp: "


def make_genitive(name: str) -> str:
    """Swedish genitive: Södertälje -> Södertäljes; a name ending in s, x or z takes no s."""
    return name if name[-1:].lower() in {"s", "x", "z"} else f"{name}s"


def describe_group(group: str) -> str:
    """The predicate for a group in "en större del av arbetskraften ..."."""
    if group in GROUP_PHRASES:
        return GROUP_PHRASES[group]
    if group.endswith("+"):
        return f"är {group[:-1]} år eller äldre"
    return f"är {group} år"


def describe_composition(d: Decomposition, direction: float) -> str:
    """The composition clause, naming the group that pushes most the way the total does.

    Each group's term is measured from the average rate: (w1 - w0)((r1 + r0)/2 - mean). The
    terms still sum to the composition effect (the shares' differences sum to zero), and unlike
    the raw term a larger share of a group with a low rate lowers the gap: "en större del av
    arbetskraften har eftergymnasial utbildning" can explain a lower rate.
    """
    if not d.groups or direction == 0 or d.rate is None or d.benchmark_rate is None:
        return "arbetskraftens sammansättning"
    mean = (d.rate + d.benchmark_rate) / 2

    def push(g: GroupEffect) -> float:
        return (g.share - g.benchmark_share) * ((g.rate + g.benchmark_rate) / 2 - mean)

    top = max(d.groups, key=lambda g: push(g) * math.copysign(1, direction))
    size = "större" if top.share > top.benchmark_share else "mindre"
    return f"att en {size} del av arbetskraften {describe_group(top.group)}"


def describe_within(within: float) -> str:
    return f"{'högre' if within > 0 else 'lägre'} arbetslöshet inom grupperna"


def split_rounded(gap: float, parts: tuple[float, float], decimals: int) -> tuple[Decimal, ...]:
    """Round the total and the larger part; the smaller is the rest, so the shown parts add up
    to the shown total (3,14 + 4,34 shows as 3,2 + 4,3 = 7,5, not 3,1 + 4,3).

    A smaller part that rounds to zero on its own shows as zero: the rest would turn 0,0004
    into 0,1 (1,35 = 0,0004 + 1,3496 shows 1,3, and 1,3 - 1,3 is honest where 1,3 - 1,4 is not).
    """
    total = round_half_up(gap, decimals)
    larger = 0 if abs(parts[0]) >= abs(parts[1]) else 1
    shown = [Decimal(0), Decimal(0)]
    if round_half_up(parts[1 - larger], decimals) == 0:
        shown[larger] = total
    else:
        shown[larger] = round_half_up(parts[larger], decimals)
        shown[1 - larger] = total - shown[larger]
    return total, shown[0], shown[1]


def describe_decomposition(
    d: Decomposition, region_name: str, benchmark_name: str, decimals: int = 1
) -> str:
    """One plain sentence on how much of the gap the composition and the group rates explain."""
    if d.problem:
        return NO_SPLIT + d.problem
    if d.rate is None or d.benchmark_rate is None or not d.groups:
        return NO_SPLIT + "uppgift saknas."
    benchmark = format_in_sentence(benchmark_name)
    composition, within = d.composition, d.within
    total, shown_composition, shown_within = split_rounded(d.gap, (composition, within), decimals)

    def number(value: Decimal) -> str:
        return format_number(float(abs(value)), decimals)

    # The words follow the unrounded parts; rounding never flips a shown part's sign.
    composition_clause = describe_composition(d, composition)
    within_clause = describe_within(within)
    if total == 0:
        text = f"{region_name} har samma arbetslöshet som {benchmark} ({format_percent(d.rate)})"
        if shown_composition == 0:
            return text + "."
        up, down = (
            (composition_clause, within_clause)
            if shown_composition > 0
            else (within_clause, composition_clause)
        )
        amount = number(shown_composition)
        return f"{text}: {amount} uppåt kommer av {up} och lika mycket nedåt av {down}."
    direction = "högre" if total > 0 else "lägre"
    gap_text = f"{number(total)} procentenheter {direction} arbetslöshet än {benchmark}"
    if shown_composition == 0 or shown_within == 0:
        only = within_clause if shown_composition == 0 else composition_clause
        return f"{make_genitive(region_name)} {gap_text} förklaras helt av {only}."
    if (shown_composition > 0) == (shown_within > 0):
        return (
            f"Av {make_genitive(region_name)} {gap_text} förklaras "
            f"{number(shown_composition)} av {composition_clause} "
            f"och {number(shown_within)} av {within_clause}."
        )
    # Opposite signs: the part that goes the total's way is the larger one.
    parts = [(composition_clause, shown_composition), (within_clause, shown_within)]
    (main, main_value), (other, other_value) = sorted(parts, key=lambda p: -abs(p[1]))
    # "av att ..." keeps the clause an object: "medan att ..." is not Swedish.
    return (
        f"{region_name} har {gap_text}: {number(main_value)} förklaras av {main}, "
        f"medan {number(other_value)} åt andra hållet kommer av {other}."
    )


def shape_decomposition_table(
    decompositions: list[Decomposition], region_names: Mapping[str, str]
) -> pd.DataFrame:
    """One row per group and a total row per breakdown; numbers as unrounded floats."""
    nan = float("nan")
    records = []
    for d in decompositions:
        names = (
            BREAKDOWN_LABELS.get(d.breakdown, d.breakdown),
            region_names.get(d.region, d.region),
            region_names.get(d.benchmark, d.benchmark),
        )

        def add(group: str, *numbers: float, names: tuple[str, ...] = names) -> None:
            breakdown, region, benchmark = names
            texts = {"Uppdelning": breakdown, "Grupp": group, "Kommun": region}
            texts["Jämförelse"] = benchmark
            records.append(texts | dict(zip(TABLE_COLUMNS[4:], map(float, numbers), strict=True)))

        rate = nan if d.rate is None else d.rate
        benchmark_rate = nan if d.benchmark_rate is None else d.benchmark_rate
        if d.problem or not d.groups:
            add(d.problem or "Uppgift saknas.", nan, nan, rate, benchmark_rate, nan, nan)
            continue
        for g in d.groups:
            shares = (100 * g.share, 100 * g.benchmark_share)
            label = label_group(d.breakdown, g.group)
            add(label, *shares, g.rate, g.benchmark_rate, g.composition, g.within)
        add(TOTAL_LABEL, 100.0, 100.0, rate, benchmark_rate, d.composition, d.within)
    return pd.DataFrame(records, columns=TABLE_COLUMNS)
