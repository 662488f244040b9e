"""Swedish that reads well: group nouns, riket in sentences, a true minus, one total label,
one "Källa:", one timestamp format and dates that never break on a slide."""

import io
import re

import pandas as pd
import pytest

from labourmarket.core.agenda import DEFAULT_AGENDA
from labourmarket.core.region_offer import describe_members
from labourmarket.core.targets import load_targets
from labourmarket.output import formats
from labourmarket.output.change_tables import format_time
from labourmarket.output.formatting import (
    MINUS,
    format_gap,
    format_group,
    format_number,
    format_percent,
    keep_dates_whole,
)
from labourmarket.output.measure_sources import summarise_measures
from labourmarket.output.sentences import (
    compose_attribution,
    compose_source_line,
    describe_not_covered,
    describe_people,
    describe_reference_lines,
)
from labourmarket.views import gapanalys, namndvy
from labourmarket.views.gapanalys import GapanalysChoices
from labourmarket.views.namndvy import NamndvyChoices

NBSP = "\u00a0"
RAMS = "af_inskrivna_andel_rams"
INTEGRATION = "scb_integration_arbetsloshet_20_64"
FOUR = ("0181", "0127", "0136", "0126")


def build_gaps(data, benchmark: str, breakdown: str, regions=FOUR, view="chart"):
    rows = data.observations[data.observations["measure_id"] == RAMS]
    choices = GapanalysChoices(RAMS, "2013K3", rows, "total", regions, benchmark, breakdown, view)
    return gapanalys.build(data, choices)


@pytest.mark.parametrize(
    ("dimension", "code", "population", "sex", "people"),
    [
        ("age", "total", "16-64 år", "total", "alla 16-64 år"),
        ("age", "18-24", "16-64 år", "total", "unga 18-24 år"),
        ("age", "25-54", "16-64 år", "total", "personer 25-54 år"),
        ("age", "65+", "", "total", "personer 65 år och äldre"),
        ("birth_region", "foreign_born", "", "total", "utrikes födda"),
        ("birth_region", "born_in_sweden", "", "women", "inrikes födda kvinnor"),
        ("education", "pre_upper_secondary", "", "total", "personer med förgymnasial utbildning"),
        ("education", "post_secondary", "", "men", "män med eftergymnasial utbildning"),
        ("education", "unknown", "", "total", "personer med okänd utbildning"),
        ("age", "18-24", "", "men", "unga män 18-24 år"),
        ("age", "total", "20-64 år", "women", "kvinnor 20-64 år"),
        ("sex", "women", "", "total", "kvinnor"),
    ],
)
def test_a_group_in_a_sentence_is_named_as_people(dimension, code, population, sex, people):
    assert describe_people(dimension, code, population, sex) == people


@pytest.mark.parametrize(
    ("benchmark", "breakdown", "headline"),
    [
        pytest.param(
            "01",
            "age",
            "Störst skillnad mot Stockholms län har Södertälje: 7,4 procentenheter högre både "
            f"för alla 16-64 år (14,5{NBSP}% mot 7,1{NBSP}%) och för unga 18-24 år "
            f"(18,7{NBSP}% mot 11,3{NBSP}%).",
            id="tie-said-once",
        ),
        pytest.param(
            "01",
            "birth_region",
            f"Störst skillnad mot Stockholms län: utrikes födda i Södertälje har 27,0{NBSP}% mot "
            f"15,7{NBSP}% i Stockholms län, 11,3 procentenheter högre.",
            id="foreign-born",
        ),
        pytest.param(
            "00",
            "education",
            "Störst skillnad mot riket: personer med förgymnasial utbildning i Södertälje har "
            f"29,3{NBSP}% mot 19,2{NBSP}% i riket, 10,1 procentenheter högre.",
            id="noun-and-riket",
        ),
    ],
)
def test_the_gap_headline_reads_as_a_sentence(bundled_data, benchmark, breakdown, headline):
    assert build_gaps(bundled_data, benchmark, breakdown).headline == headline


def test_riket_is_lowercase_in_chart_titles_and_axes(bundled_data):
    levels, gaps = (chart.figure for chart in build_gaps(bundled_data, "00", "age").charts)
    assert gaps.layout.title.text == "Skillnad mot riket i procentenheter"
    assert gaps.layout.yaxis.title.text == "Procentenheter mot riket"
    # A legend names the region: there it keeps its capital.
    assert [trace.name for trace in levels.data][-1] == "Riket"


@pytest.mark.parametrize(
    ("lines", "sentence"),
    [
        (
            [("Stockholms län", 7.1), ("Riket", 8.5)],
            f"Som jämförelse: Stockholms län 7,1{NBSP}%, riket 8,5{NBSP}%.",
        ),
        ([("Riket", 8.5)], f"Som jämförelse: riket 8,5{NBSP}%."),
    ],
)
def test_riket_is_lowercase_in_the_reference_line(lines, sentence):
    assert describe_reference_lines(lines) == sentence


