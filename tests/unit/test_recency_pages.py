"""The notice of newer figures on the Nämndvy slides and in the Mål och budget pack."""

import pytest

from labourmarket.core.agenda import DEFAULT_AGENDA
from labourmarket.core.store import LoadedData
from labourmarket.core.targets import load_targets
from labourmarket.output import formats
from labourmarket.views import export, namndvy
from labourmarket.views.namndvy import NamndvyChoices

AGENDA = "haninge_ks_2026-12"
INTEGRATION = "scb_integration_arbetsloshet_20_64"
TABELL_1 = "af_inskrivna_andel_rams"
INTEGRATION_NOTICE = (
    "Nyare siffror finns: SCB har värden till och med december 2024 "
    "(Arbetslöshet enligt BAS, 20-64 år (%))."
)


@pytest.fixture(scope="module")
def offer(bundled_data: LoadedData) -> namndvy.NamndvyOffer:
    catalog = bundled_data.catalog
    return namndvy.offer(catalog, load_targets(catalog), None)


@pytest.mark.parametrize(
    ("key", "region", "slide", "view", "period", "notice"),
    [
        # The agenda's measure slide: Haninge's integration figure is 2023, SCB has 2024.
        (AGENDA, None, "6", "slides", "2023", INTEGRATION_NOTICE),
        (AGENDA, None, "6", "handout", "2023", INTEGRATION_NOTICE),
        # Tabell 1's target slides: kv 3 2013 is Arbetsförmedlingen's newest.
        (DEFAULT_AGENDA, "0136", "1", "slides", "kv 3 2013", None),
        (DEFAULT_AGENDA, "0181", "7", "slides", "kv 3 2013", None),
        (DEFAULT_AGENDA, "0181", "7", "handout", "kv 3 2013", None),
    ],
)
def test_a_slide_says_when_the_publisher_has_newer_figures(
    bundled_data, offer, key, region, slide, view, period, notice
):
    agenda = namndvy.pick_agenda(offer, key, region)
    content = namndvy.build(bundled_data, NamndvyChoices(agenda, view, slide))
    shown = content.slides[0] if view == "slides" else content.slides[int(slide) - 1]
    assert shown.period == period
    assert shown.newer_notice == notice


def test_the_other_slide_notes_are_unchanged_by_the_notice(bundled_data, offer):
    agenda = namndvy.pick_agenda(offer, AGENDA, None)
    (shown,) = namndvy.build(bundled_data, NamndvyChoices(agenda, "slides", "6")).slides
    assert shown.newer_notice not in shown.notes


@pytest.fixture(scope="module")
def packs(bundled_data: LoadedData) -> dict[str, export.Pack]:
    catalog = bundled_data.catalog
    return {
        period: export.assemble_pack(
            bundled_data.observations,
            catalog,
            load_targets(catalog),
            bundled_data.manifest,
            "0181",
            period,
        )
        for period in ("2023", "2013K3")
    }


def find_section(pack: export.Pack, measure_id: str) -> export.Section:
    (section,) = [s for s in pack.measures if s.measure_id == measure_id]
    return section


@pytest.mark.parametrize(
    ("period", "measure_id", "notice"),
    [("2023", INTEGRATION, INTEGRATION_NOTICE), ("2013K3", TABELL_1, "")],
)
def test_a_pack_section_says_when_the_publisher_has_newer_figures(
    packs, period, measure_id, notice
):
    section = find_section(packs[period], measure_id)
    assert section.newer_notice == notice


@pytest.mark.parametrize(
    ("period", "measure_id", "notice"),
    [("2023", INTEGRATION, INTEGRATION_NOTICE), ("2013K3", TABELL_1, None)],
)
def test_the_word_draft_notes_newer_figures_under_the_sections_text(
    packs, period, measure_id, notice
):
    pack = packs[period]
    section = find_section(pack, measure_id)
    blocks = export.compose_blocks(pack, {chart.key: b"png" for chart in pack.charts})
    texts = [b.text for b in blocks if isinstance(b, formats.Paragraph)]
    at = texts.index(section.sentence)
    if notice is None:
        assert not [t for t in texts if t.startswith("Nyare siffror finns")]
    else:
        assert texts[at + 1] == notice


@pytest.mark.parametrize(
    ("period", "measure_id", "notice"),
    [("2023", INTEGRATION, INTEGRATION_NOTICE), ("2013K3", TABELL_1, None)],
)
def test_the_export_summary_notes_newer_figures_under_the_table(
    bundled_data, packs, period, measure_id, notice
):
    pack = packs[period]
    section = find_section(pack, measure_id)
    lines = export.build(bundled_data, export.ExportChoices(pack)).summary.splitlines()
    at = lines.index(f"- Tabell: {section.table.title}")
    if notice is None:
        assert not [line for line in lines if "Nyare siffror finns" in line]
    else:
        assert lines[at + 1] == f"  - {notice}"
