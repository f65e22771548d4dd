"""Password check for the Dataset Admin page (the OIDC path, ``st.login``, is handled page-side).

The password comes from ``MEDRAG_ADMIN_PASSWORD`` (env or secrets.toml) through ``Settings``.
Comparison is constant-time over SHA-256 digests, so neither the content nor the length of the
configured password leaks through timing.
"""

from __future__ import annotations

import hashlib
import hmac

from pydantic import SecretStr

ENABLE_HELP = (
    "The Dataset Admin page is locked because no way to sign in is configured. Either set "
    "MEDRAG_ADMIN_PASSWORD (environment variable, or MEDRAG_ADMIN_PASSWORD = \"...\" in "
    ".streamlit/secrets.toml) and restart the app, or configure Streamlit's OpenID Connect login with an "
    "[auth] section in .streamlit/secrets.toml (redirect_uri, cookie_secret, client_id, client_secret, "
    "server_metadata_url; see https://docs.streamlit.io/develop/concepts/connections/authentication). "
    "Ingest also works without the app: python -m etl ingest SOURCE."
)


def password_configured(expected: SecretStr | str | None) -> bool:
    """True when an admin password is set (a blank one counts as not set)."""
    if expected is None:
        return False
    value = expected.get_secret_value() if isinstance(expected, SecretStr) else expected
    return bool(value.strip())


def check_password(supplied: str | None, expected: SecretStr | str | None) -> bool:
    """Whether ``supplied`` equals the configured password, compared in constant time.

    Always False when no password is configured or nothing was supplied.
    """
    if not password_configured(expected) or not supplied:
        return False
    value = expected.get_secret_value() if isinstance(expected, SecretStr) else str(expected)
    given = hashlib.sha256(supplied.encode("utf-8")).digest()
    wanted = hashlib.sha256(value.encode("utf-8")).digest()
    return hmac.compare_digest(given, wanted)
