"""Gapanalys: what the page offers for a measure and period, and the levels, gaps and table."""

from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go

from labourmarket.core import decomposition
from labourmarket.core.catalog import Catalog
from labourmarket.core.gaps import BREAKDOWNS, compute_gaps, label_gaps, select_breakdown
from labourmarket.core.recency import find_newer_figures
from labourmarket.core.region_offer import RegionOffer, offer_regions
from labourmarket.core.selection import COUNTRY_CODE, DEFAULT_MUNICIPALITIES, TOTAL, select_rows
from labourmarket.core.store import LoadedData
from labourmarket.core.trends import format_in_sentence
from labourmarket.output.charts import plot_gaps, plot_levels
from labourmarket.output.decomposition_chart import plot_decomposition
from labourmarket.output.decomposition_text import (
    TABLE_COLUMNS,
    describe_decomposition,
    shape_decomposition_table,
)
from labourmarket.output.formats import compose_file_name
from labourmarket.output.formatting import BREAKDOWN_LABELS, SEX_LABELS, format_period, sort_key_sv
from labourmarket.output.sentences import (
    compose_source_line,
    describe_largest_gap,
    describe_newer_figures,
)
from labourmarket.output.shown_table import NumberFormat, ShownTable, make_gap_table

VIEWS = {"chart": "Diagram", "table": "Tabell", "why": "Varför?"}
NO_COUNTS = (
    "Skillnaden kan inte delas upp för det här måttet: källan ({source}) ger bara andelar, "
    "inte antal arbetslösa och arbetskraft per grupp. Välj ett mått från Arbetsförmedlingen "
    "med antal, till exempel andelen inskrivna arbetslösa av arbetskraften."
)
NO_BENCHMARK = (
    "Måttet har inget läns- eller riksvärde för den här perioden att jämföra med. "
    "Välj ett annat mått eller en annan period."
)
NO_BREAKDOWN = "Måttet är inte uppdelat på ålder, födelseland eller utbildning för perioden."
MISSING_NOTE = "..: värde saknas eller är undertryckt; ingen skillnad kan räknas där."


@dataclass(frozen=True)
class GapanalysOffer:
    """What the page offers once the measure and period are chosen."""

    rows: pd.DataFrame  # the measure at the period: the sexes and regions come from these
    regions: RegionOffer
    default_regions: list[str]
    no_region_notice: str  # when the user has chosen no region
    # The publisher has figures newer than the period: said even where nothing can be compared.
    newer_notice: str | None


@dataclass(frozen=True)
class GapanalysComparisons:
    """What the chosen regions can be compared with, and by which breakdown."""

    benchmarks: list[str]
    default_benchmark: str  # empty where there is a problem
    breakdowns: list[str]
    default_breakdown: str  # empty where there is a problem
    problem: str | None  # why nothing can be compared (no benchmark or no breakdown)


@dataclass(frozen=True)
class GapanalysChoices:
    measure_id: str
    period: str
    rows: pd.DataFrame  # GapanalysOffer.rows
    sex: str
    regions: tuple[str, ...]
    benchmark: str
    breakdown: str
    view: str  # a key of VIEWS


@dataclass(frozen=True)
class GapChart:
    figure: go.Figure
    title: str  # the title its downloads carry
    file_name: str


@dataclass(frozen=True)
class GapSplit:
    """One region's gap split into composition and within-group terms (the "Varför?" view)."""

    region: str
    sentence: str
    chart: GapChart | None  # none where the gap cannot be split
    table: ShownTable


@dataclass(frozen=True)
class GapanalysContent:
    headline: str  # the largest gap in a sentence
    heading: str  # measure, period and breakdown (and sex): the table's title
    table: ShownTable
    rows: pd.DataFrame  # the observations behind the view, for the downloads' Källor sheet
    file_name: str  # the table's downloads
    charts: tuple[GapChart, ...]  # the levels, then the gaps; none in the table view
    missing_note: str | None  # what `..` means, where a figure is missing
    source_line: str
    measure_note: str  # the measure's definition and population
    splits: tuple[GapSplit, ...] = field(default_factory=tuple)  # the "why" view, per region
    split_notice: str | None = None  # why the measure's gaps cannot be split at all


def list_periods(observations: pd.DataFrame) -> list[str]:
    """Return the periods present, latest first."""
    periods = observations.drop_duplicates("period").sort_values("period_start", ascending=False)
    return periods["period"].tolist()


