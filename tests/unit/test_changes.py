"""What a build changed: changes.json beside the manifest, the history, and reading them back."""

import datetime
import json
from pathlib import Path

import pandas as pd
import pytest

from etl import changes
from etl.pipeline import build
from labourmarket.core import store
from labourmarket.core.agenda import AgendaError, load_agenda
from labourmarket.core.catalog import load_catalog
from labourmarket.core.changelog import (
    fold_changes,
    read_build_record,
    read_changes_since,
    read_revision_log,
    start_of_day,
)
from labourmarket.core.schema import KEY
from labourmarket.core.targets import load_targets
from tests.changed_build import (
    FIRST_RETRIEVED,
    INTEGRATION,
    MEASURE,
    RETRIEVED,
    build_changed,
    edit_raw,
)

TOTALS = {"sex": "total", "age": "total", "birth_region": "total", "education": "total"}


def read_changes_file(root: Path) -> dict:
    return json.loads((root / "clean" / "changes.json").read_text(encoding="utf-8"))


@pytest.fixture
def changed_tree(built_tree: Path) -> Path:
    """The bundled build, then a second build with the snapshot revised (tests/changed_build)."""
    build_changed(built_tree)
    return built_tree


def count_mentions(document: dict, region: str, period: str) -> dict[str, int]:
    """How often a figure (total group) is listed under each kind of change, over all measures."""
    counts = {"revised": 0, "withdrawn": 0}
    for found in document["measures"].values():
        for kind in counts:
            counts[kind] += sum(
                1 for r in found[kind] if (r["region_code"], r["period"]) == (region, period)
            )
    return counts


@pytest.mark.parametrize(
    ("region", "period", "kind", "old", "new", "new_status"),
    [
        ("0136", "2023", "revised", 12.1, 12.4, None),
        # A number to `..` (suppressed): a revision, not withdrawn.
        ("0115", "2023", "revised", 6.8, None, "suppressed"),
        ("0114", "2023", "withdrawn", 12.9, None, None),
    ],
)
def test_a_revised_and_a_withdrawn_figure_appear_exactly_once(
    changed_tree, region, period, kind, old, new, new_status
):
    document = read_changes_file(changed_tree)
    other = "withdrawn" if kind == "revised" else "revised"
    assert count_mentions(document, region, period) == {kind: 1, other: 0}
    (record,) = [
        r
        for r in document["measures"][MEASURE][kind]
        if (r["region_code"], r["period"]) == (region, period)
    ]
    assert {k: record[k] for k in KEY} == {
        "measure_id": MEASURE,
        "region_code": region,
        "period": period,
        **TOTALS,
    }
    assert record["old_value"] == old
    assert record["old_retrieved_at"] == FIRST_RETRIEVED
    assert record["old_status"] is None
    if kind == "revised":
        assert (record["new_value"], record["new_status"]) == (new, new_status)
        assert record["new_retrieved_at"] == RETRIEVED
    else:
        assert "new_value" not in record


def test_a_new_period_appears_exactly_once(changed_tree):
    document = read_changes_file(changed_tree)
    listed = [
        (measure, period)
        for measure, found in document["measures"].items()
        for period in found["new_periods"]
    ]
    assert listed == [(MEASURE, "2024")]
    found = document["measures"][MEASURE]
    assert (found["new_period_figures"], found["added_figures"]) == (1, 0)
    # The new period's figure is the new period, not also a revision or a withdrawal.
    assert count_mentions(document, "0136", "2024") == {"revised": 0, "withdrawn": 0}
    assert (found["withdrawn_periods"], found["withdrawn_period_figures"]) == ([], 0)
    assert list(document["measures"]) == [MEASURE]  # the other measures did not change


def test_changes_name_the_build_and_the_one_before(changed_tree, pristine_build):
    document = read_changes_file(changed_tree)
    manifest = store.read_manifest()
    first = json.loads((pristine_build / "clean" / "manifest.json").read_text(encoding="utf-8"))
    assert document["built_at"] == manifest["built_at"]
    assert document["previous"] == {"built_at": first["built_at"], "rows": 610}
    assert (document["first_build"], document["previous_problem"]) == (False, None)


