"""The Jämför view on the bundled data: its offers, Tabell 1's ranking and Södertälje's profile."""

import pytest

from labourmarket.core.selection import DEFAULT_MUNICIPALITIES, select_rows
from labourmarket.core.store import LoadedData
from labourmarket.views import jamfor
from labourmarket.views.jamfor import NO_BENCHMARK, JamforChoices, ProfileChoices

AF = "af_inskrivna_andel_rams"
INTEGRATION = "scb_integration_arbetsloshet_20_64"
TABELL_1 = list(DEFAULT_MUNICIPALITIES)
NBSP = "\u00a0"


def make_offer(
    data: LoadedData, measure_id: str = AF, period: str = "2013K3"
) -> jamfor.JamforOffer:
    return jamfor.offer(data, select_rows(data.observations, measure_id), measure_id, period)


def choose(
    data: LoadedData,
    group_key: str = "total",
    highlighted: tuple[str, ...] = ("0181",),
    view: str = "chart",
    population: str = "sodertorn",
    measure_id: str = AF,
    period: str = "2013K3",
) -> JamforChoices:
    rows = make_offer(data, measure_id, period).rows
    return JamforChoices(
        measure_id, period, rows, view, population, "total", group_key, list(highlighted)
    )


def test_offer_ranks_sodertorn_by_default(bundled_data):
    offer = make_offer(bundled_data)
    assert offer.notice is None
    assert offer.populations == {
        "sodertorn": "Södertörn (4 av 8 med data)",
        "lan_01": "Kommunerna i Stockholms län (4 av 26 med data)",
        "alla": "Alla (4 av 290 med data)",
    }
    assert offer.default_population == "sodertorn"
    assert list(offer.groups) == ["total"]
    assert offer.groups["total"]["birth_region:foreign_born"] == "Födelseland: utrikes födda"
    assert offer.groups["total"]["total"] == "Totalt 16-64 år"
    assert offer.comparability.endswith(
        "Inget annat mått i datan har samma definition som det valda."
    )


def test_a_measure_without_kommun_figures_has_nothing_to_rank(bundled_data):
    offer = make_offer(bundled_data, "scb_bas_arbetsloshet_20_64", "2024M12")
    assert offer.notice == (
        "Måttet har inga värden för någon kommun december 2024. "
        "Välj ett annat urval, en annan period eller ett annat mått."
    )
    assert (offer.populations, offer.default_population) == ({}, None)


@pytest.mark.parametrize(
    ("population", "codes", "default", "notice"),
    [
        ("sodertorn", ["0127", "0136", "0126", "0181"], TABELL_1, None),
        (
            "lan_12",
            [],
            [],
            "Måttet har inga värden för Kommunerna i Skåne län kv 3 2013. "
            "Välj ett annat urval, en annan period eller ett annat mått.",
        ),
    ],
)
def test_offer_ranking_highlights_tabell_1_or_says_there_is_nothing(
    bundled_data, population, codes, default, notice
):
    ranking = jamfor.offer_ranking(
        bundled_data, make_offer(bundled_data), population, "total", "total"
    )
    assert ranking.regions.label == "Markera kommuner"
    assert (ranking.regions.codes, ranking.default_regions, ranking.notice) == (
        codes,
        default,
        notice,
    )


