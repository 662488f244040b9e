"""Labelled gap tables -> plotly figures in one house style, each with its source line."""

import textwrap

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from labourmarket.core.periods import parse_period
from labourmarket.core.trends import format_in_sentence
from labourmarket.output.formatting import format_gap, format_number, format_period

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
REGION_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"]
BENCHMARK_COLOUR = "#595959"
SOURCE_LINE_WIDTH = 130  # characters; plotly does not wrap annotation text itself
FONT = {"family": "Source Sans Pro, Arial, sans-serif", "size": 15, "color": "#262730"}
TEMPLATE = "arbetsmarknad"
# Only what these charts draw of plotly_white: each figure copies its template, so a small one
# is cheap (plotly_white's 24 trace types cost a deep copy of ~10 ms per figure).
PLOTLY_WHITE_LAYOUT = (
    "autotypenumbers",
    "colorway",
    "hovermode",
    "hoverlabel",
    "paper_bgcolor",
    "plot_bgcolor",
    "xaxis",
    "yaxis",
    "shapedefaults",
    "annotationdefaults",
)
PLOTLY_WHITE_TRACES = ("bar", "scatter")
HOUSE_LAYOUT = {
    # Decimal comma, thin-space thousands: every number plotly writes (ticks, hovers) in Swedish.
    "separators": ", ",
    "font": FONT,
    "title": {"x": 0, "xanchor": "left"},
    "barmode": "group",
    "bargap": 0.25,
    "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0, "title": {"text": ""}},
    "margin": {"l": 60, "r": 20, "t": 90, "b": 70},
    "height": 500,
    "hoverlabel": {"align": "left", "font": {"family": FONT["family"]}},
}
SOURCE_LINE_FONT = {"size": 12, "color": "#555555"}


def register_template() -> go.layout.Template:
    """The house style as one plotly template, registered once under TEMPLATE.

    Figures name it (`template=TEMPLATE`) instead of each setting the shared layout again.
    """
    white = pio.templates["plotly_white"]
    layout = {key: white.layout[key] for key in PLOTLY_WHITE_LAYOUT}
    template = go.layout.Template(
        layout={**layout, **HOUSE_LAYOUT},
        data={kind: white.data[kind] for kind in PLOTLY_WHITE_TRACES},
    )
    pio.templates[TEMPLATE] = template
    return template


HOUSE_TEMPLATE = register_template()


def start_figure() -> go.Figure:
    """An empty figure in the house template (never the process default, which Streamlit sets)."""
    return use_house_template(go.Figure())


def use_house_template(fig: go.Figure) -> go.Figure:
    """Give `fig` the house template, the way plotly assigns its default one: not validated
    again (a template passed by name is deep-copied and validated per figure, ~10 times the
    cost)."""
    fig.layout._validate = False
    try:
        fig.layout.template = HOUSE_TEMPLATE
    finally:
        fig.layout._validate = True
    return fig


def apply_house_style(fig: go.Figure, title: str, source_line: str) -> go.Figure:
    """The house template, the title, and the source line underneath (the margin grows with it)."""
    source_lines = textwrap.wrap(source_line, SOURCE_LINE_WIDTH)
    extra = 18 * len(source_lines)
    layout = fig.layout
    if layout.template.layout.separators != HOUSE_LAYOUT["separators"]:
        use_house_template(fig)  # a figure started elsewhere (go.Figure())
    layout.title.text = title
    layout.margin.b = HOUSE_LAYOUT["margin"]["b"] + extra
    layout.height = HOUSE_LAYOUT["height"] + extra
    fig.add_annotation(
        text="<br>".join(source_lines),
        xref="paper",
        yref="paper",
        x=0,
        y=0,
        yshift=-45,
        xanchor="left",
        yanchor="top",
        showarrow=False,
        align="left",
        font=SOURCE_LINE_FONT,
    )
    return fig


# The second cue for bars: each region its own fill pattern (the benchmark is hatched "/").
REGION_PATTERNS = ["", ".", "x", "-", "|", "+", "\\"]


def add_bar(
    fig: go.Figure,
    frame: pd.DataFrame,
    name: str,
    values: str,
    texts: list[str],
    colour: str,
    pattern: str = "",
) -> None:
    fig.add_bar(
        x=frame["group_label"],
        # A missing figure is drawn as a zero-height bar labelled "..": a gap would read as 0.
        y=frame[values].fillna(0),
        name=name,
        marker={"color": colour, "pattern": {"shape": pattern, "fgcolor": "#ffffff"}},
        text=texts,
        textposition="outside",
        cliponaxis=False,
        customdata=texts,
        hovertemplate=f"{name}<br>%{{x}}: %{{customdata}}<extra></extra>",
    )


def pick_region_style(index: int) -> tuple[str, str]:
    return REGION_COLOURS[index % len(REGION_COLOURS)], REGION_PATTERNS[
        index % len(REGION_PATTERNS)
    ]


def plot_levels(
    gaps: pd.DataFrame, benchmark_name: str, title: str, source_line: str, decimals: int = 1
) -> go.Figure:
    """Grouped bars: each region's value per group, the benchmark hatched grey beside them."""
    fig = start_figure()
    for index, (name, frame) in enumerate(gaps.groupby("region_name", sort=False)):
        texts = [format_number(v, decimals) for v in frame["value"]]
        colour, pattern = pick_region_style(index)
        add_bar(fig, frame, name, "value", texts, colour, pattern)
    benchmark = gaps.drop_duplicates("group")
    texts = [format_number(v, decimals) for v in benchmark["benchmark_value"]]
    add_bar(fig, benchmark, benchmark_name, "benchmark_value", texts, BENCHMARK_COLOUR, "/")
    fig.update_yaxes(title="Andel (%)", rangemode="tozero", ticksuffix=" %")
    return apply_house_style(fig, title, source_line)


