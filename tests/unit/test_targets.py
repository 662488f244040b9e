"""Strategy targets: the file is checked entry by entry; each rule's statuses hold at the edges."""

import pandas as pd
import pytest

from etl.pipeline import normalise
from etl.sources import seed
from labourmarket import paths
from labourmarket.catalog import load_catalog
from labourmarket.targets import (
    TargetError,
    evaluate,
    judge,
    load_targets,
    select_latest,
)
from tests.unit.test_seed import PROVENANCE, RAW

CATALOG = load_catalog(paths.REPO_DIR / "data" / "reference")
TARGETS_PATH = paths.REPO_DIR / "data" / "reference" / "targets.toml"
TARGETS = {t.id: t for t in load_targets(CATALOG, TARGETS_PATH)}
TABELL_1 = normalise(seed.parse(RAW, PROVENANCE), PROVENANCE)


def evaluate_one(target_id: str, observations: pd.DataFrame = TABELL_1) -> pd.Series:
    return select_latest(evaluate(observations, [TARGETS[target_id]], CATALOG)).iloc[0]


@pytest.mark.parametrize(
    ("target_id", "value", "benchmark", "gap", "status"),
    [
        ("haninge_total_vs_lan", 7.7, 7.1, 0.6, "close"),
        ("haninge_total_vs_riket", 7.7, 8.5, -0.8, "met"),
        ("haninge_unga_vs_lan", 13.6, 11.3, 2.3, "not_met"),
        ("haninge_forgymnasial_vs_lan", 13.8, 17.2, -3.4, "met"),
        ("sodertalje_utrikes_fodda_vs_lan", 27.0, 15.7, 11.3, "not_met"),
        ("sodertalje_unga_vs_lan", 18.7, 11.3, 7.4, "not_met"),
        ("sodertalje_forgymnasial_vs_lan", 29.3, 17.2, 12.1, "not_met"),
    ],
)
def test_gap_targets_on_tabell_1(target_id, value, benchmark, gap, status):
    row = evaluate_one(target_id)
    assert (row["period"], row["value"], row["benchmark_value"], row["gap_pp"]) == (
        "2013K3",
        value,
        benchmark,
        gap,
    )
    assert row["status"] == status


@pytest.mark.parametrize(
    ("target_id", "reason", "text"),
    [
        (
            "sodertalje_unga_minska",
            "period_not_found",
            "inga värden efter basperioden kv 3 2013 ännu",
        ),
        (
            "haninge_gap_lan_closing",
            "period_not_found",
            "inga värden efter basperioden kv 3 2013 ännu",
        ),
        ("sodertalje_langtid_minska", "missing", "inga värden för Södertälje i måttet och gruppen"),
    ],
)
def test_baseline_targets_cannot_be_assessed_on_tabell_1_alone(target_id, reason, text):
    row = evaluate_one(target_id)
    assert (row["status"], row["reason"], row["reason_sv"]) == ("cannot_assess", reason, text)


def add_period(frame: pd.DataFrame, period: str, start: str, changes: dict) -> pd.DataFrame:
    """Tabell 1 again as a later quarter, with some figures changed: {(region, column, code): v}."""
    later = frame.assign(period=period, period_start=pd.Timestamp(start))
    for (region, column, code), value in changes.items():
        mask = (later["region_code"] == region) & (later[column] == code)
        others = [d for d in ("age", "birth_region", "education") if d != column]
        mask &= (later[others] == "total").all(axis=1)
        later.loc[mask, "value"] = value
        if value is None:
            later.loc[mask, "status"] = "suppressed"
    return pd.concat([frame, later], ignore_index=True).astype({"period": "string"})


@pytest.mark.parametrize(
    ("later_value", "status", "change"),
    [(17.0, "met", -1.7), (18.7, "close", 0.0), (18.8, "not_met", 0.1)],
    ids=["lower", "unchanged", "higher"],
)
def test_below_baseline_statuses(later_value, status, change):
    frame = add_period(TABELL_1, "2014K3", "2014-07-01", {("0181", "age", "18-24"): later_value})
    row = evaluate_one("sodertalje_unga_minska", frame)
    assert (row["period"], row["baseline_value"], row["change_pp"], row["status"]) == (
        "2014K3",
        18.7,
        change,
        status,
    )


def test_gap_below_baseline_compares_gaps():
    """Haninge +0,6 against the county in 2013; 7,5 against 7,2 later is +0,3: the gap closed."""
    frame = add_period(
        TABELL_1,
        "2014K3",
        "2014-07-01",
        {("0136", "age", "total"): 7.5, ("01", "age", "total"): 7.2},
    )
    row = evaluate_one("haninge_gap_lan_closing", frame)
    assert (row["gap_pp"], row["baseline_value"], row["change_pp"], row["status"]) == (
        0.3,
        0.6,
        -0.3,
        "met",
    )


