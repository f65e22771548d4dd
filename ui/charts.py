"""Plotly figures for similarity scores. Hover texts are escaped (Plotly renders a subset of HTML)."""

from __future__ import annotations

import html
from collections.abc import Sequence

import plotly.graph_objects as go

from medrag_core.models import Match


def similarity_figure(matches: Sequence[Match]) -> tuple[go.Figure | None, int]:
    """Image similarity (x) against text similarity (y) per match; colour and label give the fused rank.

    Only matches with both scores are drawn: a score that was not measured (no embedding, no image)
    is missing, not 0. Returns (the figure, or None when no match has both; how many were left out).
    """
    measured = [m for m in matches if m.image_score is not None and m.text_score is not None]
    left_out = len(matches) - len(measured)
    if not measured:
        return None, left_out
    matches = measured
    xs = [m.image_score for m in matches]
    ys = [m.text_score for m in matches]
    ranks = [m.fused_rank for m in matches]
    hover = [
        f"{html.escape(m.case.case_id)}<br>fused rank {m.fused_rank} (score {m.fused_score:.4f})"
        f"<br>image {_fmt(m.image_score)} · text {_fmt(m.text_score)}"
        for m in matches
    ]
    fig = go.Figure(
        go.Scatter(
            x=xs,
            y=ys,
            mode="markers+text",
            text=[f"#{r}" for r in ranks],
            textposition="top center",
            hovertext=hover,
            hoverinfo="text",
            marker={
                "size": [max(10, 26 - 3 * (r - 1)) for r in ranks],
                "color": ranks,
                "colorscale": "Viridis_r",
                "showscale": True,
                "colorbar": {"title": "fused rank"},
            },
        )
    )
    fig.update_layout(
        title="Similar cases: image vs text similarity (label = fused rank)",
        xaxis_title="image similarity (cosine)",
        yaxis_title="text similarity (cosine)",
        height=380,
        margin={"l": 40, "r": 20, "t": 50, "b": 40},
    )
    return fig, left_out


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"
