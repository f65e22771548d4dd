"""Huge instances in the PACS (a multi-frame one, a big uncompressed one) against a real Orthanc: the
retrieval stops at the upload limit (``MEDRAG_MAX_UPLOAD_BYTES``) with the upload's ``too_large``
refusal, the process's peak memory does not grow by the instance's size, and a normal study still opens.

Memory is read from ``/proc`` in a subprocess that only retrieves (its peak RSS, VmHWM, is reset before
each retrieval), like tests/test_api_bombs.py. The same retrieval under the default limit is measured too,
so the bound is shown against a run that does read the whole instance.

A deflated DICOM bomb in the PACS (128 MiB of zero pixels in about 130 kB) is small enough to retrieve,
and the retrieval leaves it deflated (the file is not parsed on the way), so the decode path's bomb
checks refuse it as they refuse an uploaded one, without inflating it.

Orthanc answers WADO-RS gzip-compressed: the multi-frame instance (zero pixels) arrives as a few kB with a
small ``Content-Length``, so only counting the decoded bytes stops it; the random-pixel one declares a
``Content-Length`` over the limit and is refused before its body is read.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import requests

from medrag_core.errors import ImageDecodeError
from medrag_core.pacs import PacsClient, open_study
from medrag_core.settings import Settings
from tests.fixtures.images import make_deflated_dicom_bomb
from tests.fixtures.orthanc import OrthancServer, make_pacs_instance, start_orthanc, stow

ROOT = Path(__file__).resolve().parents[1]
SMALL_LIMIT = 1 << 20  # 1 MiB: the normal instance (about 190 kB) is under it, the big ones far over it
MULTI_FRAME = (24, 1024, 1024)  # 48 MiB of 16-bit pixels, each frame a modest 1 Mpx (QIDO size check passes)
UNCOMPRESSED = (2600, 2600)  # 13 MiB of random 16-bit pixels, 6.8 Mpx
#: Peak RSS growth allowed while a big instance is refused: the limit, one 1 MB read and the buffers of
#: requests and gzip. Reading the multi-frame instance costs at least its 48 MiB (measured below).
MAX_REFUSED_GROWTH_MB = 12
BOMB_PIXEL_BYTES = 128 << 20
#: The decoder inflates a bounded prefix of a deflated file to read its header (up to 8 MB) before it
#: refuses; inflating the bomb would cost its 128 MiB.
MAX_BOMB_GROWTH_MB = 32


@dataclass(frozen=True)
class LargePacs:
    server: OrthancServer
    normal: str  # Study Instance UIDs
    multi_frame: str
    uncompressed: str
    multi_frame_bytes: int
    uncompressed_bytes: int
    bomb: str


def _instance(name: str, n: int, pixels: bytes | None = None, frames: int = 1,
              shape: tuple[int, int] | None = None) -> tuple[bytes, str]:
    import pydicom
    from pydicom.uid import generate_uid

    study_uid = generate_uid()
    data, _ = make_pacs_instance(patient_id=f"LARGE-{n}", accession=f"ACC-L{n}", study_uid=study_uid,
                                 series_uid=generate_uid(), study_date="20240301", description=name,
                                 shape=shape)
    if pixels is None:
        return data, study_uid
    ds = pydicom.dcmread(io.BytesIO(data))
    ds.Rows, ds.Columns = shape
    if frames > 1:
        ds.NumberOfFrames = frames
    ds.PixelData = pixels
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue(), study_uid


@pytest.fixture(scope="module")
def large_pacs() -> Iterator[LargePacs]:
    frames, rows, columns = MULTI_FRAME
    normal, normal_uid = _instance("PA normal", 1)
    multi, multi_uid = _instance("PA multi-frame", 2, bytes(frames * rows * columns * 2), frames, (rows, columns))
    noise = np.random.default_rng(0).integers(0, 4096, UNCOMPRESSED, dtype=np.uint16).tobytes()
    big, big_uid = _instance("PA uncompressed", 3, noise, 1, UNCOMPRESSED)
    bomb, bomb_uid = _deflated_bomb()
    with start_orthanc() as server:
        stow(server, [normal, multi, big])
        # Orthanc's own REST API stores the file as it is (STOW through pydicom would inflate it here)
        stored = requests.post(f"{server.url}/instances", data=bomb, timeout=120)
        assert stored.status_code == 200, stored.text
        yield LargePacs(server, normal_uid, multi_uid, big_uid, len(multi), len(big), bomb_uid)


def _deflated_bomb() -> tuple[bytes, str]:
    from pydicom.uid import generate_uid

    study_uid = generate_uid()
    data = make_deflated_dicom_bomb(2_000, 2_000, pixel_bytes=BOMB_PIXEL_BYTES, StudyInstanceUID=study_uid,
                                    SeriesInstanceUID=generate_uid(), SOPInstanceUID=generate_uid(),
                                    StudyDate="20240302", ViewPosition="PA", SeriesNumber=1, InstanceNumber=1)
    assert len(data) < SMALL_LIMIT
    return data, study_uid


# Runs in a fresh interpreter: imports and one normal retrieval first (warm-up), then for each study its
# outcome and how far the peak RSS rose above the RSS just before it.
_MEASURE = r"""
import json, sys
from pathlib import Path

