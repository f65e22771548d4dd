"""MedRAG workbench core: decode, embed, retrieve, check and verify chest X-ray reports.

No Streamlit here: pages, ``etl`` and ``bench`` import from this package, never the reverse.
"""

from . import errors
from .models import Case, Issue, Match, VerificationResult
from .settings import Settings
from .workflow import verify

__all__ = ["Case", "Issue", "Match", "Settings", "VerificationResult", "errors", "verify"]
