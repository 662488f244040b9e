"""Gapanalys: each group's unemployment in chosen kommuner beside the county or the country."""

import streamlit as st

from labourmarket import ui
from labourmarket.core.gaps import compute_gaps, label_gaps
from labourmarket.core.region_offer import offer_regions
from labourmarket.core.selection import select_rows
from labourmarket.output.charts import plot_gaps, plot_levels
from labourmarket.output.formats import compose_file_name
from labourmarket.output.formatting import BREAKDOWN_LABELS, format_period
from labourmarket.output.sentences import compose_source_line, describe_largest_gap
from labourmarket.views.gapanalys import (
    encode_sex,
    format_sex_suffix,
    list_benchmarks,
    list_breakdowns,
    list_periods,
    pick_default_benchmark,
    pick_default_regions,
    shape_gap_table,
)

VIEWS = {"chart": "Diagram", "table": "Tabell"}

st.title("Gapanalys")
st.caption(
    "Arbetslösheten i varje grupp jämförd med länet eller riket. "
    "Skillnaden anges i procentenheter: kommunens värde minus jämförelsens."
)
data = ui.require_data()
observations, catalog = data.observations, data.catalog

left, middle, right = st.columns([3, 1, 1])
with left:
    # The page compares with the county or the country: its default measure must have them.
    measure_id = ui.choose_measure(data, needs_benchmark=True)
measure = catalog.measure(measure_id)
with middle:
    series = ui.select_measure(data, measure_id)
    period = ui.choose_period(data, measure_id, list_periods(series))
selection = select_rows(series, measure_id, period=period)
with right:
    sex = ui.choose_sex(selection)

offer = offer_regions(selection, catalog, "måttet och perioden")
chosen = ui.choose_regions("regions", offer, pick_default_regions(offer.codes), catalog)
benchmarks = list_benchmarks(selection, catalog, chosen)
breakdowns = list_breakdowns(selection, sex)
if not benchmarks:
    st.warning(
        "Måttet har inget läns- eller riksvärde för den här perioden att jämföra med. "
        "Välj ett annat mått eller en annan period."
    )
    st.stop()
if not breakdowns:
    st.warning("Måttet är inte uppdelat på ålder, födelseland eller utbildning för perioden.")
    st.stop()
left, middle, right = st.columns(3)
with left:
    benchmark = ui.choose_one(
        "Jämför med",
        "benchmark",
        benchmarks,
        pick_default_benchmark(benchmarks, chosen, catalog),
        catalog.region_name,
        horizontal=True,
    )
with middle:
    breakdown = ui.choose_one(
        "Uppdelning", "breakdown", breakdowns, breakdowns[0], BREAKDOWN_LABELS.get, horizontal=True
    )
with right:
    view = ui.choose_one("Visa", "view", list(VIEWS), "chart", VIEWS.get, horizontal=True)

if not chosen:
    st.info("Välj minst en kommun." if offer.label == "Kommuner" else "Välj minst ett län.")
    st.stop()

decimals = int(measure["decimals"])
benchmark_name = catalog.region_name(benchmark)
gaps = label_gaps(
    compute_gaps(selection, chosen, benchmark, breakdown, decimals, sex),
    catalog.region_names,
    breakdown,
    str(measure["population_sv"]),
    sex,
)
source_line = compose_source_line(catalog, selection)
st.markdown(f"#### {describe_largest_gap(gaps, benchmark_name, decimals)}")

heading = (
    f"{measure['name_sv']}, {format_period(period)}, efter {BREAKDOWN_LABELS[breakdown].lower()}"
    + format_sex_suffix(sex)
)
table = shape_gap_table(gaps, benchmark_name, decimals)
file_name = compose_file_name(
    "gapanalys", measure_id, period, chosen, benchmark, breakdown, encode_sex(sex)
)
if view == "chart":
    gap_title = f"Skillnad mot {benchmark_name} i procentenheter"
    levels = plot_levels(gaps, benchmark_name, heading, source_line, decimals)
    st.plotly_chart(levels, config={"displaylogo": False})
    ui.offer_downloads(f"{file_name}_niva", data, selection, table, heading, source_line, levels)
    differences = plot_gaps(gaps, benchmark_name, gap_title, source_line, decimals)
    st.plotly_chart(differences, config={"displaylogo": False})
    ui.offer_downloads(
        f"{file_name}_skillnad", data, selection, table, gap_title, source_line, differences
    )
    st.markdown(describe_largest_gap(gaps, benchmark_name, decimals))
else:
    st.markdown(f"**{heading}**")
    st.table(table.style())
    ui.offer_downloads(file_name, data, selection, table, heading, source_line)
if gaps[["value", "benchmark_value"]].isna().any(axis=None):
    st.caption("..: värde saknas eller är undertryckt; ingen skillnad kan räknas där.")
st.caption(source_line)
st.caption(f"Mått: {measure['definition_sv']} Population: {measure['population_sv']}.")
