"""A split gap over time: composition and within-group lines beside the gap, in p.e."""

import pandas as pd
import plotly.graph_objects as go

from labourmarket.output.charts import (
    BENCHMARK_COLOUR,
    REGION_COLOURS,
    apply_house_style,
    start_figure,
)
from labourmarket.output.formatting import format_gap, format_period

GAP = "Skillnad"
COMPOSITION = "Sammansättning"
WITHIN = "Inom grupperna"
# Colour, dash and marker all tell the lines apart, for readers who cannot tell the colours.
LINE_STYLES = {
    "gap": (GAP, {"color": "#000000", "width": 3}, "circle"),
    "composition": (COMPOSITION, {"color": REGION_COLOURS[1], "width": 2, "dash": "dash"}, "x"),
    "within": (WITHIN, {"color": REGION_COLOURS[0], "width": 2}, "square"),
}


def plot_decomposition_trend(
    split: pd.DataFrame, title: str, source_line: str, y_title: str, decimals: int = 1
) -> go.Figure:
    """One line per term over `split`'s periods (decompose_periods' frame), the gap on top.

    A period that cannot be split is NaN and stays a break in every line, never a zero.
    """
    fig = start_figure()
    periods = [format_period(str(p)) for p in split["period"]]
    for column, (name, line, symbol) in LINE_STYLES.items():
        texts = [format_gap(v, decimals) for v in split[column]]
        fig.add_scatter(
            x=split["period_start"],
            y=split[column],
            name=name,
            mode="lines+markers",
            line=line,
            marker={"symbol": symbol, "size": 6},
            connectgaps=False,
            customdata=list(zip(periods, texts, strict=True)),
            hovertemplate=f"{name}<br>%{{customdata[0]}}: %{{customdata[1]}}<extra></extra>",
        )
    fig.add_hline(y=0, line={"color": BENCHMARK_COLOUR, "width": 1})
    fig.update_xaxes(title=None, tickformat="%Y", hoverformat="%Y-%m")
    if split["period"].nunique() > 1:
        fig.update_xaxes(dtick="M12")
    fig.update_yaxes(title=y_title, zeroline=False)
    fig = apply_house_style(fig, title, source_line)
    fig.update_layout(barmode=None, hovermode="x unified")
    return fig
