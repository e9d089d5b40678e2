"""Who is using the app (UI side of ``assistant.access``): sign-in, sign-out and the admin gate.

OIDC mode when Streamlit's ``[auth]`` secrets are configured (``st.user`` then carries
``is_logged_in``); otherwise local mode, where admin needs the admin password.
"""

from __future__ import annotations

import math

import streamlit as st

from app_pages import state
from assistant.access import (
    AttemptLimiter,
    Identity,
    admin_password_set,
    local_identity,
    oidc_identity,
)
from assistant.config import Settings


def oidc_enabled() -> bool:
    """Whether sign-in through an identity provider is configured."""
    return "is_logged_in" in st.user.to_dict()


def current_identity(settings: Settings) -> Identity | None:
    """The user of this session, with their role re-derived on every run; None if not signed in."""
    if oidc_enabled():
        return oidc_identity(st.user.to_dict(), settings)
    return local_identity(admin=st.session_state.get(state.ADMIN_UNLOCKED) is True
                          and admin_password_set(settings))


def show_sign_in() -> None:
    """The page a signed-out user sees in OIDC mode."""
    st.title("Guidance Assistant")
    st.write("Sign in with your work account to ask questions about departmental guidance.")
    if st.button("Sign in", type="primary"):
        st.login()


def show_account(identity: Identity) -> None:
    """The sidebar's account box: who you are, your role, and sign-out."""
    role = "administrator" if identity.is_admin else "caseworker"
    st.sidebar.caption(f"Signed in as **{identity.name}** ({role})")
    if identity.signed_in and st.sidebar.button("Sign out"):
        st.logout()
    elif not identity.signed_in and identity.is_admin and st.sidebar.button("Leave admin mode"):
        st.session_state[state.ADMIN_UNLOCKED] = False
        st.rerun()


# The process-wide limit on wrong admin passwords, shared by every browser session. A module
# object, not st.cache_resource: any browser can ask Streamlit to clear its resource caches.
ADMIN_ATTEMPTS = AttemptLimiter()


def _minutes(seconds: float) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def show_admin_sign_in(settings: Settings) -> None:
    """Local mode: the admin password form, or why admin is unavailable."""
    if oidc_enabled():
        st.error("You need an administrator account to open this page. Ask the guidance team "
                 "if you should have one.")
        return
    if not admin_password_set(settings):
        st.warning("Admin is disabled: no admin password is set. Set GA_ADMIN_PASSWORD (or "
                   "admin_password in .streamlit/secrets.toml) and restart the app.")
        return
    with st.form("ga_admin_sign_in", clear_on_submit=True):
        attempt = st.text_input("Admin password", type="password", key=state.ADMIN_PASSWORD)
        submitted = st.form_submit_button("Open admin", type="primary")
    if not submitted:
        return
    if not attempt:
        st.error("Type the admin password, then select Open admin.")
        return
    limiter = ADMIN_ATTEMPTS
    result = limiter.attempt(attempt, settings)
    if result is True:
        st.session_state[state.ADMIN_UNLOCKED] = True
        st.rerun()
    if result is None:
        st.error(f"Too many wrong admin passwords have been tried. Admin sign-in is paused for "
                 f"{_minutes(limiter.locked_for())}; try again then, or ask whoever runs this "
                 "app.")
    else:
        st.error("That password is not right. Try again, or ask whoever runs this app.")
