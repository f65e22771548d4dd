"""bench.pacs runs end to end at a tiny size and prints its ratios (no timing asserted)."""

from __future__ import annotations

import re

import pytest

from tests.fixtures.orthanc import orthanc_missing


def test_pacs_bench_prints_stages_and_ratios(capsys: pytest.CaptureFixture[str]) -> None:
    reason = orthanc_missing()
    if reason:
        pytest.skip(reason)
    from bench.pacs import main

    assert main(["--studies", "2", "--side", "128", "--repeats", "1", "--workers", "2"]) == 0
    out = capsys.readouterr().out
    assert "# command: python -m bench.pacs --studies 2" in out
    assert "stored 4 images in 2 studies" in out
    for stage in ("search", "open", "decode"):
        assert re.search(rf"^stage {stage}\s+p50\s+[\d.]+ ms", out, re.M), stage
    assert re.search(r"^ratio open/decode = [\d.]+x \(p50\)$", out, re.M)
    assert re.search(r"^ratio fetch serial/pool = [\d.]+x$", out, re.M)
