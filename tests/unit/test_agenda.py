"""Nämndvy agendas are checked slide by slide, and each slide says what Tabell 1 says."""

from dataclasses import replace
from pathlib import Path

import pytest

from labourmarket.core import paths, store
from labourmarket.core.agenda import (
    DEFAULT_AGENDA,
    AgendaError,
    build_default_agenda,
    load_agenda,
    load_agendas,
)
from labourmarket.core.catalog import load_catalog
from labourmarket.core.targets import load_targets
from labourmarket.views.namndvy import (
    Comparison,
    build_slide,
    fit_for_projector,
    read_live_seconds,
    read_slide_number,
)

NBSP = "\u00a0"
REFERENCE = paths.REPO_DIR / "data" / "reference"
EXAMPLE = REFERENCE / "agendas" / "haninge_ks_2026-12.toml"
HEADER = 'title = "KS"\ndate = 2026-12-08\nregion = "0136"\n'
TARGET_SLIDE = '[[slides]]\ntarget = "haninge_total_vs_lan"\n'


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(REFERENCE)


@pytest.fixture(scope="module")
def targets(catalog):
    return load_targets(catalog, REFERENCE / "targets.toml")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            HEADER + TARGET_SLIDE + '[[slides]]\ntarget = "haninge_nope"\n',
            "bad.toml: slide 2: field target: unknown target 'haninge_nope'",
        ),
        (
            HEADER + '[[slides]]\ntarget = "sodertalje_unga_vs_lan"\n',
            "bad.toml: slide 1: field target: target 'sodertalje_unga_vs_lan' belongs to "
            "Södertälje",
        ),
        (
            HEADER + '[[slides]]\nmeasure = "af_nope"\ntitle = "X"\n',
            "bad.toml: slide 1: field measure: unknown measure 'af_nope'",
        ),
        (
            HEADER + '[[slides]]\nmeasures = ["af_inskrivna_andel_bas", "af_nope"]\ntitle = "X"\n',
            "bad.toml: slide 1: field measures: unknown measure 'af_nope'",
        ),
        (
            HEADER + TARGET_SLIDE + '[[slides]]\nmeasure = "af_inskrivna_andel_rams"\n',
            "bad.toml: slide 2: field title: missing or not text",
        ),
        (
            HEADER + '[[slides]]\nmeasure = "af_inskrivna_andel_rams"\ntitle = "X"\n'
            'group = "birth_region:martian"\n',
            "bad.toml: slide 1: field group: unknown group 'birth_region:martian'",
        ),
        (
            HEADER + '[[slides]]\ntarget = "haninge_total_vs_lan"\n'
            'measure = "af_inskrivna_andel_rams"\n',
            "bad.toml: slide 1: field target: give either target",
        ),
        (
            HEADER + '[[slides]]\ntarget = "haninge_total_vs_lan"\ncolour = "red"\n',
            "bad.toml: slide 1: field colour: unknown field",
        ),
        (
            'date = 2026-12-08\nregion = "0136"\n' + TARGET_SLIDE,
            "bad.toml: field title: missing or not text",
        ),
        (
            'title = "KS"\ndate = "8 dec"\nregion = "0136"\n' + TARGET_SLIDE,
            "bad.toml: field date: missing or not a date",
        ),
        (
            'title = "KS"\ndate = 2026-12-08\nregion = "9999"\n' + TARGET_SLIDE,
            "bad.toml: field region: unknown region '9999'",
        ),
        (
            HEADER + "[[slides]]\ntarget = [1, 2]\n",
            "bad.toml: slide 1: field target: [1, 2] is not text",
        ),
        (HEADER, "bad.toml: field slides: missing or empty"),
        (HEADER + "[[slides]\n", "bad.toml: not valid TOML"),
    ],
    ids=[
        "unknown-target",
        "target-of-other-region",
        "unknown-measure",
        "unknown-measure-in-list",
        "measure-slide-without-title",
        "unknown-group",
        "target-and-measure",
        "unknown-slide-field",
        "missing-agenda-title",
        "quoted-date",
        "unknown-region",
        "target-not-text",
        "no-slides",
        "bad-toml",
    ],
)
def test_a_bad_agenda_names_file_slide_and_field(tmp_path, catalog, targets, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AgendaError) as raised:
        load_agenda(path, catalog, targets)
    assert str(raised.value).startswith(message)


def test_the_example_agenda_loads(catalog, targets):
    agenda = load_agenda(EXAMPLE, catalog, targets)
    assert (agenda.key, agenda.region, len(agenda.slides)) == ("haninge_ks_2026-12", "0136", 6)
    assert agenda.slides[0].target is not None
    assert agenda.slides[0].title == agenda.slides[0].target.goal_sv
    assert agenda.slides[4].target is None
    assert agenda.slides[4].group["birth_region"] == "foreign_born"


def test_a_bad_file_is_set_aside_and_the_good_ones_load(tmp_path: Path, catalog, targets):
    (tmp_path / "good.toml").write_text(HEADER + TARGET_SLIDE, encoding="utf-8")
    (tmp_path / "broken.toml").write_text(HEADER + "[[slides]\n", encoding="utf-8")
    agendas, problems = load_agendas(catalog, targets, tmp_path)
    assert [a.key for a in agendas] == ["good"]
    assert list(problems) == ["broken"] and "broken.toml: not valid TOML" in problems["broken"]


