"""A choice of a few options is a row of radio buttons; a long one (every län) a selectbox."""

import pytest
from streamlit.testing.v1 import AppTest


def render_choice(count: int) -> None:
    from labourmarket import ui

    options = [f"{number:02d}" for number in range(count)]
    ui.choose_one("Jämför med", "benchmark", options, options[0], str, horizontal=True)


@pytest.mark.parametrize(("count", "radios", "selectboxes"), [(2, 1, 0), (5, 1, 0), (22, 0, 1)])
def test_long_choices_become_a_selectbox(count, radios, selectboxes):
    at = AppTest.from_function(render_choice, args=(count,)).run()
    assert not at.exception
    assert (len(at.radio), len(at.selectbox)) == (radios, selectboxes)
    assert at.query_params["benchmark"] == "00"
