"""Throughput and alarm rate of the offline report checks over the 3,955 IU X-ray reports.

usage: python -m bench.report_checks [NLMCXR_reports.tgz]   (default: ../shared/data/iu_reports/)

Prints reports per second on one core (parse + observations + all checks, XML reading excluded),
by wall clock and by this process's CPU time (the fair figure on a shared, loaded machine),
and, per issue kind, how many of these real, mostly clean reports it fires on at any severity and at
warning/error (the share "flagged").
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from etl import read_openi_reports
from medrag_core.reports import parse_sections, run_checks

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "data" / "iu_reports" / "NLMCXR_reports.tgz"
SCORED = {"missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"}


def iter_openi(path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """(uid, {findings, impression, indication, comparison}) for each Open-i XML report in the archive,
    read with the ETL's own reader."""
    for report in read_openi_reports(path):
        yield report.uid, report.sections


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else DEFAULT
    if not path.exists():
        print(f"not found: {path}", file=sys.stderr)
        return 2
    reports = list(iter_openi(path))
    kinds: Counter[str] = Counter()
    raised: Counter[str] = Counter()
    flagged = flagged_scored = 0
    start, cpu_start = time.perf_counter(), time.process_time()
    for _, f in reports:
        parsed = parse_sections(
            f.get("findings", ""),
            f.get("impression", ""),
            indication=f.get("indication"),
            comparison=f.get("comparison"),
        )
        issues = run_checks(parsed)
        fired = {i.kind for i in issues if i.severity in ("warning", "error")}
        kinds.update({i.kind for i in issues})
        raised.update(fired)
        flagged += bool(fired)
        flagged_scored += bool(fired & SCORED)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    n = len(reports)
    # CPU seconds of this one process: on a shared machine, wall time counts other people's work too
    print(f"reports: {n}  seconds: {elapsed:.2f}  reports/s: {n / elapsed:.0f}  "
          f"cpu seconds: {cpu:.2f}  reports per cpu-second: {n / cpu:.0f}")
    print(f"flagged (any issue at warning/error): {flagged / n:.3f} ({flagged}/{n})")
    print(f"  of the five scored kinds: {flagged_scored / n:.3f} ({flagged_scored}/{n})")
    print(f"  {'kind':28s} {'any':>5s} {'warning/error':>14s}")
    for kind, count in sorted(kinds.items()):
        print(f"  {kind:28s} {count:5d} {raised[kind]:14d}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
