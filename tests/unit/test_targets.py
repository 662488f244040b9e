"""Strategy targets: the file is checked entry by entry; each rule's statuses hold at the edges."""

from dataclasses import replace

import pandas as pd
import pytest

from etl.pipeline import normalise
from etl.sources import seed
from labourmarket.core import paths
from labourmarket.core.catalog import load_catalog
from labourmarket.core.targets import (
    TargetError,
    evaluate,
    is_before_strategy,
    judge,
    load_targets,
    select_latest,
)
from tests.unit.test_seed import PROVENANCE, RAW

CATALOG = load_catalog(paths.REPO_DIR / "data" / "reference")
TARGETS_PATH = paths.REPO_DIR / "data" / "reference" / "targets.toml"
TARGETS = {t.id: t for t in load_targets(CATALOG, TARGETS_PATH)}
TABELL_1 = normalise(seed.parse_table(RAW, PROVENANCE), PROVENANCE)


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
def test_gap_rules_on_tabell_1_without_a_strategy_period(target_id, value, benchmark, gap, status):
    """The rules themselves, on kv 3 2013 as if a strategy covered it (period_from removed)."""
    target = replace(TARGETS[target_id], period_from=None)
    row = select_latest(evaluate(TABELL_1, [target], CATALOG)).iloc[0]
    assert (row["period"], row["value"], row["benchmark_value"], row["gap_pp"]) == (
        "2013K3",
        value,
        benchmark,
        gap,
    )
    assert (row["status"], bool(row["before_strategy"])) == (status, False)


@pytest.mark.parametrize(
    ("target_id", "value", "gap", "text"),
    [
        (
            "haninge_total_vs_lan",
            7.7,
            0.6,
            "kv 3 2013 ligger före strategiperioden, som börjar 2020",
        ),
        (
            "haninge_total_vs_riket",
            7.7,
            -0.8,
            "kv 3 2013 ligger före strategiperioden, som börjar 2020",
        ),
        (
            "sodertalje_utrikes_fodda_vs_lan",
            27.0,
            11.3,
            "kv 3 2013 ligger före strategiperioden, som börjar 2014",
        ),
    ],
)
def test_a_figure_from_before_the_strategy_is_shown_not_judged(target_id, value, gap, text):
    """Haninge's 2020 strategy is not judged on kv 3 2013: the figure stays, the status is '?'."""
    row = evaluate_one(target_id)
    assert (row["period"], row["value"], row["gap_pp"], bool(row["before_strategy"])) == (
        "2013K3",
        value,
        gap,
        True,
    )
    assert (row["status"], row["reason"], row["reason_sv"]) == (
        "cannot_assess",
        "before_strategy",
        text,
    )


def test_a_targets_own_baseline_period_is_not_before_its_strategy():
    """Only a period the target names as its baseline may precede the strategy unmarked."""
    target = TARGETS["sodertalje_unga_minska"]
    assert (target.baseline_period, target.period_from) == ("2013K3", "2014")
    assert is_before_strategy(target, "2013K3") is False
    assert is_before_strategy(target, "2013K4") is True
    assert is_before_strategy(replace(target, baseline_period="2012K3"), "2013K3") is True


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
            "missing",
            "uppgift saknas i datan för Haninge i måttet och gruppen",
        ),
        (
            "sodertalje_langtid_minska",
            "missing",
            "uppgift saknas i datan för Södertälje i måttet och gruppen",
        ),
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
    [(17.0, "met", -1.7), (18.7, "not_met", 0.0), (18.8, "not_met", 0.1)],
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
    target = replace(
        TARGETS["haninge_gap_lan_closing"],
        measures=("af_inskrivna_andel_rams",),
        baseline_period="2013K3",
        period_from="2014",
    )
    frame = add_period(
        TABELL_1,
        "2014K3",
        "2014-07-01",
        {("0136", "age", "total"): 7.5, ("01", "age", "total"): 7.2},
    )
    row = select_latest(evaluate(frame, [target], CATALOG)).iloc[0]
    assert (row["gap_pp"], row["baseline_value"], row["change_pp"], row["status"]) == (
        0.3,
        0.6,
        -0.3,
        "met",
    )


