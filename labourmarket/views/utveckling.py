"""The Utveckling page: one measure and group over time for chosen regions, references, target."""

from collections.abc import Mapping
from dataclasses import dataclass, replace

import pandas as pd
import plotly.graph_objects as go

from labourmarket.core.catalog import Catalog
from labourmarket.core.decomposition import decompose_periods, has_counts
from labourmarket.core.frequency import (
    describe_kept_frequency,
    keep_one_frequency,
    list_frequencies,
    pick_frequency,
)
from labourmarket.core.link_lists import DRAWN_AT_MOST
from labourmarket.core.periods import parse_period
from labourmarket.core.ranking import list_group_keys
from labourmarket.core.recency import find_newer_figures
from labourmarket.core.region_offer import RegionOffer, offer_regions
from labourmarket.core.selection import BREAKDOWNS, COUNTRY_CODE, TOTAL, Group
from labourmarket.core.store import LoadedData
from labourmarket.core.targets import Target, select_target_series
from labourmarket.core.trends import build_trend, describe_trend, format_in_sentence
from labourmarket.output.charts import plot_trend
from labourmarket.output.decomposition_trend_chart import (
    COMPOSITION,
    GAP,
    WITHIN,
    plot_decomposition_trend,
)
from labourmarket.output.formats import compose_file_name
from labourmarket.output.formatting import (
    BREAKDOWN_LABELS,
    MISSING,
    format_group,
    format_period,
)
from labourmarket.output.sentences import (
    compose_source_line,
    describe_group_clause,
    describe_newer_figures,
)
from labourmarket.output.shown_table import NumberFormat, ShownTable, make_shown_table
from labourmarket.views.gapanalys import (
    ask_for_regions,
    encode_sex,
    format_sex_suffix,
    list_breakdowns,
    list_periods,
    pick_default_regions,
)
from labourmarket.views.mal import compute_target_values, describe_target_line

VIEWS = {"chart": "Diagram", "table": "Tabell", "why": "Varför?"}
WHY_CAPTION = (
    "Sammansättning: hur mycket av skillnaden som beror på att arbetskraften är sammansatt på "
    "ett annat sätt. Inom grupperna: hur mycket som beror på högre eller lägre arbetslöshet "
    "inom varje grupp. Tillsammans blir de skillnaden."
)
# The counts are the first thing missing: without them no benchmark or breakdown would help.
NO_WHY_COUNTS = (
    "Skillnaden kan inte delas upp: källan ger bara andelar, inte antal arbetslösa och "
    "arbetskraft per grupp."
)
NO_WHY_BENCHMARK = "Skillnaden kan inte delas upp: det finns inget län eller riket att jämföra med."
NO_WHY_BREAKDOWN = (
    "Skillnaden kan inte delas upp: måttet är inte uppdelat efter ålder, födelseland eller "
    "utbildning."
)
TRANSFORM_LABELS = {
    "value": "Värden",
    "moving_average": "Glidande årsmedelvärde",
    "year_on_year": "Förändring mot ett år tidigare",
}
Y_TITLES = {
    "value": "Andel (%)",
    "moving_average": "Andel (%), glidande årsmedelvärde",
    "year_on_year": "Förändring mot ett år tidigare (procentenheter)",
}


@dataclass(frozen=True)
class UtvecklingOffer:
    groups: dict[str, str]  # group key -> "Totalt 16-64 år", "Utrikes födda"
    regions: RegionOffer
    default_regions: list[str]
    periods: dict[str, str]  # period code -> "kv 3 2013", oldest first
    transforms: dict[str, str]  # transform -> "Värden", those the frequency allows
    no_region_notice: str  # when the user has chosen no region


@dataclass(frozen=True)
class UtvecklingChoices:
    measure_id: str
    series: pd.DataFrame  # the measure's rows, as ui.select_measure cuts them once per build
    sex: str
    group_key: str  # "total" or "dimension:code"
    regions: list[str]  # at least one
    first: str  # period codes, in either order
    last: str
    view: str  # a key of VIEWS
    transform: str
    targets: list[Target]
    benchmark: str = ""  # the "why" view's county or country; empty where there is none
    breakdown: str = ""  # the "why" view's breakdown; empty where the measure has none


