"""Subcommands of ``python -m medrag_core``: each takes parsed arguments and an output stream.

The CLI dispatcher (``__main__``) stays thin; library errors (``MedragError``) propagate to it
except where a command handles them per record, as ``check_reports`` does per input line.
"""

from __future__ import annotations

import json
import os
import re
import stat
import sys
from collections.abc import Callable, Iterator
from typing import Any, TextIO

from medrag_core.errors import ImageDecodeError, InputError, MedragError, ReportError, over_upload_limit
from medrag_core.reports import MAX_REPORT_CHARS, ParsedReport, parse_report, parse_sections, read_report, run_checks

__all__ = ["MAX_JSON_DEPTH", "MAX_LINE_CHARS", "check_reports", "json_depth", "parse_record", "read_limited"]


def parse_record(record: dict[str, Any]) -> ParsedReport:
    """A JSONL record with ``report`` (free text) or ``findings``/``impression`` (+ ``indication``,
    ``comparison``, ``technique``) parsed into a ``ParsedReport``; ``ValueError`` or ``ReportError``
    for an unusable record."""
    if isinstance(record.get("report"), str):
        return parse_report(read_report(record["report"]))
    fields = ("findings", "impression", "indication", "comparison", "technique")
    if "findings" not in record and "impression" not in record:
        raise ValueError("the line needs a 'report' field or 'findings' and 'impression' fields")
    values: dict[str, str | None] = {}
    for name in fields:
        value = record.get(name)
        if value is not None and not isinstance(value, str):
            raise ValueError(f"'{name}' must be a string")
        values[name] = value
    total = sum(len(v) for v in values.values() if v)
    if total == 0:
        raise ValueError("the report is empty: 'findings' and 'impression' are both empty")
    if total > MAX_REPORT_CHARS:
        raise ValueError(f"the report is {total:,} characters long, more than the {MAX_REPORT_CHARS:,} allowed")
    return parse_sections(values["findings"], values["impression"], indication=values["indication"],
                          comparison=values["comparison"], technique=values["technique"])


MAX_LINE_CHARS = 1_000_000
"""Longest ``check-reports`` input line read; longer lines are skipped unread with an error row (a
20,000-character report is at most 120,000 characters of JSON even with every character escaped)."""
MAX_JSON_DEPTH = 32
"""Deepest nesting of arrays and objects accepted in one input line (records are flat objects)."""
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_JSON_BRACKET = re.compile(r"[\[\]{}]")