def plot_gaps(
    gaps: pd.DataFrame, benchmark_name: str, title: str, source_line: str, decimals: int = 1
) -> go.Figure:
    """Bars of each region's gap to the benchmark in percentage points, around a zero line."""
    fig = start_figure()
    for index, (name, frame) in enumerate(gaps.groupby("region_name", sort=False)):
        texts = [format_gap(v, decimals, unit="") for v in frame["gap_pp"]]
        add_bar(fig, frame, name, "gap_pp", texts, *pick_region_style(index))
    fig.add_hline(y=0, line={"color": BENCHMARK_COLOUR, "width": 2})
    fig.update_yaxes(
        title=f"Procentenheter mot {format_in_sentence(benchmark_name)}", zeroline=False
    )
    return apply_house_style(fig, title, source_line)


# A second cue beside colour: each region keeps its own marker symbol; references are dashed.
MARKER_SYMBOLS = ["circle", "square", "diamond", "triangle-up", "x", "star", "cross", "hexagon"]
REFERENCE_DASHES = ["dash", "dot", "dashdot"]
# One period has no line to draw: the references show as grey open markers instead.
REFERENCE_MARKERS = ["diamond-open", "square-open", "circle-open"]


def plot_trend(
    trend: pd.DataFrame,
    column: str,
    names: dict[str, str],
    references: list[str],
    title: str,
    source_line: str,
    y_title: str,
    decimals: int = 1,
    target: tuple[str, pd.Series] | None = None,
    breaks: list[str] | None = None,
) -> go.Figure:
    """Lines over time, one per region; county/country as dashed grey references; gaps stay gaps.

    `target` is (label, level per period_start) for a strategy target drawn as a black line;
    each series break is a dotted vertical line, so a step there is not read as a change.
    """
    fig = start_figure()
    present = set(trend["region_code"])
    # In the order the user chose them (names is ordered that way), references last.
    compared = [r for r in names if r in present and r not in references]
    single = trend["period"].nunique() == 1
    for index, region in enumerate([*compared, *references]):
        rows = trend[trend["region_code"] == region]
        is_reference = region in references
        texts = [format_number(v, decimals) for v in rows[column]]
        order = references.index(region) if is_reference else 0
        style = (
            {
                "mode": "lines",
                "line": {
                    "color": BENCHMARK_COLOUR,
                    "dash": REFERENCE_DASHES[order % len(REFERENCE_DASHES)],
                    "width": 2,
                },
            }
            if is_reference
            else {
                "mode": "lines+markers",
                "line": {"color": REGION_COLOURS[index % len(REGION_COLOURS)], "width": 3},
                "marker": {
                    "symbol": MARKER_SYMBOLS[index % len(MARKER_SYMBOLS)],
                    "size": 10 if single else 7,
                },
            }
        )
        if is_reference and single:
            style["mode"] = "lines+markers"
            style["marker"] = {
                "symbol": REFERENCE_MARKERS[order % len(REFERENCE_MARKERS)],
                "size": 10,
                "line": {"width": 2, "color": BENCHMARK_COLOUR},
            }
        fig.add_scatter(
            x=rows["period_start"],
            y=rows[column],
            name=names.get(region, region),
            connectgaps=False,
            customdata=list(zip([format_period(p) for p in rows["period"]], texts, strict=True)),
            hovertemplate="%{fullData.name}<br>%{customdata[0]}: %{customdata[1]}<extra></extra>",
            **style,
        )
    if target is not None:
        label, levels = target
        fig.add_scatter(
            x=levels.index,
            y=levels.to_numpy(),
            name=label,
            mode="lines",
            line={"color": "#000000", "dash": "longdash", "width": 2},
        )
    for code in breaks or []:
        start = pd.Timestamp(parse_period(code).start)
        if not trend["period_start"].min() < start <= trend["period_start"].max():
            continue
        # add_vline cannot annotate a date axis in plotly 7; a shape and an annotation can.
        fig.add_shape(
            type="line",
            x0=start,
            x1=start,
            y0=0,
            y1=1,
            yref="paper",
            line={"color": "#000000", "dash": "dot", "width": 1.5},
        )
        fig.add_annotation(
            x=start,
            y=1,
            yref="paper",
            text=f"Seriebrott {format_period(code)}",
            showarrow=False,
            xanchor="left",
            yanchor="top",
            font={"size": 12},
        )
    fig.update_xaxes(title=None, tickformat="%Y", hoverformat="%Y-%m", dtick="M12")
    if single:
        # A lone point gets no yearly tick of its own: name its period under it.
        period = trend["period"].iloc[0]
        fig.update_xaxes(tickvals=[trend["period_start"].iloc[0]], ticktext=[format_period(period)])
    fig.update_yaxes(title=y_title, zeroline=column == "year_on_year")
    if column != "year_on_year":
        fig.update_yaxes(rangemode="tozero", ticksuffix=" %")
    fig = apply_house_style(fig, title, source_line)
    fig.update_layout(barmode=None, hovermode="x unified")
    return fig
