"""Utveckling: one measure and group over time for chosen regions, with references and targets."""

import streamlit as st

from labourmarket import ui
from labourmarket.core.region_offer import offer_regions
from labourmarket.core.selection import COUNTRY_CODE
from labourmarket.core.targets import select_target_series
from labourmarket.core.trends import build_trend, describe_trend
from labourmarket.output.charts import plot_trend
from labourmarket.output.formats import compose_file_name
from labourmarket.output.formatting import format_period
from labourmarket.output.sentences import compose_source_line
from labourmarket.views.gapanalys import (
    encode_sex,
    format_sex_suffix,
    list_periods,
    pick_default_regions,
)
from labourmarket.views.mal import compute_target_values, describe_target_line
from labourmarket.views.utveckling import (
    TRANSFORM_LABELS,
    decode_group,
    describe_subject,
    format_group_key,
    list_groups,
    list_transforms,
    shape_trend_table,
)

VIEWS = {"chart": "Diagram", "table": "Tabell"}
Y_TITLES = {
    "value": "Andel (%)",
    "moving_average": "Andel (%), glidande årsmedelvärde",
    "year_on_year": "Förändring mot ett år tidigare (procentenheter)",
}

st.title("Utveckling")
st.caption("Ett mått och en grupp över tid, med länet och riket som referens och strategins mål.")
data = ui.require_data()
observations, catalog = data.observations, data.catalog
targets = ui.load_targets_or_explain(catalog)

left, middle, right = st.columns([3, 1, 1])
with left:
    measure_id = ui.choose_measure(data)
measure = catalog.measure(measure_id)
population, decimals = str(measure["population_sv"]), int(measure["decimals"])
series = ui.select_measure(data, measure_id)
with right:
    sex = ui.choose_sex(series)
with middle:
    groups = list_groups(series, sex)
    group_key = ui.choose_one(
        "Grupp", "group", groups, groups[0], lambda key: format_group_key(key, population)
    )
offer = offer_regions(series, catalog, "måttet")
chosen = ui.choose_regions("regions", offer, pick_default_regions(offer.codes), catalog)
periods = list(reversed(list_periods(series)))
left, middle, right = st.columns([2, 2, 1])
with left:
    first = ui.choose_one("Från", "from", periods, periods[0], format_period)
with middle:
    last = ui.choose_one("Till", "to", periods, periods[-1], format_period)
if periods.index(first) > periods.index(last):
    first, last = last, first
frequency = str(series["frequency"].iloc[0])
with right:
    view = ui.choose_one("Visa", "view", list(VIEWS), "chart", VIEWS.get)
transform = ui.choose_one(
    "Värden",
    "transform",
    list_transforms(frequency),
    "value",
    TRANSFORM_LABELS.get,
    horizontal=True,
)
if not chosen:
    st.info("Välj minst en region.")
    st.stop()

regions = catalog.regions.set_index("region_code")
counties = [str(regions.at[c, "county_code"]) for c in chosen if regions.at[c, "county_code"]]
references = [r for r in dict.fromkeys([*counties, COUNTRY_CODE]) if r not in chosen]
references = [r for r in references if (series["region_code"] == r).any()]
group = {**decode_group(group_key), "sex": sex}
trend = build_trend(
    observations,
    measure_id,
    group,
    [*chosen, *references],
    first,
    last,
    decimals,
    catalog.series_breaks(measure_id),
)
subject = describe_subject(group_key, population, sex)
sentence = describe_trend(
    trend, catalog.region_names, subject, chosen[0], references[0] if references else None, decimals
)
title = (
    f"{measure['name_sv']}, {format_group_key(group_key, population).lower()}"
    + format_sex_suffix(sex)
)
source_line = compose_source_line(catalog, trend)

target_line = None
matching = [
    t
    for t in targets
    if t.region == chosen[0]
    and measure_id in t.measures
    and t.group == {"age": "total", "birth_region": "total", "education": "total", **group}
]
if matching and transform == "value":
    target = matching[0]
    own = select_target_series(observations, target, target.region, measure_id)
    bench = (
        select_target_series(observations, target, target.benchmark, measure_id)
        if target.benchmark
        else None
    )
    levels = compute_target_values(target, own, bench)
    levels.index = own["period_start"]
    target_line = (describe_target_line(target, catalog), levels)

names = {code: catalog.region_name(code) for code in [*chosen, *references]}
table = shape_trend_table(trend, transform, names, decimals)
shown_rows = series[
    series["region_code"].isin(trend["region_code"]) & series["period"].isin(trend["period"])
]
file_name = compose_file_name(
    "utveckling", measure_id, group_key, encode_sex(sex), chosen, first, last, transform
)
figure = None
if view == "chart":
    figure = plot_trend(
        trend,
        transform,
        names,
        references,
        title,
        source_line,
        Y_TITLES[transform],
        decimals,
        target_line,
        catalog.series_breaks(measure_id),
    )
    st.plotly_chart(figure, config={"displaylogo": False})
else:
    st.table(table.style())
ui.offer_downloads(file_name, data, shown_rows, table, title, source_line, figure)
st.markdown(sentence)
missing = trend[trend["value"].isna()]
if not missing.empty:
    st.caption(
        f"..: värde saknas eller är undertryckt ({len(missing)} st), visas som avbrott i linjen."
    )
st.caption(source_line)
with st.expander("Varför kan jag inte visa två mått i samma diagram?"):
    st.markdown(
        "Måtten har olika definitioner: Arbetsförmedlingens inskrivna arbetslösa som andel av den "
        "registerbaserade arbetskraften, SCB:s BAS-arbetslöshet och SCB:s integrationsstatistik "
        "räknar på olika befolkningar och nämnare. Därför ritas de aldrig som en serie och dras "
        "aldrig från varandra. Jämför i stället varje mått för sig; definitionerna står på sidan "
        "Källor och data."
    )
