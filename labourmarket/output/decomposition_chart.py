"""A split gap as horizontal bars: each group's composition and within-group terms, then Totalt."""

import plotly.graph_objects as go

from labourmarket.core.decomposition import Decomposition, label_group
from labourmarket.core.trends import format_in_sentence
from labourmarket.output.charts import (
    BENCHMARK_COLOUR,
    REGION_COLOURS,
    apply_house_style,
    start_figure,
)
from labourmarket.output.decomposition_text import TOTAL_LABEL
from labourmarket.output.formatting import format_gap

COMPOSITION = "Sammansättning"
WITHIN = "Inom gruppen"
# Colour and pattern both tell the two terms apart, for readers who cannot tell the colours.
TERM_STYLES = {
    COMPOSITION: (REGION_COLOURS[1], "/"),
    WITHIN: (REGION_COLOURS[0], ""),
}


def plot_decomposition(
    d: Decomposition,
    region_name: str,
    benchmark_name: str,
    title: str,
    source_line: str,
    label: str = "",
    decimals: int = 1,
) -> go.Figure:
    """Per group two bars in percentage points (composition, within the group), Totalt last.

    `label` is the measure's population, for the groups' labels ("Totalt 16-64 år").
    """
    groups = [label_group(d.breakdown, g.group, label) for g in d.groups] + [TOTAL_LABEL]
    terms = {
        COMPOSITION: [g.composition for g in d.groups] + [d.composition],
        WITHIN: [g.within for g in d.groups] + [d.within],
    }
    fig = start_figure()
    for name, values in terms.items():
        colour, pattern = TERM_STYLES[name]
        texts = [format_gap(v, decimals, unit="") for v in values]
        fig.add_bar(
            y=groups,
            x=values,
            orientation="h",
            name=name,
            marker={"color": colour, "pattern": {"shape": pattern, "fgcolor": "#ffffff"}},
            text=texts,
            textposition="outside",
            cliponaxis=False,
            customdata=texts,
            hovertemplate=f"{name}<br>%{{y}}: %{{customdata}} p.e.<extra></extra>",
        )
    fig.add_vline(x=0, line={"color": BENCHMARK_COLOUR, "width": 2})
    fig.update_xaxes(
        title=f"Procentenheter, {region_name} mot {format_in_sentence(benchmark_name)}",
        zeroline=False,
    )
    # The first group on top and Totalt at the bottom, as the table reads.
    fig.update_yaxes(autorange="reversed", title=None)
    return apply_house_style(fig, title, source_line)
