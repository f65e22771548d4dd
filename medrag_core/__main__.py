"""CLI: ``python -m medrag_core check-reports IN.jsonl`` and ``python -m medrag_core verify``.

Thin: parses arguments and calls one function per subcommand; ``MedragError`` becomes a message on
stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import sys

from medrag_core.errors import MedragError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m medrag_core", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    checks = sub.add_parser("check-reports", help="Run the offline report checks over a JSONL file.")
    checks.add_argument("input", help="JSONL: one {id, report} or {id, findings, impression} per line ('-' = stdin)")

    verify = sub.add_parser("verify", help="Verify one report against its image (optional) and similar cases.")
    verify.add_argument("--image", help="PNG, JPEG or DICOM file (optional: without it the report is checked "
                                        "on its own, similar cases by text)")
    verify.add_argument("--report-file", "--report", dest="report_file", required=True,
                        help="Report text file (UTF-8 or Latin-1)")
    verify.add_argument("--json", action="store_true", help="Print the full result as JSON")
    verify.add_argument("--no-history", action="store_true", help="Do not record this verification in the history")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "check-reports":
            from medrag_core.cli import check_reports

            return check_reports(args.input, out=sys.stdout)
        from medrag_core.cli import verify_command

        return verify_command(args.image, args.report_file, as_json=args.json, out=sys.stdout,
                              history=not args.no_history)
    except MedragError as exc:
        print(f"error: {exc.user_message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