@dataclass(frozen=True)
class WhyOffer:
    """What the "why" view can split the first chosen region's gap against, and by what."""

    benchmarks: list[str]  # its county, then the country, where they have rows
    breakdowns: list[str]


@dataclass(frozen=True)
class WhyContent:
    """The first chosen region's gap to a benchmark over time, split in two terms."""

    notice: str | None  # why nothing can be split; the rest is then empty
    title: str = ""
    figure: go.Figure | None = None
    table: ShownTable | None = None
    gaps_note: str | None = None  # the periods that cannot be split, each reason once
    source_line: str = ""
    rows: pd.DataFrame | None = None
    file_name: str = ""


@dataclass(frozen=True)
class UtvecklingContent:
    title: str
    figure: go.Figure | None  # drawn in the chart view only
    table: ShownTable
    sentence: str
    missing_note: str | None  # how many periods lack a figure, when any do
    single_period_notice: str | None  # one period shown: no trend, the points are levels
    newer_notice: str | None  # the publisher has figures newer than the shown range's last period
    source_line: str
    rows: pd.DataFrame  # the observations behind the view, for the workbook's Källor sheet
    file_name: str
    why: WhyContent | None = None  # the "why" view only


def offer(data: LoadedData, series: pd.DataFrame, measure_id: str, sex: str) -> UtvecklingOffer:
    """What the page's pickers offer for one measure (its rows `series`) and one sex."""
    population = str(data.catalog.measure(measure_id)["population_sv"])
    regions = replace(offer_regions(series, data.catalog, "måttet"), link_limit=DRAWN_AT_MOST)
    # Only the periods of the frequency the trend keeps: a month picked beside kv 3 finds nothing.
    periods = list(reversed(list_periods(keep_one_frequency(series))))
    frequency = str(pick_frequency(series))
    transforms = list_transforms(frequency) if len(periods) > 1 else ["value"]
    return UtvecklingOffer(
        groups={key: format_group_key(key, population) for key in list_groups(series, sex)},
        regions=regions,
        default_regions=pick_default_regions(regions.codes),
        periods={code: format_period(code) for code in periods},
        transforms={code: TRANSFORM_LABELS[code] for code in transforms},
        no_region_notice=ask_for_regions(regions),
    )


def build(data: LoadedData, choices: UtvecklingChoices) -> UtvecklingContent:
    """The trend of the chosen group in the chosen regions, their county and the country."""
    catalog, measure_id, chosen = data.catalog, choices.measure_id, choices.regions
    measure = catalog.measure(measure_id)
    population, decimals = str(measure["population_sv"]), int(measure["decimals"])
    first, last = order_periods(choices.first, choices.last)
    references = list_references(choices.series, catalog, chosen)
    group = Group.decode(choices.group_key, choices.sex)
    breaks = catalog.series_breaks(measure_id)
    trend = build_trend(
        data.observations,
        measure_id,
        group,
        [*chosen, *references],
        first,
        last,
        decimals,
        breaks,
        pick_frequency(choices.series),
    )
    subject = describe_subject(choices.group_key, population, choices.sex)
    benchmark = references[0] if references else None
    title = (
        f"{measure['name_sv']}, {format_group_key(choices.group_key, population).lower()}"
        + format_sex_suffix(choices.sex)
    )
    source_line = compose_source_line(catalog, trend)
    names = {code: catalog.region_name(code) for code in [*chosen, *references]}
    figure = None
    if choices.view == "chart":
        target_line = None
        if choices.transform == "value":
            target_line = find_target_line(data, choices.targets, chosen[0], measure_id, group)
        figure = plot_trend(
            trend,
            choices.transform,
            names,
            references,
            title,
            source_line,
            Y_TITLES[choices.transform],
            decimals,
            target_line,
            breaks,
        )
    series = choices.series
    why = build_why(data, choices, first, last) if choices.view == "why" else None
    newer = find_newer_figures(data.observations, catalog, measure_id, last)
    return UtvecklingContent(
        title=title,
        figure=figure,
        table=shape_trend_table(trend, choices.transform, names, decimals),
        sentence=describe_trend(
            trend, catalog.region_names, subject, chosen[0], benchmark, decimals
        ),
        missing_note=describe_notes(trend, series),
        single_period_notice=describe_single_period(
            trend, chosen, list_periods(series), (first, last), choices.view
        ),
        newer_notice=None if newer is None else describe_newer_figures(newer, catalog),
        source_line=source_line,
        rows=series[
            series["region_code"].isin(trend["region_code"])
            & series["period"].isin(trend["period"])
        ],
        file_name=compose_file_name(
            "utveckling",
            measure_id,
            choices.group_key,
            encode_sex(choices.sex),
            chosen,
            first,
            last,
            choices.transform,
        ),
        why=why,
    )


