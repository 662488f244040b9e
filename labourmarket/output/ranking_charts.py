"""Rankings and gap profiles -> horizontal plotly bar charts in the house style."""

from collections.abc import Mapping
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from labourmarket.output.charts import (
    BENCHMARK_COLOUR,
    FONT,
    REGION_COLOURS,
    apply_house_style,
    start_figure,
)
from labourmarket.output.formatting import format_gap, format_number, format_percent

HIGHLIGHT_COLOUR = REGION_COLOURS[0]
OTHER_COLOUR = "#B8B8B8"
ROW_HEIGHT = 30  # pixels per bar, so a county of 26 kommuner and a group of 4 both read well
TOP_MARGIN = 120  # the title, its subtitle and the legend sit in it
TOP_MARGIN_WITHOUT_LEGEND = 95
TICK_FONT = {"color": "#262730"}  # the theme's pale grey is hard to read on a projector
AXIS_TITLE_ROOM = 28  # pixels


def size_to_rows(fig: go.Figure, rows: int) -> None:
    """Grow the figure with its bars, and move the source line below the x-axis title.

    apply_house_style places the source line where a category axis ends; these charts have a
    value axis with a title (the unit), which would otherwise print over it.
    """
    source = fig.layout.annotations[0]
    source.yshift -= AXIS_TITLE_ROOM
    bottom = fig.layout.margin.b + AXIS_TITLE_ROOM
    height = fig.layout.margin.t + bottom + ROW_HEIGHT * max(rows, 4)
    fig.update_layout(margin={"b": bottom}, height=height)


def add_subtitle(fig: go.Figure, subtitle: str, top_margin: int = TOP_MARGIN) -> None:
    """A second title line saying what is drawn and in which order, above the legend."""
    fig.update_layout(
        title={
            "subtitle": {"text": subtitle, "font": {**FONT, "size": 14, "color": "#555555"}},
            "yref": "container",
            "y": 1,
            "yanchor": "top",
            "pad": {"t": 14},
        },
        margin={"t": top_margin},
    )


def format_bar_values(values: pd.Series, decimals: int, bold: bool) -> list[str]:
    texts = [format_number(v, decimals) for v in values]
    return [f"<b>{t}</b>" for t in texts] if bold else texts


def add_bars(
    fig: go.Figure,
    labels: pd.Series,
    values: pd.Series,
    name: str,
    colour: str,
    texts: list[str],
    hovers: list[str],
    **text_placement: Any,
) -> None:
    """Horizontal bars, one per label, each written with its text and hovered with its hover.

    A missing value is a zero-length bar whose text is "..": no bar could read as a 0.
    """
    fig.add_bar(
        y=labels,
        x=values.fillna(0),
        orientation="h",
        name=name,
        marker_color=colour,
        text=texts,
        outsidetextfont={"color": TICK_FONT["color"]},
        cliponaxis=False,
        customdata=hovers,
        hovertemplate="%{y}: %{customdata}<extra></extra>",
        **text_placement,
    )


