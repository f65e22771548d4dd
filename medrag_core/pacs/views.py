"""Which image of a study to check: the frontal view (PA, else AP), found from the header fields QIDO lists.

Rules, first match wins (each instance in reading order: series number, instance number):

1. ``ViewPosition`` PA, then ``ViewPosition`` AP (PS3.3 C.8.11.5: the standard's field for it);
2. a frontal hint in the series description or image comments (``PA``, ``AP``, ``frontal``,
   ``postero-anterior``...), when nothing marks the image as lateral;
3. the first image with no lateral hint (``ViewPosition`` LL/RL/LATERAL/..., ``lat`` in the description);
4. the first image.

``ImageLaterality`` on a chest radiograph says which side of the body is imaged, not the projection,
so it is only a tie-breaker: an image marked ``B`` (both sides) or unmarked comes before one marked
``L`` or ``R`` within a rule. The reason for the choice is returned for the page to show.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .query import InstanceSummary

LATERAL_VIEWS = frozenset({"LL", "RL", "LAT", "LATERAL", "LLD", "RLD", "XTABLE", "LL_DEC", "RL_DEC"})
_FRONTAL_HINT = re.compile(
    r"(?<![A-Z])(PA|AP|FRONTAL|POSTERO-?ANTERIOR|ANTERO-?POSTERIOR|P-A|A-P)(?![A-Z])", re.IGNORECASE
)
_LATERAL_HINT = re.compile(r"(?<![A-Z])(LAT|LATERAL|LL|RL)(?![A-Z])", re.IGNORECASE)


@dataclass(frozen=True)
class FrontalChoice:
    """The chosen image and why (plain words, for the page)."""

    instance: InstanceSummary
    reason: str


def _hint_text(instance: InstanceSummary) -> str:
    return f"{instance.series_description} {instance.image_comments}"


def is_lateral(instance: InstanceSummary) -> bool:
    if instance.view_position in LATERAL_VIEWS:
        return True
    return not instance.view_position and bool(_LATERAL_HINT.search(_hint_text(instance)))


def _side_rank(instance: InstanceSummary) -> int:
    return 1 if instance.laterality in ("L", "R") else 0


def choose_frontal(instances: Sequence[InstanceSummary]) -> FrontalChoice | None:
    """The frontal image among ``instances`` (reports and non-radiographs ignored), or None when the
    study holds no image."""
    images = sorted((i for i in instances if i.is_image), key=lambda i: (i.order))
    if not images:
        return None

    def best(candidates: list[InstanceSummary]) -> InstanceSummary:
        return min(candidates, key=lambda i: (_side_rank(i), i.order))

    for view in ("PA", "AP"):
        found = [i for i in images if i.view_position == view]
        if found:
            return FrontalChoice(best(found), f"View Position {view}")
    hinted = [i for i in images if not is_lateral(i) and _FRONTAL_HINT.search(_hint_text(i))]
    if hinted:
        return FrontalChoice(best(hinted), "its series description names a frontal view")
    not_lateral = [i for i in images if not is_lateral(i)]
    if not_lateral:
        return FrontalChoice(best(not_lateral), "the first image not marked lateral (no view information)")
    return FrontalChoice(images[0], "the first image (every image is marked lateral)")
