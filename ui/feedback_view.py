"""Rate each flag of a verification (useful / not useful / wrong, with a comment): stored in the history.

Three answers, so a radio per issue in one form rather than ``st.feedback`` (thumbs carry two). The
form sends nothing until "Save ratings", so rating five issues costs one rerun, not five.
"""

from __future__ import annotations

import streamlit as st

from medrag_core.errors import MedragError
from medrag_core.history import HistoryLog
from medrag_core.models import VerificationResult
from medrag_core.render import escape_markdown, sort_issues

RATING_LABELS = {"useful": "useful", "not useful": "not_useful", "wrong": "wrong"}


def current_user() -> str:
    """The signed-in user's e-mail with OIDC sign-in, else "local"."""
    try:
        if st.user.is_logged_in:
            return str(st.user.get("email") or st.user.get("name") or "signed-in user")
    except (AttributeError, KeyError):  # no [auth] configured
        pass
    return "local"


def render_feedback(result: VerificationResult, store: object | None) -> None:
    """One row per issue, numbered as in the issue table; saved against the recorded verification."""
    if not result.issues:
        return
    with st.expander("Rate these flags (helps measure each check's precision)"):
        if result.verification_id is None or store is None:
            st.caption("Ratings need a recorded verification: the history is off (MEDRAG_HISTORY=false) or the "
                       "case database was not available.")
            return
        index_of = {id(issue): n for n, issue in enumerate(result.issues)}
        with st.form(f"feedback_{result.verification_id}", border=False):
            answers: list[tuple[int, str | None, str]] = []
            for n, issue in enumerate(sort_issues(result.issues), 1):
                kind = escape_markdown(issue.kind.replace("_", " "))
                st.markdown(f"**#{n}** {kind}: {escape_markdown(issue.message)}")
                left, right = st.columns([2, 3])
                choice = left.radio("Rating", list(RATING_LABELS), index=None, horizontal=True,
                                    key=f"rating_{result.verification_id}_{n}", label_visibility="collapsed")
                comment = right.text_input("Comment (optional)", key=f"comment_{result.verification_id}_{n}",
                                           max_chars=2000, label_visibility="collapsed",
                                           placeholder="Comment (optional)")
                answers.append((index_of[id(issue)], choice, comment))
            if st.form_submit_button("Save ratings"):
                rated = [(i, RATING_LABELS[c], text) for i, c, text in answers if c is not None]
                if not rated:
                    st.warning("Choose a rating for at least one flag.")
                    return
                try:
                    log = HistoryLog(store)  # type: ignore[arg-type]
                    for issue_index, rating, text in rated:
                        log.feedback(result.verification_id, issue_index, rating, who=current_user(), comment=text)
                except MedragError as exc:
                    st.error(f"The ratings were not saved: {escape_markdown(exc.user_message)}")
                else:
                    st.success(f"Saved {len(rated)} rating{'s' if len(rated) != 1 else ''}. Thank you.")
