"""The Källor och data view: each measure's facts from the build, or its definition without one."""

import pandas as pd
import pytest

from labourmarket.core.store import LoadedData
from labourmarket.views import kallor
from labourmarket.views.kallor import COMPARABILITY_WARNING, WITHOUT_DATA, KallorChoices
from tests.kallor_facts import AF_NAME, MEASURE_FACTS


@pytest.fixture(scope="module")
def content(bundled_data):
    return kallor.build(bundled_data, KallorChoices(bundled_data.catalog))


@pytest.mark.parametrize(("index", "name", "facts"), MEASURE_FACTS)
def test_each_measure_with_its_coverage(content, index, name, facts):
    measure = content.measures[index]
    assert measure.name == name
    assert measure.details.name == "Uppgift"
    for field, expected in facts.items():
        assert measure.details[field] == expected, field


def test_the_facts_read_in_one_order_and_the_caption_names_the_id(content):
    measure = content.measures[0]
    assert list(measure.details.index) == kallor.DETAILS
    assert measure.source.startswith("Källa: Arbetsförmedlingen")
    assert measure.caption.startswith("Mått-id `af_inskrivna_andel_rams` · jämförbarhetsgrupp `")


def test_the_build_lists_its_raw_files(bundled_data, content):
    assert (content.warning, content.notice) == (COMPARABILITY_WARNING, None)
    assert content.files["Fil"].tolist()[0] == "raw/seed/sodertalje_2014_tabell1.txt"
    assert content.files["Rader"].tolist() == [42, 360, 208]
    # The build's time as the sidebar says it (Swedish local time), never the ISO stamp.
    built = pd.Timestamp(bundled_data.manifest["built_at"]).tz_convert("Europe/Stockholm")
    assert content.files_caption == (
        f"Byggt {built:%Y-%m-%d %H:%M} av `python -m etl build` från data/raw."
    )


@pytest.mark.parametrize("has_build", [False, True], ids=["no-build", "empty-build"])
def test_without_figures_the_definitions_still_show(bundled_data, has_build):
    data = None
    if has_build:
        empty = bundled_data.observations.iloc[0:0]
        data = LoadedData(empty, bundled_data.catalog, bundled_data.manifest)
    content = kallor.build(data, KallorChoices(bundled_data.catalog))
    assert (content.notice, content.files, content.files_caption) == (WITHOUT_DATA, None, None)
    assert len(content.measures) == len(bundled_data.catalog.measures)
    af = next(measure for measure in content.measures if measure.name == AF_NAME)
    # Coverage (periods, counts, retrieval) needs a build: only the reference's facts are left.
    assert list(af.details.index) == ["Population", "Nämnare", "Utgivare", "Licens", "Seriebrott"]
    assert (af.details["Population"], af.details["Utgivare"]) == ("16-64 år", "Arbetsförmedlingen")
