"""MedRAG workbench core: decode, embed, retrieve, check and verify chest X-ray reports.

No Streamlit here: pages, ``etl`` and ``bench`` import from this package, never the reverse.
"""

from medrag_core import errors
from medrag_core.models import Case, Issue, Match, VerificationResult
from medrag_core.settings import Settings
from medrag_core.workflow import verify

__all__ = ["Case", "Issue", "Match", "Settings", "VerificationResult", "errors", "verify"]