@pytest.mark.parametrize(
    ("changes", "text"),
    [
        ({("0181", "birth_region", "foreign_born"): None}, "värdet för Södertälje kv 3 2014"),
        ({("01", "birth_region", "foreign_born"): None}, "värdet för Stockholms län kv 3 2014"),
    ],
)
def test_unusable_figures_give_a_reason(changes, text):
    frame = add_period(TABELL_1, "2014K3", "2014-07-01", changes)
    row = evaluate_one("sodertalje_utrikes_fodda_vs_lan", frame)
    assert (row["status"], row["reason"]) == ("cannot_assess", "suppressed")
    assert row["reason_sv"].startswith(text) and "undertryckt" in row["reason_sv"]


def test_missing_benchmark_row_gives_period_not_found():
    frame = TABELL_1[~((TABELL_1["region_code"] == "01") & (TABELL_1["age"] == "18-24"))]
    row = evaluate_one("haninge_unga_vs_lan", frame)
    assert (row["status"], row["reason"]) == ("cannot_assess", "period_not_found")
    assert row["reason_sv"] == "Stockholms län saknar värde för kv 3 2013"


@pytest.mark.parametrize(
    ("compared", "limit", "tolerance", "strict", "status"),
    [
        (0.0, 0.0, 1.0, False, "met"),
        (0.6, 0.0, 0.6, False, "close"),
        (0.6000000000000005, 0.0, 0.6, False, "close"),
        (0.7, 0.0, 0.6, False, "not_met"),
        (18.7, 18.7, 0.0, True, "close"),
        (18.6, 18.7, 0.0, True, "met"),
        (-0.8, 0.0, 1.0, False, "met"),
    ],
    ids=["at-limit", "at-tolerance", "float-noise", "beyond", "unchanged", "lower", "below"],
)
def test_judge_edges(compared, limit, tolerance, strict, status):
    assert judge(compared, limit, tolerance, strict, decimals=1) == status


VALID = TARGETS_PATH.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'measure = "af_inskrivna_andel_rams"',
            'measure = "af_okand"',
            "target haninge_total_vs_lan: field measure: unknown measure 'af_okand'",
        ),
        (
            'region = "0136"',
            'region = "9999"',
            "target haninge_total_vs_lan: field region: unknown region '9999'",
        ),
        (
            'rule = "below_baseline"',
            'rule = "trend_down"',
            "target sodertalje_unga_minska: field rule: unknown rule",
        ),
        (
            'age = "18-24"\nrule = "below_baseline"',
            'age = "unga"\nrule = "below_baseline"',
            "target sodertalje_unga_minska: field age: unknown group code 'unga'",
        ),
        (
            'birth_region = "foreign_born"\nrule = "below_baseline"',
            'birth_region = "nyanlanda"\nrule = "below_baseline"',
            "field birth_region: unknown group code 'nyanlanda'",
        ),
        (
            'baseline_period = "2013K3"\ntolerance = 0.0\nnote = "Basvärdet',
            'tolerance = 0.0\nnote = "Basvärdet',
            "target sodertalje_unga_minska: field baseline_period: required by rule below_baseline",
        ),
        (
            'threshold = 0.0\ntolerance = 1.0\nnote = "Riktning',
            'threshold = "noll"\ntolerance = 1.0\nnote = "Riktning',
            "target haninge_total_vs_riket: field threshold: 'noll' is not a number",
        ),
        (
            'id = "haninge_total_vs_riket"',
            'id = "haninge_total_vs_lan"',
            "target haninge_total_vs_lan: field id: used twice",
        ),
        (
            'goal_sv = "Gapet till länet ska minska"',
            'mal = "Gapet"',
            "target haninge_gap_lan_closing: field mal: unknown field",
        ),
        (
            '[[target]]\nid = "haninge_total_vs_lan"',
            '[[target]\nid = "haninge_total_vs_lan"',
            "not valid TOML",
        ),
    ],
    ids=[
        "measure",
        "region",
        "rule",
        "age",
        "birth-region",
        "rule-field",
        "number",
        "duplicate",
        "field",
        "toml",
    ],
)
def test_malformed_targets_name_the_entry_and_field(tmp_path, old, new, message):
    assert old in VALID, f"fixture text not in targets.toml: {old[:40]!r}"
    path = tmp_path / "targets.toml"
    path.write_text(VALID.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(TargetError) as error:
        load_targets(CATALOG, path)
    assert message in str(error.value)
    assert str(error.value).startswith(str(path))


def test_every_target_has_quote_section_and_document():
    for target in TARGETS.values():
        assert target.quote and target.section and target.document and target.goal_sv
        assert target.document.startswith(("Haninge kommun", "Södertälje kommun"))


def test_quotes_are_the_documents_own_words():
    """Each quote (split at the ellipses) must occur in one of the seed documents."""
    seeds = paths.REPO_DIR.parent / "shared" / "seeds"
    if not seeds.exists():
        pytest.skip("the seed documents are not beside this checkout")
    texts = " ".join(
        " ".join(p.read_text(encoding="utf-8").split()) for p in seeds.glob("*.txt")
    ).replace("- ", "-")
    for target in TARGETS.values():
        for piece in (p.strip(" .") for p in target.quote.split("…")):
            if piece:
                assert " ".join(piece.split()) in texts, f"{target.id}: {piece!r}"
