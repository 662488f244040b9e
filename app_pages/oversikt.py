"""Översikt: per kommun the latest figure, the gaps to county and country, trend and targets."""

import streamlit as st

from labourmarket import ui
from labourmarket.core.region_offer import offer_regions
from labourmarket.core.targets import select_latest
from labourmarket.output.formatting import SEX_LABELS, format_gap, format_percent, format_period
from labourmarket.output.sentences import compose_source_line
from labourmarket.views.gapanalys import pick_default_regions
from labourmarket.views.mal import describe_region_targets
from labourmarket.views.oversikt import build_card

st.title("Översikt")
st.caption(
    "Senaste värdet för varje vald kommun, skillnaden mot länet och riket, utvecklingen "
    "och hur det går med strategiernas mål."
)
data = ui.require_data()
catalog = data.catalog
targets = ui.load_targets_or_explain(catalog)

left, right = st.columns([4, 1])
with left:
    measure_id = ui.choose_measure(data)
measure = catalog.measure(measure_id)
decimals = int(measure["decimals"])
series = ui.select_measure(data, measure_id)
with right:
    sex = ui.choose_sex(series)
offer = offer_regions(series, catalog, "måttet")
chosen = ui.choose_regions("regions", offer, pick_default_regions(offer.codes), catalog)
latest = select_latest(ui.evaluate_targets(data, targets))
if not chosen:
    # A measure of another level (BAS has län, not kommuner) empties the kommun choice.
    st.info("Välj minst en kommun." if offer.label == "Kommuner" else "Välj minst ett län.")

who = "" if sex == "total" else f" · {SEX_LABELS[sex]}"
for start in range(0, len(chosen), 2):
    for column, region_code in zip(st.columns(2), chosen[start : start + 2], strict=False):
        card = build_card(series, catalog, measure_id, region_code, sex)
        with column, st.container(border=True):
            st.subheader(card.region_name)
            if card.value is None:
                st.info("Inga värden för måttet.")
                continue
            left, middle, right = st.columns(3)
            left.metric("Nivå", format_percent(card.value, decimals))
            middle.metric(
                f"Mot {card.county_name or 'länet'}", format_gap(card.gap_county, decimals)
            )
            right.metric("Mot riket", format_gap(card.gap_country, decimals))
            trend = card.trend or "bara en period i datan, ingen trend"
            st.caption(f"Period: {format_period(card.period)}{who} · Utveckling: {trend}")
            own_targets = [t for t in targets if t.region == region_code]
            if own_targets:
                st.markdown("**Mål i strategin**")
                st.markdown(describe_region_targets(own_targets, latest))
st.caption(compose_source_line(catalog, series))
st.caption(f"Mått: {measure['name_sv']}. Målen utvärderas på sina egna mått; se sidan Mål.")
