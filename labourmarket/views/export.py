"""The Mål och budget pack for one kommun and period: tables, charts, targets, Word draft, zip."""

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from labourmarket.core import store
from labourmarket.core.catalog import Catalog
from labourmarket.core.changelog import read_revision_log
from labourmarket.core.decomposition import decompose_all, has_counts
from labourmarket.core.defaults import pick_pack_period
from labourmarket.core.frequency import describe_kept_frequency, list_frequencies
from labourmarket.core.gaps import compute_gaps
from labourmarket.core.periods import find_period_end, parse_period
from labourmarket.core.recency import find_newer_figures
from labourmarket.core.schema import KEY
from labourmarket.core.selection import COUNTRY_CODE, DEFAULT_MUNICIPALITIES, select_rows
from labourmarket.core.store import LoadedData
from labourmarket.core.targets import Target, evaluate, pick_measure, select_target_series
from labourmarket.core.trends import build_trend, describe_trend, format_in_sentence
from labourmarket.output import formats
from labourmarket.output.change_tables import format_time, shape_revisions
from labourmarket.output.charts import plot_levels, plot_trend
from labourmarket.output.decomposition_text import (
    describe_decomposition,
    shape_decomposition_table,
)
from labourmarket.output.formatting import BREAKDOWN_LABELS, format_period, sort_key_sv
from labourmarket.output.measure_sources import shape_sources_table
from labourmarket.output.sentences import (
    MISSING_NOTE,
    compose_source_line,
    describe_group,
    describe_largest_gap,
    describe_newer_figures,
)
from labourmarket.output.shown_table import NumberFormat, ShownTable, make_shown_table
from labourmarket.views.gapanalys import list_breakdowns, list_periods
from labourmarket.views.mal import (
    compute_target_values,
    describe_period,
    describe_target_result,
    fit_target_for_export,
    format_status,
    plot_target,
    select_target_rows,
    shape_target_table,
)
from labourmarket.views.utveckling import describe_subject

README_NAME = "LASMIG.txt"
# English words in target ids, in Swedish for file names (the Mål sheet keeps the ids).
TARGET_WORDS = {"vs": "mot", "closing": "minskar"}
REVISIONS_SHEET = "Reviderat"
NO_REGIONS = "Datan har inga värden för någon kommun att exportera."
BASELINE_STATUS = "Basperiod: målet jämförs med den"
WHY_SHEET = "Varför"
WHY_HEADING = "Varför skiljer sig arbetslösheten?"
WHY_COLUMNS = ["Mått", "Uppdelning", "Grupp", "Sammansättning (p.e.)", "Inom gruppen (p.e.)"]
NO_WHY = (
    "Skillnaden kan inte delas upp: underlagets mått ger bara andelar, inte antal arbetslösa "
    "och arbetskraft per grupp."
)
# A chart with no table of its own still travels as an Exportable, which always has one.
EMPTY_TABLE = ShownTable(pd.DataFrame())


class PackError(Exception):
    """No pack can be made for the request: an unknown kommun or period, or no figures."""


@dataclass(frozen=True)
class PackTable:
    key: str  # its files' name: Swedish words and the periods it holds (compose_table_names)
    sheet: str  # the Excel sheet's name, with the same periods (at most 31 characters)
    title: str
    table: ShownTable
    source_line: str


@dataclass(frozen=True)
class PackChart:
    key: str  # the name of the table it draws: its data is that table's sheet and CSV files
    title: str
    figure: go.Figure
    alt_text: str


@dataclass(frozen=True)
class Section:
    """One heading of the Word draft: a measure's level and gaps, or one strategy target."""

    heading: str
    lead: str  # where a target is written, and its words; empty for a measure
    sentence: str
    table: PackTable | None
    chart: PackChart | None
    source_line: str
    note: str = ""
    newer_notice: str = ""  # the publisher has figures newer than the pack's period
    measure_id: str = ""  # a measure's section: the measure it shows
    # The periods a line chart draws, where the section's table has only the last one.
    series: PackTable | None = None

    @property
    def tables(self) -> list[PackTable]:
        return [table for table in (self.table, self.series) if table is not None]


@dataclass(frozen=True)
class Pack:
    region: str
    region_name: str
    period: str
    built_at: str
    measures: list[Section]
    targets: list[Section]
    target_table: PackTable
    sources: PackTable
    rows: pd.DataFrame  # the observations the pack draws on, as its Källor sheet lists them
    catalog: Catalog
    # The pack's figures that builds have revised (old -> new), from the build history; None
    # when none were. revision_note: why the history could not be read, or "".
    revised: PackTable | None = None
    revision_note: str = ""
    targets_held: str = ""  # which periods the targets' figures are from (describe_held)
    why: PackTable | None = None  # the Varför sheet: the gap to the county split by group
    why_sentences: tuple[str, ...] = ()  # the split in words, for the Word draft

    @property
    def stem(self) -> str:
        return formats.compose_file_name("mal_och_budget", self.region, self.period)

    @property
    def tables(self) -> list[PackTable]:
        """Every table the Excel workbook and the CSV files hold, in reading order: each
        measure's, Varför, the targets' overview, each target's, revisions, sources."""
        revised = [self.revised] if self.revised is not None else []
        measure_tables = [t for s in self.measures for t in s.tables]
        target_tables = [t for s in self.targets for t in s.tables]
        # Varför follows the measures it splits, as in the Word draft.
        measure_tables += [self.why] if self.why is not None else []
        return [*measure_tables, self.target_table, *target_tables, *revised, self.sources]

    @property
    def charts(self) -> list[PackChart]:
        return [s.chart for s in [*self.measures, *self.targets] if s.chart is not None]


