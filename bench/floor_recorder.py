"""A page's Streamlit calls recorded once, with their built figures and tables, to draw again.

The second page floor (bench/page_floor.py) replays them: what Streamlit itself costs to draw
the page's content (serialising figures and tables, sending widgets), without building any of
it. Layout containers are created but the elements are drawn in the main area, in order: the
cost is in the elements, not in where they sit.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

# Every element and widget the pages draw (a method of DeltaGenerator and of `st`).
ELEMENTS = (
    "title",
    "header",
    "subheader",
    "caption",
    "markdown",
    "text",
    "html",
    "info",
    "warning",
    "error",
    "success",
    "metric",
    "table",
    "dataframe",
    "plotly_chart",
    "button",
    "download_button",
    "link_button",
    "selectbox",
    "radio",
    "multiselect",
    "columns",
    "container",
    "expander",
    "popover",
    "tabs",
)


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple
    kwargs: dict[str, Any]


PLANS: dict[str, list[Call]] = {}  # page name -> its calls, in the order the page made them


def record(page: str, run: Callable[[], None]) -> int:
    """Run `run` (an AppTest run of the page) and keep the page's outermost Streamlit calls."""
    calls: list[Call] = []
    depth = [0]
    originals = {name: getattr(DeltaGenerator, name) for name in ELEMENTS}
    module_originals = {name: getattr(st, name) for name in ELEMENTS}

    def wrap(name: str, call: Callable[..., Any], is_method: bool) -> Callable[..., Any]:
        @functools.wraps(call)
        def recorded(*args: Any, **kwargs: Any) -> Any:
            if depth[0] == 0:
                calls.append(Call(name, args[1:] if is_method else args, dict(kwargs)))
            depth[0] += 1
            try:
                return call(*args, **kwargs)
            finally:
                depth[0] -= 1

        return recorded

    try:
        for name in ELEMENTS:
            setattr(DeltaGenerator, name, wrap(name, originals[name], is_method=True))
            setattr(st, name, wrap(name, module_originals[name], is_method=False))
        run()
    finally:
        for name in ELEMENTS:
            setattr(DeltaGenerator, name, originals[name])
            setattr(st, name, module_originals[name])
    PLANS[page] = calls
    return len(calls)


def replay(page: str) -> None:
    """Draw the recorded calls again, each in the main area."""
    for call in PLANS[page]:
        getattr(st, call.name)(*call.args, **call.kwargs)
