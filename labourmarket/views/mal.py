"""The Mål page, and how a target reads anywhere: status in words and symbols, tables, charts."""

import textwrap
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from labourmarket.core.catalog import Catalog
from labourmarket.core.periods import find_period_end
from labourmarket.core.recency import find_newer_figures
from labourmarket.core.selection import select_rows
from labourmarket.core.store import LoadedData
from labourmarket.core.targets import Target, select_latest, select_target_series
from labourmarket.core.trends import describe_when, format_in_sentence
from labourmarket.output.charts import BENCHMARK_COLOUR, REGION_COLOURS, apply_house_style
from labourmarket.output.formats import compose_file_name
from labourmarket.output.formatting import (
    MISSING,
    format_gap,
    format_number,
    format_percent,
    format_period,
)
from labourmarket.output.sentences import (
    compose_source_line,
    describe_group_clause,
    describe_newer_figures,
)
from labourmarket.output.shown_table import NumberFormat, ShownTable, make_shown_table

# A word and a symbol for each status: it must read without colour (projector, print, greyscale).
STATUS_DISPLAY: dict[str, tuple[str, str]] = {
    "met": ("✓", "Uppfyllt"),
    "close": ("≈", "Nära"),
    "not_met": ("✗", "Ej uppfyllt"),
    "cannot_assess": ("?", "Kan inte bedömas"),
}


def format_status(status: str, reason_sv: str | None = None) -> str:
    """`✓ Uppfyllt`, or `? Kan inte bedömas: <reason>`."""
    symbol, word = STATUS_DISPLAY[status]
    text = f"{symbol} {word}"
    return f"{text}: {reason_sv}" if status == "cannot_assess" and reason_sv else text


STATUS_ORDER = ("not_met", "close", "met", "cannot_assess")


def describe_region_targets(targets: list[Target], latest: pd.DataFrame) -> str:
    """A Markdown list of targets, worst first: `- ✗ **Ej uppfyllt** — goal (period)`."""
    by_id = latest.set_index("target_id")
    lines = []
    ordered = sorted(targets, key=lambda t: STATUS_ORDER.index(by_id.at[t.id, "status"]))
    for target in ordered:
        result = by_id.loc[target.id]
        symbol, word = STATUS_DISPLAY[result["status"]]
        if result["status"] == "cannot_assess":
            detail = f" *({result['reason_sv']})*"
        else:
            detail = f" ({describe_period(result)})"
        lines.append(f"- {symbol} **{word}** — {target.goal_sv}{detail}")
    return "\n".join(lines)


# A count measure counts people (inskrivna arbetslösa): its figures say so beside the number.
COUNT_UNIT = "personer"


def format_value(value: float | None, unit: str, decimals: int) -> str:
    """One figure with its unit, as a table of mixed measures shows it: 7,7 %, 1 234 personer."""
    if unit == "percent":
        return format_percent(value, decimals)
    shown = format_number(value, decimals)
    return f"{shown}\u00a0{COUNT_UNIT}" if pd.notna(value) else shown


def format_difference(value: float | None, unit: str, decimals: int) -> str:
    """A change or gap with its unit: percentage points for shares, people for counts."""
    return format_gap(value, decimals, "p.e." if unit == "percent" else COUNT_UNIT)


def describe_comparison(target: Target, result: pd.Series, catalog: Catalog, unit: str) -> str:
    """What the figure is held against, with its unit: the benchmark's value, a threshold or
    the baseline ("7,1 % (Stockholms län)", "basvärde 18,7 % (kv 3 2013)")."""
    decimals = int(catalog.measure(str(result["measure_id"]))["decimals"])
    if target.baseline_period is not None:
        baseline = result["baseline_value"]
        if target.is_gap_rule:
            label, shown = "basskillnad", format_difference(baseline, unit, decimals)
        else:
            label, shown = "basvärde", format_value(baseline, unit, decimals)
        return f"{label} {shown} ({format_period(target.baseline_period)})"
    if target.is_gap_rule:
        value = format_value(result["benchmark_value"], unit, decimals)
        return f"{value} ({catalog.region_name(str(target.benchmark))})"
    return f"högst {format_value(target.threshold, unit, decimals)}"