def test_the_default_agenda_is_the_regions_targets(catalog, targets):
    agenda = build_default_agenda("0136", targets, catalog)
    assert agenda.key == DEFAULT_AGENDA and agenda.title == "Haninge: strategins mål"
    assert [s.target.id for s in agenda.slides] == [t.id for t in targets if t.region == "0136"]


@pytest.fixture
def observations(built_tree):
    return store.read_observations()


@pytest.mark.parametrize(
    ("region", "target_id", "headline", "gaps", "detail"),
    [
        (
            "0136",
            "haninge_total_vs_lan",
            "7,7",
            ["+0,6", "−0,8"],
            "kv 3 2013 ligger före strategiperioden, som börjar 2020",
        ),
        (
            "0136",
            "haninge_total_vs_riket",
            "7,7",
            ["+0,6", "−0,8"],
            "kv 3 2013 ligger före strategiperioden, som börjar 2020",
        ),
        (
            "0181",
            "sodertalje_utrikes_fodda_vs_lan",
            "27,0",
            ["+11,3", "+6,3"],
            "kv 3 2013 ligger före strategiperioden, som börjar 2014",
        ),
        (
            "0181",
            "sodertalje_unga_minska",
            "18,7",
            ["+7,4", "+1,4"],
            "inga värden efter basperioden kv 3 2013 ännu",
        ),
    ],
)
def test_target_slide_on_tabell_1(
    observations, catalog, targets, region, target_id, headline, gaps, detail
):
    """The December 2026 agenda shows kv 3 2013 as it is, and judges no strategy on it."""
    slide = next(
        s for s in build_default_agenda(region, targets, catalog).slides if s.target.id == target_id
    )
    content = build_slide(slide, region, observations, catalog)
    assert content.headline == f"{headline}{NBSP}%"
    assert content.period == "kv 3 2013"
    assert content.comparisons == (
        Comparison("Mot Stockholms län", f"{gaps[0]}{NBSP}p.e."),
        Comparison("Mot riket", f"{gaps[1]}{NBSP}p.e."),
    )
    assert (content.status, content.status_detail) == ("? Kan inte bedömas", detail)
    assert content.figure is None
    assert "Data avser kv 3 2013" in content.source_line
    assert content.goal_source and content.quote


def test_an_unassessable_target_says_why_and_draws_no_chart(observations, catalog, targets):
    """A baseline bar on its own target line would read as on target."""
    slide = build_default_agenda("0181", targets, catalog).slides[0]
    content = build_slide(slide, "0181", observations, catalog)
    assert content.status_detail == "inga värden efter basperioden kv 3 2013 ännu"
    assert content.figure is None


def test_measure_slides_from_the_example_agenda(observations, catalog, targets):
    agenda = load_agenda(EXAMPLE, catalog, targets)
    foreign_born = build_slide(agenda.slides[4], "0136", observations, catalog)
    assert (foreign_born.headline, foreign_born.group_label) == (f"14,9{NBSP}%", "Utrikes födda")
    assert [c.gap for c in foreign_born.comparisons] == [f"−0,8{NBSP}p.e.", f"−5,8{NBSP}p.e."]
    assert foreign_born.status is None
    bars = {trace.name: list(trace.y) for trace in foreign_born.figure.data}
    assert bars == {"Haninge": [14.9], "Stockholms län": [15.7], "Riket": [20.7]}

    over_time = build_slide(agenda.slides[5], "0136", observations, catalog)
    assert (over_time.headline, over_time.period) == (f"12,1{NBSP}%", "2023")
    assert over_time.comparisons == ()
    assert over_time.comparison_note == (
        "Källan har inget värde för Stockholms län och riket att jämföra med."
    )
    assert over_time.trend == f"↓ −0,1{NBSP}p.e. sedan 2022"


def test_the_projector_chart_is_large_and_leaves_the_source_to_the_footer(
    observations, catalog, targets
):
    # Drawn where a figure is judged: kv 3 2013 as if the strategy covered it.
    targets = [replace(t, period_from=None) for t in targets]
    slide = build_default_agenda("0136", targets, catalog).slides[0]
    content = build_slide(slide, "0136", observations, catalog)
    figure = fit_for_projector(content.figure, content.source_line)
    assert figure.layout.font.size >= 20 and figure.layout.title.text == ""
    assert not [a for a in figure.layout.annotations if a.text.startswith("Källa")]
    assert "Målnivå: 7,1" in [trace.name for trace in figure.data]


@pytest.mark.parametrize(
    ("wanted", "expected", "has_notice"),
    [
        (None, 1, False),
        ("2", 2, False),
        ("6", 6, False),
        ("0", 1, True),
        ("7", 1, True),
        ("-1", 1, True),
        ("två", 1, True),
        ("", 1, True),
    ],
)
def test_read_slide_number(wanted, expected, has_notice):
    number, notice = read_slide_number(wanted, 6)
    assert number == expected and (notice is not None) == has_notice


@pytest.mark.parametrize(
    ("environ", "seconds"),
    [
        ({}, 30.0),
        ({"ARBETSMARKNAD_LIVE_SECONDS": "2"}, 2.0),
        *[({"ARBETSMARKNAD_LIVE_SECONDS": text}, 30.0) for text in ("0", "-5", "inf", "snart", "")],
    ],
)
def test_read_live_seconds(environ, seconds):
    assert read_live_seconds(environ) == seconds
