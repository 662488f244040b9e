"""The Källor och data page: each measure's definition, source, coverage and the raw files."""

import pytest

from tests.app.conftest import SOURCES, open_page


def open_kallor():
    at = open_page(SOURCES)
    assert not at.exception
    return at


def test_kallor_warns_that_measures_are_not_comparable(built_tree):
    at = open_kallor()
    assert at.title[0].value == "Källor och data"
    assert "jämförs aldrig i samma serie" in at.warning[0].value


@pytest.mark.parametrize(
    ("index", "name", "facts"),
    [
        (
            0,
            "Inskrivna arbetslösa, andel av registerbaserad arbetskraft (%)",
            {
                "Population": "16-64 år",
                "Utgivare": "Arbetsförmedlingen",
                "Perioder": "kv 3 2013 – kv 3 2013",
                "Regioner": "6",
                "Värden": "42",
            },
        ),
        (
            1,
            "Arbetslöshet enligt BAS, 20-64 år (%)",
            {
                "Utgivare": "SCB",
                "Licens": "CC0",
                "Perioder": "januari 2020 – december 2024",
                "Värden": "360",
                "Seriebrott": "Inga kända",
            },
        ),
        (
            2,
            "Arbetslöshet 20-64 år, SCB:s integrationsstatistik (%)",
            {"Perioder": "2016 – 2023", "Regioner": "26", "Värden": "208"},
        ),
    ],
)
def test_kallor_describes_each_measure(built_tree, index, name, facts):
    at = open_kallor()
    assert at.subheader[index].value == name
    values = at.table[index].value.iloc[:, 0].to_dict()
    for field, expected in facts.items():
        assert values[field] == expected, field


def test_kallor_lists_the_raw_files_of_the_build(built_tree):
    at = open_kallor()
    files = at.table[-1].value
    assert files["Fil"].tolist()[0] == "raw/seed/sodertalje_2014_tabell1.txt"
    assert files["Rader"].tolist() == [42, 360, 208]