def build_target_table(
    targets: list[Target], latest: pd.DataFrame, catalog: Catalog
) -> pd.DataFrame:
    """One row per target: goal, document and section, quote, figure, comparison, gap, status.

    Figures carry their unit in the cell: one table holds shares, gaps and counts.
    """
    by_id = latest.set_index("target_id")
    rows = []
    for target in targets:
        result = by_id.loc[target.id]
        measure = catalog.measure(str(result["measure_id"]))
        decimals, unit = int(measure["decimals"]), str(measure["unit"])
        difference = result["change_pp"] if target.baseline_period else result["gap_pp"]
        rows.append(
            {
                "Mål": target.goal_sv,
                "Dokument och avsnitt": f"{target.document}, {target.section}",
                "Citat": f"”{target.quote}”",
                "Mått": str(measure["name_sv"]),
                "Värde": format_value(result["value"], unit, decimals),
                "Jämförelse": describe_comparison(target, result, catalog, unit)
                if pd.notna(result["value"])
                else MISSING,
                "Skillnad": format_difference(difference, unit, decimals),
                "Status": format_status(result["status"], result["reason_sv"]),
                "Period": describe_period(result),
            }
        )
    return pd.DataFrame(rows)


def describe_period(result: pd.Series) -> str:
    """The evaluated period, marked "före strategiperioden" when it lies before the strategy."""
    if pd.isna(result["period"]):
        return ".."
    period = format_period(result["period"])
    return f"{period}, före strategiperioden" if result["before_strategy"] else period


def describe_target_line(target: Target, catalog: Catalog) -> str:
    """The label on the target line: the goal and where it is written."""
    return f"Mål: {target.goal_sv} ({target.document}, {target.section})"


def wrap_target_line(target: Target, catalog: Catalog) -> str:
    """The target line's legend label as plot_target draws it, wrapped for a full-width chart."""
    return "<br>".join(textwrap.wrap(describe_target_line(target, catalog), 80))


def shorten_target_label(figure: go.Figure, target: Target, catalog: Catalog) -> go.Figure:
    """Name the target line "Målnivå: 15,7" where the goal and its document are said elsewhere.

    The full label (goal, document, section) runs to three legend lines, which a slide or a
    fixed-size image has no room for: it would print over the title.
    """
    label = wrap_target_line(target, catalog)
    for trace in figure.data:
        if trace.name and trace.name.startswith(label):
            level = trace.name.removeprefix(label).removeprefix(":").strip()
            trace.name = f"Målnivå: {level}" if level else "Målnivå"
    return figure


def fit_target_for_export(figure: go.Figure, target: Target, catalog: Catalog) -> go.Figure:
    """A target chart for an image or a document: the short legend, the document as subtitle."""
    figure = shorten_target_label(go.Figure(figure), target, catalog)
    figure.update_layout(
        title={
            "subtitle": {
                "text": f"Målet står i {target.document}, {target.section}",
                "font": {"size": 13, "color": "#555555"},
            },
            "yref": "container",
            "y": 1,
            "yanchor": "top",
            "pad": {"t": 14},
        },
        margin={"t": 120},
    )
    return figure


