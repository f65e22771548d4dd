"""report_render: evidence spans, escaping, diffs and exports (pure functions)."""

from __future__ import annotations

import json

from medrag_core.models import Issue, VerificationResult
from medrag_core.render import (
    escape_markdown,
    highlight_spans,
    result_to_json,
    result_to_markdown,
    sort_issues,
    unified_diff,
)

REPORT = "FINDINGS: Small left effusion. <b>x</b> $5$ :red[y]\nIMPRESSION: Small right effusion."


def test_spans_cover_report_and_mark_each_quote():
    spans = highlight_spans(REPORT, ["Small left effusion.", "", "small  left effusion. ... Small right effusion."])
    assert "".join(s.text for s in spans) == REPORT
    marked = {s.text: s.issues for s in spans if s.highlighted}
    assert marked["Small left effusion."] == (0, 2)
    assert marked["Small right effusion."] == (2,)


def test_issue_spans_are_highlighted_as_given_without_searching_the_text():
    report = "FINDINGS: Heart size [***]. Heart size [***].\nIMPRESSION: Normal."
    second = report.rindex("[***]")
    # the check's span names the second placeholder; a text search would have found the first
    issue = Issue(kind="placeholder", severity="error", message="m", evidence="[***]", spans=[(second, second + 5)])
    llm = Issue(kind="x", severity="info", message="m", evidence="Normal.")  # no spans: its quote is found
    spans = highlight_spans(report, [issue, llm])
    assert [(s.text, s.issues) for s in spans if s.highlighted] == [("[***]", (0,)), ("Normal.", (1,))]
    assert spans[0].text == "FINDINGS: Heart size [***]. Heart size " and not spans[0].highlighted


def test_not_checked_and_review_notes_in_the_markdown_export():
    text = "Admitted with fever."
    result = VerificationResult(verdict="not_checked", report=text, suggested_report=text,
                                check_status="not_a_report", review_notes=["Look at the left base again."])
    md = result_to_markdown(result)
    assert "**Verdict:** not checked" in md and "not run (not a report)" in md
    assert "## Review notes" in md and "Look at the left base again" in md


def test_escape_markdown_makes_markup_inert():
    out = escape_markdown("<script>alert(1)</script> **b** $x$ :red[z] &amp;")
    for raw in ("<script>", "**", "$x$", ":red[", "&amp;"):
        assert raw not in out


def test_diff_and_exports():
    result = VerificationResult(
        verdict="inconsistent",
        issues=[Issue(kind="a", severity="info", message="m1"), Issue(kind="b", severity="error", message="m2")],
        report=REPORT,
        suggested_report=REPORT.replace("right", "left"),
    )
    assert [i.severity for i in sort_issues(result.issues)] == ["error", "info"]
    assert "-IMPRESSION: Small right effusion." in unified_diff(result.report, result.suggested_report)
    assert json.loads(result_to_json(result))["verdict"] == "inconsistent"
    md = result_to_markdown(result)
    assert "```text\n" + REPORT in md and "| 1 | error | b |" in md
