"""The workbench's exceptions: one base class, one subclass per family of failure.

Every error carries a stable ``code`` (for tests, logs and API responses) and a ``user_message``
in plain words that says what went wrong and what to do next. Pages and CLIs catch
``MedragError`` and show ``user_message``; anything else propagates with its traceback.

Messages never contain secrets, DSN passwords, report text or DICOM header values.
"""

from __future__ import annotations


class MedragError(Exception):
    """Base class of every error the workbench raises on purpose."""

    code: str = "error"

    def __init__(self, user_message: str, *, code: str | None = None) -> None:
        super().__init__(user_message)
        self.user_message = user_message
        if code is not None:
            self.code = code


class ConfigError(MedragError):
    """A setting is missing or invalid."""

    code = "config"


class MissingDependency(MedragError, ImportError):
    """An optional package is needed for this feature; the message names what to install."""

    code = "missing_dependency"

    def __init__(self, package: str, feature: str) -> None:
        super().__init__(
            f"{feature} needs the Python package '{package}'. Install it with: pip install {package}",
        )
        self.package = package


class InputError(MedragError):
    """A user-supplied input (image or report) was refused; ``code`` says why."""

    code = "bad_input"


def over_upload_limit(limit_bytes: int, *, what: str = "image file", size_bytes: int | None = None) -> str:
    """The one sentence every door (the app, the API, the CLI, PACS retrieval) says when an upload is over
    ``MEDRAG_MAX_UPLOAD_BYTES``, naming the setting so that whoever deploys knows what to raise."""
    limit = f"the {_file_size(limit_bytes)} upload limit (MEDRAG_MAX_UPLOAD_BYTES)"
    if size_bytes is None:
        return f"The {what} is larger than {limit}."
    return f"The {what} is {_file_size(size_bytes)}, more than {limit}."


def _file_size(n_bytes: int) -> str:
    if n_bytes >= 2**20:
        return f"{round(n_bytes / 2**20, 1):g} MB"
    return f"{round(n_bytes / 2**10, 1):g} KB"


class ImageDecodeError(InputError):
    """The upload is not an image the workbench can read, or not a plausible radiograph.

    ``code`` is one of: empty, not_an_image, truncated, too_large, animated, too_small,
    aspect_ratio, multi_frame, no_pixel_data, not_a_radiograph, corrupt, unsupported_compression.
    """

    code = "corrupt"


class UnsupportedImage(ImageDecodeError):
    """No decoder accepts these bytes (wrong file type)."""

    code = "not_an_image"


class ReportError(InputError):
    """The report text was refused. ``code``: empty, too_long, nul_byte, not_text."""

    code = "empty"


class ReportObjectError(InputError):
    """A report object from the PACS (DICOM SR or encapsulated document) was refused unread.

    ``code``: too_large (it inflates, or its text runs, past the bounds of ``pacs.report_text``),
    corrupt (its deflated data is damaged or cut short).
    """

    code = "too_large"


class StoreError(MedragError):
    """The case store failed."""

    code = "store"


class StoreUnavailable(StoreError):
    """The database cannot be reached or started."""

    code = "store_unavailable"


class DimensionMismatch(StoreError):
    """Vectors of a different size than the store holds."""

    code = "dimension_mismatch"


class ModelMismatch(StoreError):
    """Vectors from a different embedding model than the store holds: never mixed."""

    code = "model_mismatch"


class EmbedderError(MedragError):
    """The embedding model could not be loaded or run."""

    code = "embedder"


class VerifierError(MedragError):
    """An LLM verifier failed (network, timeout, invalid answer)."""

    code = "verifier"


class SourceError(MedragError):
    """A data source for ingest is invalid or unreachable."""

    code = "source"


class PacsError(MedragError):
    """The PACS (DICOMweb) refused a request or answered something unusable; ``code`` says which."""

    code = "pacs"


class PacsUnavailable(PacsError):
    """The PACS cannot be reached (connection refused, timeout, DNS), or no PACS is configured."""

    code = "pacs_unavailable"


class PacsAuthError(PacsError):
    """The PACS refused the credentials (HTTP 401 or 403)."""

    code = "pacs_auth"
