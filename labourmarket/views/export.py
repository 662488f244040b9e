"""The Mål och budget pack for one kommun and period: tables, charts, targets, Word draft, zip."""

from dataclasses import dataclass, replace
from functools import partial
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from labourmarket.core import store
from labourmarket.core.catalog import Catalog
from labourmarket.core.changelog import read_revision_log
from labourmarket.core.defaults import pick_pack_period
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
from labourmarket.output.formatting import format_period, sort_key_sv
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
    describe_target_result,
    fit_target_for_export,
    plot_target,
    select_target_rows,
    shape_outcome_table,
    shape_target_table,
)
from labourmarket.views.utveckling import describe_subject

README_NAME = "LASMIG.txt"
REVISIONS_SHEET = "Reviderat"
NO_REGIONS = "Datan har inga värden för någon kommun att exportera."
# A chart with no table of its own still travels as an Exportable, which always has one.
EMPTY_TABLE = ShownTable(pd.DataFrame())


class PackError(Exception):
    """No pack can be made for the request: an unknown kommun or period, or no figures."""


@dataclass(frozen=True)
class PackTable:
    key: str  # file name from codes: measure id, region, period
    sheet: str  # the Excel sheet's name (at most 31 characters)
    title: str
    table: ShownTable
    source_line: str


@dataclass(frozen=True)
class PackChart:
    key: str
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

    @property
    def stem(self) -> str:
        return formats.compose_file_name("mal_och_budget", self.region, self.period)

    @property
    def tables(self) -> list[PackTable]:
        """Every table the Excel workbook and the CSV files hold, in reading order."""
        revised = [self.revised] if self.revised is not None else []
        measure_tables = [s.table for s in self.measures if s.table]
        return [*measure_tables, self.target_table, *revised, self.sources]

    @property
    def charts(self) -> list[PackChart]:
        return [s.chart for s in [*self.measures, *self.targets] if s.chart is not None]


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


def build_measure_section(
    observations: pd.DataFrame, catalog: Catalog, measure_id: str, region: str, period: str
) -> Section:
    """A measure's level and gaps for the kommun in the period, as a table, a chart, a sentence."""
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
    table = PackTable(
        key=formats.compose_file_name(measure_id, region, period),
        sheet="",  # numbered when the workbook is put together
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
    )
    trend = trend[[is_by(p, period) for p in trend["period"]]]
    names = {code: catalog.region_name(code) for code in [region, *benchmarks]}
    subject = describe_subject("total", population)
    sentence = describe_trend(
        trend, names, subject, region, benchmarks[0] if benchmarks else None, decimals
    )
    chart = None
    if benchmarks:
        largest = describe_largest_gap(
            compute_gaps_labelled(selection, region, benchmarks[0], groups, catalog, decimals),
            format_in_sentence(catalog.region_name(benchmarks[0])),
            decimals,
        )
        sentence = f"{sentence} {largest}"
        figure = plot_region_levels(
            selection, region, benchmarks, groups, catalog, title, source_line, decimals
        )
        chart = PackChart(f"{table.key}_grupper", title, figure, f"Stapeldiagram: {sentence}")
    elif trend.loc[trend["region_code"] == region, "value"].notna().sum() > 1:
        first = format_period(str(trend["period"].iloc[0]))
        title = f"{region_name}: {measure['name_sv']}, {first}–{format_period(period)}"
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
        chart = PackChart(f"{table.key}_utveckling", title, figure, f"Linjediagram: {sentence}")
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


