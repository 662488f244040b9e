"""The Utveckling view on the bundled data: what it offers, and Tabell 1's figures over time."""

import pandas as pd
import pytest

from labourmarket.core.selection import DEFAULT_MUNICIPALITIES, select_rows
from labourmarket.core.store import LoadedData
from labourmarket.core.targets import load_targets
from labourmarket.views import utveckling
from labourmarket.views.utveckling import UtvecklingChoices

AF = "af_inskrivna_andel_rams"
INTEGRATION = "scb_integration_arbetsloshet_20_64"
TABELL_1 = list(DEFAULT_MUNICIPALITIES)


def choose(
    data: LoadedData,
    group_key: str = "total",
    regions: tuple[str, ...] = DEFAULT_MUNICIPALITIES,
    view: str = "chart",
    transform: str = "value",
    measure_id: str = AF,
    first: str = "2013K3",
    last: str = "2013K3",
) -> UtvecklingChoices:
    series = select_rows(data.observations, measure_id)
    targets = load_targets(data.catalog)
    return UtvecklingChoices(
        measure_id, series, "total", group_key, list(regions), first, last, view, transform, targets
    )


def test_offer_opens_on_tabell_1(bundled_data):
    offer = utveckling.offer(bundled_data, select_rows(bundled_data.observations, AF), AF, "total")
    assert list(offer.groups.items())[:4] == [
        ("total", "Totalt 16-64 år"),
        ("age:18-24", "18-24 år"),
        ("birth_region:born_in_sweden", "Inrikes födda"),
        ("birth_region:foreign_born", "Utrikes födda"),
    ]
    assert offer.default_regions == TABELL_1
    assert offer.periods == {"2013K3": "kv 3 2013"}
    # One quarter has neither a moving average nor a year earlier.
    assert list(offer.transforms) == ["value"]
    # The picker is labelled "Kommuner": the notice says kommun, as on Översikt and Gapanalys.
    assert offer.no_region_notice == "Välj minst en kommun."


@pytest.mark.parametrize(
    ("measure_id", "regions", "first", "last", "view", "notice"),
    [
        (
            AF,
            DEFAULT_MUNICIPALITIES,
            "2013K3",
            "2013K3",
            "chart",
            "Måttet har bara en period (kv 3 2013): utvecklingen kan inte visas; punkterna visar "
            "nivån.",
        ),
        (
            AF,
            DEFAULT_MUNICIPALITIES,
            "2013K3",
            "2013K3",
            "table",
            "Måttet har bara en period (kv 3 2013): utvecklingen kan inte visas; tabellen visar "
            "nivån.",
        ),
        (
            INTEGRATION,
            ("0181",),
            "2019",
            "2019",
            "chart",
            "Från och Till är samma period (2019): utvecklingen kan inte visas; punkterna visar "
            "nivån.",
        ),
        (INTEGRATION, ("0181",), "2016", "2023", "chart", None),
        (INTEGRATION, DEFAULT_MUNICIPALITIES, "2022", "2023", "table", None),
    ],
    ids=["one-quarter", "one-quarter-table", "same-year", "eight-years", "two-years"],
)
def test_one_period_is_said(bundled_data, measure_id, regions, first, last, view, notice):
    choices = choose(
        bundled_data, regions=regions, view=view, measure_id=measure_id, first=first, last=last
    )
    assert utveckling.build(bundled_data, choices).single_period_notice == notice


def test_one_period_draws_its_references_as_points(bundled_data):
    """A line of one point draws nothing: Stockholms län 7,1 and Riket 8,5 become points."""
    figure = utveckling.build(bundled_data, choose(bundled_data)).figure
    points = {trace.name: (trace.mode, list(trace.y)) for trace in figure.data}
    assert points["Stockholms län"] == ("lines+markers", [7.1])
    assert points["Riket"] == ("lines+markers", [8.5])
    assert list(figure.layout.xaxis.ticktext) == ["kv 3 2013"]


def test_a_yearly_measure_offers_its_years_oldest_first_and_no_moving_average(bundled_data):
    series = select_rows(bundled_data.observations, INTEGRATION)
    offer = utveckling.offer(bundled_data, series, INTEGRATION, "total")
    assert list(offer.groups) == ["total"]
    assert list(offer.periods) == [str(year) for year in range(2016, 2024)]
    assert offer.periods["2023"] == "2023"
    assert offer.transforms == {
        "value": "Värden",
        "year_on_year": "Förändring mot ett år tidigare",
    }