def json_depth(text: str) -> int:
    """Deepest nesting of arrays/objects in JSON text, counted outside strings without parsing it."""
    depth = deepest = 0
    for bracket in _JSON_BRACKET.findall(_JSON_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _lines(stream: TextIO) -> Iterator[tuple[int, str | None]]:
    """(line number, text) per input line; text is ``None`` for a line over ``MAX_LINE_CHARS``, whose
    rest is read and dropped in bounded pieces (never held whole)."""
    lineno = 0
    while True:
        line = stream.readline(MAX_LINE_CHARS + 1)
        if not line:
            return
        lineno += 1
        if len(line) > MAX_LINE_CHARS and not line.endswith("\n"):
            while (rest := stream.readline(1 << 16)) and not rest.endswith("\n"):
                pass
            yield lineno, None
            continue
        yield lineno, line


def _record_id(record: dict[str, Any], default: str) -> Any:
    rid = record.get("id", default)
    if isinstance(rid, bool) or not isinstance(rid, str | int | float | None):
        raise ValueError("'id' must be a string or a number")
    if isinstance(rid, str) and len(rid) > 200:
        raise ValueError("'id' is longer than 200 characters")
    return rid


def check_reports(input_path: str, out: TextIO) -> int:
    """Run the offline checks over a JSONL file ('-' = stdin) and write one JSON line per input line.

    Output: ``{"id": ..., "issues": [{kind, severity, message, evidence, suggestion}, ...]}``, or
    ``{"id": ..., "error": "..."}`` for a line that is not valid JSON, is longer than
    ``MAX_LINE_CHARS``, nests deeper than ``MAX_JSON_DEPTH``, lacks the report fields or holds an
    unusable report (``id`` is null or ``"line N"`` when the line has none or an unusable one).
    Blank lines are skipped; a bad line never stops the lines after it.
    Returns 0 when every line was checked, 1 when some lines had errors.
    """
    stream = sys.stdin if input_path == "-" else open(input_path, encoding="utf-8", errors="replace")
    failures = 0
    try:
        for lineno, line in _lines(stream):
            if line is not None and not line.strip():
                continue
            rid: Any = f"line {lineno}"
            try:
                if line is None:
                    raise ValueError(f"the line is longer than {MAX_LINE_CHARS:,} characters; it was not read")
                if json_depth(line) > MAX_JSON_DEPTH:
                    raise ValueError(f"the JSON is nested more than {MAX_JSON_DEPTH} levels deep")
                record = json.loads(line)
                if not isinstance(record, dict):
                    raise ValueError("the line is not a JSON object")
                rid = _record_id(record, rid)
                issues = run_checks(parse_record(record))
                row: dict[str, Any] = {
                    "id": rid,
                    "issues": [i.model_dump(include={"kind", "severity", "message", "evidence", "suggestion"})
                               for i in issues],
                }
            except json.JSONDecodeError as exc:
                failures += 1
                row = {"id": rid, "error": f"invalid JSON: {exc.msg} at column {exc.colno}"}
            except MedragError as exc:
                failures += 1
                row = {"id": rid, "error": exc.user_message}
            except (ValueError, RecursionError) as exc:
                failures += 1
                row = {"id": rid, "error": str(exc) if isinstance(exc, ValueError) else "the JSON is nested too deeply"}
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    finally:
        if stream is not sys.stdin:
            stream.close()
    return 1 if failures else 0


# --- verify ---------------------------------------------------------------------------------------
# ``verify_command(image, report_file, *, as_json, out) -> int`` (python -m medrag_core verify) is
# added here by the workflow work; keep it beside check_reports.


def verify_command(image_path: str | None, report_path: str, *, as_json: bool, out: TextIO,
                   history: bool = True) -> int:
    """``python -m medrag_core verify``: verify one report file against one image file (or, when
    ``image_path`` is None, the report on its own: checks and similar cases by text).

    Builds ``Settings`` from the environment (and ``.streamlit/secrets.toml``), runs
    ``workflow.verify`` with the on-disk embedding cache (``data_dir/cache``), and writes either the
    whole ``VerificationResult`` as JSON (``as_json``) or a plain-text summary: verdict, issues, top
    matches, notices and stage timings. Text is printed as is (never rendered). Returns 0.
    An unreadable file raises ``InputError``; refused inputs raise their ``InputError`` (the
    dispatcher prints the message and exits 2).
    """
    from medrag_core.history import HistoryContext
    from medrag_core.services import build_cache
    from medrag_core.settings import Settings
    from medrag_core.workflow import verify

    settings = Settings.load()
    # sizes are checked before reading: from the file's size when it has one, else by reading at
    # most one byte past the limit (pipes, devices such as /dev/zero)
    image = None if image_path is None else read_limited(image_path, "image", settings.max_upload_bytes,
                                                        _image_too_big)
    max_chars = settings.max_report_chars
    report = read_limited(report_path, "report", 4 * max_chars + 3, lambda limit: _report_too_big(limit, max_chars))
    context = HistoryContext(who=_os_user(), entry_point="cli") if history else None
    result = verify(image, report, settings, cache=build_cache(settings), history=context)
    if as_json:
        out.write(result.model_dump_json(indent=2) + "\n")
        return 0
    _print_result(result, out)
    return 0


def read_limited(path: str, what: str, limit: int, too_big: Callable[[int], InputError]) -> bytes:
    """The bytes of ``path``, refused with ``too_big(limit)`` before reading when there are more than
    ``limit``; an unreadable path raises ``InputError`` (code ``unreadable``)."""
    try:
        info = os.stat(path)
        if stat.S_ISREG(info.st_mode) and info.st_size > limit:
            raise too_big(limit)
        with open(path, "rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise InputError(f"Cannot read the {what} file {path!r}: {exc.strerror or type(exc).__name__}.",
                         code="unreadable") from None
    if len(data) > limit:
        raise too_big(limit)
    return data


def _image_too_big(limit: int) -> InputError:
    return ImageDecodeError(
        over_upload_limit(limit) + " It was not read. Export the radiograph at its usual size and try again.",
        code="too_large",
    )


def _report_too_big(limit: int, max_chars: int) -> InputError:
    return ReportError(
        f"The report file is larger than {limit:,} bytes, so it holds more than the {max_chars:,} "
        "characters a report may have; it was not read. Check that it is the right file.",
        code="too_long",
    )


def _print_result(result: Any, out: TextIO) -> None:
    w = out.write
    w(f"Verdict: {result.verdict}\n")
    w(f"Verifier: {result.verifier}    Embedding model: {result.embed_model or '(none)'}\n")
    for notice in result.notices:
        w(f"Notice: {notice}\n")
    w(f"\nIssues ({len(result.issues)}):\n")
    for issue in result.issues:
        w(f"  [{issue.severity}] {issue.kind} ({issue.origin}): {issue.message}\n")
        if issue.evidence:
            w(f"      evidence: {issue.evidence}\n")
        if issue.case_ids:
            w(f"      cases: {', '.join(issue.case_ids)}\n")
    if not result.issues:
        w("  none\n")
    w(f"\nTop matches ({len(result.matches)}):\n")

    def num(value: float | None) -> str:
        return "-" if value is None else f"{value:.3f}"

    for m in result.matches:
        w(f"  {m.fused_rank:>2}. {m.case.case_id}  fused {m.fused_score:.4f}  image {num(m.image_score)}"
          f" (rank {m.image_rank or '-'})  text {num(m.text_score)} (rank {m.text_rank or '-'})"
          f"  fts {num(m.fts_score)}\n")
    if result.suggested_report.strip() != result.report.strip():
        w("\nSuggested report:\n")
        w(result.suggested_report.rstrip() + "\n")
    w("\nStage timings (ms):\n")
    for stage, ms in result.timings_ms.items():
        w(f"  {stage:<16} {ms:10.1f}\n")


def _os_user() -> str:
    """Who ran the CLI, for the history: the login name, else "local"."""
    import getpass

    try:
        return getpass.getuser() or "local"
    except (KeyError, OSError):
        return "local"
