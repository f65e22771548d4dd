"""The background ingest runner: an unexpected error is recorded by type, its text never logged."""

from __future__ import annotations

import logging

from ui.ingest_runner import IngestRunner

SECRET = "FINDINGS: DOE^JOHN MRN-55501234 /archive/ACC-99182/img.dcm"


def test_unexpected_error_logs_type_only(caplog) -> None:
    def job(on_progress, cancel):
        raise KeyError(SECRET)

    runner = IngestRunner()
    with caplog.at_level(logging.DEBUG, logger="ui.ingest_runner"):
        assert runner.start("src", job)
        assert runner.wait(10)
    state = runner.snapshot()
    assert state.error is not None and "KeyError" in state.error and "server log" in state.error
    assert "KeyError" in caplog.text
    assert "DOE^JOHN" not in caplog.text and "MRN-55501234" not in caplog.text
    assert all(record.exc_info is None for record in caplog.records)
    assert "DOE^JOHN" not in state.error
