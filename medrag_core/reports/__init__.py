"""Report text in: reading, sections, finding mentions, the vocabulary, and the offline checks."""

from medrag_core.reports.checks import KINDS, check_report, run_checks
from medrag_core.reports.compare import compare_cases
from medrag_core.reports.mentions import DEVICE_NAMES, Observation, strongest_polarity
from medrag_core.reports.parse import (
    MAX_REPORT_CHARS,
    ParsedReport,
    observation_labels,
    parse_report,
    parse_sections,
    read_report,
)
from medrag_core.reports.sections import section_for_header
from medrag_core.reports.sentences import split_sentences
from medrag_core.reports.vocabulary import FILTER_LABELS, NO_FINDING_LABEL, findings_checked_by

__all__ = [
    "DEVICE_NAMES",
    "FILTER_LABELS",
    "KINDS",
    "MAX_REPORT_CHARS",
    "NO_FINDING_LABEL",
    "Observation",
    "ParsedReport",
    "check_report",
    "compare_cases",
    "findings_checked_by",
    "observation_labels",
    "parse_report",
    "parse_sections",
    "read_report",
    "run_checks",
    "section_for_header",
    "split_sentences",
    "strongest_polarity",
]