def test_the_first_build_says_so(data_tree):
    build()
    document = read_changes_file(data_tree)
    assert (document["first_build"], document["previous"], document["measures"]) == (
        True,
        None,
        {},
    )
    (entry,) = store.read_build_history()
    assert entry["first_build"] and entry["rows"] == 610 and entry["changes_file"] is None


def test_an_unchanged_rebuild_lists_nothing(built_tree):
    store.observations_path().write_bytes(b"PAR1 damaged after the build")
    build()  # the same bytes as the build before (byte-stable): nothing to read or compare
    document = read_changes_file(built_tree)
    assert document["first_build"] is False and document["measures"] == {}
    assert document["previous_problem"] is None and document["previous"]["rows"] == 610
    assert [e["measures"] for e in store.read_build_history()] == [{}, {}]


def test_the_history_outlives_the_generations_it_describes(changed_tree):
    build()  # a third build: the first build's generation is deleted now
    generations = sorted(p.name for p in changed_tree.glob(".clean-*"))
    assert len(generations) == 2
    history = store.read_build_history()
    assert [e["rows"] for e in history] == [610, 610, 610]
    assert [e["first_build"] for e in history] == [True, False, False]
    assert history[1]["measures"] == {
        MEASURE: {
            "new_periods": 1,
            "new_period_figures": 1,
            "added_figures": 0,
            "revised": 2,
            "withdrawn": 1,
        }
    }
    assert history[2]["measures"] == {}
    kept = store.read_history_changes(history[1])
    assert [r["region_code"] for r in kept["measures"][MEASURE]["revised"]] == ["0115", "0136"]


def test_an_unreadable_previous_build_is_named_and_the_build_goes_on(built_tree):
    store.observations_path().write_bytes(b"PAR1 not really parquet")
    manifest = build_changed(built_tree)
    document = read_changes_file(built_tree)
    assert "observations.parquet: unreadable" in document["previous_problem"]
    assert document["first_build"] is False and document["measures"] == {}
    assert store.read_build_history()[-1]["previous_problem"] == document["previous_problem"]
    assert manifest["observations"]["rows"] == 610


def test_a_build_killed_before_its_swap_counts_nowhere(built_tree, monkeypatch):
    """Its history line stays, but no later build names it: no window counts its changes."""
    snapshot = built_tree / INTEGRATION
    sidecar = snapshot.with_name(f"{snapshot.stem}.provenance.json")
    originals = {path: path.read_bytes() for path in (snapshot, sidecar)}
    edit_raw(built_tree)

    def crash(generation: Path) -> str:
        raise RuntimeError("killed before the swap")

    with monkeypatch.context() as patch:
        patch.setattr(store, "publish_generation", crash)
        with pytest.raises(RuntimeError, match="killed before the swap"):
            build()
    for path, content in originals.items():
        path.write_bytes(content)
    build()
    first, killed, last = store.read_build_history()
    assert bool(killed["measures"]) and not last["measures"]
    assert last["previous_build_id"] == killed["previous_build_id"] == first["build_id"]
    since = read_changes_since(datetime.date(2000, 1, 1), store.read_manifest())
    assert [b["build_id"] for b in since.builds] == [first["build_id"], last["build_id"]]
    assert since.revised.empty and since.new_periods == {} and since.withdrawn.empty
    assert since.uncompared == (first["built_at"],)


def test_a_damaged_history_stops_the_build_before_anything_changes(built_tree):
    manifest = store.read_manifest()
    with store.history_path().open("a", encoding="utf-8") as history:
        history.write("{not json\n")
    with pytest.raises(store.StoreError, match=r"builds.jsonl, line 2: not JSON"):
        build()
    assert store.read_manifest() == manifest