def compose_table_names(
    label: str, number: int | None, words: str, first: str, last: str
) -> tuple[str, str]:
    """A table's file name and sheet name, both saying the periods it holds:
    `tabell02_arbetsloshet_20-64_ar_2016-2023` and `Tabell 2 2016–2023`."""
    numbered = f"{label}{number:02d}" if number is not None else label
    key = formats.compose_readable_name(numbered, words, formats.compose_span_name(first, last))
    sheet_words = [label.capitalize() if label != "mal" else "Mål"]
    sheet_words += [str(number)] if number is not None else []
    sheet = " ".join([*sheet_words, formats.compose_sheet_span(first, last)])
    return key, sheet[: formats.SHEET_NAME_LENGTH]


def name_measure(measure_name: str) -> str:
    """A measure's name in file names: its words before the first comma or parenthesis."""
    return formats.compose_readable_name(re.split(r"[,(]", measure_name, maxsplit=1)[0])


def name_target(target: Target, catalog: Catalog) -> str:
    """A target's words in file names: its id without the kommun, in Swedish."""
    prefix = f"{formats.compose_readable_name(catalog.region_name(target.region))}_"
    words = target.id.removeprefix(prefix).split("_")
    return formats.compose_readable_name(*(TARGET_WORDS.get(w, w) for w in words))


def sort_periods(periods: Iterable[str]) -> list[str]:
    """Periods oldest first: by when they end, a quarter before its year."""
    return sorted(set(periods), key=lambda p: (find_period_end(p), parse_period(p).start))


def list_pack_regions(observations: pd.DataFrame, catalog: Catalog) -> list[str]:
    """The kommuner with figures, in Swedish alphabetical order."""
    regions = catalog.regions
    present = regions[
        (regions["level"] == "municipality")
        & regions["region_code"].isin(observations["region_code"].unique())
    ]
    return sorted(present["region_code"], key=lambda code: sort_key_sv(catalog.region_name(code)))


def list_pack_periods(observations: pd.DataFrame, region: str) -> list[str]:
    """The periods with a figure for the kommun, latest first (a quarter before its year)."""
    rows = observations[(observations["region_code"] == region) & observations["value"].notna()]
    periods = rows["period"].unique().tolist()
    return sorted(periods, key=lambda p: (find_period_end(p), parse_period(p).start), reverse=True)


def is_by(period: str, cutoff: str) -> bool:
    """Whether a period has ended when `cutoff` ends (a year is not known in its third quarter)."""
    return find_period_end(period) <= find_period_end(cutoff)


def compute_region_groups(
    selection: pd.DataFrame, region: str, benchmarks: list[str], decimals: int, population: str
) -> pd.DataFrame:
    """The kommun's figure per group, beside each benchmark's figure and the gap to it.

    The groups of every breakdown (age, birth region, education) follow one another, with the
    total once; gaps come from compute_gaps, rounded exactly as the Gapanalys page rounds them.
    """
    frames = []
    for breakdown in list_breakdowns(selection) or ["age"]:
        base = compute_gaps(selection, [region], region, breakdown, decimals)[["group", "value"]]
        for benchmark in benchmarks:
            gaps = compute_gaps(selection, [region], benchmark, breakdown, decimals)
            base[f"{benchmark}_value"] = gaps["benchmark_value"].to_numpy()
            base[f"{benchmark}_gap"] = gaps["gap_pp"].to_numpy()
        labels = [
            f"Totalt {population}" if code == "total" else describe_group(breakdown, code)
            for code in base["group"]
        ]
        base["group_label"] = [label[:1].upper() + label[1:] for label in labels]
        frames.append(base if not frames else base[base["group"] != "total"])
    return pd.concat(frames, ignore_index=True)


def shape_region_table(
    groups: pd.DataFrame, region: str, benchmarks: list[str], catalog: Catalog, decimals: int
) -> ShownTable:
    """Tabell 1's shape: a row per group, the kommun, then each benchmark and the gap to it."""
    columns = {
        "Grupp": groups["group_label"],
        f"{catalog.region_name(region)} (%)": groups["value"],
    }
    formats = {f"{catalog.region_name(region)} (%)": NumberFormat(decimals)}
    for benchmark in benchmarks:
        name = catalog.region_name(benchmark)
        columns[f"{name} (%)"] = groups[f"{benchmark}_value"]
        columns[f"Skillnad mot {name}"] = groups[f"{benchmark}_gap"]
        formats[f"{name} (%)"] = NumberFormat(decimals)
        formats[f"Skillnad mot {name}"] = NumberFormat(decimals, signed=True, unit="p.e.")
    return make_shown_table(pd.DataFrame(columns), formats)