@pytest.mark.parametrize(
    ("group_key", "highlighted", "view", "sentences", "first_row", "note"),
    [
        (
            "birth_region:foreign_born",
            ("0181",),
            "chart",
            "Kv 3 2013 hade Södertälje den högsta andelen bland utrikes födda av 4 kommuner med "
            "värde: 27,0 procent, 11,3 procentenheter över länet.",
            # Every shown figure is published without a note: no empty "Status" column.
            {"Rang": 1.0, "Kommun": "Södertälje", "Markerad": "ja", "Andel (%)": 27.0},
            "4 av 8 kommuner i Södertörn finns inte i källan.",
        ),
        (
            "total",
            ("0136", "0140"),
            "table",
            "- Kv 3 2013 hade Haninge den näst lägsta andelen av 4 kommuner med värde: 7,7 "
            "procent, 0,6 procentenheter över länet.\n"
            "- Kv 3 2013 saknas värde för Nykvarn (..); kommunen ingår inte i rangordningen.",
            # Nykvarn's row says why it has no figure: the column has a meaning here.
            {"Rang": 1.0, "Kommun": "Södertälje", "Markerad": "", "Andel (%)": 14.5, "Status": ""},
            "..: värde saknas eller är undertryckt. 3 av 8 kommuner i Södertörn finns inte i "
            "källan.",
        ),
    ],
    ids=["foreign-born-chart", "nykvarn-highlighted-table"],
)
def test_build_ranks_tabell_1(
    bundled_data, group_key, highlighted, view, sentences, first_row, note
):
    content = jamfor.build(bundled_data, choose(bundled_data, group_key, highlighted, view))
    ranking = content.ranking
    assert content.sentences == sentences
    assert content.ranking_note == note
    assert ranking.table.frame.iloc[0].to_dict() == first_row
    assert (ranking.figure is None) == (view == "table")
    assert (
        ranking.title == "Inskrivna arbetslösa, andel av registerbaserad arbetskraft (%), kv 3 2013"
    )
    assert (
        ranking.file_name
        == f"jamfor_af_inskrivna_andel_rams_2013K3_sodertorn_{group_key.replace(':', '-')}"
    )
    assert content.profile.benchmarks == ["01", "00"]
    assert content.profile.default_region == highlighted[0]
    assert content.profile_notice is None


def test_reference_lines_and_subtitle_name_the_group(bundled_data):
    ranking = jamfor.build(bundled_data, choose(bundled_data, "birth_region:foreign_born")).ranking
    assert ranking.subtitle == "Södertörn, utrikes födda – högsta värdet överst"
    assert ranking.table_note == f"Som jämförelse: Stockholms län 15,7{NBSP}%, riket 20,7{NBSP}%."
    assert ranking.download_title.endswith(". Södertörn, utrikes födda – högsta värdet överst")


def test_ties_are_said_and_a_measure_without_benchmarks_offers_no_profile(bundled_data):
    choices = choose(
        bundled_data,
        highlighted=("0126",),
        population="lan_01",
        measure_id=INTEGRATION,
        period="2023",
    )
    content = jamfor.build(bundled_data, choices)
    assert content.sentences == (
        "2023 hade Huddinge, liksom Nynäshamn och Sundbyberg, den åttonde högsta andelen av "
        "26 kommuner: 11,2 procent."
    )
    assert (content.profile, content.profile_notice) == (None, NO_BENCHMARK)


@pytest.mark.parametrize(
    ("region", "benchmark", "first_row", "sentence"),
    [
        (
            "0181",
            "01",
            ["Utbildning", "Förgymnasial utbildning", 29.3, 17.2, 12.1],
            "Störst skillnad mot Stockholms län för Södertälje: personer med förgymnasial "
            "utbildning, 29,3 procent mot 17,2 procent, 12,1 procentenheter högre.",
        ),
        (
            "0136",
            "00",
            ["Födelseland", "Utrikes födda", 14.9, 20.7, -5.8],
            "Störst skillnad mot riket för Haninge: utrikes födda, 14,9 procent mot 20,7 procent, "
            "5,8 procentenheter lägre.",
        ),
    ],
    ids=["sodertalje-county", "haninge-country"],
)
def test_build_profile_puts_the_largest_gap_first(
    bundled_data, region, benchmark, first_row, sentence
):
    choices = ProfileChoices(choose(bundled_data, view="table"), region, benchmark)
    profile = jamfor.build_profile(bundled_data, choices)
    assert profile.notice is None and profile.missing_note is None
    assert profile.exhibit.table.frame.iloc[0].tolist() == first_row
    assert profile.sentence == sentence
    assert profile.exhibit.figure is None
    assert set(profile.exhibit.rows["region_code"]) == {region, benchmark}
    assert profile.exhibit.file_name.endswith(f"_{region}_{benchmark}_profil")


def test_a_profile_opens_on_the_kommuns_county(bundled_data):
    content = jamfor.build(bundled_data, choose(bundled_data))
    assert jamfor.pick_benchmark(bundled_data, content.profile, "0181") == "01"