def plot_target(
    target: Target,
    measure: str,
    own: pd.DataFrame,
    benchmark: pd.DataFrame | None,
    catalog: Catalog,
    source_line: str,
) -> go.Figure:
    """The region's figures on the judged measure with the target level drawn as a dashed line,
    tolerance as a band.

    One period reads as a bar against a horizontal target line; a series as a line with the
    target line beside it (it moves when the target follows the county or the country).
    """
    decimals = int(catalog.measure(measure)["decimals"])
    periods = [format_period(p) for p in own.index]
    levels = compute_target_values(target, own, benchmark)
    label = wrap_target_line(target, catalog)
    texts = [format_number(v, decimals) for v in own["value"]]
    fig = go.Figure()
    if len(own) == 1:
        fig.add_bar(
            x=periods,
            y=own["value"],
            name=catalog.region_name(target.region),
            marker_color=REGION_COLOURS[0],
            text=texts,
            textposition="outside",
            cliponaxis=False,
            width=0.35,
        )
        level = levels.iloc[0]
        if pd.notna(level):
            if target.tolerance:
                fig.add_hrect(
                    y0=level,
                    y1=level + target.tolerance,
                    fillcolor=BENCHMARK_COLOUR,
                    opacity=0.15,
                    line_width=0,
                )
            line = {"color": BENCHMARK_COLOUR, "dash": "dash", "width": 2}
            fig.add_hline(y=level, line=line)
            if target.tolerance:
                fig.add_scatter(
                    x=[None],
                    y=[None],
                    mode="markers",
                    name=describe_band(target, decimals),
                    marker={"symbol": "square", "size": 14, "color": "rgba(89,89,89,0.25)"},
                )
            # The line itself has no legend entry: a line-only trace carries its label there.
            fig.add_scatter(
                x=[None],
                y=[None],
                mode="lines",
                line=line,
                name=f"{label}: {format_number(level, decimals)}",
            )
            top = max(float(own["value"].max()), level + target.tolerance)
            fig.update_yaxes(range=[0, top * 1.2])
    else:
        fig.add_scatter(
            x=periods,
            y=own["value"],
            name=catalog.region_name(target.region),
            mode="lines+markers+text",
            # Only the latest point is labelled: a label on every month would overlap.
            text=[""] * (len(texts) - 1) + texts[-1:],
            textposition="top center",
            customdata=texts,
            hovertemplate="%{x}: %{customdata}<extra></extra>",
            marker={"size": 10, "color": REGION_COLOURS[0]},
            line={"color": REGION_COLOURS[0], "width": 3},
        )
        fig.add_scatter(
            x=periods,
            y=levels + target.tolerance,
            mode="lines",
            line={"width": 0},
            showlegend=False,
            hoverinfo="skip",
        )
        fig.add_scatter(
            x=periods,
            y=levels,
            name=label,
            mode="lines",
            line={"color": BENCHMARK_COLOUR, "dash": "dash", "width": 2},
            fill="tonexty" if target.tolerance else None,
            fillcolor="rgba(89,89,89,0.15)",
        )
        if target.tolerance:
            fig.data[-2].update(name=describe_band(target, decimals), showlegend=False)
    fig.update_yaxes(title="Andel (%)", rangemode="tozero", ticksuffix=" %")
    fig.update_xaxes(type="category")
    title = f"{catalog.region_name(target.region)}: {target.goal_sv}"
    return apply_house_style(fig, title, source_line)


def describe_band(target: Target, decimals: int) -> str:
    return f"Nära: högst {format_number(target.tolerance, decimals)} procentenheter över målet"


def compute_target_values(
    target: Target, own: pd.DataFrame, benchmark: pd.DataFrame | None
) -> pd.Series:
    """The level the region must stay at (or below) in each period, in the measure's unit."""
    if target.is_gap_rule and benchmark is not None:
        allowed = target.threshold
        if target.baseline_period is not None:
            allowed = read_baseline(own, target) - read_baseline(benchmark, target)
        return benchmark["value"].reindex(own.index) + allowed
    if target.baseline_period is not None:
        return pd.Series(read_baseline(own, target), index=own.index, dtype="float64")
    return pd.Series(target.threshold, index=own.index, dtype="float64")


def read_baseline(series: pd.DataFrame, target: Target) -> float:
    value = series["value"].get(target.baseline_period)
    return float("nan") if value is None or pd.isna(value) else float(value)


def compute_target_level(target: Target, result: pd.Series) -> float:
    """The level the figure must stay at or below in the judged period (NaN when unknown)."""

    def read(column: str) -> float:
        value = result.get(column)
        return float("nan") if value is None or pd.isna(value) else float(value)

    if target.rule == "gap_at_most":
        return read("benchmark_value") + float(target.threshold or 0.0)
    if target.rule == "gap_below_baseline":
        return read("benchmark_value") + read("baseline_value")
    if target.rule == "below_baseline":
        return read("baseline_value")
    return float(target.threshold or 0.0) if pd.notna(result.get("value")) else float("nan")


