"""Mål: a municipality's strategy targets, where each stands, and each drawn against its target."""

import streamlit as st

from labourmarket import ui
from labourmarket.core.targets import select_latest, select_target_series
from labourmarket.output.formats import compose_file_name
from labourmarket.output.sentences import compose_source_line
from labourmarket.views.mal import (
    STATUS_DISPLAY,
    build_target_table,
    describe_period,
    fit_target_for_export,
    format_status,
    plot_target,
    select_target_rows,
    shape_outcome_table,
    shape_target_table,
)

st.title("Mål")
st.caption(
    "Strategiernas mål om arbetslöshet, hämtade ur dokumenten med citat, och var kommunen står. "
    "Status anges med ord och symbol: ✓ uppfyllt, ≈ nära, ✗ ej uppfyllt, ? kan inte bedömas."
)
data = ui.require_data()
observations, catalog = data.observations, data.catalog
targets = ui.load_targets_or_explain(catalog)
if not targets:
    st.stop()

regions = sorted({t.region for t in targets}, key=catalog.region_name)
region = ui.choose_one("Kommun", "region", regions, regions[0], catalog.region_name)
own_targets = [t for t in targets if t.region == region]
own_ids = {t.id for t in own_targets}
all_results = ui.evaluate_targets(data, targets)
results = all_results[all_results["target_id"].isin(own_ids)]
latest = select_latest(results)

counts = latest["status"].value_counts()
st.markdown(
    " · ".join(
        f"{symbol} {word}: **{counts.get(status, 0)}**"
        for status, (symbol, word) in STATUS_DISPLAY.items()
    )
)
st.table(build_target_table(own_targets, latest, catalog).set_index("Mål"))
target_rows = select_target_rows(observations, own_targets, latest)
ui.offer_downloads(
    compose_file_name("mal", region),
    data,
    target_rows,
    shape_target_table(own_targets, latest, catalog),
    f"{catalog.region_name(region)}: strategiernas mål",
    compose_source_line(catalog, target_rows) if not target_rows.empty else "",
)

by_id = latest.set_index("target_id")
for target in own_targets:
    result = by_id.loc[target.id]
    if result["status"] == "cannot_assess":
        # A baseline bar on its own target line would read as "on target": say why in words.
        st.subheader(target.goal_sv)
        st.info(f"{format_status('cannot_assess', result['reason_sv'])}.")
        st.caption(f"Tolkning: {target.note}")
        continue
    measure = str(result["measure_id"])
    own = select_target_series(observations, target, target.region, measure)
    benchmark = (
        select_target_series(observations, target, target.benchmark, measure)
        if target.benchmark
        else None
    )
    rows = observations[observations["measure_id"] == measure]
    rows = rows[rows["period"].isin(own.index)]
    source_line = compose_source_line(catalog, rows)
    figure = plot_target(target, measure, own, benchmark, catalog, source_line)
    st.plotly_chart(figure, config={"displaylogo": False})
    ui.offer_downloads(
        compose_file_name(target.id),
        data,
        rows,
        shape_outcome_table(target, results[results["target_id"] == target.id], catalog),
        str(figure.layout.title.text),
        source_line,
        fit_target_for_export(figure, target, catalog),
    )
    status = format_status(result["status"])
    st.caption(
        f"Status: {status} ({describe_period(result)}). "
        f"Bedöms på måttet {catalog.measure(measure)['name_sv']}. Tolkning: {target.note}"
    )
