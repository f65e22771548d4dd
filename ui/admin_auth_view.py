"""Sign-in for the Dataset Admin page: OIDC (``st.login``) when configured, else the admin password.

With neither, the page explains how to enable one and shows nothing else.
"""

from __future__ import annotations

import streamlit as st

from medrag_core.auth import (
    ENABLE_HELP,
    OIDC_NO_ALLOWLIST_HELP,
    LoginThrottle,
    check_password,
    oidc_admin_decision,
    password_configured,
)
from medrag_core.render import escape_markdown

_SESSION_KEY = "admin_authenticated"
_THROTTLE_KEY = "admin_login_throttle"


def _throttle() -> LoginThrottle:
    throttle = st.session_state.get(_THROTTLE_KEY)
    if not isinstance(throttle, LoginThrottle):
        throttle = LoginThrottle()
        st.session_state[_THROTTLE_KEY] = throttle
    return throttle


def oidc_configured() -> bool:
    """Whether ``.streamlit/secrets.toml`` has an ``[auth]`` section that ``st.login`` can use."""
    try:
        auth = st.secrets.get("auth")
    except Exception:
        return False
    return bool(auth) and bool(auth.get("client_id") or any(isinstance(v, dict) for v in auth.values()))


def require_admin(settings) -> bool:
    """Render the sign-in step; True once this session is signed in as admin."""
    if oidc_configured():
        if not getattr(settings, "admin_emails", None):  # any account the provider knows is not an admin
            st.error(OIDC_NO_ALLOWLIST_HELP)
            return False
        if getattr(st.user, "is_logged_in", False):
            email = st.user.get("email")
            allowed, why = oidc_admin_decision(email, getattr(settings, "admin_emails", []))
            who = escape_markdown(str(email or st.user.get("name") or "an unnamed account"))
            st.caption(f"Signed in as {who}.")
            if st.button("Log out", key="admin_logout"):
                st.logout()
            if not allowed:
                st.error(why)
            return allowed
        st.info("Sign in to manage the dataset.")
        if st.button("Log in", key="admin_login", type="primary"):
            st.login()
        return False
    if not password_configured(settings.admin_password):
        st.warning(ENABLE_HELP)
        return False
    if st.session_state.get(_SESSION_KEY):
        if st.button("Lock", key="admin_lock"):
            st.session_state[_SESSION_KEY] = False
            st.rerun()
        return True
    with st.form("admin_login_form"):
        supplied = st.text_input("Admin password", type="password", key="admin_password")
        submitted = st.form_submit_button("Unlock", key="admin_unlock")
    if submitted:
        throttle = _throttle()
        wait = throttle.wait_s()
        if wait > 0:  # not even checked while blocked
            st.error(_blocked_message(throttle, wait))
        elif check_password(supplied, settings.admin_password):
            throttle.record_success()
            st.session_state[_SESSION_KEY] = True
            st.rerun()
        else:
            wait = throttle.record_failure()
            st.error("Wrong password." + (f" {_blocked_message(throttle, wait)}" if wait > 0 else ""))
    return False


def _blocked_message(throttle: LoginThrottle, wait: float) -> str:
    if throttle.locked_out:
        return f"Too many wrong passwords: sign-in is locked for {wait:.0f} s."
    return f"Wait {wait:.0f} s before trying again."
