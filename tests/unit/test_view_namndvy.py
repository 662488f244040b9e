"""The Nämndvy view on the bundled data: the agendas it offers, a slide, the handout."""

import pytest

from labourmarket.core import paths
from labourmarket.core.agenda import DEFAULT_AGENDA
from labourmarket.core.catalog import load_catalog
from labourmarket.core.targets import load_targets
from labourmarket.views import namndvy
from labourmarket.views.namndvy import NamndvyChoices

NBSP = "\u00a0"
REFERENCE = paths.REPO_DIR / "data" / "reference"
AGENDA = "haninge_ks_2026-12"


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(REFERENCE)


@pytest.fixture(scope="module")
def targets(catalog):
    return load_targets(catalog, REFERENCE / "targets.toml")


@pytest.fixture(scope="module")
def offer(catalog, targets):
    return namndvy.offer(catalog, targets, None)


def test_offer_puts_the_kommuns_targets_before_the_agenda_files(offer):
    assert offer.options == (DEFAULT_AGENDA, AGENDA)
    assert offer.names == {
        DEFAULT_AGENDA: "Kommunens mål",
        AGENDA: "Arbetsmarknadsläget i Haninge · 8 december 2026",
    }
    assert offer.regions == ("0136", "0181")
    assert (offer.link_problem, offer.other_problems) == (None, ())


@pytest.mark.parametrize(
    ("linked", "in_main_area", "in_sidebar"),
    [("trasig", True, 0), (None, False, 1), (AGENDA, False, 1)],
)
def test_a_bad_agenda_file_is_named_where_it_is_seen(
    data_tree, catalog, targets, linked, in_main_area, in_sidebar
):
    (data_tree / "reference" / "agendas" / "trasig.toml").write_text(
        'title = "KS"\ndate = 2026-12-08\nregion = "0136"\n[[slides]]\ntarget = "haninge_x"\n',
        encoding="utf-8",
    )
    offer = namndvy.offer(catalog, targets, linked)
    problem = "`trasig.toml: slide 1: field target: unknown target 'haninge_x'"
    assert offer.options == (DEFAULT_AGENDA, AGENDA)
    assert (offer.link_problem is not None) == in_main_area
    if in_main_area:
        assert offer.link_problem.startswith(
            f"**Dagordningen kunde inte läsas.** Rätta filen.\n\n{problem}"
        )
    assert len(offer.other_problems) == in_sidebar
    assert all(
        p.startswith(f"Dagordning som inte kunde läsas:\n\n{problem}") for p in offer.other_problems
    )


@pytest.mark.parametrize(
    ("key", "region", "title", "slides"),
    [
        (DEFAULT_AGENDA, "0181", "Södertälje: strategins mål", 11),
        (DEFAULT_AGENDA, "0136", "Haninge: strategins mål", 6),
        (AGENDA, None, "Arbetsmarknadsläget i Haninge", 6),
    ],
)
def test_pick_agenda(offer, key, region, title, slides):
    agenda = namndvy.pick_agenda(offer, key, region)
    assert (agenda.key, agenda.title, len(agenda.slides)) == (key, title, slides)


