"""../shared/badinputs image and DICOM cases through decode_image: the rules, not the particular files.

Rejects raise ImageDecodeError whose code is the manifest's reason; accepts decode to one 2-D gray
array with the manifest's props. Skips when ../shared is absent.
"""

from __future__ import annotations

import dataclasses
import json
import logging

import numpy as np
import pytest

from medrag_core.errors import ImageDecodeError
from medrag_core.imaging import DecodedImage, decode_image
from tests.fixtures.images import assert_min_is_black, bright_marker_quadrant
from tests.shared_data import BADINPUTS, require_shared

pytestmark = pytest.mark.shared

_MANIFEST = BADINPUTS / "manifest.jsonl"
CASES = (
    [
        case
        for line in _MANIFEST.read_text(encoding="utf-8").splitlines()
        if line.strip() and (case := json.loads(line))["kind"] in ("image", "dicom")
    ]
    if _MANIFEST.exists()
    else []
)


def _case_id(case: dict) -> str:
    return case["file"]


@pytest.mark.skipif(not CASES, reason=f"needs {BADINPUTS} (the shared data folder is not present)")
@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_image_case(case: dict, caplog: pytest.LogCaptureFixture) -> None:
    data = (require_shared(BADINPUTS) / case["file"]).read_bytes()
    props = case.get("props", {})
    caplog.set_level(logging.DEBUG)
    if case["expect"] == "reject":
        with pytest.raises(ImageDecodeError) as info:
            decode_image(data, filename=case["file"])
        assert info.value.code == case["reason"], info.value.user_message
        assert info.value.user_message.strip()
        return

    img = decode_image(data, filename=case["file"])
    assert isinstance(img, DecodedImage)
    a = img.pixels
    assert a.ndim == 2 and a.dtype == np.float32 and 0.0 <= a.min() and a.max() <= 1.0
    if "width" in props:
        assert (img.width, img.height) == (props["width"], props["height"])
    if props.get("min_is_black"):
        assert_min_is_black(a)
    if "bright_marker" in props:
        assert bright_marker_quadrant(a) == props["bright_marker"]
    if "exif_orientation" in props:
        assert img.exif_orientation == props["exif_orientation"]
    if "source_bit_depth" in props:
        assert img.source_bit_depth == props["source_bit_depth"]
    if "modality_lut_range" in props:
        assert img.modality_range is not None
        np.testing.assert_allclose(img.modality_range, props["modality_lut_range"])
    if props.get("must_not_leak"):
        fields = {f.name: getattr(img, f.name) for f in dataclasses.fields(img) if f.name != "pixels"}
        seen = " ".join([caplog.text, repr(img), repr(fields)]).lower()
        for secret in props["must_not_leak"]:
            assert secret.lower() not in seen
