"""Neighbour consensus: disagreements between a report and its most similar cases' reports."""

from __future__ import annotations

import pytest

from medrag_core.models import Case, Match
from medrag_core.reports import parse_report
from medrag_core.retrieval.consensus import KIND, neighbour_consensus, neighbour_findings

EFFUSION = "FINDINGS: There is a small left pleural effusion. Heart size is normal.\nIMPRESSION: Small left effusion."
CLEAR = "FINDINGS: No pleural effusion. No pneumothorax. Heart size is normal.\nIMPRESSION: No acute process."


def _matches(texts: list[str], scores: list[float] | None = None) -> list[Match]:
    scores = scores or [0.9 - 0.05 * i for i in range(len(texts))]
    out = []
    for i, (text, score) in enumerate(zip(texts, scores, strict=True)):
        findings, _, impression = text.partition("IMPRESSION:")
        case = Case(case_id=f"n{i}", source="test", findings=findings.replace("FINDINGS:", "").strip(),
                    impression=impression.strip())
        out.append(Match(case=case, image_score=score, image_rank=i + 1, fused_rank=i + 1))
    return out


def _by_name(issues, word):
    return [i for i in issues if word in i.message]


def test_flags_finding_most_neighbours_report_when_report_omits_it():
    parsed = parse_report("FINDINGS: Heart size is normal. The lungs are clear.\nIMPRESSION: Normal chest.")
    matches = _matches([EFFUSION, EFFUSION, EFFUSION, EFFUSION, CLEAR])
    issues = neighbour_consensus(parsed, matches, k=5)
    effusion = _by_name(issues, "pleural effusion")
    assert len(effusion) == 1
    issue = effusion[0]
    assert issue.kind == KIND and issue.origin == "consensus" and issue.severity == "warning"
    assert issue.case_ids == ["n0", "n1", "n2", "n3"]
    expected = sum([0.9, 0.85, 0.8, 0.75]) / sum([0.9, 0.85, 0.8, 0.75, 0.7])
    assert issue.strength == pytest.approx(expected, abs=1e-4)
    assert "does not mention" in issue.message and "4 of the 5" in issue.message


def test_flags_negated_finding_with_the_report_sentence_as_evidence():
    parsed = parse_report("FINDINGS: No pleural effusion. Heart size is normal.\nIMPRESSION: No acute process.")
    issues = neighbour_consensus(parsed, _matches([EFFUSION] * 4), k=5)
    [issue] = _by_name(issues, "pleural effusion")
    assert issue.severity == "warning"
    assert issue.evidence == "No pleural effusion."
    assert "states it is absent" in issue.message
    assert issue.strength == pytest.approx(1.0)


def test_reverse_report_asserts_what_neighbours_state_is_absent():
    parsed = parse_report("FINDINGS: There is a large right pneumothorax.\nIMPRESSION: Right pneumothorax.")
    issues = neighbour_consensus(parsed, _matches([CLEAR] * 4), k=5)
    [issue] = _by_name(issues, "pneumothorax")
    assert issue.severity == "warning"
    assert "state there is no pneumothorax" in issue.message
    assert issue.evidence.startswith("There is a large right pneumothorax")
    assert issue.case_ids == ["n0", "n1", "n2", "n3"]


def test_reverse_unmentioned_by_all_neighbours_is_info():
    parsed = parse_report("FINDINGS: A 2 cm nodule in the left upper lobe.\nIMPRESSION: Pulmonary nodule.")
    issues = neighbour_consensus(parsed, _matches([EFFUSION] * 4), k=5)
    [issue] = _by_name(issues, "nodule")
    assert issue.severity == "info"
    assert issue.strength == pytest.approx(1.0)


def test_weak_consensus_is_info_and_too_few_neighbours_is_nothing():
    parsed = parse_report("FINDINGS: Heart size is normal.\nIMPRESSION: Normal.")
    weak = neighbour_consensus(parsed, _matches([EFFUSION, EFFUSION, CLEAR, CLEAR], [0.8, 0.8, 0.8, 0.8]), k=5)
    [issue] = _by_name(weak, "pleural effusion")
    assert issue.severity == "info" and issue.strength == pytest.approx(0.5)
    # Two neighbours reporting it is a strong share but not enough neighbours for a warning.
    two = neighbour_consensus(parsed, _matches([EFFUSION, EFFUSION, CLEAR]), k=5, min_share=0.6, min_neighbours=3)
    assert all(i.severity == "info" for i in two)
    assert neighbour_consensus(parsed, _matches([EFFUSION]), k=5) == []


def test_uncertain_or_agreeing_report_is_not_flagged_and_never_error():
    agreeing = parse_report("FINDINGS: Small left pleural effusion.\nIMPRESSION: Left effusion.")
    assert _by_name(neighbour_consensus(agreeing, _matches([EFFUSION] * 5), k=5), "pleural effusion") == []
    hedged = parse_report("FINDINGS: Possible small pleural effusion.\nIMPRESSION: Possible effusion.")
    assert _by_name(neighbour_consensus(hedged, _matches([EFFUSION] * 5), k=5), "pleural effusion") == []
    clear = parse_report(CLEAR)
    issues = neighbour_consensus(clear, _matches([EFFUSION] * 5), k=5)
    assert issues and all(i.severity in ("info", "warning") for i in issues)


def test_only_the_k_best_image_neighbours_count_and_weights_follow_similarity():
    matches = _matches([CLEAR, CLEAR, EFFUSION, EFFUSION, EFFUSION, EFFUSION], [0.9, 0.9, 0.1, 0.1, 0.1, 0.1])
    neighbours = neighbour_findings(matches, k=3)
    assert [n.case_id for n in neighbours] == ["n0", "n1", "n2"]
    parsed = parse_report("FINDINGS: Heart size is normal.\nIMPRESSION: Normal.")
    # 4 of 6 report an effusion, but they are the least similar: 0.4 / 2.2 is below the info share.
    assert _by_name(neighbour_consensus(parsed, matches, k=6), "pleural effusion") == []
    # Text-only matches (no image rank) are not image neighbours.
    text_only = [m.model_copy(update={"image_rank": None, "image_score": None}) for m in matches]
    assert neighbour_consensus(parsed, text_only, k=6) == []