def list_regions_at(observations: pd.DataFrame, catalog: Catalog, level: str) -> list[str]:
    regions = catalog.regions
    at_level = regions[
        (regions["level"] == level)
        & regions["region_code"].isin(observations["region_code"].unique())
    ]
    return sorted(at_level["region_code"], key=lambda code: sort_key_sv(catalog.region_name(code)))


def format_sex_suffix(sex: str) -> str:
    """What a title adds for one sex: ", kvinnor" or ", män"; nothing for both."""
    return "" if sex == TOTAL else f", {SEX_LABELS[sex].lower()}"


def encode_sex(sex: str) -> str:
    """The sex in a file name: "women" or "men"; both sexes keep the names they always had."""
    return "" if sex == TOTAL else sex


def list_sexes(observations: pd.DataFrame) -> list[str]:
    """Kvinnor, Män and Alla where the rows are split by sex; none (no choice) where not."""
    present = set(observations["sex"].unique())
    if present <= {TOTAL}:
        return []
    return [code for code in SEX_LABELS if code in present]


def pick_default_regions(regions: list[str]) -> list[str]:
    """Tabell 1's four kommuner where present, else the first four."""
    return [code for code in DEFAULT_MUNICIPALITIES if code in regions] or regions[:4]


def list_benchmarks(
    observations: pd.DataFrame, catalog: Catalog, chosen: list[str] | None = None
) -> list[str]:
    """Return the län with figures in the selection, then Riket, leaving out compared regions."""
    counties = list_regions_at(observations, catalog, "county")
    has_country = (observations["region_code"] == COUNTRY_CODE).any()
    candidates = counties + ([COUNTRY_CODE] if has_country else [])
    return [code for code in candidates if code not in (chosen or [])]


def pick_default_benchmark(benchmarks: list[str], chosen: list[str], catalog: Catalog) -> str:
    """Prefer the county of the first chosen kommun (Länet), then Riket, then what there is."""
    regions = catalog.regions.set_index("region_code")
    counties = [regions.at[code, "county_code"] for code in chosen if code in regions.index]
    for candidate in [*counties[:1], COUNTRY_CODE]:
        if candidate in benchmarks:
            return candidate
    return benchmarks[0]


def list_breakdowns(observations: pd.DataFrame, sex: str = TOTAL) -> list[str]:
    """Return the breakdowns for which the selection has more than one sex's total group."""
    return [
        breakdown
        for breakdown in BREAKDOWNS
        if select_breakdown(observations, breakdown, sex)[breakdown].nunique() > 1
    ]


def shape_gap_table(gaps: pd.DataFrame, benchmark_name: str, decimals: int = 1) -> ShownTable:
    """Labelled gaps as the table a report shows: one row per group and kommun, figures rounded."""
    labels = {"Grupp": gaps["group_label"], "Kommun": gaps["region_name"]}
    return make_gap_table(labels, "Andel (%)", gaps, benchmark_name, decimals, has_ratio=True)


def ask_for_regions(regions: RegionOffer) -> str:
    """The notice for an empty choice: a kommun, or a län where the measure has no kommun."""
    return "Välj minst en kommun." if regions.label == "Kommuner" else "Välj minst ett län."


def offer(data: LoadedData, series: pd.DataFrame, measure_id: str, period: str) -> GapanalysOffer:
    """The regions the measure has figures for at the period (`series`: the measure's rows)."""
    rows = select_rows(series, measure_id, period=period)
    regions = offer_regions(rows, data.catalog, "måttet och perioden")
    newer = find_newer_figures(data.observations, data.catalog, measure_id, period)
    return GapanalysOffer(
        rows=rows,
        regions=regions,
        default_regions=pick_default_regions(regions.codes),
        no_region_notice=ask_for_regions(regions),
        newer_notice=None if newer is None else describe_newer_figures(newer, data.catalog),
    )


def offer_comparisons(
    data: LoadedData, rows: pd.DataFrame, chosen: list[str], sex: str
) -> GapanalysComparisons:
    """The benchmarks beside the chosen regions and the breakdowns the sex's rows have."""
    benchmarks = list_benchmarks(rows, data.catalog, chosen)
    breakdowns = list_breakdowns(rows, sex)
    problem = NO_BENCHMARK if not benchmarks else NO_BREAKDOWN if not breakdowns else None
    if problem is not None:
        return GapanalysComparisons(benchmarks, "", breakdowns, "", problem)
    default = pick_default_benchmark(benchmarks, chosen, data.catalog)
    return GapanalysComparisons(benchmarks, default, breakdowns, breakdowns[0], None)


