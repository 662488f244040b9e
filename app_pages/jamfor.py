"""Jämför: kommunerna rangordnade på ett mått, och en kommuns skillnad mot länet grupp för grupp."""

from dataclasses import replace

import streamlit as st

from labourmarket import ui
from labourmarket.core.ranking import (
    ALL_MUNICIPALITIES,
    MISSING_NOTE,
    TOTAL_GROUP_KEY,
    compose_profile_title,
    compose_ranking_title,
    compute_gap_profile,
    decode_group,
    describe_gap_profile,
    describe_no_figures,
    describe_not_covered,
    describe_ranking,
    describe_reference_lines,
    emphasise_highlighted,
    find_benchmarks,
    find_reference_lines,
    label_group_key,
    label_profile,
    list_comparable_measures,
    list_group_keys,
    list_population,
    list_with_figures,
    phrase_group,
    pick_default_population,
    pick_profile_region,
    rank_regions,
    select_shown,
    shape_profile_table,
    shape_ranking_table,
)
from labourmarket.core.region_offer import describe_members, list_region_groups, offer_regions
from labourmarket.core.selection import DEFAULT_MUNICIPALITIES, select_rows
from labourmarket.output.formats import compose_file_name
from labourmarket.output.formatting import format_period, sort_key_sv
from labourmarket.output.ranking_charts import plot_gap_profile, plot_ranking
from labourmarket.output.sentences import compose_source_line
from labourmarket.views.gapanalys import (
    encode_sex,
    list_benchmarks,
    list_periods,
    pick_default_benchmark,
)

VIEWS = {"chart": "Diagram", "table": "Tabell"}
CHART_CONFIG = {"displaylogo": False}
COMPARABILITY_HELP = """\
Måtten räknar olika saker: vem som räknas som arbetslös, vilken befolkning andelen avser och hur
ofta den mäts. Mått ur olika jämförbarhetsgrupper, till exempel Arbetsförmedlingens inskrivna
arbetslösa och SCB:s arbetslöshet enligt BAS, ritas därför aldrig som en serie och dras aldrig
från varandra. Sidan visar ett mått i taget.
"""


def show_heading(title: str, subtitle: str) -> None:
    st.markdown(f"**{title}**  \n{subtitle}")


st.title("Jämför")
st.caption(
    "Kommunerna rangordnade på ett mått, högsta värdet först, och för en kommun "
    "skillnaden mot länet eller riket i varje grupp, i procentenheter."
)
data = ui.require_data()
observations, catalog = data.observations, data.catalog

left, middle, right = st.columns([3, 1, 1])
with left:
    measure_id = ui.choose_measure(data)
measure = catalog.measure(measure_id)
decimals = int(measure["decimals"])
population_sv = str(measure["population_sv"])
with middle:
    series = ui.select_measure(data, measure_id)
    period = ui.choose_period(data, measure_id, list_periods(series))
with right:
    view = ui.choose_one("Visa", "view", list(VIEWS), "chart", VIEWS.get, horizontal=True)
selection = select_rows(series, measure_id, period=period)

with st.expander("Varför kan jag inte jämföra två mått?"):
    measure_ids = sorted(observations["measure_id"].unique())
    comparable = list_comparable_measures(catalog, measure_id, measure_ids)
    st.markdown(
        COMPARABILITY_HELP
        + (
            f"\nSamma definition som det valda måttet har: {', '.join(comparable)}."
            if comparable
            else "\nInget annat mått i datan har samma definition som det valda."
        )
    )

# Only groups with at least one kommun with figures can be ranked; each says how many have them.
municipalities = offer_regions(selection, catalog, "måttet och perioden", level="municipality")
if not municipalities.codes:
    st.info(describe_no_figures("någon kommun", period, TOTAL_GROUP_KEY))
    st.stop()
population_names = {**list_region_groups(catalog), ALL_MUNICIPALITIES: "alla kommuner"}
left, middle, right = st.columns([2, 2, 1])
with left:
    population = ui.choose_one(
        "Kommuner att rangordna",
        "population",
        list(municipalities.groups),
        pick_default_population(selection, catalog, list(municipalities.groups)),
        municipalities.groups.__getitem__,
    )
    st.caption(municipalities.describe_groups())
with right:
    sex = ui.choose_sex(selection)
with middle:
    group_key = ui.choose_one(
        "Grupp",
        "group",
        list_group_keys(selection, sex),
        TOTAL_GROUP_KEY,
        lambda key: label_group_key(key, population_sv),
    )
