"""Nämndvy as a committee sees it: slides by link and button, status in words, data that fails."""

import datetime
from urllib.parse import parse_qs

import pandas as pd
import pytest

from labourmarket.core import store
from tests.app.conftest import open_page, read_shown_table
from tests.changed_build import build_changed

PAGE = "app_pages/namndvy.py"
AGENDA = "haninge_ks_2026-12"
NBSP = "\u00a0"


def read_kicker(at) -> str:
    return next(m.value for m in at.markdown if " · bild " in m.value)


def read_headline(at) -> str:
    return at.metric[0].value


def read_text(at) -> str:
    return "\n".join(m.value for m in at.markdown)


@pytest.mark.parametrize(
    ("slide", "title", "headline"),
    [
        ("1", "Arbetslösheten ska inte vara högre än länets genomsnitt", "7,7"),
        ("3", "Ungas arbetslöshet ska inte vara högre än länets", "13,6"),
        ("5", "Arbetslösheten bland utrikes födda", "14,9"),
        ("6", "Arbetslösheten 20-64 år sedan 2016", "12,1"),
    ],
)
def test_a_link_opens_at_its_slide(built_tree, slide, title, headline):
    at = open_page(PAGE, agenda=AGENDA, slide=slide)
    assert not at.exception
    assert at.title[0].value == title
    assert read_headline(at) == f"{headline}{NBSP}%"
    assert read_kicker(at).endswith(f"bild {slide} av 6")
    assert at.query_params["slide"] == slide


def test_the_buttons_step_through_the_agenda_and_write_the_url(built_tree):
    at = open_page(PAGE, agenda=AGENDA, slide="2")
    at.button(key="nv_next").click().run()
    assert read_kicker(at).endswith("bild 3 av 6")
    assert at.query_params["slide"] == "3"
    at.button(key="nv_previous").click().run()
    at.button(key="nv_previous").click().run()
    assert read_kicker(at).endswith("bild 1 av 6")
    assert at.button(key="nv_previous").disabled
    assert at.query_params["slide"] == "1"


@pytest.mark.parametrize("wanted", ["99", "0", "två"])
def test_a_bad_slide_number_falls_back_to_the_first_with_a_notice(built_tree, wanted):
    at = open_page(PAGE, agenda=AGENDA, slide=wanted)
    assert not at.exception
    assert f"Länken angav bild '{wanted}'" in at.warning[0].value
    assert read_kicker(at).endswith("bild 1 av 6")
    assert at.query_params["slide"] == "1"


@pytest.mark.parametrize(
    ("region", "slide", "figure", "gap", "status"),
    [
        # Tabell 1 (kv 3 2013) is before both strategies: shown, not judged.
        ("0136", "1", "7,7", "+0,6", "? Kan inte bedömas"),
        ("0136", "2", "7,7", "\u22120,8", "? Kan inte bedömas"),
        ("0181", "7", "27,0", "+11,3", "? Kan inte bedömas"),
        ("0181", "1", "18,7", "+7,4", "? Kan inte bedömas"),
    ],
)
def test_the_default_agenda_reads_status_as_words(built_tree, region, slide, figure, gap, status):
    at = open_page(PAGE, region=region, slide=slide)
    assert not at.exception
    assert read_headline(at) == f"{figure}{NBSP}%"
    assert f"{gap}{NBSP}p.e." in [m.value for m in at.metric]
    assert f"**Mål: {status}**" in read_text(at)


def test_a_bad_agenda_is_named_and_the_page_shows_the_targets(built_tree):
    agendas = built_tree / "reference" / "agendas"
    (agendas / "trasig.toml").write_text(
        'title = "KS"\ndate = 2026-12-08\nregion = "0136"\n[[slides]]\ntarget = "haninge_x"\n',
        encoding="utf-8",
    )
    at = open_page(PAGE, agenda="trasig")
    assert not at.exception
    assert "trasig.toml: slide 1: field target: unknown target 'haninge_x'" in at.error[0].value
    assert at.title[0].value == "Arbetslösheten ska inte vara högre än länets genomsnitt"
    assert read_headline(at) == f"7,7{NBSP}%"
    other = open_page(PAGE, agenda=AGENDA)
    assert any("trasig.toml" in e.value for e in other.sidebar.error)
    assert read_kicker(other).endswith("bild 1 av 6")