def offer_why(data: LoadedData, series: pd.DataFrame, region: str, sex: str) -> WhyOffer:
    """The benchmarks and breakdowns the "why" view offers for one region and sex."""
    return WhyOffer(list_references(series, data.catalog, [region]), list_breakdowns(series, sex))


def build_why(data: LoadedData, choices: UtvecklingChoices, first: str, last: str) -> WhyContent:
    """Split the first chosen region's gap to the benchmark period by period, first to last."""
    if not has_counts(choices.series):
        return WhyContent(NO_WHY_COUNTS)
    if not choices.benchmark:
        return WhyContent(NO_WHY_BENCHMARK)
    if not choices.breakdown:
        return WhyContent(NO_WHY_BREAKDOWN)
    catalog, region, benchmark = data.catalog, choices.regions[0], choices.benchmark
    series = choices.series
    start, end = (pd.Timestamp(parse_period(code).start) for code in (first, last))
    rows = keep_one_frequency(
        series[
            series["region_code"].isin([region, benchmark])
            & series["period_start"].between(start, end)
        ]
    )
    split = decompose_periods(rows, region, benchmark, choices.breakdown, choices.sex)
    problems = split.dropna(subset=["problem"])
    if len(problems) == len(split):
        reasons = "; ".join(dict.fromkeys(problems["problem"]))
        return WhyContent(f"Skillnaden kan inte delas upp: {reasons}")
    decimals = int(catalog.measure(choices.measure_id)["decimals"])
    region_name, benchmark_name = catalog.region_name(region), catalog.region_name(benchmark)
    title = (
        f"{region_name}: skillnad mot {format_in_sentence(benchmark_name)}, uppdelad efter "
        f"{BREAKDOWN_LABELS[choices.breakdown].lower()}{format_sex_suffix(choices.sex)} (p.e.)"
    )
    source_line = compose_source_line(catalog, rows)
    y_title = f"Procentenheter mot {format_in_sentence(benchmark_name)}"
    signed = NumberFormat(decimals, signed=True, unit="p.e.")
    table = make_shown_table(
        pd.DataFrame(
            {
                "Period": split["period"].map(format_period),
                GAP: split["gap"],
                COMPOSITION: split["composition"],
                WITHIN: split["within"],
            }
        ),
        dict.fromkeys([GAP, COMPOSITION, WITHIN], signed),
    )
    return WhyContent(
        notice=None,
        title=title,
        figure=plot_decomposition_trend(split, title, source_line, y_title, decimals),
        table=table,
        gaps_note=describe_unsplit(problems, choices.regions, catalog),
        source_line=source_line,
        rows=rows,
        file_name=compose_file_name(
            "utveckling_varfor",
            choices.measure_id,
            choices.breakdown,
            encode_sex(choices.sex),
            region,
            benchmark,
            first,
            last,
        ),
    )


def describe_unsplit(problems: pd.DataFrame, chosen: list[str], catalog: Catalog) -> str | None:
    """Name the periods left as breaks, each reason once, and whose gap is split."""
    notes = []
    if len(chosen) > 1:
        notes.append(f"Uppdelningen visas för {catalog.region_name(chosen[0])}, det första valet.")
    for problem, periods in problems.groupby("problem", sort=False)["period"]:
        shown = [format_period(p) for p in periods]
        listed = ", ".join(shown[:3]) + (f" och {len(shown) - 3} till" if len(shown) > 3 else "")
        notes.append(f"Kan inte delas upp för {listed} (avbrott i linjerna): {problem}")
    return " ".join(notes) or None