@pytest.mark.parametrize(
    ("old", "new", "revised"),
    [
        ({"value": 6.8, "status": None}, {"value": None, "status": None}, True),
        ({"value": None, "status": "suppressed"}, {"value": None, "status": "suppressed"}, False),
        ({"value": 5.0, "status": "provisional"}, {"value": 5.0, "status": None}, True),
        ({"value": 5.0, "status": None}, {"value": 5.0, "status": None}, False),
    ],
)
def test_missing_stays_missing_and_a_status_change_is_a_revision(old, new, revised):
    def frame(side: dict, retrieved: str) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {"measure_id": MEASURE, "region_code": "0136", "period": "2023", **TOTALS}
                | side
                | {"retrieved_at": pd.Timestamp(retrieved)}
            ]
        ).astype({"value": "float64"})

    found = changes.compare_measure(frame(old, FIRST_RETRIEVED), frame(new, RETRIEVED))
    assert len(found["revised"]) == int(revised)
    assert found["withdrawn"] == [] and found["new_periods"] == []


def record(region: str, period: str, old: float | None, new: float | None = None) -> dict:
    return {
        "measure_id": MEASURE,
        "region_code": region,
        "period": period,
        **TOTALS,
        "old_value": old,
        "old_status": None,
        "old_retrieved_at": FIRST_RETRIEVED,
        "new_value": new,
        "new_status": None,
        "new_retrieved_at": RETRIEVED,
    }


def document(built_at: str, **found: list) -> dict:
    return {"built_at": built_at, "measures": {MEASURE: found}}


@pytest.mark.parametrize(
    ("documents", "revised", "withdrawn", "new_periods"),
    [
        (  # revised twice: the value before the first, after the last
            [
                document("2026-10-01", revised=[record("0136", "2023", 12.1, 12.3)]),
                document("2026-11-01", revised=[record("0136", "2023", 12.3, 12.4)]),
            ],
            [("0136", 12.1, 12.4)],
            [],
            {},
        ),
        (  # revised and back again: no change
            [
                document("2026-10-01", revised=[record("0136", "2023", 12.1, 12.3)]),
                document("2026-11-01", revised=[record("0136", "2023", 12.3, 12.1)]),
            ],
            [],
            [],
            {},
        ),
        (  # a new period revised later: still just a new period
            [
                document("2026-10-01", new_periods=["2024"]),
                document("2026-11-01", revised=[record("0136", "2024", 11.0, 11.2)]),
            ],
            [],
            [],
            {MEASURE: ("2024",)},
        ),
        (  # revised, then withdrawn: withdrawn, as it was before the window
            [
                document("2026-10-01", revised=[record("0114", "2023", 12.9, 13.0)]),
                document("2026-11-01", withdrawn=[record("0114", "2023", 13.0)]),
            ],
            [],
            [("0114", 12.9)],
            {},
        ),
        (  # a new period withdrawn again: nothing
            [
                document("2026-10-01", new_periods=["2024"]),
                document("2026-11-01", withdrawn_periods=["2024"]),
            ],
            [],
            [],
            {},
        ),
    ],
)
def test_changes_since_a_date_fold_into_one_change_per_figure(
    documents, revised, withdrawn, new_periods
):
    folded = fold_changes(documents)
    assert (
        list(
            zip(
                folded.revised["region_code"],
                folded.revised["old_value"],
                folded.revised["new_value"],
                strict=True,
            )
        )
        == revised
    )
    assert (
        list(zip(folded.withdrawn["region_code"], folded.withdrawn["old_value"], strict=True))
        == withdrawn
    )
    assert folded.new_periods == new_periods


def test_changes_since_a_day_read_the_builds_of_the_window(changed_tree):
    manifest = store.read_manifest()
    built = start_of_day(pd.Timestamp(manifest["built_at"]).tz_convert("Europe/Stockholm").date())
    latest = read_changes_since(None, manifest)
    assert [b["built_at"] for b in latest.builds] == [manifest["built_at"]]
    assert latest.new_periods == {MEASURE: ("2024",)} and latest.uncompared == ()
    haninge = latest.revised[latest.revised["region_code"] == "0136"].iloc[0]
    assert (haninge["old_value"], haninge["new_value"]) == (12.1, 12.4)
    assert (haninge["old_retrieved_at"], haninge["new_retrieved_at"]) == (
        FIRST_RETRIEVED,
        RETRIEVED,
    )
    assert latest.withdrawn["region_code"].tolist() == ["0114"]
    tomorrow = read_changes_since(built.date() + datetime.timedelta(days=1), manifest)
    assert tomorrow.builds == () and tomorrow.is_empty


