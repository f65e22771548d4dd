"""Consensus calibration: a warning needs a clear majority of neighbours above a similarity floor;
the text path ranks neighbours by the fused text rank and weighs them by text similarity."""

from __future__ import annotations

from medrag_core.models import Case, Match
from medrag_core.reports import parse_report
from medrag_core.retrieval import neighbour_consensus, neighbour_findings

EFFUSION = ("There is a small left pleural effusion.", "Small left effusion.")
CLEAR = ("No pleural effusion. The lungs are clear.", "No acute process.")
NORMAL_REPORT = parse_report("FINDINGS: Heart size is normal. The lungs are clear.\nIMPRESSION: Normal chest.")


def _text_matches(reports: list[tuple[str, str]], scores: list[float]) -> list[Match]:
    return [
        Match(case=Case(case_id=f"t{i}", source="test", findings=f, impression=imp), text_score=s, text_rank=i + 1,
              fused_rank=i + 1)  # fmt: skip
        for i, ((f, imp), s) in enumerate(zip(reports, scores, strict=True))
    ]


def _warnings(issues: list) -> list:
    return [i for i in issues if i.severity == "warning"]


def test_a_bare_majority_no_longer_warns_a_clear_one_does() -> None:
    three_of_five = _text_matches([EFFUSION] * 3 + [CLEAR] * 2, [0.8] * 5)
    assert _warnings(neighbour_consensus(NORMAL_REPORT, three_of_five, k=5, path="text")) == []
    four_of_five = _text_matches([EFFUSION] * 4 + [CLEAR], [0.8] * 5)
    [warning] = _warnings(neighbour_consensus(NORMAL_REPORT, four_of_five, k=5, path="text"))
    assert warning.finding == "Pleural Effusion" and warning.case_ids == ["t0", "t1", "t2", "t3"]
    assert warning.strength == 0.8


def test_neighbours_below_the_similarity_floor_do_not_count() -> None:
    # Four effusions, but only two of them are similar enough: no warning (too few neighbours left).
    matches = _text_matches([EFFUSION, EFFUSION, CLEAR, EFFUSION, EFFUSION], [0.9, 0.85, 0.8, 0.3, 0.2])
    assert [n.case_id for n in neighbour_findings(matches, 5, path="text", similarity_floor=0.5)] == ["t0", "t1", "t2"]
    floored = neighbour_consensus(NORMAL_REPORT, matches, k=5, path="text", similarity_floor=0.5, min_neighbours=3,
                                  min_share=0.6)  # fmt: skip
    assert _warnings(floored) == []
    unfloored = neighbour_consensus(NORMAL_REPORT, matches, k=5, path="text", min_neighbours=3, min_share=0.6)
    assert [w.finding for w in _warnings(unfloored)] == ["Pleural Effusion"]


def test_text_path_ignores_image_ranks_and_image_path_ignores_text_ranks() -> None:
    matches = _text_matches([EFFUSION] * 5, [0.9] * 5)
    assert neighbour_consensus(NORMAL_REPORT, matches, k=5) == []  # no image neighbours
    assert _warnings(neighbour_consensus(NORMAL_REPORT, matches, k=5, path="text"))
