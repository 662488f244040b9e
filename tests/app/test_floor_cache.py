"""A page's content is built once per build and selection, and shared by every session."""

import functools

import pandas as pd
import pytest

from labourmarket import ui
from labourmarket.views import gapanalys, utveckling
from labourmarket.views.gapanalys import GapanalysChoices
from tests.app.conftest import GAP, PAGE_FILES, open_page


def count_builds(monkeypatch: pytest.MonkeyPatch, module: object) -> list[int]:
    """Count the view's builds; the page still runs the real one."""
    calls = []
    real = module.build

    @functools.wraps(real)
    def counted(*args: object) -> object:
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(module, "build", counted)
    return calls


@pytest.mark.parametrize(
    ("module", "page", "query", "changed"),
    [
        (gapanalys, GAP, {}, ("breakdown", "birth_region")),
        (utveckling, PAGE_FILES["utveckling"], {}, ("transform", "year_on_year")),
    ],
    ids=["gapanalys", "utveckling"],
)
def test_a_second_session_on_the_same_selection_builds_nothing(
    built_tree, monkeypatch, module, page, query, changed
):
    calls = count_builds(monkeypatch, module)
    first = open_page(page, **query)
    second = open_page(page, **query)
    assert not first.exception and not second.exception
    assert len(calls) == 1
    assert [c.proto.spec for c in first.get("plotly_chart")] == [
        c.proto.spec for c in second.get("plotly_chart")
    ]
    key, value = changed
    other = open_page(page, **query, **{key: value})
    assert not other.exception
    assert len(calls) == 2


ROWS = pd.DataFrame({"value": [1.0]})


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        (("01", "age"), ("01", "age"), True),
        (("01", "age"), ("00", "age"), False),
        (("01", "age"), ("01", "education"), False),
    ],
)
def test_the_selection_key_holds_every_widget_value_and_no_frame(a, b, same):
    def choices(benchmark: str, breakdown: str, rows: pd.DataFrame) -> GapanalysChoices:
        return GapanalysChoices(
            "m", "2024M01", rows, "total", ("0181",), benchmark, breakdown, "chart"
        )

    # Another frame (a fresh cut of the same rows) does not change the key.
    key_a = ui.describe_selection(choices(*a, ROWS))
    key_b = ui.describe_selection(choices(*b, ROWS.copy()))
    assert (key_a == key_b) is same
    assert hash(key_a) is not None
