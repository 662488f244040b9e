"""The Nämndvy view on the bundled data: the agendas it offers, a slide, the handout."""

import pytest

from labourmarket.core import paths
from labourmarket.core.agenda import DEFAULT_AGENDA, Slide
from labourmarket.core.catalog import load_catalog
from labourmarket.core.schema import GROUP_DIMENSIONS
from labourmarket.core.selection import TOTAL
from labourmarket.core.targets import load_targets
from labourmarket.output.formatting import keep_dates_whole
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
            "2014",
        ),
        ("0181", "6", "Södertälje, 18-24 år, kv 3 2013", "18,7", ["+7,4", "+1,4"], "2014"),
        ("0136", "1", "Haninge, totalt 16-64 år, kv 3 2013", "7,7", ["+0,6", "\u22120,8"], "2020"),
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
    # kv 3 2013 is before either strategy (status: the year it starts): shown, not judged.
    assert shown.status_line == "**Mål: ? Kan inte bedömas**"
    assert shown.status_note.startswith(
        f"kv 3 2013 ligger före strategiperioden, som börjar {status}  \nMålet står i "
    )
    # Its dates keep their hyphens on one line (U+2011) in the projector's large type.
    footer = content.footer
    assert footer.startswith(keep_dates_whole(shown.source_line)) and " Uppdaterad " in footer
    assert "Data avser kv 3 2013" in shown.source_line
    assert shown.figure is None  # a bar against a target line would judge it


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
        f"Utveckling: ↓ \u22120,1{NBSP}p.e. sedan 2022",
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


TOTALS = dict.fromkeys(GROUP_DIMENSIONS, TOTAL)


@pytest.mark.parametrize(
    ("measure", "group", "label", "missing"),
    [
        (
            "kolada_arbetslosa_befolkning",
            {},
            "Haninge, totalt 18-65 år",
            "Måttet har inga värden i datan.",
        ),
        (
            "scb_integration_arbetsloshet_20_64",
            {"birth_region": "foreign_born"},
            "Haninge, utrikes födda",
            "Datan har inga värden för Haninge, utrikes födda, i måttet.",
        ),
    ],
)
def test_a_missing_figure_is_said_in_words_with_the_reason(
    bundled_data, measure, group, label, missing
):
    slide = Slide("Saknas", (measure,), {**TOTALS, **group})
    shown = namndvy.build_slide(slide, "0136", bundled_data.observations, bundled_data.catalog)
    assert (shown.headline, shown.headline_label, shown.missing) == (
        "Uppgift saknas",
        label,
        missing,
    )
    assert (shown.figure, shown.comparisons, shown.period) == (None, (), None)


@pytest.mark.parametrize(
    ("query", "number", "link"),
    [
        (
            {"agenda": AGENDA, "slide": "2"},
            3,
            f"?agenda={AGENDA}&slide=3&embed=true&embed_options=light_theme",
        ),
        (
            {"view": "slides", "region": "0181", "news": "on", "slide": "1"},
            1,
            "?region=0181&news=on&slide=1&embed=true&embed_options=light_theme",
        ),
        (
            {"agenda": "mitt möte", "embed": "false"},
            2,
            "?agenda=mitt+m%C3%B6te&slide=2&embed=true&embed_options=light_theme",
        ),
    ],
)
def test_the_projector_link_keeps_the_agenda_and_slide(query, number, link):
    assert namndvy.compose_projector_link(query, number) == link


@pytest.mark.parametrize(("view", "height"), [("slides", None), ("handout", 380)])
def test_the_projector_chart_takes_the_screens_height_and_the_handouts_a_page(
    bundled_data, offer, view, height
):
    """On the projector the page's CSS gives the chart its height; printed, a slide fits a page."""
    agenda = namndvy.pick_agenda(offer, AGENDA, None)
    content = namndvy.build(bundled_data, NamndvyChoices(agenda, view, "6"))
    shown = content.slides[0] if view == "slides" else content.slides[5]
    assert shown.figure.layout.height == height