@pytest.mark.parametrize(
    ("region", "slide", "headline_label", "headline", "gaps", "status"),
    [
        (
            "0181",
            "7",
            "Södertälje, utrikes födda, kv 3 2013",
            "27,0",
            ["+11,3", "+6,3"],
            "✗ Ej uppfyllt",
        ),
        ("0181", "6", "Södertälje, 18-24 år, kv 3 2013", "18,7", ["+7,4", "+1,4"], "✗ Ej uppfyllt"),
        ("0136", "1", "Haninge, totalt 16-64 år, kv 3 2013", "7,7", ["+0,6", "-0,8"], "≈ Nära"),
    ],
)
def test_a_target_slide_holds_tabell_1(
    bundled_data, offer, region, slide, headline_label, headline, gaps, status
):
    agenda = namndvy.pick_agenda(offer, DEFAULT_AGENDA, region)
    content = namndvy.build(bundled_data, NamndvyChoices(agenda, "slides", slide))
    count = len(agenda.slides)
    assert (content.number, content.count, content.position) == (
        int(slide),
        count,
        f"{slide} / {count}",
    )
    assert content.kicker == f"{agenda.title} · bild {slide} av {count}"
    assert (content.slide_notice, content.data_notice) == (None, None)
    (shown,) = content.slides
    assert content.title == shown.title == agenda.slides[int(slide) - 1].title
    assert (shown.headline_label, shown.headline) == (headline_label, f"{headline}{NBSP}%")
    assert [c.gap for c in shown.comparisons] == [f"{gap}{NBSP}p.e." for gap in gaps]
    assert shown.status_line == f"**Mål: {status}**"
    assert shown.status_note.startswith("kv 3 2013, före strategiperioden  \nMålet står i ")
    assert content.footer.startswith(shown.source_line) and " Uppdaterad " in content.footer
    assert "Data avser kv 3 2013" in shown.source_line
    # Sized for the projector, the source line left to the footer.
    assert shown.figure.layout.font.size == 20
    assert not [a for a in shown.figure.layout.annotations if a.text.startswith("Källa")]


@pytest.mark.parametrize("slide", ["99", "0", "två", None])
def test_a_slide_the_agenda_lacks_opens_the_first_with_a_notice(bundled_data, offer, slide):
    agenda = namndvy.pick_agenda(offer, AGENDA, None)
    content = namndvy.build(bundled_data, NamndvyChoices(agenda, "slides", slide))
    assert content.number == 1
    assert (content.slide_notice is not None) == (slide is not None)
    if slide is not None:
        assert content.slide_notice.startswith(f"Länken angav bild '{slide}'")


def test_a_measure_slide_says_it_has_no_target(bundled_data, offer):
    agenda = namndvy.pick_agenda(offer, AGENDA, None)
    (shown,) = namndvy.build(bundled_data, NamndvyChoices(agenda, "slides", "6")).slides
    assert (shown.headline_label, shown.headline) == (
        "Haninge, totalt 20-64 år, 2023",
        f"12,1{NBSP}%",
    )
    assert shown.notes == (
        "Källan har inget värde för Stockholms län och riket att jämföra med.",
        f"Utveckling: ↓ -0,1{NBSP}p.e. sedan 2022",
        "Bilden visar ett mått utan mål i strategin.",
    )


def test_an_unassessable_target_shows_the_documents_words(bundled_data, offer):
    agenda = namndvy.pick_agenda(offer, DEFAULT_AGENDA, "0181")
    (shown,) = namndvy.build(bundled_data, NamndvyChoices(agenda, "slides", "1")).slides
    assert shown.figure is None
    assert shown.quote_line.startswith("”") and shown.quote_line.endswith("”")
    assert shown.status_line == "**Mål: ? Kan inte bedömas**"


def test_the_handout_holds_every_slide_in_order(bundled_data, offer):
    agenda = namndvy.pick_agenda(offer, AGENDA, None)
    content = namndvy.build(bundled_data, NamndvyChoices(agenda, "handout", "3", True))
    assert content.title == "Arbetsmarknadsläget i Haninge"
    assert content.kicker.startswith(
        "Arbetsmarknadsläget i Haninge · 8 december 2026 · data uppdaterad "
    )
    assert content.headings[0] == "1. Arbetslösheten ska inte vara högre än länets genomsnitt"
    assert content.headings[4] == "5. Arbetslösheten bland utrikes födda"
    assert len(content.slides) == len(content.headings) == 6
    assert [s.headline for s in content.slides[:2]] == [f"7,7{NBSP}%"] * 2
    bars = {trace.name: list(trace.y) for trace in content.slides[4].figure.data}
    assert bars == {"Haninge": [14.9], "Stockholms län": [15.7], "Riket": [20.7]}
    # Printed beside the chart in full: not also cut off inside it.
    assert all(
        not a.text.startswith("Källa")
        for s in content.slides
        if s.figure
        for a in s.figure.layout.annotations
    )
    assert content.slide_notice is None
    assert content.data_notice.startswith(":material/sync_problem: Visar senast lästa data från ")