def describe_single_period(
    trend: pd.DataFrame,
    chosen: list[str],
    periods: list[str],
    shown_range: tuple[str, str],
    view: str = "chart",
) -> str | None:
    """Say why there is no line when the chosen regions have figures for one period only.

    `periods` are the measure's (any region); `shown_range` the chosen first and last period.
    """
    first, last = shown_range
    known = trend.loc[trend["region_code"].isin(chosen) & trend["value"].notna(), "period"]
    if known.nunique() != 1:
        return None
    when = format_period(str(known.iloc[0]))
    if len(periods) == 1:
        reason = f"Måttet har bara en period ({when})"
    elif first == last:
        reason = f"Från och Till är samma period ({when})"
    else:
        reason = f"Det finns värden för bara en period i det valda intervallet ({when})"
    levels = "punkterna visar nivån" if view == "chart" else "tabellen visar nivån"
    return f"{reason}: utvecklingen kan inte visas; {levels}."


def describe_missing(trend: pd.DataFrame) -> str | None:
    """Count the periods without a figure, which the chart leaves as breaks in its lines."""
    missing = int(trend["value"].isna().sum())
    if not missing:
        return None
    return (
        f"{MISSING}: värde saknas eller är undertryckt ({missing} st), visas som avbrott i linjen."
    )


def describe_notes(trend: pd.DataFrame, series: pd.DataFrame) -> str | None:
    """The notes under the chart: missing figures, and which frequency a two-frequency measure
    shows (`series`: the measure's rows)."""
    kept = str(trend["frequency"].iloc[0]) if len(trend) else None
    notes = [describe_missing(trend), describe_kept_frequency(list_frequencies(series), kept)]
    return " ".join(note for note in notes if note) or None


def order_periods(first: str, last: str) -> tuple[str, str]:
    """The two chosen periods, the older first: a range picked backwards still reads forwards."""
    if parse_period(first).start > parse_period(last).start:
        return last, first
    return first, last


def list_references(series: pd.DataFrame, catalog: Catalog, chosen: list[str]) -> list[str]:
    """The chosen regions' counties, then the country, where not chosen and with rows."""
    regions = catalog.regions.set_index("region_code")
    counties = [str(regions.at[c, "county_code"]) for c in chosen if regions.at[c, "county_code"]]
    references = [r for r in dict.fromkeys([*counties, COUNTRY_CODE]) if r not in chosen]
    return [r for r in references if (series["region_code"] == r).any()]


def find_target_line(
    data: LoadedData, targets: list[Target], region: str, measure_id: str, group: Group
) -> tuple[str, pd.Series] | None:
    """The first target of the region on the measure and group: its label and level per period."""
    matching = [
        t
        for t in targets
        if t.region == region and measure_id in t.measures and t.group == group.as_dict()
    ]
    if not matching:
        return None
    target = matching[0]
    own = select_target_series(data.observations, target, target.region, measure_id)
    benchmark = (
        select_target_series(data.observations, target, target.benchmark, measure_id)
        if target.benchmark
        else None
    )
    levels = compute_target_values(target, own, benchmark)
    levels.index = own["period_start"]
    return describe_target_line(target, data.catalog), levels


def list_groups(observations: pd.DataFrame, sex: str = TOTAL) -> list[str]:
    """Group keys one sex has: "total" (where the rows have it) and each single-breakdown group.

    Sex is a choice of its own (it crosses every breakdown), not a group here.
    """
    rows = observations[observations["sex"] == sex]
    has_total = (rows[list(BREAKDOWNS)] == TOTAL).all(axis=1).any()
    return [key for key in list_group_keys(rows, sex) if key != TOTAL or has_total]


def format_group_key(key: str, population: str) -> str:
    if key == TOTAL:
        return f"Totalt {population}".strip()
    dimension, code = Group.decode(key).narrowed[0]
    return format_group(dimension, code, population)


def describe_subject(key: str, population: str, sex: str = TOTAL) -> str:
    """The sentence's subject: "arbetslösheten bland utrikes födda", "… bland män 18-24 år"."""
    if sex != TOTAL:
        return f"arbetslösheten{describe_group_clause(Group.decode(key, sex).as_dict())}"
    if key == TOTAL:
        return f"arbetslösheten ({population})"
    dimension, code = Group.decode(key).narrowed[0]
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
