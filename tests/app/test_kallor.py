"""The Källor och data page: each measure's definition, source, coverage and the raw files."""

import pandas as pd
import pyarrow as pa
import pytest

from etl.pipeline import build
from tests.app.conftest import SOURCES, open_page
from tests.changed_build import build_changed
from tests.kallor_facts import MEASURE_FACTS


def open_kallor():
    at = open_page(SOURCES)
    assert not at.exception
    return at


def test_kallor_warns_that_measures_are_not_comparable(built_tree):
    at = open_kallor()
    assert at.title[0].value == "Källor och data"
    assert "jämförs aldrig i samma serie" in at.warning[0].value


@pytest.mark.parametrize(("index", "name", "facts"), MEASURE_FACTS)
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


def read_shown_dataframe(at, index: int) -> pd.DataFrame:
    """A st.dataframe's cells as the viewer sees them (the Styler's formatted strings)."""
    styler = at.dataframe[index].proto.arrow_data.styler
    return pa.ipc.open_stream(styler.display_values).read_all().to_pandas()


@pytest.fixture
def changed_tree(built_tree):
    """The bundled build, then one with a figure revised, one withdrawn and a new period."""
    build_changed(built_tree)
    return built_tree


def test_kallor_shows_the_latest_changes_per_measure(changed_tree):
    at = open_kallor()
    headings = [s.value for s in at.subheader]
    assert headings[3:] == [
        "Ändringar i senaste bygget",
        "Bygghistorik",
        "Källfiler i senaste bygget",
    ]
    assert any(
        c.value.startswith("Bygget ") and " jämfört med bygget " in c.value for c in at.caption
    )
    assert "**Arbetslöshet 20-64 år, SCB:s integrationsstatistik (%)**" in [
        m.value for m in at.markdown
    ]
    assert (
        "- Nya perioder: 2024 (1 värde).\n"
        "- Reviderade: 2 värden (tabellen nedan).\n"
        "- Tillbakadragna: 1 värde (finns inte längre i källan)."
    ) in [m.value for m in at.markdown]
    revised = read_shown_dataframe(at, 0).set_index("Region")
    assert revised.loc["Haninge", ["Period", "Tidigare värde", "Nytt värde"]].tolist() == [
        "2023",
        "12,1",
        "12,4",
    ]
    assert revised.loc["Haninge", ["Hämtad tidigare", "Hämtad nu"]].tolist() == [
        "2026-11-24",
        "2026-11-30",
    ]
    assert revised.loc["Vallentuna", ["Tidigare värde", "Nytt värde"]].tolist() == ["6,8", ".."]
    withdrawn = read_shown_dataframe(at, 1)
    assert withdrawn[["Region", "Period", "Värde"]].values.tolist() == [
        ["Upplands Väsby", "2023", "12,9"]
    ]


def test_kallor_shows_the_history_of_builds(changed_tree):
    at = open_kallor()
    history = at.dataframe[-1].value
    assert history["Mått"].tolist() == [
        "Arbetslöshet 20-64 år, SCB:s integrationsstatistik (%)",
        "Första bygget",
    ]
    assert history["Värden"].tolist() == [610, 610]
    assert history.iloc[0][
        ["Nya perioder", "Reviderade värden", "Tillbakadragna värden"]
    ].tolist() == [
        1,
        2,
        1,
    ]


def test_kallor_says_when_a_build_changed_nothing(built_tree):
    build()
    at = open_kallor()
    assert any(i.value.startswith("Inga ändringar") for i in at.info)
    assert at.dataframe[-1].value["Mått"].tolist() == ["Inga ändringar", "Första bygget"]
