"""No developer commands in what users read: the Mål page, the Nämndvy and the Word draft.

A command (`python -m etl fetch kolada`) or a Markdown code span means nothing to a nämnd; it
belongs on Källor och data and in the README. Every text these produce for the bundled data is
scanned: on screen every element's text (tables as their cells, charts as their spec), in the
Word draft every paragraph, table cell and image description.
"""

import io
import json
import shutil
import zipfile
from collections.abc import Iterator

import pyarrow as pa
import pytest
from docx import Document
from google.protobuf.json_format import MessageToDict
from streamlit.testing.v1 import AppTest

from labourmarket.core.targets import load_targets
from labourmarket.views import export
from tests.app.conftest import TARGETS, open_page
from tests.chromium import require_chromium

DEVELOPER_MARKS = ("python -m", "`", "etl fetch")
SLIDES = "app_pages/namndvy.py"


def read_table_cells(proto) -> Iterator[str]:
    """A table's cells as text: the Arrow data and, where styled, the shown strings."""
    arrow = proto.arrow_data
    for payload in (arrow.data, arrow.styler.display_values):
        if payload:
            frame = pa.ipc.open_stream(payload).read_all().to_pandas()
            yield from (str(column) for column in frame.columns)
            yield from (str(cell) for cell in frame.to_numpy().ravel())


def read_page_texts(at: AppTest) -> list[str]:
    """Every text on the page, sidebar included: one string per element."""
    texts = []
    for node in at._tree:
        proto = getattr(node, "proto", None)
        if proto is None or getattr(node, "children", None):
            continue
        if node.type in ("table", "arrow_data_frame", "dataframe"):
            texts += list(read_table_cells(proto))
            continue
        # Bytes (Arrow tables) come out as base64, which holds no backtick.
        texts.append(json.dumps(MessageToDict(proto), ensure_ascii=False))
    return texts


def read_draft_texts(docx: bytes) -> list[str]:
    """The Word draft's paragraphs, table cells, image descriptions and document properties."""
    draft = Document(io.BytesIO(docx))
    texts = [p.text for p in draft.paragraphs]
    texts += [cell.text for table in draft.tables for row in table.rows for cell in row.cells]
    texts += [str(s._inline.docPr.get("descr") or "") for s in draft.inline_shapes]
    texts += [draft.core_properties.title or "", draft.core_properties.subject or ""]
    return texts


def find_developer_text(texts: list[str]) -> list[str]:
    return [text for text in texts if any(mark in text for mark in DEVELOPER_MARKS)]


@pytest.mark.parametrize("region", ["0136", "0181"])
def test_the_mal_page_has_no_developer_commands(built_tree, region):
    at = open_page(TARGETS, region=region)
    assert not at.exception
    texts = read_page_texts(at)
    # The scan reaches the table and every target's reading of its document.
    assert any(text.startswith("Tolkning: ") or "Tolkning: " in text for text in texts)
    assert any("före strategiperioden" in text for text in texts)
    assert find_developer_text(texts) == []


@pytest.mark.parametrize(
    "query",
    [
        {"agenda": "haninge_ks_2026-12", "view": "handout"},
        {"agenda": "mal", "region": "0136", "view": "handout", "news": "on"},
        {"agenda": "mal", "region": "0181", "view": "handout", "news": "on"},
    ],
    ids=["haninge-ks", "haninge-targets", "sodertalje-targets"],
)
def test_the_namndvy_has_no_developer_commands(built_tree, query):
    at = open_page(SLIDES, **query)
    assert not at.exception
    texts = read_page_texts(at)
    assert any("Målet står i " in text for text in texts)  # the target slides are scanned
    assert find_developer_text(texts) == []


def test_a_news_slide_without_build_history_names_no_command(built_tree):
    """The first build has nothing to compare with: said in words, not as a command."""
    shutil.rmtree(built_tree / "history")
    at = open_page(SLIDES, agenda="mal", region="0136", news="on", slide="1")
    assert not at.exception
    texts = read_page_texts(at)
    assert any("Datan har ingen bygghistorik" in text for text in texts)
    assert find_developer_text(texts) == []


@pytest.fixture(scope="module")
def drafts(bundled_data) -> dict[str, bytes]:
    """The Word draft of each kommun with targets, in its newest period and in kv 3 2013."""
    require_chromium()
    catalog = bundled_data.catalog
    targets = load_targets(catalog)
    drafts = {}
    for region, period in [("0136", "2023"), ("0136", "2013K3"), ("0181", "2013K3")]:
        pack = export.assemble_pack(
            bundled_data.observations, catalog, targets, bundled_data.manifest, region, period
        )
        archive = zipfile.ZipFile(io.BytesIO(export.build_pack(pack)))
        drafts[f"{region}_{period}"] = archive.read(f"{pack.stem}/{pack.stem}.docx")
    return drafts


@pytest.mark.parametrize("name", ["0136_2023", "0136_2013K3", "0181_2013K3"])
def test_the_word_draft_has_no_developer_commands(drafts, name):
    texts = read_draft_texts(drafts[name])
    assert any(text.startswith("Tolkning: ") for text in texts)  # the targets' notes are in it
    assert find_developer_text(texts) == []


@pytest.mark.parametrize("name", ["0136_2023", "0136_2013K3"])
def test_the_word_draft_judges_no_strategy_on_figures_from_before_it(drafts, name):
    """Haninge's 2020 strategy against kv 3 2013: the figure, not a status, never 'utgångsläget'."""
    texts = read_draft_texts(drafts[name])
    sentence = next(t for t in texts if t.startswith("Kv 3 2013 var arbetslösheten i Haninge"))
    assert sentence == (
        "Kv 3 2013 var arbetslösheten i Haninge 7,7\u00a0% och i Stockholms län 7,1\u00a0%, "
        "0,6 procentenheter högre. Status: ? Kan inte bedömas (kv 3 2013 ligger före "
        "strategiperioden, som börjar 2020)."
    )
    joined = "\n".join(texts)
    assert "utgångsläge" not in joined
    for status in ("✓ Uppfyllt", "≈ Nära", "✗ Ej uppfyllt"):
        assert status not in joined