def build(data: LoadedData, choices: GapanalysChoices) -> GapanalysContent:
    """Each group's figure in the chosen regions beside the benchmark's: charts or a table."""
    catalog = data.catalog
    measure = catalog.measure(choices.measure_id)
    decimals = int(measure["decimals"])
    benchmark_name = catalog.region_name(choices.benchmark)
    regions = list(choices.regions)
    gaps = label_gaps(
        compute_gaps(
            choices.rows, regions, choices.benchmark, choices.breakdown, decimals, choices.sex
        ),
        catalog.region_names,
        choices.breakdown,
        str(measure["population_sv"]),
        choices.sex,
    )
    source_line = compose_source_line(catalog, choices.rows)
    heading = (
        f"{measure['name_sv']}, {format_period(choices.period)}, "
        f"efter {BREAKDOWN_LABELS[choices.breakdown].lower()}" + format_sex_suffix(choices.sex)
    )
    file_name = compose_file_name(
        "gapanalys",
        choices.measure_id,
        choices.period,
        regions,
        choices.benchmark,
        choices.breakdown,
        encode_sex(choices.sex),
    )
    charts: tuple[GapChart, ...] = ()
    if choices.view == "chart":
        gap_title = f"Skillnad mot {format_in_sentence(benchmark_name)} i procentenheter"
        charts = (
            GapChart(
                plot_levels(gaps, benchmark_name, heading, source_line, decimals),
                heading,
                f"{file_name}_niva",
            ),
            GapChart(
                plot_gaps(gaps, benchmark_name, gap_title, source_line, decimals),
                gap_title,
                f"{file_name}_skillnad",
            ),
        )
    splits: tuple[GapSplit, ...] = ()
    split_notice = None
    if choices.view == "why":
        if decomposition.has_counts(choices.rows):
            splits = tuple(
                split_gap(catalog, choices, region, heading, source_line, file_name)
                for region in regions
            )
        else:
            source = catalog.source(str(measure["source_id"]))
            split_notice = NO_COUNTS.format(source=f"{source['publisher']}, {source['title']}")
    has_missing = gaps[["value", "benchmark_value"]].isna().any(axis=None)
    return GapanalysContent(
        headline=describe_largest_gap(
            gaps, benchmark_name, decimals, str(measure["population_sv"]), choices.sex
        ),
        heading=heading,
        table=shape_gap_table(gaps, benchmark_name, decimals),
        rows=choices.rows,
        file_name=file_name,
        charts=charts,
        missing_note=MISSING_NOTE if has_missing else None,
        source_line=source_line,
        measure_note=f"Mått: {measure['definition_sv']} Population: {measure['population_sv']}.",
        splits=splits,
        split_notice=split_notice,
    )


# Shares and rates in percent, the two terms signed in percentage points (the header says so).
SPLIT_FORMATS = {
    **{column: NumberFormat(1) for column in TABLE_COLUMNS[4:8]},
    **{column: NumberFormat(2, signed=True) for column in TABLE_COLUMNS[8:]},
}


def split_gap(
    catalog: Catalog,
    choices: GapanalysChoices,
    region: str,
    heading: str,
    source_line: str,
    file_name: str,
) -> GapSplit:
    """One region's gap to the benchmark split by the chosen breakdown: words, chart, table."""
    d = decomposition.decompose(
        choices.rows, region, choices.benchmark, choices.breakdown, choices.sex
    )
    region_name = catalog.region_name(region)
    benchmark_name = catalog.region_name(choices.benchmark)
    sentence = describe_decomposition(d, region_name, benchmark_name)
    frame = shape_decomposition_table([d], catalog.region_names)
    # The breakdown is in the page's heading already.
    table = ShownTable(frame.drop(columns=TABLE_COLUMNS[:1]), SPLIT_FORMATS)
    chart = None
    if d.problem is None and d.groups:
        question = f"Varför skiljer sig {region_name} från {format_in_sentence(benchmark_name)}?"
        title = f"{question} {heading}"
        measure = catalog.measure(choices.measure_id)
        # The figure's title on two lines: one line would run past the plot's edge.
        figure = plot_decomposition(
            d,
            region_name,
            benchmark_name,
            f"{question}<br><sup>{heading}</sup>",
            source_line,
            str(measure["population_sv"]),
        )
        chart = GapChart(figure, title, f"{file_name}_varfor_{region}")
    return GapSplit(region, sentence, chart, table)