def corrupt_observations() -> None:
    store.observations_path().write_bytes(b"PAR1 not really parquet")


def remove_observations() -> None:
    store.observations_path().unlink()


@pytest.mark.parametrize("break_data", [corrupt_observations, remove_observations])
def test_broken_data_keeps_the_last_good_figures_with_a_notice(built_tree, break_data):
    at = open_page(PAGE, agenda=AGENDA, slide="2")
    assert read_headline(at) == f"7,7{NBSP}%"
    break_data()
    at.run()
    assert not at.exception
    assert read_headline(at) == f"7,7{NBSP}%"
    assert read_kicker(at).endswith("bild 2 av 6")
    assert any("Visar senast lästa data från" in c.value for c in at.caption)


def test_broken_data_on_a_first_visit_is_explained(built_tree):
    corrupt_observations()
    at = open_page(PAGE)
    assert not at.exception
    assert at.error[0].value.startswith("Datan kunde inte läsas")


def test_without_built_data_the_page_says_how_to_build(data_tree):
    at = open_page(PAGE)
    assert not at.exception
    assert "make data" in at.info[0].value


def test_the_handout_lists_every_slide_in_order(built_tree):
    at = open_page(PAGE, agenda=AGENDA, view="handout")
    assert not at.exception
    assert [h.value for h in at.subheader] == [
        "1. Arbetslösheten ska inte vara högre än länets genomsnitt",
        "2. Arbetslösheten ska inte vara högre än rikets",
        "3. Ungas arbetslöshet ska inte vara högre än länets",
        "4. Arbetslösheten bland personer med förgymnasial utbildning ska inte vara högre"
        " än länets",
        "5. Arbetslösheten bland utrikes födda",
        "6. Arbetslösheten 20-64 år sedan 2016",
    ]
    assert not at.button
    assert all(c.value for c in at.caption if c.value.startswith("Källa"))


NEWS_AGENDA = "ks_nytt"
NEW_PERIOD_LINE = (
    "- Arbetslöshet 20-64 år, SCB:s integrationsstatistik (%): ny period 2024. "
    f"Haninge, 2024: 11,0{NBSP}%."
)
HANINGE_REVISION = [
    "Arbetslöshet 20-64 år, SCB:s integrationsstatistik (%)",
    "2023",
    "Totalt 20-64 år",
    "12,1",
    "12,4",
    "2026-11-30",
]


@pytest.fixture
def changed_tree(built_tree):
    """The bundled build, then one with Haninge 2023 revised and a 2024 period (TEST DATA)."""
    build_changed(built_tree)
    return built_tree


def write_news_agenda(root, since: datetime.date) -> None:
    """A meeting a week after `since`, opening with what is new since then."""
    text = (
        f'title = "KS i Haninge"\ndate = {since + datetime.timedelta(days=7)}\n'
        f'region = "0136"\nsince = {since}\n'
        '[[slides]]\ntarget = "haninge_total_vs_lan"\n'
        '[[slides]]\nmeasure = "scb_integration_arbetsloshet_20_64"\ntitle = "20-64 år"\n'
    )
    (root / "reference" / "agendas" / f"{NEWS_AGENDA}.toml").write_text(text, encoding="utf-8")


def build_day() -> datetime.date:
    """The day, in Sweden, of the current build."""
    built = pd.Timestamp(store.read_manifest()["built_at"]).tz_convert("Europe/Stockholm")
    return built.date()


def test_the_meeting_opens_with_what_is_new_since_the_agendas_day(changed_tree):
    write_news_agenda(changed_tree, build_day())
    at = open_page(PAGE, agenda=NEWS_AGENDA)
    assert not at.exception
    assert at.title[0].value == "Nytt sedan förra mötet"
    assert read_kicker(at).endswith("bild 1 av 3")
    assert NEW_PERIOD_LINE in read_text(at)
    # Haninge's revision only: Vallentuna's and Upplands Väsby's are other kommuner'.
    assert read_shown_table(at).values.tolist() == [HANINGE_REVISION]
    at.button(key="nv_next").click().run()
    assert at.title[0].value == "Arbetslösheten ska inte vara högre än länets genomsnitt"
    assert read_kicker(at).endswith("bild 2 av 3")


