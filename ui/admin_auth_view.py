"""Sign-in for the Dataset Admin page: OIDC (``st.login``) when configured, else the admin password.

With neither, the page explains how to enable one and shows nothing else.
"""

from __future__ import annotations

import streamlit as st

from medrag_core.admin_auth import ENABLE_HELP, check_password, password_configured

_SESSION_KEY = "admin_authenticated"


def oidc_configured() -> bool:
    """Whether ``.streamlit/secrets.toml`` has an ``[auth]`` section that ``st.login`` can use."""
    try:
        auth = st.secrets.get("auth")
    except Exception:  # noqa: BLE001 - no or unreadable secrets.toml means: not configured
        return False
    return bool(auth) and bool(auth.get("client_id") or any(isinstance(v, dict) for v in auth.values()))


def require_admin(settings) -> bool:  # noqa: ANN001
    """Render the sign-in step; True once this session is signed in as admin."""
    if oidc_configured():
        if getattr(st.user, "is_logged_in", False):
            st.caption(f"Signed in as {st.user.get('email') or st.user.get('name') or 'admin'}.")
            if st.button("Log out", key="admin_logout"):
                st.logout()
            return True
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
        if check_password(supplied, settings.admin_password):
            st.session_state[_SESSION_KEY] = True
            st.rerun()
        else:
            st.error("Wrong password.")
    return False