population_name = population_names[population]
members = sorted(
    list_population(catalog, population), key=lambda code: sort_key_sv(catalog.region_name(code))
)
population_offer = replace(
    offer_regions(
        selection,
        catalog,
        "måttet och perioden",
        level="municipality",
        population=(members, describe_members(population, population_name)),
    ),
    label="Markera kommuner",
)
highlighted = ui.choose_regions(
    "regions",
    population_offer,
    [code for code in DEFAULT_MUNICIPALITIES if code in population_offer.codes],
    catalog,
)
group = decode_group(group_key, sex)
ranking = rank_regions(series, members, measure_id, period, group)
if ranking["value"].isna().all():
    st.info(describe_no_figures(population_name, period, group_key, sex))
    st.stop()
source_line = compose_source_line(catalog, selection)

st.subheader("Rangordning")
shown = select_shown(ranking, highlighted)
title, subtitle = compose_ranking_title(measure["name_sv"], period, population_name, group_key, sex)
lines = find_reference_lines(series, catalog, members, measure_id, period, group)
table = shape_ranking_table(shown, catalog.region_names, highlighted, decimals)
figure = None
if view == "chart":
    figure = plot_ranking(
        shown, catalog.region_names, highlighted, lines, title, subtitle, source_line, decimals
    )
    st.plotly_chart(figure, config=CHART_CONFIG)
else:
    show_heading(title, subtitle)
    st.table(emphasise_highlighted(table))
    st.caption(describe_reference_lines(lines, decimals))
ui.offer_downloads(
    compose_file_name("jamfor", measure_id, period, population, group_key, encode_sex(sex)),
    data,
    selection,
    table,
    f"{title}. {subtitle}",
    source_line,
    figure,
)
benchmarks = find_benchmarks(series, catalog, highlighted, measure_id, period, group)
sentences = describe_ranking(
    ranking, highlighted, period, catalog.region_names, benchmarks, decimals, phrase_group(group)
)
# One kommun reads as a sentence; several as a list, one line each.
st.markdown(sentences[0] if len(sentences) == 1 else "\n".join(f"- {s}" for s in sentences))
notes = [MISSING_NOTE] if shown["value"].isna().any() else []
notes.append(describe_not_covered(ranking, shown, population_name))
if any(notes):
    st.caption(" ".join(note for note in notes if note))

st.subheader("Skillnad mot länet eller riket, grupp för grupp")
benchmark_options = list_benchmarks(selection, catalog)
if not benchmark_options:
    st.info(
        "Måttet har inget läns- eller riksvärde för perioden att jämföra kommunerna med. "
        "Välj ett annat mått eller en annan period."
    )
else:
    left, right = st.columns(2)
    with left:
        with_figures = list_with_figures(selection, members)
        region_code = ui.choose_one(
            "Kommun",
            "profile",
            with_figures,
            pick_profile_region(ranking, highlighted, with_figures),
            catalog.region_name,
        )
    with right:
        benchmark = ui.choose_one(
            "Jämför med",
            "benchmark",
            benchmark_options,
            pick_default_benchmark(benchmark_options, [region_code], catalog),
            catalog.region_name,
            horizontal=True,
        )
    region_name, benchmark_name = catalog.region_name(region_code), catalog.region_name(benchmark)
    profile = compute_gap_profile(series, region_code, benchmark, measure_id, period, decimals, sex)
    if profile.empty:
        st.info(
            f"Måttet är inte uppdelat på ålder, födelseland, utbildning eller kön för "
            f"{region_name} {format_period(period)}."
        )
    else:
        title, subtitle = compose_profile_title(
            measure["name_sv"], period, region_name, benchmark_name, sex
        )
        table = shape_profile_table(profile, region_name, benchmark_name, decimals)
        figure = None
        if view == "chart":
            figure = plot_gap_profile(
                label_profile(profile),
                region_name,
                benchmark_name,
                title,
                subtitle,
                source_line,
                decimals,
            )
            st.plotly_chart(figure, config=CHART_CONFIG)
        else:
            show_heading(title, subtitle)
            st.table(table.style())
        ui.offer_downloads(
            compose_file_name(
                "jamfor", measure_id, period, region_code, benchmark, encode_sex(sex), "profil"
            ),
            data,
            selection[selection["region_code"].isin([region_code, benchmark])],
            table,
            f"{title}. {subtitle}",
            source_line,
            figure,
        )
        st.markdown(describe_gap_profile(profile, region_name, benchmark_name, decimals, sex))
        if profile["gap_pp"].isna().any():
            st.caption(MISSING_NOTE)

st.caption(source_line)
st.caption(f"Mått: {measure['definition_sv']} Population: {population_sv}.")
