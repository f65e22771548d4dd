"""Build the provider-neutral prompt a remote verifier sends; adapters translate it to a wire format.

The prompt texts live in ``prompts/``: ``system.md`` (instructions), ``user.md`` (the report,
offline issues and the introduction of the reference cases), ``repair.md`` (sent after an invalid
answer). Text from the report, the reference cases and the offline issues is data: it sits inside
``<report>``, ``<reference_case id="refN">`` and ``<offline_issues>`` tags (a case's real id never
goes out: the model sees the alias ``refN``), and any such tag written
inside the data is neutralised (its ``<`` becomes ``‹``), so the data cannot close its own block.

When scrubbing is on, every text that goes out (report, case findings/impression, issue texts)
passes through ``scrub_phi`` first, with the request's ``known_phi`` (the DICOM header's names and
IDs) as values to remove; ``outgoing_text`` is that one step, and the Verify page previews it.
Images go out as PNG with only the pixel chunks kept.
"""

from __future__ import annotations

import json
import re
import struct
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Literal

from medrag_core.errors import InputError
from medrag_core.llm.base import PNG_SIGNATURE, VerificationRequest
from medrag_core.llm.scrub import find_phi, scrub_phi

_TAGS = re.compile(r"<(\s*/?\s*(?:report|reference_case|offline_issues)\b)", re.IGNORECASE)
_PIXEL_CHUNKS = {b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND"}


@dataclass(frozen=True)
class TextPart:
    text: str


@dataclass(frozen=True)
class ImagePart:
    """A PNG (already reduced to its pixel chunks)."""

    png: bytes
    mime_type: str = "image/png"


Part = TextPart | ImagePart


@dataclass(frozen=True)
class Turn:
    role: Literal["user", "model"]
    parts: tuple[Part, ...]


@dataclass(frozen=True)
class Prompt:
    """``system`` instructions and the first user turn; ``scrubbed`` is True when scrubbing changed text.

    ``case_ids`` are the real ids of the reference cases, in order; the model sees only their
    aliases (``ref1``, ``ref2``, ...), and ``aliases`` maps each alias back to its real id.
    """

    system: str
    first_turn: Turn
    case_ids: tuple[str, ...]
    scrubbed: bool
    aliases: dict[str, str] = field(default_factory=dict)

    def real_case_id(self, alias: str) -> str | None:
        """The real case id behind ``alias`` (as the model wrote it), or None for an unknown one."""
        return self.aliases.get(alias.strip().lower())


@cache
def load_prompt(name: str) -> str:
    """The text of ``prompts/<name>``."""
    return resources.files(__package__).joinpath("prompts", name).read_text(encoding="utf-8")


def neutralise(text: str) -> str:
    """Defuse our data delimiters inside data: ``</report>`` -> ``‹/report>``."""
    return _TAGS.sub("\u2039\\1", text)


def png_pixels_only(png: bytes) -> bytes:
    """Rebuild a PNG with only IHDR, PLTE, tRNS, IDAT and IEND: no text, EXIF or time chunks."""
    if not png.startswith(PNG_SIGNATURE):
        raise InputError("The image is not a PNG.", code="not_png")
    out = [PNG_SIGNATURE]
    pos = len(PNG_SIGNATURE)
    while pos + 8 <= len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind = png[pos + 4 : pos + 8]
        end = pos + 12 + length
        if end > len(png):
            raise InputError("The PNG is truncated.", code="truncated")
        if kind in _PIXEL_CHUNKS:
            out.append(png[pos:end])
        pos = end
        if kind == b"IEND":
            break
    return b"".join(out)


def outgoing_text(text: str, *, scrub: bool, known_values: Iterable[str] = ()) -> str:
    """``text`` exactly as it goes into a prompt: scrubbed (when ``scrub``) and with our data
    delimiters neutralised. The Verify page shows this before anything is sent."""
    return neutralise(scrub_phi(text, known_values) if scrub else text)


@dataclass(frozen=True)
class OutgoingPreview:
    """What the report becomes before it goes to an external LLM: ``text`` (exactly as sent) and how
    many identifiers of each kind were removed."""

    text: str
    removed: dict[str, int]
    scrubbed: bool


def preview_outgoing_report(report: str, *, scrub: bool, known_values: Iterable[str] = ()) -> OutgoingPreview:
    """The report as ``build_prompt`` will send it (same function), with a count of what was removed."""
    known = tuple(known_values)
    removed: dict[str, int] = {}
    if scrub:
        for span in find_phi(report, known):
            removed[span.kind] = removed.get(span.kind, 0) + 1
    return OutgoingPreview(text=outgoing_text(report, scrub=scrub, known_values=known), removed=removed, scrubbed=scrub)


def build_prompt(request: VerificationRequest, *, scrub: bool, send_images: bool) -> Prompt:
    """The system text and first user turn for ``request`` (see the module docstring)."""
    changed = False

    def clean(text: str) -> str:
        nonlocal changed
        sent = outgoing_text(text, scrub=scrub, known_values=request.known_phi)
        changed = changed or (scrub and sent != neutralise(text))
        return sent

    issues = [
        {
            "kind": i.kind,
            "severity": i.severity,
            "message": clean(i.message),
            "evidence": clean(i.evidence),
            "suggestion": clean(i.suggestion),
        }
        for i in request.offline_issues
    ]
    cases = [m.case for m in request.matches]
    images_of_cases = send_images and any(c.case_id in request.match_images for c in cases)
    intro = load_prompt("user.md").format(
        report=clean(request.report),
        offline_issues=json.dumps(issues, indent=1, ensure_ascii=False),
        n_cases=len(cases),
        query_image_note=(
            " The X-ray under review is attached after this text."
            if send_images and request.image_png
            else " The X-ray image is not available to you: judge from the text."
        ),
        case_image_note=", each with its image where available" if images_of_cases else "",
    )
    parts: list[Part] = [TextPart(intro)]
    if send_images and request.image_png:
        parts.append(ImagePart(png_pixels_only(request.image_png)))
    aliases: dict[str, str] = {}
    for n, case in enumerate(cases, 1):
        # Case ids can be DICOM file paths holding MRNs, accession numbers or UIDs: the model sees
        # only an opaque alias, mapped back to the real id when its answer names it.
        case_id = f"ref{n}"
        aliases[case_id] = case.case_id
        body = []
        if case.findings:
            body.append(f"FINDINGS: {clean(case.findings)}")
        if case.impression:
            body.append(f"IMPRESSION: {clean(case.impression)}")
        view = f' view="{re.sub(r"[^A-Za-z0-9 _-]", "", case.view)}"' if case.view else ""
        text = f'<reference_case id="{case_id}"{view}>\n' + "\n".join(body) + "\n</reference_case>"
        parts.append(TextPart(text))
        if send_images and case.case_id in request.match_images:
            parts.append(ImagePart(png_pixels_only(request.match_images[case.case_id])))
    if not cases:
        parts.append(TextPart("(no reference cases)"))
    parts.append(TextPart("Answer now with the JSON object."))
    return Prompt(
        system=load_prompt("system.md"),
        first_turn=Turn("user", tuple(parts)),
        case_ids=tuple(c.case_id for c in cases),
        scrubbed=changed,
        aliases=aliases,
    )


def repair_turn(error: str) -> Turn:
    """The user turn sent after an invalid answer; ``error`` is ``AnswerInvalid.user_message``."""
    return Turn("user", (TextPart(load_prompt("repair.md").format(error=error)),))
