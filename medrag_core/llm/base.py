"""The verifier contract: what goes in, what comes out, and how verdicts combine.

A ``Verifier`` turns a ``VerificationRequest`` (report, query X-ray as PNG pixels, retrieved
matches, offline issues) into a ``VerifierOutcome``. Every verifier returns an outcome; a remote
one that fails falls back to the offline verdict and says so in ``notices`` (see ``remote.py``).

Merge rules (``merge_issues`` and ``strictest``), used wherever an LLM answer meets offline issues:

- final issues = offline issues (kept as they are, first) + LLM issues not already among them
  (same ``kind`` and the same evidence or message, compared case- and space-insensitively);
- the verdict is the strictest of the LLM's verdict and the verdict implied by the final issues
  (any ``error`` -> inconsistent, any ``warning`` -> needs_review); so an LLM can make a verdict
  stricter but never milder than the offline checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from medrag_core.errors import InputError
from medrag_core.models import Issue, Match, Verdict

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
VERDICT_ORDER: dict[str, int] = {"consistent": 0, "needs_review": 1, "inconsistent": 2}


@dataclass
class VerificationRequest:
    """Everything a verifier may look at.

    ``image_png`` and the values of ``match_images`` (keyed by ``case_id``) must be PNG files of
    pixels (8-bit, as ``imaging`` renders them), never DICOM bytes: the constructor refuses anything
    that does not start with the PNG signature, and remote verifiers strip every PNG chunk other
    than the pixel data before sending (see ``prompt.png_pixels_only``).
    """

    report: str
    image_png: bytes | None = None
    matches: list[Match] = field(default_factory=list)
    match_images: dict[str, bytes] = field(default_factory=dict)
    offline_issues: list[Issue] = field(default_factory=list)
    known_phi: tuple[str, ...] = field(default=(), repr=False)
    """Identifiers known for this patient (the DICOM header's PatientName, IDs, ...): the scrubber
    removes them from every text that goes out. Used on this machine only, never sent."""

    def __post_init__(self) -> None:
        if self.image_png is not None and not self.image_png.startswith(PNG_SIGNATURE):
            raise InputError("The X-ray must be passed to the verifier as PNG pixels (not DICOM).", code="not_png")
        for case_id, png in self.match_images.items():
            if not png.startswith(PNG_SIGNATURE):
                raise InputError(f"The image of case {case_id} is not a PNG.", code="not_png")


@dataclass
class VerifierOutcome:
    """A verifier's result.

    ``answered_by`` names what produced the verdict (``"gemini"``, ``"openai_compat"``, or
    ``"offline"``, also after a fallback). ``failures`` counts LLM answers that could not be used
    (invalid answers, calls that failed after their retries); ``notices`` says, in plain words, what
    happened (fallbacks, repairs, scrubbing) and never contains keys or report text.
    """

    verdict: Verdict
    issues: list[Issue]
    suggested_report: str
    relied_on_case_ids: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    failures: int = 0
    answered_by: str = "offline"
    review_notes: list[str] = field(default_factory=list)  # what to look at again; never in suggested_report


@runtime_checkable
class Verifier(Protocol):
    """Turns a request into an outcome; never raises for a remote failure (it falls back).

    ``sends_images``: whether the verifier looks at the X-rays (the query's and the matches'); the
    workflow renders and fetches them only then.
    """

    name: str
    sends_images: bool

    def verify(self, request: VerificationRequest) -> VerifierOutcome: ...


def verdict_from_issues(issues: list[Issue]) -> Verdict:
    """Any error -> inconsistent; any warning -> needs_review; otherwise consistent."""
    severities = {issue.severity for issue in issues}
    if "error" in severities:
        return "inconsistent"
    if "warning" in severities:
        return "needs_review"
    return "consistent"


def strictest(*verdicts: Verdict) -> Verdict:
    """The strictest verdict (inconsistent > needs_review > consistent)."""
    return max(verdicts, key=VERDICT_ORDER.__getitem__)


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def merge_issues(offline: list[Issue], llm: list[Issue]) -> list[Issue]:
    """Offline issues first, unchanged; then LLM issues that do not repeat one (see module doc)."""
    seen = set()
    for issue in offline:
        if issue.evidence.strip():
            seen.add((issue.kind, "e", _norm(issue.evidence)))
        seen.add((issue.kind, "m", _norm(issue.message)))
    merged = list(offline)
    for issue in llm:
        keys = {(issue.kind, "m", _norm(issue.message))}
        if issue.evidence.strip():
            keys.add((issue.kind, "e", _norm(issue.evidence)))
        if keys & seen:
            continue
        seen |= keys
        merged.append(issue)
    return merged