def describe_rule(target: Target, catalog: Catalog, decimals: int = 1) -> str:
    """What the figure is held against, in words: "högst 0,0 procentenheter över Stockholms län"."""
    benchmark = catalog.region_name(str(target.benchmark))
    if target.rule == "gap_at_most":
        return f"högst {format_number(target.threshold, decimals)} procentenheter över {benchmark}"
    if target.rule == "at_most":
        return f"högst {format_number(target.threshold, decimals)} %"
    baseline = format_period(str(target.baseline_period))
    if target.rule == "below_baseline":
        return f"lägre än {baseline}"
    return f"mindre skillnad mot {benchmark} än {baseline}"


TARGET_TABLE_COLUMNS = [
    "Mål-id",
    "Mål",
    "Dokument",
    "Avsnitt",
    "Citat",
    "Mått",
    "Regel",
    "Period",
    "Utfall (%)",
    "Målnivå (%)",
    "Skillnad mot målnivå",
    "Status",
    "Tolkning",
]


def shape_target_table(targets: list[Target], latest: pd.DataFrame, catalog: Catalog) -> ShownTable:
    """One row per target with real numbers: figure, target level, difference, status, sources."""
    by_id = latest.set_index("target_id")
    rows = []
    for target in targets:
        result = by_id.loc[target.id]
        measure = catalog.measure(str(result["measure_id"]))
        level = compute_target_level(target, result)
        value = float("nan") if pd.isna(result["value"]) else float(result["value"])
        rows.append(
            {
                "Mål-id": target.id,
                "Mål": target.goal_sv,
                "Dokument": target.document,
                "Avsnitt": target.section,
                "Citat": f"”{target.quote}”",
                "Mått": str(measure["name_sv"]),
                "Regel": describe_rule(target, catalog, int(measure["decimals"])),
                "Period": describe_period(result),
                "Utfall (%)": value,
                "Målnivå (%)": level,
                "Skillnad mot målnivå": value - level,
                "Status": format_status(result["status"], result["reason_sv"]),
                "Tolkning": target.note,
            }
        )
    measures = {str(by_id.at[t.id, "measure_id"]) for t in targets}
    decimals = max((int(catalog.measure(m)["decimals"]) for m in measures), default=1)
    return make_shown_table(
        pd.DataFrame(rows, columns=TARGET_TABLE_COLUMNS),
        {
            "Utfall (%)": NumberFormat(decimals),
            "Målnivå (%)": NumberFormat(decimals),
            "Skillnad mot målnivå": NumberFormat(decimals, signed=True, unit="p.e."),
        },
    )


def shape_outcome_table(target: Target, results: pd.DataFrame, catalog: Catalog) -> ShownTable:
    """Outcome against the target, period by period: the figure, the level it must stay at, status.

    `results` are evaluate()'s rows for this one target (all on the one judged measure).
    """
    measure = str(results["measure_id"].iloc[0]) if len(results) else target.measures[0]
    decimals = int(catalog.measure(measure)["decimals"])
    judged = results[results["period"].notna()]
    region = f"{catalog.region_name(target.region)} (%)"
    frame = pd.DataFrame({"Period": [describe_period(row) for _, row in judged.iterrows()]})
    frame[region] = judged["value"].astype("float64").to_numpy()
    formats = {region: NumberFormat(decimals)}
    if target.benchmark is not None:
        benchmark = f"{catalog.region_name(target.benchmark)} (%)"
        frame[benchmark] = judged["benchmark_value"].astype("float64").to_numpy()
        formats[benchmark] = NumberFormat(decimals)
    levels = [compute_target_level(target, row) for _, row in judged.iterrows()]
    frame["Målnivå (%)"] = levels
    frame["Skillnad mot målnivå"] = frame[region] - frame["Målnivå (%)"]
    frame["Status"] = [
        format_status(row["status"], row["reason_sv"]) for _, row in judged.iterrows()
    ]
    formats["Målnivå (%)"] = NumberFormat(decimals)
    formats["Skillnad mot målnivå"] = NumberFormat(decimals, signed=True, unit="p.e.")
    return make_shown_table(frame, formats)


