"""Password check for the Dataset Admin page (the OIDC path, ``st.login``, is handled page-side).

The password comes from ``MEDRAG_ADMIN_PASSWORD`` (env or secrets.toml) through ``Settings``.
Comparison is constant-time over SHA-256 digests, so neither the content nor the length of the
configured password leaks through timing.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from pydantic import SecretStr

log = logging.getLogger(__name__)
_monotonic = time.monotonic  # the clock of throttles made without ``now``; tests patch this name only

ENABLE_HELP = (
    "The Dataset Admin page is locked because no way to sign in is configured. Either set "
    "MEDRAG_ADMIN_PASSWORD (environment variable, or MEDRAG_ADMIN_PASSWORD = \"...\" in "
    ".streamlit/secrets.toml) and restart the app, or configure Streamlit's OpenID Connect login with an "
    "[auth] section in .streamlit/secrets.toml (redirect_uri, cookie_secret, client_id, client_secret, "
    "server_metadata_url; see https://docs.streamlit.io/develop/concepts/connections/authentication). "
    "Ingest also works without the app: .venv/bin/python -m etl ingest SOURCE."
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


# ---- OIDC: who counts as admin

OIDC_NO_ALLOWLIST_HELP = (
    "Sign-in works, but no account is allowed on the Dataset Admin page yet: set MEDRAG_ADMIN_EMAILS "
    "(comma-separated e-mail addresses; environment variable or .streamlit/secrets.toml) and restart the app."
)
OIDC_NOT_ALLOWED_HELP = (
    "This account is not allowed to manage the dataset. Ask an administrator to add its e-mail address "
    "to MEDRAG_ADMIN_EMAILS, or log out and sign in with another account."
)


def oidc_admin_decision(email: str | None, allowed: Sequence[str] | None) -> tuple[bool, str]:
    """Whether an OIDC-signed-in user with ``email`` is admin, and why not (a message) when not.

    Only addresses in ``allowed`` (``settings.admin_emails``) count, compared case-insensitively
    and ignoring surrounding spaces. With no allowlist nobody is admin: being able to sign in with
    the identity provider is not the same as being allowed to change the archive.
    """
    wanted = {a.strip().casefold() for a in (allowed or ()) if a and a.strip()}
    if not wanted:
        return False, OIDC_NO_ALLOWLIST_HELP
    given = (email or "").strip().casefold()
    if given and given in wanted:
        return True, ""
    return False, OIDC_NOT_ALLOWED_HELP


# ---- Password: brute-force protection


@dataclass
class LoginThrottle:
    """Failed password attempts of one session, with a growing wait and a lockout.

    The first ``free_failures`` failures cost nothing; each later one doubles the wait before the
    next attempt is even checked (``base_delay_s * 2**(n - free_failures)``, capped at
    ``max_delay_s``). From ``lockout_after`` failures on the wait is ``lockout_s``. A success resets
    the count. ``now`` is injectable for tests.
    """

    free_failures: int = 2
    base_delay_s: float = 2.0
    max_delay_s: float = 60.0
    lockout_after: int = 5
    lockout_s: float = 300.0
    failures: int = 0
    blocked_until: float = 0.0
    now: Callable[[], float] | None = field(default=None, repr=False)

    def _now(self) -> float:
        return (self.now or _monotonic)()

    def wait_s(self) -> float:
        """Seconds until the next attempt may be checked (0 when it may be now)."""
        return max(0.0, self.blocked_until - self._now())

    @property
    def locked_out(self) -> bool:
        return self.failures >= self.lockout_after and self.wait_s() > 0

    def record_failure(self) -> float:
        """Count a failed attempt; returns the wait it imposes (seconds). Logs it, never the value tried."""
        self.failures += 1
        if self.failures >= self.lockout_after:
            delay = self.lockout_s
        elif self.failures > self.free_failures:
            delay = min(self.max_delay_s, self.base_delay_s * 2 ** (self.failures - self.free_failures - 1))
        else:
            delay = 0.0
        self.blocked_until = self._now() + delay
        log.warning("admin sign-in: wrong password (failure %d in this session; next try in %.0f s)",
                    self.failures, delay)
        return delay

    def record_success(self) -> None:
        self.failures = 0
        self.blocked_until = 0.0