def test_nothing_new_since_a_later_day_is_said(changed_tree):
    write_news_agenda(changed_tree, build_day() + datetime.timedelta(days=1))
    at = open_page(PAGE, agenda=NEWS_AGENDA)
    assert at.title[0].value == "Nytt sedan förra mötet"
    assert at.info[0].value == (
        "Inget nytt för Haninge: inga nya perioder och inga reviderade värden."
    )
    assert not at.table


def test_a_kommuns_own_agenda_may_open_with_the_last_builds_news(changed_tree):
    at = open_page(PAGE, region="0136", news="on")
    assert not at.exception
    assert at.title[0].value == "Nytt sedan förra bygget"
    assert read_kicker(at).endswith("bild 1 av 7")
    assert NEW_PERIOD_LINE in read_text(at)
    assert read_shown_table(at).values.tolist() == [HANINGE_REVISION]
    at.sidebar.radio(key="news").set_value("off").run()
    assert at.title[0].value == "Arbetslösheten ska inte vara högre än länets genomsnitt"
    assert read_kicker(at).endswith("bild 1 av 6")


def test_the_handout_opens_with_the_news(changed_tree):
    write_news_agenda(changed_tree, build_day())
    at = open_page(PAGE, agenda=NEWS_AGENDA, view="handout")
    assert [h.value for h in at.subheader] == [
        "1. Nytt sedan förra mötet",
        "2. Arbetslösheten ska inte vara högre än länets genomsnitt",
        "3. 20-64 år",
    ]
    assert read_shown_table(at).values.tolist() == [HANINGE_REVISION]


MISSING_AGENDA = "saknas"


def test_a_slide_without_a_figure_says_uppgift_saknas_and_why(built_tree):
    (built_tree / "reference" / "agendas" / f"{MISSING_AGENDA}.toml").write_text(
        'title = "KS"\ndate = 2026-12-08\nregion = "0136"\n'
        '[[slides]]\nmeasure = "kolada_arbetslosa_befolkning"\ntitle = "Enligt Kolada"\n',
        encoding="utf-8",
    )
    at = open_page(PAGE, agenda=MISSING_AGENDA)
    assert not at.exception
    assert read_headline(at) == "Uppgift saknas"
    assert at.metric[0].label == "Haninge, totalt 18-65 år"
    assert "Måttet har inga värden i datan." in read_text(at)
    assert ".." not in [m.value for m in at.metric]


def read_projector_link(at) -> dict[str, list[str]]:
    """The link's query, parsed: "?agenda=…&slide=4&embed=true…" opens from the page it is on."""
    (link,) = [e for e in at.get("link_button") if e.proto.label == "Öppna för projektor"]
    assert link.proto.url.startswith("?")
    return parse_qs(link.proto.url.removeprefix("?"))


PROJECTOR = {"embed": ["true"], "embed_options": ["light_theme"]}


@pytest.mark.parametrize(
    ("query", "kept"),
    [
        ({"agenda": AGENDA, "slide": "4"}, {"agenda": [AGENDA]}),
        # The kommun's own agenda: its widgets write the kommun and the start into the URL.
        (
            {"region": "0181", "slide": "7"},
            {"region": ["0181"], "agenda": ["mal"], "news": ["off"]},
        ),
    ],
)
def test_the_projector_link_opens_the_same_slide_without_the_menu(built_tree, query, kept):
    at = open_page(PAGE, **query)
    slide = int(query["slide"])
    assert read_projector_link(at) == {**kept, "slide": [str(slide)], **PROJECTOR}
    at.button(key="nv_next").click().run()
    assert read_projector_link(at) == {**kept, "slide": [str(slide + 1)], **PROJECTOR}
