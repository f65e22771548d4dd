"""Which observations differ between two cases' reports, for the side-by-side compare view.

Each report is parsed with ``reports.parse_report``; per observation name (CheXpert names plus
nodule, mass, devices, ...) a report's state is "present" if stated present anywhere, else
"uncertain", else "absent", or "not mentioned". Two cases differ on an observation when the states
differ, or when both state it present on different sides.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from medrag_core.models import Case
from medrag_core.reports.mentions import Observation, strongest_polarity
from medrag_core.reports.vocabulary import FILTER_LABELS, FINDINGS, NO_FINDING_LABEL

NOT_MENTIONED = "not mentioned"

_STATE_ORDER = {"present": 0, "uncertain": 1, "absent": 2, NOT_MENTIONED: 3}


@dataclass(frozen=True)
class ObservationState:
    """One report's view of one observation: state, sides stated present, and a quoted sentence."""

    state: str = NOT_MENTIONED
    sides: tuple[str, ...] = ()
    evidence: str = ""

    def describe(self) -> str:
        return f"{self.state} ({', '.join(self.sides)})" if self.sides and self.state == "present" else self.state


@dataclass(frozen=True)
class ObservationRow:
    name: str
    a: ObservationState
    b: ObservationState

    @property
    def differs(self) -> bool:
        if self.a.state != self.b.state:
            return True
        return self.a.state == "present" and bool(self.a.sides) and bool(self.b.sides) and self.a.sides != self.b.sides


@dataclass(frozen=True)
class CaseComparison:
    """All observations mentioned by either case, differing ones first (then by name)."""

    a: Case
    b: Case
    rows: tuple[ObservationRow, ...]

    @property
    def differences(self) -> tuple[ObservationRow, ...]:
        return tuple(r for r in self.rows if r.differs)

    @property
    def shared(self) -> tuple[ObservationRow, ...]:
        return tuple(r for r in self.rows if not r.differs)


def observation_states(report_text: str) -> dict[str, ObservationState]:
    """Per observation name, the state of one report (see the module docstring)."""
    from medrag_core.reports.parse import parse_report

    if not report_text.strip():
        return {}
    return _states(parse_report(report_text).observations)


def _states(observations: Iterable[Observation]) -> dict[str, ObservationState]:
    polarities: dict[str, set[str]] = {}
    sides: dict[str, set[str]] = {}
    evidence: dict[str, dict[str, str]] = {}
    for obs in observations:
        polarities.setdefault(obs.name, set()).add(obs.polarity)
        evidence.setdefault(obs.name, {}).setdefault(obs.polarity, (obs.text or "").strip())
        if obs.polarity == "present" and obs.laterality:
            side = obs.laterality
            sides.setdefault(obs.name, set()).update(("left", "right") if side == "bilateral" else (side,))
    out = {}
    for name, pols in polarities.items():
        state = strongest_polarity(pols)
        out[name] = ObservationState(state, tuple(sorted(sides.get(name, ()))), evidence[name].get(state, ""))
    return out


#: The findings a normal report rules out ("No active disease." says nothing about a pacemaker or a line).
_RULED_OUT_BY_NORMAL = frozenset(name for name in FILTER_LABELS if name in FINDINGS
                                 and FINDINGS[name].significance not in ("device", "normal"))


def _unmentioned(report_text: str) -> ObservationState:
    """What a report says of an observation it does not name: absent when the whole report is normal
    ("No active disease.", "No acute cardiopulmonary process."), else not mentioned."""
    from medrag_core.reports.parse import observation_labels, parse_report

    if report_text.strip() and NO_FINDING_LABEL in observation_labels(parse_report(report_text)):
        return ObservationState("absent", (), "(a normal report)")
    return ObservationState()


def compare_cases(a: Case, b: Case) -> CaseComparison:
    """Compare the observations of two cases' reports (findings and impression). An observation one
    report does not name is absent when that report is normal overall, else not mentioned."""
    states_a, states_b = observation_states(a.report_text), observation_states(b.report_text)
    default_a, default_b = _unmentioned(a.report_text), _unmentioned(b.report_text)

    def state(states: dict[str, ObservationState], default: ObservationState, name: str) -> ObservationState:
        return states.get(name) or (default if name in _RULED_OUT_BY_NORMAL else ObservationState())

    rows = [
        ObservationRow(name, state(states_a, default_a, name), state(states_b, default_b, name))
        for name in set(states_a) | set(states_b)
    ]
    rows.sort(key=lambda r: (not r.differs, min(_STATE_ORDER[r.a.state], _STATE_ORDER[r.b.state]), r.name))
    return CaseComparison(a, b, tuple(rows))