def test_a_series_break_between_baseline_and_period_is_not_comparable():
    """Kolada's age band changed in 2023: a 2019 baseline is not compared with 2023."""
    rows = TABELL_1[(TABELL_1[["age", "birth_region", "education"]] == "total").all(axis=1)]
    rows = rows[rows["region_code"].isin(["0136", "01"])]
    years = [
        rows.assign(
            measure_id="kolada_arbetslosa_befolkning",
            period=year,
            period_start=pd.Timestamp(f"{year}-01-01"),
            frequency="A",
        )
        for year in ("2019", "2023")
    ]
    frame = pd.concat(years, ignore_index=True).astype({"period": "string"})
    row = evaluate_one("haninge_gap_lan_closing", frame)
    assert (row["period"], row["status"], row["reason"]) == (
        "2023",
        "cannot_assess",
        "not_comparable",
    )
    assert row["reason_sv"] == "seriebrott 2023 mellan basperioden 2019 och 2023"


def test_figures_from_before_the_strategy_are_marked():
    row = evaluate_one("haninge_total_vs_lan")
    assert bool(row["before_strategy"]) is True
    later = add_period(TABELL_1, "2020K3", "2020-07-01", {})
    assert bool(evaluate_one("haninge_total_vs_lan", later)["before_strategy"]) is False


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
        (18.7, 18.7, 0.0, True, "not_met"),
        (18.7, 18.7, 0.5, True, "close"),
        (18.6, 18.7, 0.0, True, "met"),
        (-0.8, 0.0, 1.0, False, "met"),
    ],
    ids=[
        "at-limit",
        "at-tolerance",
        "float-noise",
        "beyond",
        "unchanged",
        "unchanged-tolerance",
        "lower",
        "below",
    ],
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
            "target sodertalje_unga_minska: field measure: unknown measure 'af_okand'",
        ),
        (
            'measures = ["af_inskrivna_andel_bas"',
            'measures = ["af_okand"',
            "target haninge_total_vs_lan: field measures: unknown measure 'af_okand'",
        ),
        (
            'measures = ["af_inskrivna_andel_bas", "af_inskrivna_andel_reg", '
            '"af_inskrivna_andel_rams"]',
            "measures = []",
            "target haninge_total_vs_lan: field measures: expected a non-empty list",
        ),
        (
            'measures = ["af_inskrivna_andel_bas", "af_inskrivna_andel_reg", '
            '"af_inskrivna_andel_rams"]',
            'measures = ["af_inskrivna_andel_bas", "af_inskrivna_andel_bas"]',
            "target haninge_total_vs_lan: field measures: a measure is named twice",
        ),
        (
            'measures = ["af_inskrivna_andel_bas", "af_inskrivna_andel_reg", '
            '"af_inskrivna_andel_rams"]',
            'measures = ["af_inskrivna_andel_bas"]\nmeasure = "af_inskrivna_andel_reg"',
            "target haninge_total_vs_lan: field measure: give either",
        ),
        (
            'sex = "men"',
            'sex = "unga_man"',
            "target haninge_unga_man_vs_lan: field sex: unknown group code 'unga_man'",
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
        ('age = "18-24"', "age = 1824", "field age: 1824 is not text"),
        (
            'baseline_period = "2013K3"',
            "baseline_period = 2013",
            "field baseline_period: 2013 is not text",
        ),
        (
            'rule = "below_baseline"\nbaseline_period = "2013K3"',
            'rule = "below_baseline"\nbenchmark = "01"\nbaseline_period = "2013K3"',
            "field benchmark: not used by rule below_baseline",
        ),
    ],
    ids=[
        "measure",
        "measures",
        "measures-empty",
        "measures-twice",
        "measure-and-measures",
        "sex",
        "region",
        "rule",
        "age",
        "birth-region",
        "rule-field",
        "number",
        "duplicate",
        "field",
        "toml",
        "age-type",
        "baseline-type",
        "stray-benchmark",
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


DOCUMENTS = paths.REPO_DIR / "data" / "reference" / "documents"
DOCUMENT_FILES = {
    "Haninge kommun, Arbetsmarknadsstrategi 2020 (antagen)": (
        "haninge_arbetsmarknadsstrategi_2020_antagen.txt"
    ),
    "Södertälje kommun, Inriktning för arbetsmarknadsåtgärder 2014-2018 (KS 14/137)": (
        "sodertalje_inriktning_arbetsmarknadsatgarder_2014_2018.txt"
    ),
}


def read_document(name: str) -> str:
    """The document's text without whitespace: the PDF extraction breaks lines inside words."""
    text = (DOCUMENTS / name).read_text(encoding="utf-8")
    return "".join(text.replace("-\n", "").split())


@pytest.mark.parametrize("target_id", sorted(TARGETS))
def test_each_quote_is_in_its_own_document(target_id):
    """Each quote (split at the ellipses) occurs in the document the entry names."""
    target = TARGETS[target_id]
    text = read_document(DOCUMENT_FILES[target.document])
    for piece in (p.strip(" .") for p in target.quote.split("…")):
        if piece:
            assert "".join(piece.split()) in text, f"{target.id}: {piece!r}"


def test_the_young_men_target_names_its_group():
    target = TARGETS["haninge_unga_man_vs_lan"]
    assert target.group == {
        "sex": "men",
        "age": "18-24",
        "birth_region": "total",
        "education": "total",
    }
    assert target.measures == (
        "af_inskrivna_andel_bas",
        "af_inskrivna_andel_reg",
        "af_inskrivna_andel_rams",
    )
    assert (target.rule, target.benchmark, target.threshold, target.tolerance) == (
        "gap_at_most",
        "01",
        0.0,
        1.0,
    )


def as_measure(frame: pd.DataFrame, measure: str, period: str, start: str) -> pd.DataFrame:
    """Tabell 1's figures relabelled as another measure and a month, for the preference rules."""
    return frame.assign(
        measure_id=measure, period=period, period_start=pd.Timestamp(start), frequency="M"
    )


@pytest.mark.parametrize(
    ("extra", "measure", "period", "before"),
    [
        ([], "af_inskrivna_andel_rams", "2013K3", True),
        (
            [("af_inskrivna_andel_reg", "2019M12", "2019-12-01")],
            "af_inskrivna_andel_reg",
            "2019M12",
            True,
        ),
        (
            [
                ("af_inskrivna_andel_reg", "2023M12", "2023-12-01"),
                ("af_inskrivna_andel_bas", "2023M01", "2023-01-01"),
            ],
            "af_inskrivna_andel_bas",
            "2023M01",
            False,
        ),
        (
            [
                ("af_inskrivna_andel_reg", "2021M06", "2021-06-01"),
                ("af_inskrivna_andel_bas", "2019M01", "2019-01-01"),
            ],
            "af_inskrivna_andel_reg",
            "2021M06",
            False,
        ),
    ],
    ids=["tabell-1-only", "newest-before-2020", "bas-first", "reg-from-2020"],
)
def test_a_target_is_judged_on_its_first_measure_with_figures_from_period_from(
    extra, measure, period, before
):
    """Haninge's targets prefer BAS, then the register-based share, then Tabell 1."""
    frame = pd.concat(
        [TABELL_1, *(as_measure(TABELL_1, *args) for args in extra)], ignore_index=True
    ).astype({"period": "string", "measure_id": "string"})
    row = evaluate_one("haninge_total_vs_lan", frame)
    assert (row["measure_id"], row["period"], bool(row["before_strategy"])) == (
        measure,
        period,
        before,
    )
    # A figure from before 2020 is shown but not judged.
    status = "cannot_assess" if before else "close"
    assert (row["value"], row["gap_pp"], row["status"]) == (7.7, 0.6, status)


def test_a_target_split_by_sex_cannot_be_assessed_on_tabell_1():
    row = evaluate_one("haninge_unga_man_vs_lan")
    assert (row["status"], row["reason_sv"]) == (
        "cannot_assess",
        "uppgift saknas i datan för Haninge i måttet och gruppen",
    )