def build_target_section(
    observations: pd.DataFrame, catalog: Catalog, target: Target, period: str
) -> tuple[Section, pd.Series]:
    """A target's heading, words, standing, outcome table and chart, up to the period."""
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
    outcome = shape_outcome_table(target, select_until(results, period), catalog)
    key = formats.compose_file_name(target.id, period)
    table = None
    if not outcome.frame.empty:
        table = PackTable(key, "", target.goal_sv, outcome, source_line)
    chart = None
    # As on the Mål page: a bar on its own baseline line would read as "on target".
    if result["status"] != "cannot_assess" and own["value"].notna().any():
        figure = fit_target_for_export(
            plot_target(target, measure, own, benchmark, catalog, source_line), target, catalog
        )
        title = str(figure.layout.title.text)
        kind = "Stapeldiagram" if len(own) == 1 else "Linjediagram"
        chart = PackChart(key, title, figure, f"{kind} mot målnivån: {sentence}")
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
        key=formats.compose_file_name("reviderat", region, period),
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
        known = ", ".join(periods[:8]) or "none"
        raise PackError(
            f"no figures for {region} ({catalog.region_name(region)}) in {period}; "
            f"periods with figures, latest first: {known}"
        )
    rows = observations[
        (observations["region_code"] == region) & (observations["period"] == period)
    ]
    measures = [
        build_measure_section(observations, catalog, measure_id, region, period)
        for measure_id in sorted(rows.loc[rows["value"].notna(), "measure_id"].unique())
    ]
    own_targets = [t for t in targets if t.region == region]
    sections, results = [], []
    for target in own_targets:
        section, result = build_target_section(observations, catalog, target, period)
        sections.append(section)
        results.append(result.to_frame().T)
    latest = (
        pd.concat(results, ignore_index=True) if results else pd.DataFrame(columns=["target_id"])
    )
    target_table = PackTable(
        key=formats.compose_file_name("mal", region, period),
        sheet="Mål",
        title=f"{catalog.region_name(region)}: strategiernas mål, {format_period(period)}",
        table=shape_target_table(own_targets, latest, catalog),
        source_line=" ".join(dict.fromkeys(s.source_line for s in sections if s.source_line)),
    )
    judged = set(latest["measure_id"]) if "measure_id" in latest else set()
    shown = list_shown_rows(observations, region, period, catalog, own_targets, judged)
    sources = PackTable(
        key=formats.compose_file_name("kallor", region, period),
        sheet=formats.SOURCES_SHEET,
        title="Källor, definitioner och datum",
        table=shape_sources_table(shown, catalog, manifest["built_at"]),
        source_line="",
    )
    revised, revision_note = find_pack_revisions(
        revisions, manifest, shown, catalog, region, period
    )
    return Pack(
        region=region,
        region_name=catalog.region_name(region),
        period=period,
        built_at=str(manifest["built_at"]),
        measures=measures,
        targets=sections,
        target_table=target_table,
        sources=sources,
        rows=shown,
        catalog=catalog,
        revised=revised,
        revision_note=revision_note,
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
    """The workbook: Tabell 1, 2 ... for the measures, then Mål and Källor."""
    measure_tables = [s.table for s in pack.measures if s.table is not None]
    named = [(f"Tabell {n}", t) for n, t in enumerate(measure_tables, start=1)]
    sheets = [
        formats.Sheet(
            name, table.table, table.title, formats.compose_notes(table.source_line, pack.built_at)
        )
        for name, table in [
            *named,
            (pack.target_table.sheet, pack.target_table),
            *([(pack.revised.sheet, pack.revised)] if pack.revised else []),
        ]
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


def compose_readme(pack: Pack) -> str:
    places = list(group_pack_formats())
    width = max((len(place.folder) for place in places), default=0) + 3
    folders = "".join(f"{place.folder + '/':<{width}}{place.about}\n" for place in places)
    sheets = f"Mål, {REVISIONS_SHEET} och Källor" if pack.revised else "Mål och Källor"
    note = f"{pack.revision_note}\n" if pack.revision_note else ""
    return (
        f"Mål och budget-underlag: {pack.region_name} ({pack.region}), "
        f"{format_period(pack.period)}\n\n"
        f"{pack.stem}.xlsx   tabellerna, bladen {sheets} (definitioner, källor, datum)\n"
        f"{pack.stem}.docx   utkast till avsnittet om arbetsmarknaden\n"
        f"{folders}\n"
        f"{formats.EMPTY_CELL_NOTE}\n{formats.describe_built(pack.built_at)}\n{note}"
    )


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
                section.table.table if section.table else EMPTY_TABLE,
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
            ]
        ),
        f"- Mål: {len(pack.targets)} ur strategin, med status och dokumenthänvisning",
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
        "servern). Samma paket från kommandoraden: "
        f"`python -m labourmarket export --regions {pack.region} --period {pack.period} "
        "--out MAPP`."
    )
    notice = "" if has_browser else formats.IMAGES_NEED_BROWSER
    return ExportContent("\n".join(summary), notice, download, footnote)
