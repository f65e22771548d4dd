"""What the Quality tab shows: verifications over time, the share flagged, and each check kind's precision.

Precision of a kind = ratings "useful" / all ratings of its issues, counting each rater's latest
rating of an issue once (``history_issue_ratings`` already keeps only the latest). A kind nobody
rated has no precision (NaN), not 0.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

RATING_COLUMNS = ("useful", "not_useful", "wrong")


def ratings_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """``HistoryLog.issue_ratings()`` rows as a DataFrame (empty with the right columns when there are none)."""
    columns = ["verification_id", "issue_index", "created_at", "kind", "severity", "finding", "section",
               "evidence", "rating", "comment", "rated_by", "rated_at"]
    frame = pd.DataFrame(rows, columns=columns)
    for col in ("created_at", "rated_at"):
        frame[col] = pd.to_datetime(frame[col], utc=True, format="ISO8601")
    return frame


def precision_by_kind(ratings: pd.DataFrame) -> pd.DataFrame:
    """Per check kind: ``flags`` (issues raised), ``rated`` (ratings), one column per rating, ``precision``."""
    if ratings.empty:
        return pd.DataFrame(columns=["kind", "flags", "rated", *RATING_COLUMNS, "precision"])
    flags = ratings.drop_duplicates(["verification_id", "issue_index"]).groupby("kind").size().rename("flags")
    rated = ratings.dropna(subset=["rating"])
    counts = (rated.groupby(["kind", "rating"]).size().unstack(fill_value=0)
              .reindex(columns=list(RATING_COLUMNS), fill_value=0))  # fmt: skip
    table = pd.concat([flags, counts], axis=1).fillna(0)
    table[list(RATING_COLUMNS)] = table[list(RATING_COLUMNS)].astype(int)
    table["flags"] = table["flags"].astype(int)
    table["rated"] = table[list(RATING_COLUMNS)].sum(axis=1)
    table["precision"] = (table["useful"] / table["rated"]).where(table["rated"] > 0)
    table = table.rename_axis("kind").reset_index()
    return table[["kind", "flags", "rated", *RATING_COLUMNS, "precision"]].sort_values(
        ["flags", "kind"], ascending=[False, True], ignore_index=True
    )


def daily_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """``HistoryLog.daily()`` rows with ``share_flagged`` (flagged / verifications)."""
    frame = pd.DataFrame(rows, columns=["day", "verifications", "flagged"])
    frame["day"] = pd.to_datetime(frame["day"])
    frame["share_flagged"] = (frame["flagged"] / frame["verifications"]).where(frame["verifications"] > 0)
    return frame


def latest_wrong(ratings: pd.DataFrame, n: int = 20) -> pd.DataFrame:
    """The ``n`` latest "wrong" ratings, with the sentence that triggered each flag."""
    wrong = ratings[ratings["rating"] == "wrong"].sort_values("rated_at", ascending=False).head(n)
    return wrong[["rated_at", "kind", "finding", "evidence", "comment", "rated_by"]].reset_index(drop=True)
