"""Pydantic models shared by every layer: cases, matches, issues and the verification result."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Severity = Literal["info", "warning", "error"]
# "not_checked": the offline checks could not run (not a report, or no sections found): never "consistent".
Verdict = Literal["consistent", "needs_review", "inconsistent", "not_checked"]
CheckStatus = Literal["checked", "not_a_report", "sections_not_found"]
IssueOrigin = Literal["checks", "consensus", "llm"]

SEVERITY_ORDER: dict[str, int] = {"error": 0, "warning": 1, "info": 2}


class Issue(BaseModel):
    """One problem found in a report.

    ``evidence`` quotes the report (verbatim, so the UI can highlight it); ``case_ids`` names the
    reference cases behind a consensus or LLM issue; ``strength`` in [0, 1] is how strongly the
    neighbours agree (consensus only).
    """

    kind: str
    severity: Severity
    message: str
    evidence: str = ""
    suggestion: str = ""
    origin: IssueOrigin = "checks"
    case_ids: list[str] = Field(default_factory=list)
    strength: float | None = None
    section: str | None = None  # "findings" / "impression" / ... where the issue was found
    finding: str | None = None  # the canonical finding from the vocabulary, when the issue is about one
    spans: list[tuple[int, int]] = Field(default_factory=list)  # [start, end) character spans into the report


class Case(BaseModel):
    """One searchable archive item: one image (or none, for text-only cases) and its report.

    Several images of one study share ``study_id`` and the same report text.
    ``image_sha256`` references the image bytes stored once outside the hot table.

    ``metadata`` holds source provenance kept verbatim from the source, as strings: the image's
    licence, source URL, the source's own label, the original file name, how the image was
    processed, and the like (e.g. the extra columns of a parquet, or an Open-i report's MeSH terms).
    It never holds patient identifiers: nothing from DICOM headers goes there.
    """

    model_config = ConfigDict(frozen=False)

    case_id: str
    source: str
    study_id: str | None = None
    findings: str = ""
    impression: str = ""
    indication: str = ""
    comparison: str = ""
    view: str | None = None
    labels: list[str] = Field(default_factory=list)
    image_sha256: str | None = None
    has_image_embedding: bool = False
    has_text_embedding: bool = False
    embed_model: str | None = None
    metadata: dict[str, str] = Field(default_factory=dict)

    @property
    def report_text(self) -> str:
        parts = []
        if self.findings:
            parts.append(f"FINDINGS: {self.findings}")
        if self.impression:
            parts.append(f"IMPRESSION: {self.impression}")
        return "\n".join(parts)


class Match(BaseModel):
    """A retrieved case with its scores (inner products of unit vectors) and 1-based ranks."""

    case: Case
    image_score: float | None = None
    text_score: float | None = None
    fts_score: float | None = None
    image_rank: int | None = None
    text_rank: int | None = None
    fused_score: float = 0.0
    fused_rank: int = 0


class VerificationResult(BaseModel):
    """What ``workflow.verify`` returns and every page, CLI and API renders."""

    verdict: Verdict
    issues: list[Issue] = Field(default_factory=list)
    report: str
    suggested_report: str  # report text only: never review notes (those go in review_notes)
    review_notes: list[str] = Field(default_factory=list)
    check_status: CheckStatus = "checked"
    matches: list[Match] = Field(default_factory=list)
    relied_on_case_ids: list[str] = Field(default_factory=list)
    timings_ms: dict[str, float] = Field(default_factory=dict)
    embed_model: str | None = None
    verifier: str = "offline"
    notices: list[str] = Field(default_factory=list)
    llm_failures: int = 0
    verifier_fallback: str | None = None  # why the chosen verifier did not answer, when it fell back
    verification_id: str | None = None  # the history record of this verification, when one was kept
