"""Two cases side by side, with the observations that differ highlighted."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from medrag_core.models import Case
from medrag_core.render import escape_markdown
from medrag_core.reports import compare_cases

from .cases import render_case_card


def render_compare(a: Case, b: Case, store) -> None:
    comparison = compare_cases(a, b)
    left, right = st.columns(2)
    with left:
        render_case_card(a, store)
    with right:
        render_case_card(b, store)
    diffs = comparison.differences
    if diffs:
        st.warning(
            f"{len(diffs)} observation(s) differ: "
            + "; ".join(
                f"**{escape_markdown(r.name)}** "
                f"(A: {escape_markdown(r.a.describe())}, B: {escape_markdown(r.b.describe())})"
                for r in diffs
            )
        )
    else:
        st.success("The two reports state the same observations.")
    if comparison.rows:
        frame = pd.DataFrame(
            [
                {
                    "observation": r.name,
                    "differs": "⚠️ yes" if r.differs else "",
                    f"A: {a.case_id}": r.a.describe(),
                    f"B: {b.case_id}": r.b.describe(),
                    "A says": r.a.evidence,
                    "B says": r.b.evidence,
                }
                for r in comparison.rows
            ]
        )
        styled = frame.style.apply(
            lambda row: ["background-color: rgba(255, 165, 0, 0.25)" if row["differs"] else "" for _ in row],
            axis=1,
        )
        st.dataframe(styled, hide_index=True, width="stretch", key="compare_table")