@pytest.mark.parametrize(
    ("group_key", "regions", "sentence", "figures", "target"),
    [
        (
            "birth_region:foreign_born",
            ("0181",),
            "Kv 3 2013 var arbetslösheten bland utrikes födda i Södertälje 27,0 procent, "
            "11,3 procentenheter högre än i Stockholms län.",
            {"Södertälje": 27.0, "Stockholms län": 15.7, "Riket": 20.7},
            "Mål: Arbetslösheten bland utrikes födda",
        ),
        (
            "total",
            DEFAULT_MUNICIPALITIES,
            "Kv 3 2013 var arbetslösheten (16-64 år) i Södertälje 14,5 procent, "
            "7,4 procentenheter högre än i Stockholms län.",
            {
                "Södertälje": 14.5,
                "Botkyrka": 12.9,
                "Haninge": 7.7,
                "Huddinge": 7.3,
                "Stockholms län": 7.1,
                "Riket": 8.5,
            },
            None,
        ),
        (
            "age:18-24",
            ("0136",),
            "Kv 3 2013 var arbetslösheten bland 18-24-åringar i Haninge 13,6 procent, "
            "2,3 procentenheter högre än i Stockholms län.",
            {"Haninge": 13.6, "Stockholms län": 11.3, "Riket": 17.3},
            "Mål: Ungas arbetslöshet ska inte vara högre än länets",
        ),
        (
            "education:pre_upper_secondary",
            ("0136",),
            "Kv 3 2013 var arbetslösheten bland personer med förgymnasial utbildning i Haninge "
            "13,8 procent, 3,4 procentenheter lägre än i Stockholms län.",
            {"Haninge": 13.8, "Stockholms län": 17.2, "Riket": 19.2},
            "Mål: Arbetslösheten bland personer med förgymnasial utbildning",
        ),
    ],
    ids=["foreign-born-sodertalje", "tabell-1-total", "young-haninge", "education-haninge"],
)
def test_build_says_tabell_1_and_draws_references_and_target(
    bundled_data, group_key, regions, sentence, figures, target
):
    content = utveckling.build(bundled_data, choose(bundled_data, group_key, regions))
    assert content.sentence == sentence
    row = content.table.frame.iloc[0].to_dict()
    assert row["Period"] == "kv 3 2013"
    assert {name: row[name] for name in figures} == figures
    names = [trace.name for trace in content.figure.data]
    lines = [name for name in figures if name not in ("Stockholms län", "Riket")]
    assert names[: len(lines) + 2] == [*lines, "Stockholms län", "Riket"]
    if target is None:
        assert len(names) == len(lines) + 2
    else:
        assert names[-1].startswith(target)
    assert content.missing_note is None
    assert set(content.rows["region_code"]) == {*regions, "01", "00"}
    assert content.source_line.startswith("Källa: Arbetsförmedlingen")


def test_build_names_the_file_and_the_title_after_the_choice(bundled_data):
    content = utveckling.build(
        bundled_data, choose(bundled_data, "birth_region:foreign_born", ("0181",), view="table")
    )
    assert content.figure is None
    assert content.title == (
        "Inskrivna arbetslösa, andel av registerbaserad arbetskraft (%), utrikes födda"
    )
    assert content.file_name == (
        "utveckling_af_inskrivna_andel_rams_birth_region-foreign_born_0181_2013K3_2013K3_value"
    )


def test_a_range_picked_backwards_reads_forwards_and_has_no_target_line(bundled_data):
    choices = choose(
        bundled_data,
        regions=("0136",),
        transform="year_on_year",
        measure_id=INTEGRATION,
        first="2023",
        last="2016",
    )
    content = utveckling.build(bundled_data, choices)
    assert content.file_name.endswith("_0136_2016_2023_year_on_year")
    assert content.table.frame["Period"].tolist()[-3:] == ["2021", "2022", "2023"]
    assert content.table.frame["Haninge"].tolist()[-1] == -0.1
    assert [trace.name for trace in content.figure.data] == ["Haninge"]
    assert content.sentence.endswith("Det är 0,1 procentenheter lägre än ett år tidigare.")


@pytest.mark.parametrize(
    ("values", "note"),
    [
        ([1.0, 2.0], None),
        (
            [1.0, None, None],
            "..: värde saknas eller är undertryckt (2 st), visas som avbrott i linjen.",
        ),
    ],
)
def test_missing_figures_are_counted(values, note):
    assert utveckling.describe_missing(pd.DataFrame({"value": values}, dtype="float64")) == note