def describe_target_result(target: Target, result: pd.Series, catalog: Catalog) -> str:
    """The target's standing in plain Swedish: the figure, what it is held against, the status."""
    symbol, word = STATUS_DISPLAY[result["status"]]
    if pd.isna(result["value"]):
        return f"Målet kan inte bedömas: {result['reason_sv']}."
    decimals = int(catalog.measure(str(result["measure_id"]))["decimals"])
    region = catalog.region_name(target.region)
    value = format_percent(result["value"], decimals)
    subject = f"arbetslösheten{describe_group_clause(target.group)} i {region}"
    text = f"{describe_when(result['period'])} var {subject}"
    if target.is_gap_rule and pd.notna(result["benchmark_value"]):
        benchmark = format_in_sentence(catalog.region_name(str(target.benchmark)))
        gap = float(result["gap_pp"])
        direction = "högre" if gap > 0 else "lägre" if gap < 0 else "lika hög"
        size = "" if gap == 0 else f"{format_number(abs(gap), decimals)} procentenheter "
        text += (
            f" {value} och i {benchmark} {format_percent(result['benchmark_value'], decimals)}, "
            f"{size}{direction}."
        )
    else:
        text += f" {value}."
    if target.baseline_period is not None and pd.notna(result["baseline_value"]):
        baseline = format_period(target.baseline_period)
        if target.is_gap_rule:
            shown = format_gap(result["baseline_value"], decimals)
            text += f" Skillnaden {baseline} var {shown}."
        else:
            shown = format_percent(result["baseline_value"], decimals)
            text += f" {describe_when(target.baseline_period)} var den {shown}."
    elif target.rule == "at_most":
        text += f" Målet är {describe_rule(target, catalog, decimals)}."
    text += f" Status: {symbol} {word}."
    if result["status"] == "cannot_assess" and result["reason_sv"]:
        text = text.removesuffix(".") + f" ({result['reason_sv']})."
    return text


def select_target_rows(
    observations: pd.DataFrame,
    target: Target,
    measure: str,
    periods: Iterable[str] | None = None,
) -> pd.DataFrame:
    """The observations behind a target's figures (its source line, its Källor sheet): its
    measure in its region and benchmark, every group, in `periods` where given."""
    regions = [target.region, *([target.benchmark] if target.benchmark else [])]
    rows = select_rows(observations, measure, regions)
    return rows if periods is None else rows[rows["period"].isin(list(periods))]


def select_judged_rows(
    observations: pd.DataFrame, targets: list[Target], latest: pd.DataFrame
) -> pd.DataFrame:
    """The observations the targets are judged on, each on its judged measure, in store order."""
    judged = latest.set_index("target_id")["measure_id"]
    wanted = pd.Series(False, index=observations.index)
    for target in targets:
        wanted[select_target_rows(observations, target, str(judged[target.id])).index] = True
    return observations[wanted]


@dataclass(frozen=True)
class Download:
    """What a download menu offers: a table's data and, under a chart, the chart."""

    name: str  # the file name from codes, without extension
    rows: pd.DataFrame  # the observations behind it, for the workbook's Källor sheet
    table: ShownTable
    title: str
    source_line: str
    figure: go.Figure | None = None


@dataclass(frozen=True)
class MalOffer:
    regions: tuple[str, ...]  # the kommuner with strategy targets, by name


@dataclass(frozen=True)
class MalChoices:
    region: str
    targets: tuple[Target, ...]  # every strategy target (ui's cache)
    results: pd.DataFrame  # every target judged, period by period (ui's cache)


@dataclass(frozen=True)
class TargetChart:
    """One target under the table: its chart, or (when it cannot be judged) the reason."""

    heading: str | None  # the goal, where no chart title names it
    notice: str | None  # why it cannot be judged, in place of the chart
    figure: go.Figure | None
    download: Download | None
    caption: str  # the status, the measure judged and how the goal was read


@dataclass(frozen=True)
class MalContent:
    counts: str  # "✓ Uppfyllt: **1** · ≈ Nära: **1** · …"
    table: pd.DataFrame  # one row per target, indexed by the goal
    source_line: str  # under the table: "Källa: …"; "" when no target has a figure
    download: Download  # the table's
    # Per publisher: it has figures newer than the newest period a target is judged on.
    newer_notices: tuple[str, ...]
    charts: tuple[TargetChart, ...]  # in the order targets.toml lists the targets