def plot_ranking(
    shown: pd.DataFrame,
    region_names: Mapping[str, str],
    highlighted: list[str],
    reference_lines: list[tuple[str, float]],
    title: str,
    subtitle: str,
    source_line: str,
    decimals: int = 1,
) -> go.Figure:
    """Bars from the highest value down; highlighted kommuner in colour and bold, benchmarks dashed.

    `shown` is a ranking as rank_regions returns it (filtered by select_shown). A kommun without
    a figure gets a zero-length bar labelled ".." at the bottom, never a bar at 0 among the rest.
    """
    names = [region_names.get(code, code) for code in shown["region_code"]]
    frame = shown.assign(region_name=names, is_highlighted=shown["region_code"].isin(highlighted))
    fig = start_figure()
    for is_highlighted, legend_name, colour, text_colour in (
        (True, "Markerade kommuner (fetstil)", HIGHLIGHT_COLOUR, "#FFFFFF"),
        (
            False,
            "Övriga kommuner" if frame["is_highlighted"].any() else "Kommuner",
            OTHER_COLOUR,
            TICK_FONT["color"],
        ),
    ):
        part = frame[frame["is_highlighted"] == is_highlighted]
        if part.empty:
            continue
        add_bars(
            fig,
            part["region_name"],
            part["value"],
            legend_name,
            colour,
            format_bar_values(part["value"], decimals, bold=is_highlighted),
            [format_percent(v, decimals) for v in part["value"]],
            # Inside the bar's end, where a benchmark's dashed line seldom runs; ".." sits
            # outside its zero-length bar.
            textposition=["auto" if pd.notna(v) else "outside" for v in part["value"]],
            insidetextanchor="end",
            insidetextfont={"color": text_colour},
        )
    apply_house_style(fig, title, source_line)
    has_legend = len(fig.data) > 1
    add_subtitle(fig, subtitle, TOP_MARGIN if has_legend else TOP_MARGIN_WITHOUT_LEGEND)
    # One trace per highlight state on one category axis: overlay keeps each bar on its row.
    fig.update_layout(barmode="overlay", showlegend=has_legend)
    ticks = [
        f"<b>{row.region_name}</b>" if row.is_highlighted else row.region_name
        for row in frame.itertuples()
    ]
    rows = len(names) + len(reference_lines)
    fig.update_yaxes(
        categoryorder="array",
        categoryarray=names,
        tickvals=names,
        ticktext=ticks,
        # Reversed, with one empty row per benchmark under the bars to hold its label.
        range=[rows - 0.5, -0.5],
        automargin=True,
        title=None,
        tickfont=TICK_FONT,
    )
    largest = max([*frame["value"].dropna(), *(v for _, v in reference_lines), 1.0])
    fig.update_xaxes(
        title="Andel (%)", ticksuffix=" %", range=[0, largest * 1.15], rangemode="tozero"
    )
    for offset, (name, value) in enumerate(reference_lines):
        add_reference_line(fig, name, value, len(names) + offset, largest, decimals)
    size_to_rows(fig, rows)
    return fig


def add_reference_line(
    fig: go.Figure, name: str, value: float, label_row: int, largest: float, decimals: int
) -> None:
    """A dashed vertical line at a benchmark's value, its name and value written beside it."""
    fig.add_shape(
        type="line",
        x0=value,
        x1=value,
        xref="x",
        y0=-0.5,
        y1=label_row + 0.3,
        yref="y",
        # Behind the bars, so it never runs through a value written at a bar's end.
        layer="below",
        line={"color": BENCHMARK_COLOUR, "width": 2, "dash": "dash"},
    )
    # Near the right edge the label goes left of the line so it stays inside the plot.
    is_right = value > 0.6 * largest
    fig.add_annotation(
        x=value,
        y=label_row,
        xref="x",
        yref="y",
        text=f"{name}: {format_percent(value, decimals)}",
        showarrow=False,
        bgcolor="#FFFFFF",  # another benchmark's line may run under the label
        xanchor="right" if is_right else "left",
        xshift=-6 if is_right else 6,
        font={"color": BENCHMARK_COLOUR},
    )


def plot_gap_profile(
    profile: pd.DataFrame,
    region_name: str,
    benchmark_name: str,
    title: str,
    subtitle: str,
    source_line: str,
    decimals: int = 1,
) -> go.Figure:
    """One bar per group: the kommun's gap to the benchmark in percentage points, largest first.

    `profile` is labelled (group_label) as label_profile returns it.
    """
    texts = [format_gap(v, decimals, unit="") for v in profile["gap_pp"]]
    hovers = [
        f"{format_percent(row.value, decimals)} mot {format_percent(row.benchmark_value, decimals)}"
        f", {format_gap(row.gap_pp, decimals)}"
        for row in profile.itertuples()
    ]
    fig = start_figure()
    add_bars(
        fig,
        profile["group_label"],
        profile["gap_pp"],
        region_name,
        HIGHLIGHT_COLOUR,
        texts,
        hovers,
        textposition="outside",
    )
    apply_house_style(fig, title, source_line)
    add_subtitle(fig, subtitle, top_margin=TOP_MARGIN_WITHOUT_LEGEND)
    fig.update_layout(showlegend=False)
    fig.add_vline(x=0, line={"color": BENCHMARK_COLOUR, "width": 2})
    gaps = [*profile["gap_pp"].dropna(), 0.0]
    spread = max(max(gaps) - min(gaps), 1.0)
    fig.update_xaxes(
        title=f"Procentenheter: {region_name} minus {benchmark_name}",
        zeroline=False,
        range=[min(gaps) - 0.15 * spread, max(gaps) + 0.15 * spread],
    )
    fig.update_yaxes(autorange="reversed", automargin=True, title=None, tickfont=TICK_FONT)
    size_to_rows(fig, len(profile))
    return fig
