"""Dataset Admin, Quality: verifications over time, the share flagged, each check kind's precision from feedback."""

from __future__ import annotations

import io

import plotly.graph_objects as go
import streamlit as st

from medrag_core.errors import MedragError
from medrag_core.history import HistoryLog, daily_frame, export_history, latest_wrong, precision_by_kind, ratings_frame
from medrag_core.render import escape_markdown
from medrag_core.settings import Settings


def render_quality(settings: Settings, store: object | None, store_error: str | None) -> None:
    if store is None:
        st.error(f"The case database is not available: {escape_markdown(store_error or '')}")
        return
    log = HistoryLog(store)  # type: ignore[arg-type]
    try:
        daily = daily_frame(log.daily())
        ratings = ratings_frame(log.issue_ratings())
    except MedragError as exc:
        st.error(f"The history cannot be read: {escape_markdown(exc.user_message)}")
        st.caption("On Supabase, reading the history needs the service-role key (the app's anon key may only "
                   "record verifications and ratings).")
        return
    if daily.empty:
        st.info("No verifications recorded yet. Each verification from the Verify page, the API and the CLI "
                "is recorded here" + ("" if settings.history else " once MEDRAG_HISTORY is true") + ".")
        return
    total, flagged = int(daily["verifications"].sum()), int(daily["flagged"].sum())
    c = st.columns(3)
    c[0].metric("verifications", total)
    c[1].metric("flagged", f"{flagged / total:.0%}")
    c[2].metric("ratings", int(ratings["rating"].notna().sum()))

    over_time = go.Figure()
    over_time.add_bar(x=daily["day"], y=daily["verifications"], name="verifications")
    over_time.add_scatter(x=daily["day"], y=daily["share_flagged"], name="share flagged", yaxis="y2",
                          mode="lines+markers")
    over_time.update_layout(height=300, margin=dict(l=10, r=10, t=30, b=10), title="Verifications per day",
                            yaxis2=dict(overlaying="y", side="right", range=[0, 1], tickformat=".0%"))
    st.plotly_chart(over_time, key="quality_over_time")

    table = precision_by_kind(ratings)
    st.markdown("**Per check kind**: flags raised, ratings, and precision = useful / all ratings "
                "(each rater's latest rating of an issue counts once; no ratings, no precision).")
    rated = table[table["rated"] > 0]
    if not rated.empty:
        bars = go.Figure(go.Bar(x=rated["kind"], y=rated["precision"], text=rated["rated"].map(lambda n: f"{n} rated"),
                                textposition="outside"))
        bars.update_layout(height=300, margin=dict(l=10, r=10, t=30, b=10), title="Precision from feedback",
                           yaxis=dict(range=[0, 1.1], tickformat=".0%"))
        st.plotly_chart(bars, key="quality_precision")
    st.dataframe(table, hide_index=True, key="quality_table",
                 column_config={"precision": st.column_config.NumberColumn(format="percent")})
    st.download_button("Per-kind figures (CSV)", table.to_csv(index=False), "check_precision.csv", "text/csv")

    wrong = latest_wrong(ratings)
    st.markdown("**Latest flags rated wrong**, with the sentence that triggered them")
    if wrong.empty:
        st.caption("None yet.")
    else:
        st.dataframe(wrong, hide_index=True, key="quality_wrong")

    buffer = io.StringIO()
    export_history(log, buffer, fmt="csv")
    st.download_button("Whole history (CSV)", buffer.getvalue(), "verification_history.csv", "text/csv")

    if settings.history_days is not None:
        st.markdown(f"Retention: verifications older than {settings.history_days} days are removed by "
                    "`python -m etl prune-history` or here.")
        if st.button(f"Remove verifications older than {settings.history_days} days", key="prune_history"):
            try:
                removed = log.prune(older_than_days=settings.history_days)
            except MedragError as exc:
                st.error(escape_markdown(exc.user_message))
            else:
                st.success(f"Removed {removed} verification{'s' if removed != 1 else ''}.")
    else:
        st.caption("Retention: history is kept (set MEDRAG_HISTORY_DAYS to remove older verifications).")
