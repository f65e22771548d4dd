"""A verification result as Markdown, plain text, JSON, highlighted spans and diffs."""

from medrag_core.render.report import (
    VERDICT_TEXT,
    escape_markdown,
    highlight_spans,
    highlighted_markdown,
    result_to_json,
    result_to_markdown,
    sort_issues,
    unified_diff,
)

__all__ = [
    "VERDICT_TEXT",
    "escape_markdown",
    "highlight_spans",
    "highlighted_markdown",
    "result_to_json",
    "result_to_markdown",
    "sort_issues",
    "unified_diff",
]
