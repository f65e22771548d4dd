"""Renders a ``VerificationResult``: verdict, issues with evidence, diff, similar cases, chart, exports.

User and archive text is shown with ``st.text``/``st.code``/``st.dataframe`` or escaped Markdown,
never as HTML.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from medrag_core.models import VerificationResult
from medrag_core.render import (
    VERDICT_TEXT,
    escape_markdown,
    highlight_spans,
    highlighted_markdown,
    result_to_json,
    result_to_markdown,
    sort_issues,
    unified_diff,
)

from .cases import render_case_card
from .charts import similarity_figure
from .feedback_view import render_feedback

_SEVERITY_ICON = {"error": "●", "warning": "▲", "info": "○"}


def render_verdict(result: VerificationResult, shown_elsewhere: tuple[str, ...] = ()) -> None:
    """The verdict, who answered, and the notices; a message the page already shows is not repeated: a
    notice that is one is left out, a longer one (the model's how-to inside a notice) is referred to."""
    text = f"**Verdict: {result.verdict.replace('_', ' ')}**. {VERDICT_TEXT.get(result.verdict, '')}"
    {"consistent": st.success, "needs_review": st.warning}.get(result.verdict, st.error)(text)
    st.caption(
        f"Verifier: {escape_markdown(result.verifier)}"
        + (f" · embedding model: {escape_markdown(result.embed_model)}" if result.embed_model else "")
        + (f" · LLM failures: {result.llm_failures}" if result.llm_failures else "")
    )
    for notice in result.notices:
        if notice in shown_elsewhere:
            continue
        for message in shown_elsewhere:
            if message and message in notice:
                notice = notice.replace(message, "see the note at the top of the page")
        st.info(escape_markdown(notice))


def render_issues(result: VerificationResult) -> None:
    render_prepared_issues(*prepare_issues(result))


def prepare_issues(result: VerificationResult) -> tuple[int, pd.DataFrame | None, str]:
    """Everything the issue section shows, computed before anything is drawn (the verdict and its
    reasons then reach the browser together): the count, the table (None when empty) and the
    highlighted report."""
    issues = sort_issues(result.issues)
    table = None
    if issues:
        # st.table renders each cell as Markdown: every text cell is escaped, so quoted report text or an
        # LLM's message cannot become an image (a request to a remote URL), a link or HTML.
        table = pd.DataFrame(
            [
                {
                    "#": n,
                    "severity": _cell(f"{_SEVERITY_ICON.get(i.severity, '')} {i.severity}"),
                    "kind": _cell(i.kind),
                    "message": _cell(i.message),
                    "evidence": _cell(i.evidence),
                    "suggestion": _cell(i.suggestion),
                    "from": _cell(i.origin),
                    "cases": _cell(", ".join(i.case_ids)),
                }
                for n, i in enumerate(issues, 1)
            ]
        ).set_index("#")
    highlighted = highlighted_markdown(highlight_spans(result.report, issues))
    return len(issues), table, highlighted


def render_prepared_issues(count: int, table: pd.DataFrame | None, highlighted: str) -> None:
    st.subheader(f"Issues ({count})")
    if table is None:
        st.success("No issues found.")
    else:
        st.table(table)
    st.markdown("**Report, with each issue's evidence highlighted** (numbers refer to the table)")
    with st.container(border=True):
        st.markdown(highlighted)


def _cell(text: object) -> str:
    """A Markdown table cell: one line, every punctuation mark escaped (see ``escape_markdown``)."""
    return escape_markdown(" ".join(str(text or "").split()))


def render_suggestion(result: VerificationResult) -> None:
    st.subheader("Suggested report")
    diff = unified_diff(result.report, result.suggested_report)
    if result.review_notes:
        st.markdown("**Review notes** (not part of the report)")
        st.markdown("\n".join(f"- {_cell(note)}" for note in result.review_notes))
    if not diff:
        st.caption("No changes suggested.")
        return
    left, right = st.columns(2)
    with left:
        st.caption("Changes (− your report, + suggested)")
        st.code(diff, language="diff", wrap_lines=True)
    with right:
        st.caption("Suggested report")
        st.code(result.suggested_report, language=None, wrap_lines=True)


def render_matches(result: VerificationResult, store) -> None:
    st.subheader(f"Similar cases ({len(result.matches)})")
    if not result.matches:
        st.caption("No similar cases were retrieved (empty archive, or no embedding model).")
        return
    relied = set(result.relied_on_case_ids)
    columns = st.columns(min(len(result.matches), 5))
    for n, match in enumerate(result.matches):
        with columns[n % len(columns)]:
            render_case_card(match.case, store, match=match, relied_on=match.case.case_id in relied)
    figure, unmeasured = similarity_figure(result.matches)
    if figure is not None:
        st.plotly_chart(figure, key="similarity_chart")
    if unmeasured:
        st.caption(
            f"{unmeasured} of {len(result.matches)} similar case(s) are not in the chart: their image or text "
            "similarity was not measured (no embedding yet, or no image); they were found by full-text search "
            "or by one kind of similarity only."
        )


def render_timings(result: VerificationResult) -> None:
    if not result.timings_ms:
        return
    st.subheader("Stage timings")
    frame = pd.DataFrame({"stage": list(result.timings_ms), "ms": [round(v) for v in result.timings_ms.values()]})
    st.dataframe(frame, hide_index=True, key="timings_table")


def render_downloads(result: VerificationResult) -> None:
    left, right = st.columns(2)
    left.download_button(
        "Download JSON", result_to_json(result), file_name="verification.json", mime="application/json",
        key="download_json",
    )
    right.download_button(
        "Download Markdown", result_to_markdown(result), file_name="verification.md", mime="text/markdown",
        key="download_md",
    )


def render_result(result: VerificationResult, store, shown_elsewhere: tuple[str, ...] = ()) -> None:
    """The whole result. ``shown_elsewhere``: long messages the page already shows (not repeated)."""
    prepared = prepare_issues(result)  # before the verdict is drawn: both appear together
    render_verdict(result, shown_elsewhere)
    render_prepared_issues(*prepared)
    render_feedback(result, store)
    render_suggestion(result)
    render_matches(result, store)
    render_timings(result)
    render_downloads(result)