@pytest.mark.parametrize(
    ("value", "formatted"),
    [
        (format_number(-5.8), f"{MINUS}5,8"),
        (format_gap(-5.8), f"{MINUS}5,8{NBSP}p.e."),
        (format_percent(-1.25), f"{MINUS}1,3{NBSP}%"),
        (format_number(-1234.56), f"{MINUS}1{NBSP}234,6"),
        (format_number(-0.04), "0,0"),  # rounds to zero: no sign at all
        (format_gap(-0.04), f"±0,0{NBSP}p.e."),
    ],
)
def test_a_negative_figure_in_text_has_a_true_minus(value, formatted):
    assert value == formatted
    assert "-" not in value


def test_the_gap_table_shows_a_true_minus_and_exports_a_number(bundled_data):
    """Haninge's foreign-born against riket: −5,8 on screen, -5.8 as a number in every file."""
    table = build_gaps(bundled_data, "00", "birth_region", ("0136",), "table").table
    row = table.format_cells().iloc[-1]
    assert (row["Kommun"], row["Skillnad mot Riket"]) == ("Haninge", f"{MINUS}5,8{NBSP}p.e.")
    assert table.export_frame()["Skillnad mot Riket (p.e.)"].iloc[-1] == -5.8
    read = pd.read_csv(io.BytesIO(formats.write_csv(table, "plain")))
    assert read["Skillnad mot Riket (p.e.)"].iloc[-1] == -5.8


@pytest.mark.parametrize("breakdown", ["age", "birth_region", "education"])
def test_the_total_group_has_one_label_in_every_breakdown(bundled_data, breakdown):
    table = build_gaps(bundled_data, "01", breakdown, view="table").table
    assert table.frame["Grupp"].iloc[0] == "Totalt 16-64 år"


@pytest.mark.parametrize(
    ("dimension", "label"),
    [
        ("age", "Totalt 16-64 år"),
        ("birth_region", "Totalt 16-64 år"),
        ("education", "Totalt 16-64 år"),
    ],
)
def test_format_group_names_the_population_for_every_total(dimension, label):
    assert format_group(dimension, "total", "16-64 år") == label


@pytest.mark.parametrize(
    ("attributions", "joined"),
    [
        (
            [
                "Källa: SCB, integrationsstatistik (AA0003X/IntGr1KomKonUtb)",
                "Källa: SCB, integrationsstatistik (AA0003B/IntGr1KomUtbBAS)",
            ],
            "Källa: SCB, integrationsstatistik (AA0003X/IntGr1KomKonUtb; AA0003B/IntGr1KomUtbBAS)",
        ),
        (
            [
                "Källa: Kolada (RKA), Arbetsförmedlingen och SCB",
                "Källa: SCB, integrationsstatistik",
            ],
            "Källa: Kolada (RKA), Arbetsförmedlingen och SCB; SCB, integrationsstatistik",
        ),
        (["Källa: SCB, BAS (TAB6260)", "Källa: SCB, BAS (TAB6260)"], "Källa: SCB, BAS (TAB6260)"),
    ],
)
def test_two_sources_get_one_kalla(attributions, joined):
    assert compose_attribution(attributions) == joined


def test_the_integration_series_names_both_tables_after_one_kalla(bundled_data):
    rows = bundled_data.observations[bundled_data.observations["measure_id"] == INTEGRATION]
    source = "Källa: SCB, integrationsstatistik (AA0003X/IntGr1KomKonUtb; AA0003B/IntGr1KomUtbBAS)"
    assert compose_source_line(bundled_data.catalog, rows).startswith(
        f"{source}. Data avser 2016–2023"
    )
    (entry,) = summarise_measures(rows, bundled_data.catalog)
    assert entry["Källa"] == source


@pytest.mark.parametrize(
    ("group_id", "name", "sentence"),
    [
        ("alla", "alla kommuner", "264 av 290 kommuner finns inte i källan."),
        ("sodertorn", "Södertörn", "264 av 290 kommuner i Södertörn finns inte i källan."),
        (
            "lan_01",
            "Kommunerna i Stockholms län",
            "264 av 290 kommuner i Stockholms län finns inte i källan.",
        ),
    ],
)
def test_the_uncovered_count_names_its_kommuner_once(group_id, name, sentence):
    ranking, shown = pd.DataFrame(index=range(290)), pd.DataFrame(index=range(26))
    assert describe_not_covered(ranking, shown, describe_members(group_id, name)) == sentence


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("hämtad 2026-11-24.", "hämtad 2026\u201111\u201124."),
        ("Arbetsmarknadsutsikterna 2013-2014", "Arbetsmarknadsutsikterna 2013\u20112014"),
        ("totalt 16-64 år", "totalt 16-64 år"),  # an age band is no date
    ],
)
def test_dates_keep_their_hyphens_on_one_line(text, kept):
    assert keep_dates_whole(text) == kept


@pytest.mark.parametrize("slide", ["1", "2"])
def test_the_slide_footer_never_breaks_a_date(bundled_data, slide):
    agenda = namndvy.pick_agenda(
        namndvy.offer(bundled_data.catalog, load_targets(bundled_data.catalog), None),
        DEFAULT_AGENDA,
        "0136",
    )
    footer = namndvy.build(bundled_data, NamndvyChoices(agenda, "slides", slide)).footer
    built = format_time(bundled_data.manifest["built_at"])
    assert "hämtad 2026\u201111\u201124" in footer
    assert footer.endswith(f"Uppdaterad {keep_dates_whole(built)}.")
    assert re.search(r"\d{4}-\d", footer) is None, footer