def offer(data: LoadedData, targets: list[Target]) -> MalOffer:
    """The kommuner to choose among: those with strategy targets."""
    return MalOffer(tuple(sorted({t.region for t in targets}, key=data.catalog.region_name)))


def count_statuses(latest: pd.DataFrame) -> str:
    counts = latest["status"].value_counts()
    return " · ".join(
        f"{symbol} {word}: **{counts.get(status, 0)}**"
        for status, (symbol, word) in STATUS_DISPLAY.items()
    )


def describe_newer_than_judged(data: LoadedData, latest: pd.DataFrame) -> tuple[str, ...]:
    """Per publisher of the judged measures, whether it has figures newer than the newest
    period a target is judged on (`latest`: one judged row per target).

    Said once above the table: the targets of a kommun mostly share a measure, and the same
    notice under every chart would drown the charts.
    """
    catalog = data.catalog
    judged = latest.dropna(subset=["period"])
    newest: dict[str, tuple[str, str]] = {}  # publisher -> measure and period
    for measure, period in zip(
        judged["measure_id"].astype("str"), judged["period"].astype("str"), strict=True
    ):
        publisher = str(catalog.source(str(catalog.measure(measure)["source_id"]))["publisher"])
        held = newest.get(publisher)
        if held is None or find_period_end(period) > find_period_end(held[1]):
            newest[publisher] = (measure, period)
    notices = []
    for measure, period in newest.values():
        newer = find_newer_figures(data.observations, catalog, measure, period)
        if newer is not None:
            notices.append(describe_newer_figures(newer, catalog))
    return tuple(dict.fromkeys(notices))


def build_target_chart(
    data: LoadedData, target: Target, result: pd.Series, results: pd.DataFrame
) -> TargetChart:
    """The target's figures against its target line; `results` are its own judged periods."""
    catalog = data.catalog
    if result["status"] == "cannot_assess":
        # A baseline bar on its own target line would read as "on target": say why in words.
        return TargetChart(
            heading=target.goal_sv,
            notice=f"{format_status('cannot_assess', result['reason_sv'])}.",
            figure=None,
            download=None,
            caption=f"Tolkning: {target.note}",
        )
    measure = str(result["measure_id"])
    own = select_target_series(data.observations, target, target.region, measure)
    benchmark = (
        select_target_series(data.observations, target, target.benchmark, measure)
        if target.benchmark
        else None
    )
    rows = select_target_rows(data.observations, target, measure, own.index)
    source_line = compose_source_line(catalog, rows)
    figure = plot_target(target, measure, own, benchmark, catalog, source_line)
    download = Download(
        compose_file_name(target.id),
        rows,
        shape_outcome_table(target, results, catalog),
        str(figure.layout.title.text),
        source_line,
        fit_target_for_export(figure, target, catalog),
    )
    caption = (
        f"Status: {format_status(result['status'])} ({describe_period(result)}). "
        f"Bedöms på måttet {catalog.measure(measure)['name_sv']}. Tolkning: {target.note}"
    )
    return TargetChart(None, None, figure, download, caption)


def build(data: LoadedData, choices: MalChoices) -> MalContent:
    """The kommun's targets: status counts, the table, and each target drawn against its line."""
    catalog, region = data.catalog, choices.region
    targets = [t for t in choices.targets if t.region == region]
    results = choices.results[choices.results["target_id"].isin({t.id for t in targets})]
    latest = select_latest(results)
    rows = select_judged_rows(data.observations, targets, latest)
    download = Download(
        compose_file_name("mal", region),
        rows,
        shape_target_table(targets, latest, catalog),
        f"{catalog.region_name(region)}: strategiernas mål",
        compose_source_line(catalog, rows) if not rows.empty else "",
    )
    by_id = latest.set_index("target_id")
    charts = tuple(
        build_target_chart(data, t, by_id.loc[t.id], results[results["target_id"] == t.id])
        for t in targets
    )
    return MalContent(
        count_statuses(latest),
        build_target_table(targets, latest, catalog).set_index("Mål"),
        download.source_line,
        download,
        describe_newer_than_judged(data, latest),
        charts,
    )
