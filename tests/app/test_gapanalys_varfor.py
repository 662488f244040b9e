"""The Gapanalys "Varför?" view: the gap split in words, chart and table, or why it cannot be."""

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.af_workbook import AF_ANDEL_FIELDS, generate_af_andel_records, write_af_andel_workbook
from etl.pipeline import build
from etl.sources import arbetsformedlingen
from labourmarket.core import paths, store
from labourmarket.core.catalog import load_catalog
from labourmarket.core.decomposition import decompose
from labourmarket.output.decomposition_text import describe_decomposition
from labourmarket.output.formatting import format_number
from tests.app.conftest import GAP, decode_array, open_page, read_charts, read_shown_table
from tests.conftest import copy_bundled

KOMMUNER = (("Stockholms län", "Södertälje"), ("Stockholms län", "Haninge"))
KOMMUNER += (("Uppsala län", "Heby"), ("Uppsala län", "Uppsala"))
RECORDS = list(generate_af_andel_records(KOMMUNER, ("2024-01", "2024-02"), bas=True, seed=11))
MEASURE, PERIOD = "af_inskrivna_andel_bas", "2024M02"


@pytest.fixture(scope="module")
def af_bas_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled data plus a generated AF BAS workbook (TEST DATA), imported and built."""
    base = tmp_path_factory.mktemp("varfor")
    root = copy_bundled(base / "data")
    download = base / "web-inskrivna-arbetslosa-andel-av-bas-2024-02.xlsx"
    buffer = io.BytesIO()
    write_af_andel_workbook(buffer, RECORDS)
    download.write_bytes(buffer.getvalue())
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(paths.DATA_DIR_ENV, str(root))
        arbetsformedlingen.import_file(download, load_catalog())
        build()
    return root


@pytest.fixture
def af_bas_tree(af_bas_root: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv(paths.DATA_DIR_ENV, str(af_bas_root))
    yield af_bas_root


def sum_counts(county: str, kommun: str | None, prefix: str) -> tuple[float, float]:
    """Unemployed and labour force summed from the workbook's own records for 2024-02."""
    names = [field.name for field in AF_ANDEL_FIELDS]
    rows = [dict(zip(names, record, strict=True)) for record in RECORDS]
    rows = [r for r in rows if r["PERIOD"] == "2024-02" and r["LAN"] == county]
    rows = [r for r in rows if kommun is None or r["KOM"] == kommun]
    return sum(r[f"{prefix}SOK"] for r in rows), sum(r[f"{prefix}AK"] for r in rows)


def split_by_hand(kommun: str, county: str) -> tuple[float, float, float]:
    """Gap, composition and within terms from raw counts: INR, UTR and the rest of TOT."""
    sides = []
    for name in (kommun, None):
        total = sum_counts(county, name, "TOT")
        parts = [sum_counts(county, name, prefix) for prefix in ("INR", "UTR")]
        rest = (total[0] - sum(p[0] for p in parts), total[1] - sum(p[1] for p in parts))
        if rest[1] > 1e-6:
            parts.append(rest)
        sides.append([(100 * u / a, a / total[1]) for u, a in parts] + [100 * total[0] / total[1]])
    (*own, rate), (*other, benchmark_rate) = sides
    pairs = list(zip(own, other, strict=True))
    composition = sum((w1 - w0) * (r1 + r0) / 2 for (r1, w1), (r0, w0) in pairs)
    within = sum((r1 - r0) * (w1 + w0) / 2 for (r1, w1), (r0, w0) in pairs)
    return rate - benchmark_rate, composition, within


@pytest.mark.parametrize(
    ("region", "kommun", "benchmark", "county"),
    [("0331", "Heby", "03", "Uppsala län"), ("0181", "Södertälje", "01", "Stockholms län")],
)
def test_why_view_says_the_split_computed_from_the_data_and_by_hand(
    af_bas_tree, region, kommun, benchmark, county
):
    at = open_page(
        GAP,
        measure=MEASURE,
        period=PERIOD,
        regions=region,
        benchmark=benchmark,
        breakdown="birth_region",
        view="why",
    )
    assert not at.exception
    observations = store.read_observations()
    rows = observations[
        (observations["measure_id"] == MEASURE) & (observations["period"] == PERIOD)
    ]
    d = decompose(rows, region, benchmark, "birth_region")
    assert d.problem is None
    catalog = load_catalog()
    expected = describe_decomposition(d, kommun, catalog.region_name(benchmark))
    assert expected in [m.value for m in at.markdown]
    gap, composition, within = split_by_hand(kommun, county)
    assert (d.gap, d.composition, d.within) == pytest.approx((gap, composition, within), abs=1e-9)
    assert format_number(abs(gap), 1) in expected
    # The chart's Totalt bars are the two terms; the table's Totalt row holds them too.
    (figure,) = read_charts(at)
    bars = {trace["name"]: trace for trace in figure["data"]}
    assert bars["Sammansättning"]["y"][-1] == bars["Inom gruppen"]["y"][-1] == "Totalt"
    totals = [decode_array(bars[name]["x"])[-1] for name in ("Sammansättning", "Inom gruppen")]
    assert totals == pytest.approx([composition, within], abs=1e-9)
    assert figure["layout"]["annotations"][0]["text"].startswith("Källa: Arbetsförmedlingen")
    table = read_shown_table(at)
    total = table[table["Grupp"] == "Totalt"].iloc[0]
    assert total["Kommun"] == kommun
    assert total["Arbetslöshet (%)"] == format_number(d.rate, 1)


def test_tabell_1_cannot_be_split_and_says_why(built_tree):
    at = open_page(GAP, breakdown="birth_region", view="why")
    assert not at.exception
    assert at.radio(key="view").value == "why"
    (warning,) = at.warning
    assert warning.value.startswith("Skillnaden kan inte delas upp för det här måttet")
    assert "Arbetsförmedlingen, Arbetsmarknadsutsikterna 2013-2014" in warning.value
    assert not at.get("plotly_chart")
