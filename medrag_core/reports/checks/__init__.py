"""Offline report checks: a parsed report in, issues out. No model, no network."""

from medrag_core.reports.checks.run import KINDS, check_report, run_checks

__all__ = ["KINDS", "check_report", "run_checks"]