def label_for_chart(gaps: pd.DataFrame, groups: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    """Region and group names as plot_levels reads them, in the table's group order."""
    labels = dict(zip(groups["group"], groups["group_label"], strict=True))
    return gaps.assign(
        region_name=gaps["region_code"].map(catalog.region_name),
        group_label=gaps["group"].map(labels),
    )


def plot_region_levels(
    selection: pd.DataFrame,
    region: str,
    benchmarks: list[str],
    groups: pd.DataFrame,
    catalog: Catalog,
    title: str,
    source_line: str,
    decimals: int,
) -> go.Figure:
    """Bars per group: the kommun (and its county), the last benchmark (Riket) hatched grey."""
    compared, benchmark = [region, *benchmarks[:-1]], benchmarks[-1]
    frames = []
    for breakdown in list_breakdowns(selection) or ["age"]:
        gaps = compute_gaps(selection, compared, benchmark, breakdown, decimals)
        frames.append(gaps if not frames else gaps[gaps["group"] != "total"])
    gaps = label_for_chart(pd.concat(frames, ignore_index=True), groups, catalog)
    # Seven groups side by side: two-line labels stay level instead of tilting into the source.
    gaps["group_label"] = [
        label.replace(" ", "<br>", 1) if len(label) > 10 else label for label in gaps["group_label"]
    ]
    figure = plot_levels(gaps, catalog.region_name(benchmark), title, source_line, decimals)
    figure.update_xaxes(tickangle=0)
    figure.update_annotations(yshift=-62, selector={"yref": "paper", "y": 0})
    figure.update_layout(margin={"b": figure.layout.margin.b + 17})
    return figure


def shape_series_table(trend: pd.DataFrame, names: dict[str, str], decimals: int) -> ShownTable:
    """A line chart's figures: a row per period, a column per region, in the chart's order."""
    # Plain text codes: a categorical index would pivot to every pairing of its categories.
    plain = trend.astype({"period": "str", "region_code": "str"})
    wide = plain.pivot(
        index=["period_start", "period"], columns="region_code", values="value"
    ).sort_index()
    present = [code for code in names if code in wide.columns]
    columns = {"Period": [format_period(str(p)) for _, p in wide.index]}
    columns |= {f"{names[code]} (%)": wide[code].to_numpy() for code in present}
    number = NumberFormat(decimals)
    return make_shown_table(
        pd.DataFrame(columns), {f"{names[code]} (%)": number for code in present}
    )


def build_measure_section(
    observations: pd.DataFrame,
    catalog: Catalog,
    measure_id: str,
    region: str,
    period: str,
    number: int = 1,
) -> Section:
    """A measure's level and gaps for the kommun in the period, as a table, a chart, a sentence.

    Its table is Tabell `number`; a line chart's years are Tabell `number` + 1.
    """
    measure = catalog.measure(measure_id)
    decimals, population = int(measure["decimals"]), str(measure["population_sv"])
    selection = select_rows(observations, measure_id, period=period)
    county = str(catalog.regions.set_index("region_code").at[region, "county_code"])
    present = set(selection.loc[selection["value"].notna(), "region_code"])
    benchmarks = [code for code in (county, COUNTRY_CODE) if code and code in present]
    region_name = catalog.region_name(region)
    shown_rows = selection[selection["region_code"].isin([region, *benchmarks])]
    source_line = compose_source_line(catalog, shown_rows)
    groups = compute_region_groups(selection, region, benchmarks, decimals, population)
    title = f"{region_name}: {measure['name_sv']}, {format_period(period)}"
    words = name_measure(str(measure["name_sv"]))
    key, sheet = compose_table_names("tabell", number, words, period, period)
    table = PackTable(
        key=key,
        sheet=sheet,
        title=title,
        table=shape_region_table(groups, region, benchmarks, catalog, decimals),
        source_line=source_line,
    )
    trend = build_trend(
        observations,
        measure_id,
        {},
        [region, *benchmarks],
        list_periods(select_rows(observations, measure_id))[-1],
        period,
        decimals,
        catalog.series_breaks(measure_id),
        frequency=parse_period(period).frequency,
    )
    trend = trend[[is_by(p, period) for p in trend["period"]]]
    names = {code: catalog.region_name(code) for code in [region, *benchmarks]}
    subject = describe_subject("total", population)
    sentence = describe_trend(
        trend, names, subject, region, benchmarks[0] if benchmarks else None, decimals
    )
    frequencies = list_frequencies(select_rows(observations, measure_id, [region, *benchmarks]))
    kept = describe_kept_frequency(frequencies, parse_period(period).frequency)
    if kept is not None:
        sentence = f"{sentence} {kept}"
    chart, series = None, None
    if benchmarks:
        largest = describe_largest_gap(
            compute_gaps_labelled(selection, region, benchmarks[0], groups, catalog, decimals),
            format_in_sentence(catalog.region_name(benchmarks[0])),
            decimals,
            population,
        )
        sentence = f"{sentence} {largest}"
        figure = plot_region_levels(
            selection, region, benchmarks, groups, catalog, title, source_line, decimals
        )
        chart = PackChart(table.key, title, figure, f"Stapeldiagram: {sentence}")
    elif trend.loc[trend["region_code"] == region, "value"].notna().sum() > 1:
        first = str(trend.sort_values("period_start")["period"].iloc[0])
        title = (
            f"{region_name}: {measure['name_sv']}, {format_period(first)}–{format_period(period)}"
        )
        source_line = compose_source_line(catalog, trend)
        figure = plot_trend(
            trend,
            "value",
            names,
            benchmarks,
            title,
            source_line,
            "Andel (%)",
            decimals,
            breaks=catalog.series_breaks(measure_id),
        )
        key, sheet = compose_table_names("tabell", number + 1, words, first, period)
        series = PackTable(
            key, sheet, title, shape_series_table(trend, names, decimals), source_line
        )
        chart = PackChart(key, title, figure, f"Linjediagram: {sentence}")
    newer = find_newer_figures(observations, catalog, measure_id, period)
    return Section(
        heading=str(measure["name_sv"]),
        lead="",
        sentence=sentence,
        table=table,
        chart=chart,
        source_line=source_line,
        note=f"Mått: {measure['definition_sv']} Population: {population}.",
        newer_notice=describe_newer_figures(newer, catalog) if newer is not None else "",
        measure_id=measure_id,
        series=series,
    )


def compute_gaps_labelled(
    selection: pd.DataFrame,
    region: str,
    benchmark: str,
    groups: pd.DataFrame,
    catalog: Catalog,
    decimals: int,
) -> pd.DataFrame:
    """The kommun's gaps to one benchmark over every group, labelled for describe_largest_gap."""
    gaps = groups.assign(
        region_code=region,
        benchmark_value=groups[f"{benchmark}_value"],
        gap_pp=groups[f"{benchmark}_gap"],
    )
    return label_for_chart(gaps, groups, catalog)


def select_until(results: pd.DataFrame, period: str) -> pd.DataFrame:
    """A target's evaluated periods that ended by the end of `period`."""
    return results[[pd.notna(p) and is_by(p, period) for p in results["period"]]]


def judge_as_of(results: pd.DataFrame, period: str) -> pd.Series:
    """The target's standing in the pack's period: its last judged period up to then."""
    judged = select_until(results, period)
    if not judged.empty:
        return judged.iloc[-1]
    row = results.iloc[-1].copy()
    if pd.notna(row["period"]) or row["status"] != "cannot_assess":
        row[["period", "value", "benchmark_value", "gap_pp", "baseline_value", "change_pp"]] = None
        row["status"], row["reason"] = "cannot_assess", "period_not_found"
        row["reason_sv"] = f"inga värden för målet till och med {format_period(period)}"
        row["before_strategy"] = False
    return row


def shape_target_series(
    target: Target,
    periods: list[str],
    own: pd.DataFrame,
    benchmark: pd.DataFrame | None,
    results: pd.DataFrame,
    catalog: Catalog,
    measure: str,
) -> ShownTable:
    """The target's figures period by period, as its chart draws them: the kommun, the
    benchmark, the level it must stay at, the difference and the status where judged."""
    decimals = int(catalog.measure(measure)["decimals"])
    judged = {str(row["period"]): row for _, row in results.dropna(subset=["period"]).iterrows()}
    region = f"{catalog.region_name(target.region)} (%)"
    frame = pd.DataFrame(
        {
            "Period": [
                describe_period(judged[p]) if p in judged else format_period(p) for p in periods
            ]
        }
    )
    frame[region] = own["value"].reindex(periods).astype("float64").to_numpy()
    formats_ = {region: NumberFormat(decimals)}
    if benchmark is not None:
        name = f"{catalog.region_name(str(target.benchmark))} (%)"
        frame[name] = benchmark["value"].reindex(periods).astype("float64").to_numpy()
        formats_[name] = NumberFormat(decimals)
    levels = compute_target_values(target, own, benchmark).reindex(periods)
    frame["Målnivå (%)"] = levels.astype("float64").to_numpy()
    frame["Skillnad mot målnivå"] = frame[region] - frame["Målnivå (%)"]
    frame["Status"] = [
        format_status(judged[p]["status"], judged[p]["reason_sv"])
        if p in judged
        else BASELINE_STATUS
        if p == target.baseline_period
        else ""
        for p in periods
    ]
    formats_["Målnivå (%)"] = NumberFormat(decimals)
    formats_["Skillnad mot målnivå"] = NumberFormat(decimals, signed=True, unit="p.e.")
    return make_shown_table(frame, formats_)


def build_target_section(
    observations: pd.DataFrame, catalog: Catalog, target: Target, period: str, number: int = 1
) -> tuple[Section, pd.Series]:
    """A target's heading, words, standing, outcome table and chart, up to the period.

    The table holds every period the chart draws (or, with no chart, every judged one) and is
    named after them, as Mål `number` (the target's place in the kommun's list).
    """
    regions = [target.region, *([target.benchmark] if target.benchmark else [])]
    relevant = observations[
        observations["measure_id"].isin(target.measures) & observations["region_code"].isin(regions)
    ]
    # Judged on the measure known by the period: one first published later does not decide.
    known = relevant["period"].map(lambda code: is_by(code, period)).astype(bool)
    measure = pick_measure(relevant[known], target)
    results = evaluate(relevant, [replace(target, measures=(measure,))], catalog)
    result = judge_as_of(results, period)
    own = select_target_series(relevant, target, target.region, measure)
    own = own[[is_by(p, period) for p in own.index]]
    benchmark = None
    if target.benchmark:
        benchmark = select_target_series(relevant, target, target.benchmark, measure)
        benchmark = benchmark[[is_by(p, period) for p in benchmark.index]]
    rows = select_target_rows(relevant, target, measure, own.index)
    source_line = compose_source_line(catalog, rows) if not rows.empty else ""
    sentence = describe_target_result(target, result, catalog)
    judged = select_until(results, period)
    # As on the Mål page: a bar on its own baseline line would read as "on target".
    drawn = result["status"] != "cannot_assess" and own["value"].notna().any()
    periods = list(own.index) if drawn else list(judged.loc[judged["period"].notna(), "period"])
    table, chart = None, None
    if periods:
        key, sheet = compose_table_names(
            "mal", number, name_target(target, catalog), periods[0], periods[-1]
        )
        outcome = shape_target_series(target, periods, own, benchmark, judged, catalog, measure)
        span = "–".join(dict.fromkeys(format_period(p) for p in (periods[0], periods[-1])))
        title = f"{catalog.region_name(target.region)}: {target.goal_sv}, {span}"
        table = PackTable(key, sheet, title, outcome, source_line)
    if drawn and table is not None:
        figure = fit_target_for_export(
            plot_target(target, measure, own, benchmark, catalog, source_line), target, catalog
        )
        title = str(figure.layout.title.text)
        kind = "Stapeldiagram" if len(own) == 1 else "Linjediagram"
        chart = PackChart(table.key, title, figure, f"{kind} mot målnivån: {sentence}")
    section = Section(
        heading=target.goal_sv,
        lead=f"Målet står i {target.document}, {target.section}: ”{target.quote}”",
        sentence=sentence,
        table=table,
        chart=chart,
        source_line=source_line,
        note=f"Tolkning: {target.note}" if target.note else "",
    )
    return section, result


def select_pack_revisions(log: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """The revisions of the figures the pack draws on, the latest build's first."""
    keys = rows[KEY].astype(str).drop_duplicates()
    picked = log.astype(dict.fromkeys(KEY, str)).merge(keys, on=KEY, how="inner")
    return picked.sort_values(
        ["built_at", *KEY], ascending=[False, *[True] * len(KEY)], kind="stable"
    ).reset_index(drop=True)


def shape_revision_table(
    revisions: pd.DataFrame, catalog: Catalog, region: str, period: str
) -> PackTable:
    """The Reviderat sheet: each revised figure, old -> new, both retrieval dates, the build."""
    table = shape_revisions(revisions, catalog)
    frame = table.frame.assign(Bygge=[format_time(b) for b in revisions["built_at"]])
    return PackTable(
        key="reviderade_varden",
        sheet=REVISIONS_SHEET,
        title=f"{catalog.region_name(region)}: reviderade värden i underlaget",
        table=ShownTable(frame, table.formats),
        source_line=(
            "Ur datans bygghistorik: värden i underlaget som ett senare bygge ändrade, med "
            "tidigare och nytt värde och båda hämtningsdatumen."
        ),
    )


def find_pack_revisions(
    revisions: pd.DataFrame | None,
    manifest: dict[str, Any],
    shown: pd.DataFrame,
    catalog: Catalog,
    region: str,
    period: str,
) -> tuple[PackTable | None, str]:
    """The pack's revised figures (from `revisions`, else the build history) and, when the
    history cannot be read, why."""
    if revisions is None:
        try:
            revisions = read_revision_log(manifest)
        except store.StoreError as error:
            return None, f"Bygghistoriken kunde inte läsas, så reviderade värden saknas: {error}"
    if revisions is None:
        return None, ""
    picked = select_pack_revisions(revisions, shown)
    if picked.empty:
        return None, ""
    return shape_revision_table(picked, catalog, region, period), ""


def assemble_pack(
    observations: pd.DataFrame,
    catalog: Catalog,
    targets: list[Target],
    manifest: dict[str, Any],
    region: str,
    period: str,
    revisions: pd.DataFrame | None = None,
) -> Pack:
    """What the pack holds for a kommun and period, figures only: no image drawn yet.

    revisions: every revision the builds made (changelog.REVISION_COLUMNS); None reads them
    from the build history of the manifest's build.
    """
    if region not in catalog.region_names:
        raise PackError(f"unknown region {region!r}: use an SCB code such as 0181 (Södertälje)")
    if region not in set(
        catalog.regions.loc[catalog.regions["level"] == "municipality", "region_code"]
    ):
        raise PackError(f"{region} ({catalog.region_name(region)}) is not a kommun")
    try:
        parse_period(period)
    except ValueError as error:
        raise PackError(str(error)) from error
    periods = list_pack_periods(observations, region)
    if period not in periods:
        raise PackError(
            f"no figures for {region} ({catalog.region_name(region)}) in {period}; "
            + describe_periods(periods)
        )
    rows = observations[
        (observations["region_code"] == region) & (observations["period"] == period)
    ]
    measures: list[Section] = []
    for measure_id in sorted(rows.loc[rows["value"].notna(), "measure_id"].unique()):
        number = len([t for s in measures for t in s.tables]) + 1
        measures.append(
            build_measure_section(observations, catalog, measure_id, region, period, number)
        )
    own_targets = [t for t in targets if t.region == region]
    sections, results = [], []
    for number, target in enumerate(own_targets, start=1):
        section, result = build_target_section(observations, catalog, target, period, number)
        sections.append(section)
        results.append(result.to_frame().T)
    latest = (
        pd.concat(results, ignore_index=True) if results else pd.DataFrame(columns=["target_id"])
    )
    target_table = shape_target_overview(own_targets, latest, sections, catalog, region, period)
    judged = set(latest["measure_id"]) if "measure_id" in latest else set()
    shown = list_shown_rows(observations, region, period, catalog, own_targets, judged)
    sources = PackTable(
        key="kallor",
        sheet=formats.SOURCES_SHEET,
        title="Källor, definitioner och datum",
        table=shape_sources_table(shown, catalog, manifest["built_at"]),
        source_line="",
    )
    revised, revision_note = find_pack_revisions(
        revisions, manifest, shown, catalog, region, period
    )
    why, why_sentences = split_pack_gaps(observations, catalog, region, period, measures)
    return Pack(
        region=region,
        region_name=catalog.region_name(region),
        period=period,
        built_at=str(manifest["built_at"]),
        measures=measures,
        targets=sections,
        target_table=target_table,
        targets_held=describe_held(list_held(latest), period),
        sources=sources,
        rows=shown,
        catalog=catalog,
        revised=revised,
        revision_note=revision_note,
        why=why,
        why_sentences=why_sentences,
    )


def split_pack_gaps(
    observations: pd.DataFrame,
    catalog: Catalog,
    region: str,
    period: str,
    measures: list[Section],
) -> tuple[PackTable, tuple[str, ...]]:
    """The Varför sheet and its sentences: for each of the pack's measures with counts, the
    kommun's gap to its county split by every breakdown; one row saying why where none has."""
    county = str(catalog.regions.set_index("region_code").at[region, "county_code"])
    region_name, county_name = catalog.region_name(region), catalog.region_name(county)
    frames, sentences, used = [], [], []
    for section in measures:
        rows = select_rows(observations, section.measure_id, period=period)
        if not has_counts(rows) or county not in set(rows["region_code"]):
            continue
        used.append(rows)
        splits = decompose_all(rows, region, county)
        table = shape_decomposition_table(splits, catalog.region_names)
        frames.append(table.assign(Mått=catalog.measure(section.measure_id)["name_sv"]))
        sentences += [
            f"{BREAKDOWN_LABELS[d.breakdown]}: "
            + describe_decomposition(d, region_name, county_name)
            for d in splits
        ]
    if frames:
        frame = pd.concat(frames, ignore_index=True)[WHY_COLUMNS]
    else:
        # The Word draft says nothing then: the sheet alone tells why.
        frame = pd.DataFrame([[NO_WHY, None, None, None, None]], columns=WHY_COLUMNS)
    # Unrounded, so each breakdown's terms add up to its gap exactly; Excel shows two decimals.
    terms = {column: NumberFormat(2, signed=True) for column in WHY_COLUMNS[3:]}
    table = PackTable(
        key="varfor",
        sheet=WHY_SHEET,
        title=(
            f"{region_name} mot {county_name}: skillnaden i arbetslöshet uppdelad på "
            f"sammansättning och arbetslöshet inom grupperna, {format_period(period)}"
        ),
        table=ShownTable(frame, terms),
        source_line=compose_source_line(catalog, pd.concat(used)) if used else "",
    )
    return table, tuple(sentences)


def describe_periods(periods: list[str]) -> str:
    """Every period with figures, for a message: none left out, however many."""
    return f"periods with figures, latest first: {', '.join(periods) or 'none'}"


def list_held(latest: pd.DataFrame) -> list[str]:
    """The periods of the targets' figures (one judged row per target), oldest first."""
    return sort_periods(str(p) for p in latest.get("period", pd.Series()).dropna())


def describe_held(held: list[str], period: str) -> str:
    """Which periods the targets' figures are from: "med värden från kv 3 2013"."""
    if not held:
        return f"inga värden till och med {format_period(period)}"
    shown = [format_period(p) for p in held]
    listed = shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} och {shown[-1]}"
    return f"med värden från {listed}"


def shape_target_overview(
    targets: list[Target],
    latest: pd.DataFrame,
    sections: list[Section],
    catalog: Catalog,
    region: str,
    period: str,
) -> PackTable:
    """The Mål sheet: one row per target, named and titled after the periods its figures are
    from, which for a strategy newer than the data are not the pack's period."""
    held = list_held(latest)
    key, sheet = compose_table_names("mal", None, "", held[0], held[-1]) if held else ("mal", "Mål")
    title = f"{catalog.region_name(region)}: strategiernas mål, {describe_held(held, period)}"
    return PackTable(
        key=key,
        sheet=sheet,
        title=title,
        table=shape_target_table(targets, latest, catalog),
        source_line=" ".join(dict.fromkeys(s.source_line for s in sections if s.source_line)),
    )


def list_shown_rows(
    observations: pd.DataFrame,
    region: str,
    period: str,
    catalog: Catalog,
    targets: list[Target],
    judged: set[str],
) -> pd.DataFrame:
    """The observations the pack draws on: its measures at the period, its targets' series
    (on the measures they are judged on)."""
    county = str(catalog.regions.set_index("region_code").at[region, "county_code"])
    regions = {region, county, COUNTRY_CODE} | {t.benchmark for t in targets if t.benchmark}
    measures = judged | set(
        observations.loc[
            (observations["region_code"] == region) & (observations["period"] == period),
            "measure_id",
        ]
    )
    rows = observations[
        observations["measure_id"].isin(measures) & observations["region_code"].isin(regions)
    ]
    return rows[[is_by(p, period) for p in rows["period"]]]


def number_sheets(pack: Pack) -> list[formats.Sheet]:
    """The workbook: Tabell 1, 2 ... for the measures, Mål and each target's, then Källor;
    every sheet named after the periods it holds."""
    sheets = [
        formats.Sheet(
            table.sheet,
            table.table,
            table.title,
            formats.compose_notes(table.source_line, pack.built_at),
        )
        for table in pack.tables
        if table is not pack.sources
    ]
    sources = pack.sources
    built = (formats.describe_built(pack.built_at),)
    return [*sheets, formats.Sheet(sources.sheet, sources.table, sources.title, built)]


def compose_blocks(pack: Pack, pngs: dict[str, bytes]) -> list[formats.Block]:
    """The Word draft: the situation per measure, then each target, then the sources."""
    when = format_period(pack.period)
    blocks: list[formats.Block] = [
        formats.Heading(f"Arbetsmarknaden i {pack.region_name}", level=0),
        formats.Paragraph(
            f"Utkast till avsnittet om arbetsmarknaden i Mål och budget, med siffror för {when}. "
            "Alla siffror är publicerad statistik eller beräkningar på den (skillnader i "
            f"procentenheter). {formats.describe_built(pack.built_at)}"
        ),
        formats.Heading(f"Läget {when}", level=1),
    ]
    for section in pack.measures:
        blocks += compose_section(section, pngs, level=2)
    if pack.why_sentences:
        blocks.append(formats.Heading(WHY_HEADING, level=2))
        blocks += [formats.Paragraph(sentence) for sentence in pack.why_sentences]
        blocks.append(
            formats.Paragraph(
                "Sammansättning: den del av skillnaden mot länet som beror på att grupperna "
                "är olika stora. Inom gruppen: den del som beror på olika arbetslöshet inom "
                f"grupperna. Siffrorna står i bladet {WHY_SHEET}.",
                is_source=True,
            )
        )
    if pack.targets:
        blocks.append(formats.Heading("Strategins mål", level=1))
        blocks.append(
            formats.Paragraph(
                "Status: ✓ uppfyllt, ≈ nära, ✗ ej uppfyllt, ? kan inte bedömas. "
                "Målnivån är den nivå kommunens värde ska ligga på eller under."
            )
        )
    for section in pack.targets:
        blocks += compose_section(section, pngs, level=2)
    if pack.revised is not None:
        blocks.append(formats.Heading("Reviderade värden", level=1))
        blocks.append(formats.Paragraph(describe_revisions(pack.revised)))
        blocks.append(formats.Table(pack.revised.table))
    blocks.append(formats.Heading("Källor", level=1))
    for entry in pack.sources.table.frame.itertuples(index=False):
        blocks.append(formats.Paragraph(f"{entry.Mått}. {entry.Källa}. {entry.Definition}"))
    blocks.append(formats.Paragraph(MISSING_NOTE, is_source=True))
    return blocks


def describe_revisions(revised: PackTable) -> str:
    count = len(revised.table.frame)
    figures = "ett värde" if count == 1 else f"{count} värden"
    return (
        f"Källorna har reviderat {figures} som underlaget bygger på sedan de först hämtades "
        f"(bladet {REVISIONS_SHEET} i arbetsboken). Tabellen visar tidigare och nytt värde och "
        "när båda hämtades. Underlaget använder de nya värdena."
    )


def compose_section(section: Section, pngs: dict[str, bytes], level: int) -> list[formats.Block]:
    blocks: list[formats.Block] = [formats.Heading(section.heading, level=level)]
    if section.lead:
        blocks.append(formats.Paragraph(section.lead))
    blocks.append(formats.Paragraph(section.sentence))
    if section.newer_notice:
        # Right under the text it qualifies: a draft written from old figures should say so.
        blocks.append(formats.Paragraph(section.newer_notice))
    if section.table is not None:
        blocks.append(formats.Table(section.table.table))
    if section.chart is not None:
        png = pngs[section.chart.key]
        blocks.append(formats.Picture(png, section.chart.alt_text, section.chart.title))
    if section.source_line:
        blocks.append(formats.Paragraph(section.source_line, is_source=True))
    if section.note:
        blocks.append(formats.Paragraph(section.note, is_source=True))
    return blocks


def group_pack_formats() -> dict[formats.PackPlace, list[str]]:
    """The ids of the formats the pack writes, by the folder they go in: chart folders first."""
    groups: dict[formats.PackPlace, list[str]] = {}
    for format_id, file_format in sorted(
        formats.FORMATS.items(), key=lambda entry: entry[1].writes != "chart"
    ):
        if file_format.pack is not None:
            groups.setdefault(file_format.pack, []).append(format_id)
    return groups


NAMING_NOTE = (
    "Varje fil och varje blad heter efter perioderna den innehåller: 2023 är året 2023, "
    "kv3_2013 kvartal 3 2013, 2024-10 oktober 2024 och 2016-2023 åren 2016 till 2023. "
    "Ett diagram och tabellen med dess värden har samma namn. Koderna för mått och mål står "
    "i bladen Källor och Mål."
)


def compose_readme(pack: Pack) -> str:
    places = list(group_pack_formats())
    width = max((len(place.folder) for place in places), default=0) + 3
    folders = "".join(f"{place.folder + '/':<{width}}{place.about}\n" for place in places)
    sheets = "".join(f"    {sheet.name}\n" for sheet in number_sheets(pack))
    note = f"{pack.revision_note}\n" if pack.revision_note else ""
    return (
        f"Mål och budget-underlag: {pack.region_name} ({pack.region}), "
        f"{format_period(pack.period)}\n\n"
        f"{pack.stem}.xlsx   tabellerna, ett blad per tabell (Källor: definitioner, datum):\n"
        f"{sheets}"
        f"{pack.stem}.docx   utkast till avsnittet om arbetsmarknaden\n"
        f"{folders}\n{NAMING_NOTE}\n\n"
        f"{formats.EMPTY_CELL_NOTE}\n{formats.describe_built(pack.built_at)}\n{note}"
    )


def find_chart_table(section: Section) -> PackTable | None:
    """The table a section's chart draws: the one of the same name."""
    key = section.chart.key if section.chart else None
    return next((table for table in section.tables if table.key == key), None)


def list_pack_items(pack: Pack) -> dict[str, list[tuple[str, formats.Exportable]]]:
    """The pack's charts and tables, each under its file key, as the formats write them."""

    def make(
        table: ShownTable, title: str, source_line: str, figure: go.Figure | None = None
    ) -> formats.Exportable:
        return formats.Exportable(
            table, title, source_line, pack.rows, pack.catalog, pack.built_at, figure
        )

    charts = [
        (
            section.chart.key,
            make(
                drawn.table if (drawn := find_chart_table(section)) else EMPTY_TABLE,
                section.chart.title,
                section.source_line,
                section.chart.figure,
            ),
        )
        for section in [*pack.measures, *pack.targets]
        if section.chart is not None
    ]
    tables = [
        (table.key, make(table.table, table.title, table.source_line)) for table in pack.tables
    ]
    return {"chart": charts, "table": tables}


def write_pack_items(pack: Pack) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """Each chart and table in every format with a place in the pack, by path in the pack; and
    each chart's PNG by its key, for the Word draft (a chart is drawn once per format).

    Folder by folder, item by item: a chart's PNG and SVG lie side by side in the zip.
    """
    items = list_pack_items(pack)
    files: dict[str, bytes] = {}
    pngs: dict[str, bytes] = {}
    for place, format_ids in group_pack_formats().items():
        entries = [
            (index, format_id, key, item)
            for format_id in format_ids
            for index, (key, item) in enumerate(items[formats.FORMATS[format_id].writes])
        ]
        for _, format_id, key, item in sorted(entries, key=lambda entry: entry[0]):
            file_format = formats.FORMATS[format_id]
            content = file_format.write(item)
            files[f"{place.folder}/{key}.{file_format.extension}"] = content
            if format_id == "png":
                pngs[key] = content
    return files, pngs


def build_pack(pack: Pack) -> bytes:
    """Every chart and table in the pack's formats, the workbook and the Word draft, one zip."""
    placed, pngs = write_pack_items(pack)
    files = {
        f"{pack.stem}.xlsx": formats.write_xlsx(number_sheets(pack)),
        f"{pack.stem}.docx": formats.write_docx(
            compose_blocks(pack, pngs), f"Arbetsmarknaden i {pack.region_name}"
        ),
        **placed,
        README_NAME: compose_readme(pack).encode("utf-8"),
    }
    return formats.write_zip({f"{pack.stem}/{name}": content for name, content in files.items()})


@dataclass(frozen=True)
class ExportOffer:
    """The kommuner the page offers, and which one it starts on (empty when there is none)."""

    regions: list[str]
    default_region: str
    notice: str  # why there is nothing to export, or ""


@dataclass(frozen=True)
class PeriodOffer:
    """The periods with figures for the chosen kommun, latest first, and the one to start on."""

    periods: list[str]
    default: str


@dataclass(frozen=True)
class ExportChoices:
    """The pack of the kommun and period chosen on the page, as ui assembled (and caches) it."""

    pack: Pack


@dataclass(frozen=True)
class ExportContent:
    summary: str  # Markdown: the kommun and period, then a line per part of the pack
    notice: str  # why the button is disabled, or ""
    download: formats.Download
    footnote: str  # when the pack is built, and the same pack from the command line


def offer(data: LoadedData, focus: str) -> ExportOffer:
    """The kommuner with figures; the page starts on `focus` (another page's kommun), else
    Tabell 1's first with figures."""
    regions = list_pack_regions(data.observations, data.catalog)
    if not regions:
        return ExportOffer([], "", NO_REGIONS)
    wanted = [focus, *DEFAULT_MUNICIPALITIES]
    return ExportOffer(regions, next((c for c in wanted if c in regions), regions[0]), "")


def offer_periods(data: LoadedData, region: str, coverage: pd.DataFrame) -> PeriodOffer:
    """The kommun's periods; the default follows its default measure (`coverage`: ui's summary)."""
    periods = list_pack_periods(data.observations, region)
    return PeriodOffer(periods, pick_pack_period(coverage, data.catalog, region, periods))


def build(data: LoadedData, choices: ExportChoices) -> ExportContent:
    """What the Export page shows of a pack, and its download, made only when clicked."""
    pack = choices.pack
    has_browser = formats.find_browser() is not None
    summary = [
        f"**{pack.region_name}, {format_period(pack.period)}**",
        *(
            line
            for section in pack.measures
            if section.table
            for line in [
                f"- Tabell: {section.table.title}",
                *([f"  - {section.newer_notice}"] if section.newer_notice else []),
                *([f"- Tabell: {section.series.title}"] if section.series else []),
            ]
        ),
        f"- Mål: {len(pack.targets)} ur strategin, med status och dokumenthänvisning "
        f"({pack.targets_held})",
        f"- Diagram: {len(pack.charts)} st, som PNG och SVG",
        *(
            [f"- Reviderade värden: {len(pack.revised.table.frame)} st, tidigare och nytt värde"]
            if pack.revised
            else []
        ),
        "- Källor: definitioner, licens, hämtnings- och byggdatum",
        "- Word-utkast med text, tabeller och diagram (med alternativtext)",
    ]
    download = formats.Download(
        label="Skapa och ladda ner paketet",
        file_name=f"{pack.stem}.zip",
        mime=formats.ZIP_MIME,
        key="download_pack",
        write=partial(build_pack, pack),
        disabled=not has_browser,
    )
    footnote = (
        "Paketet byggs när du klickar (några sekunder: varje diagram ritas i en webbläsare på "
        "servern). Samma paket från kommandoraden, i projektets mapp: "
        f'`make export ARGS="--regions {pack.region} --period {pack.period} --out MAPP"`.'
    )
    notice = "" if has_browser else formats.IMAGES_NEED_BROWSER
    return ExportContent("\n".join(summary), notice, download, footnote)
