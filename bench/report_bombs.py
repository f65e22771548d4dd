"""Peak memory of reading a report object from the PACS (``pacs.report_from_dicom``) on decompression bombs,
before and after its bounds.

Writes the report objects of ``tests/fixtures/report_bombs.py`` to a temp folder: an honest deflated SR, a
deflated SR whose one TextValue is ``--mib`` MiB of "A" (each size given), a deflated text document of the
first size, and an uncompressed 60 MB text document (under the 64 MB upload limit). Each is read in its own
forked child of one warmed-up process, by the code at ``--before`` (``git show REF:medrag_core/pacs/
report_text.py``, loaded as a module) and by the working tree's; the growth of the child's peak RSS
(``ru_maxrss``) is what reading it cost.

    python -m bench.report_bombs [--mib 512 1024] [--before 0d6dabd]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import types
from collections.abc import Callable
from pathlib import Path

from bench.common import header

ROOT = Path(__file__).resolve().parents[1]


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def _old_reader(ref: str) -> Callable[[bytes], object]:
    source = subprocess.run(["git", "show", f"{ref}:medrag_core/pacs/report_text.py"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout
    module = types.ModuleType("report_text_before")
    module.__dict__["__name__"] = "report_text_before"
    exec(compile(source, f"{ref}:report_text.py", "exec"), module.__dict__)
    return module.report_from_dicom


def _measure(read: Callable[[bytes], object], path: Path) -> dict[str, object]:
    """Read ``path`` in a forked child; its peak RSS growth, seconds and outcome."""
    pipe_r, pipe_w = os.pipe()
    if os.fork() == 0:
        data = path.read_bytes()
        before, start = _peak_mb(), time.perf_counter()
        try:
            text = read(data)
            outcome = "None" if text is None else f"text, {len(text):,} chars"
        except Exception as exc:  # the refusal: its code
            outcome = f"refused: {getattr(exc, 'code', type(exc).__name__)}"
        answer = {"growth_mb": round(_peak_mb() - before, 1), "s": round(time.perf_counter() - start, 2),
                  "outcome": outcome}
        os.write(pipe_w, json.dumps(answer).encode())
        os._exit(0)
    os.close(pipe_w)
    with os.fdopen(pipe_r) as answer:
        raw = answer.read()
    _, status = os.wait()
    return json.loads(raw) if raw else {"growth_mb": None, "s": None, "outcome": f"crashed (status {status})"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.report_bombs", description=__doc__.split("\n")[0])
    parser.add_argument("--mib", type=int, nargs="+", default=[512, 1024], help="inflated TextValue sizes")
    parser.add_argument("--before", default="0d6dabd", help="git ref of the code without the bounds")
    args = parser.parse_args(argv)
    print(header("Report objects from the PACS: decompression bombs", ["bench.report_bombs", *(argv or sys.argv[1:])]))

    from medrag_core.pacs import report_from_dicom
    from tests.fixtures.report_bombs import (
        deflated_document_bomb,
        deflated_sr,
        deflated_sr_bomb,
        encapsulated_document,
    )

    readers = {"before": _old_reader(args.before), "after": report_from_dicom}
    honest = deflated_sr("Small left pleural effusion. Heart size is normal.", "Small left pleural effusion.")
    for read in readers.values():
        read(honest)  # pydicom and its dictionaries loaded before any child is forked
    cases = {"honest deflated SR": honest}
    for mib in args.mib:
        cases[f"deflated SR, {mib} MiB TextValue"] = deflated_sr_bomb(mib << 20)
    cases[f"deflated text document, {args.mib[0]} MiB"] = deflated_document_bomb(args.mib[0] << 20)
    cases["uncompressed text document, 60 MB"] = encapsulated_document(b"A" * 60_000_000)

    print("| report object | file | code | outcome | peak RSS growth | time |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        for name, data in cases.items():
            path = Path(folder) / "object.dcm"
            path.write_bytes(data)
            size = f"{len(data) / 1e6:.2f} MB" if len(data) >= 100_000 else f"{len(data) / 1e3:.1f} kB"
            for which, read in readers.items():
                m = _measure(read, path)
                print(f"| {name} | {size} | {which} | {m['outcome']} | {m['growth_mb']} MB | {m['s']} s |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