from medrag_core.errors import MedragError
from medrag_core.pacs import PacsClient, open_study
from medrag_core.settings import Settings

url, limit, warm, studies = sys.argv[1], int(sys.argv[2]), sys.argv[3], json.loads(sys.argv[4])

def kb(field):
    line = next(l for l in Path("/proc/self/status").read_text().splitlines() if l.startswith(field + ":"))
    return int(line.split()[1])

settings = Settings(dicomweb_url=url, max_upload_bytes=limit)
client = PacsClient.from_settings(settings)
open_study(client, warm, settings, with_report=False)
out = {}
for name, uid in studies.items():
    Path("/proc/self/clear_refs").write_text("5")
    before = kb("VmRSS")
    try:
        opened = open_study(client, uid, settings, with_report=False)
        outcome = {"opened": True, "bytes": len(opened.data), "shape": list(opened.decoded.pixels.shape)}
    except MedragError as exc:
        outcome = {"opened": False, "code": exc.code, "message": exc.user_message, "bytes": 0}
    outcome["growth_mb"] = round((kb("VmHWM") - before) / 1024, 1)
    out[name] = outcome
print(json.dumps(out))
"""


def _measure(pacs: LargePacs, limit: int, studies: dict[str, str]) -> dict[str, dict]:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError as exc:
        pytest.skip(f"cannot reset a process's peak RSS here ({exc}): the memory bound needs /proc/PID/clear_refs")
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, pacs.server.dicomweb_url, str(limit), pacs.normal, json.dumps(studies)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_big_instances_are_refused_at_the_limit_with_bounded_memory(large_pacs: LargePacs) -> None:
    studies = {"multi_frame": large_pacs.multi_frame, "uncompressed": large_pacs.uncompressed,
               "bomb": large_pacs.bomb, "normal": large_pacs.normal}
    bounded = _measure(large_pacs, SMALL_LIMIT, studies)
    # The control: the default 64 MiB limit lets the multi-frame instance through, whole.
    unbounded = _measure(large_pacs, Settings().max_upload_bytes, {"multi_frame": large_pacs.multi_frame})
    print("peak RSS growth (MB), 1 MiB limit:", {k: v["growth_mb"] for k, v in bounded.items()},
          "default limit:", unbounded["multi_frame"]["growth_mb"])

    for name in ("multi_frame", "uncompressed"):
        refused = bounded[name]
        assert refused["opened"] is False and refused["code"] == "too_large", refused
        assert "larger than the 1 MB upload limit" in refused["message"], refused
        assert "MEDRAG_MAX_UPLOAD_BYTES" in refused["message"], refused
        assert refused["growth_mb"] < MAX_REFUSED_GROWTH_MB, bounded

    bomb = bounded["bomb"]  # under the byte limit: refused by the decode path's bomb checks, not inflated
    assert bomb["opened"] is False and bomb["code"] == "too_large", bomb
    assert "upload limit" not in bomb["message"], bomb
    assert bomb["growth_mb"] < MAX_BOMB_GROWTH_MB, bounded

    assert bounded["normal"]["opened"] is True, bounded["normal"]
    assert bounded["normal"]["shape"] == [320, 288]

    whole = unbounded["multi_frame"]  # read whole, then refused by the decoder for its frames
    assert whole["opened"] is False and whole["code"] == "multi_frame", whole
    multi_frame_mb = large_pacs.multi_frame_bytes / 2**20
    assert whole["growth_mb"] > multi_frame_mb, (whole, multi_frame_mb)  # the measurement sees a full read


def test_the_client_bounds_every_retrieval_by_the_settings_limit(large_pacs: LargePacs) -> None:
    """``PacsClient.retrieve`` without ``max_bytes`` (the ETL's and the study report's path) uses the
    settings' upload limit, and one byte over it is enough to refuse."""
    small = Settings(dicomweb_url=large_pacs.server.dicomweb_url, max_upload_bytes=SMALL_LIMIT)
    client = PacsClient.from_settings(small)
    assert client.config.max_instance_bytes == SMALL_LIMIT
    normal = next(i for i in client.study_instances(large_pacs.normal) if i.is_image)
    data = client.retrieve(normal)
    assert data[128:132] == b"DICM"
    with pytest.raises(ImageDecodeError) as err:
        client.retrieve(normal, max_bytes=len(data) - 1)
    assert err.value.code == "too_large"
    assert client.retrieve(normal, max_bytes=len(data)) == data
    big = next(i for i in client.study_instances(large_pacs.uncompressed) if i.is_image)
    with pytest.raises(ImageDecodeError, match="upload limit"):
        client.retrieve(big)
    opened = open_study(client, large_pacs.normal, small, with_report=False)
    assert opened.data == data