def test_changes_since_need_the_history_of_this_build(changed_tree):
    manifest = store.read_manifest()
    other = {**manifest, "observations": {**manifest["observations"], "sha256": "0" * 64}}
    assert read_changes_since(None, other) is None
    assert read_revision_log(other) is None


def test_the_revision_log_lists_every_revision_up_to_the_build(changed_tree):
    log = read_revision_log(store.read_manifest())
    assert sorted(
        zip(
            log["region_code"],
            log["old_value"].fillna(-1),
            log["new_value"].fillna(-1),
            strict=True,
        )
    ) == [("0115", 6.8, -1.0), ("0136", 12.1, 12.4)]


def test_a_damaged_changes_file_hides_only_itself(changed_tree):
    store.changes_path().write_text("{", encoding="utf-8")
    record = read_build_record()
    assert record.changes is None and len(record.history) == 2
    assert record.problems[0].endswith(
        "unreadable list of changes: Expecting property name "
        "enclosed in double quotes: line 1 column 2 (char 1)"
    )


HEADER = 'title = "KS"\ndate = 2026-12-08\nregion = "0136"\n'
SLIDE = '[[slides]]\ntarget = "haninge_total_vs_lan"\n'


@pytest.mark.parametrize(
    ("since", "expected"),
    [
        ("since = 2026-10-01\n", datetime.date(2026, 10, 1)),
        ("", None),
        (
            'since = "2026-10-01"\n',
            "field since: not a date (write it unquoted: since = 2026-10-01)",
        ),
        ("since = 2026-10-01T08:00:00\n", "field since: not a date"),
        ("since = 2026-12-09\n", "field since: 2026-12-09 is after the meeting's date 2026-12-08"),
    ],
)
def test_an_agenda_names_the_day_its_news_counts_from(tmp_path, since, expected):
    catalog = load_catalog(Path(__file__).parents[2] / "data" / "reference")
    targets = load_targets(
        catalog, Path(__file__).parents[2] / "data" / "reference" / "targets.toml"
    )
    path = tmp_path / "ks.toml"
    path.write_text(HEADER + since + SLIDE, encoding="utf-8")
    if isinstance(expected, str):
        with pytest.raises(AgendaError, match=expected.replace("(", r"\(").replace(")", r"\)")):
            load_agenda(path, catalog, targets)
        return
    agenda = load_agenda(path, catalog, targets)
    assert (agenda.since, agenda.opens_with_news) == (expected, expected is not None)


def frame_of(periods: list[str], value: float = 5.0) -> pd.DataFrame:
    """A measure's total figures for Haninge in `periods`, as a build holds them."""
    rows = [
        {"measure_id": MEASURE, "region_code": "0136", "period": period, **TOTALS}
        | {"value": value, "status": None, "retrieved_at": pd.Timestamp(FIRST_RETRIEVED)}
        for period in periods
    ]
    columns = [*KEY, *changes.COMPARED]
    return pd.DataFrame(rows, columns=columns).astype({"value": "float64", "status": "object"})


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (  # a measure new in this build: every period is new
            [],
            ["2022", "2023"],
            {"new_periods": ["2022", "2023"], "new_period_figures": 2},
        ),
        (  # a measure gone: its periods are withdrawn, their figures counted, not listed
            ["2022", "2023"],
            [],
            {"withdrawn_periods": ["2022", "2023"], "withdrawn_period_figures": 2},
        ),
        (  # one period more and one less
            ["2021", "2022"],
            ["2022", "2023"],
            {
                "new_periods": ["2023"],
                "new_period_figures": 1,
                "withdrawn_periods": ["2021"],
                "withdrawn_period_figures": 1,
            },
        ),
    ],
)
def test_whole_periods_come_and_go_as_periods(old, new, expected):
    found = changes.compare_measure(frame_of(old), frame_of(new))
    nothing = {
        "new_periods": [],
        "new_period_figures": 0,
        "added_figures": 0,
        "revised": [],
        "withdrawn": [],
        "withdrawn_periods": [],
        "withdrawn_period_figures": 0,
    }
    assert found == nothing | expected
