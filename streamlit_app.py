"""The Guidance Assistant: a thin router over the pages in app_pages/ (run: streamlit run ...)."""

from __future__ import annotations

import logging

import streamlit as st

from app_pages import state
from app_pages.access import current_identity, oidc_enabled, show_account, show_sign_in
from app_pages.services import load_settings
from assistant.errors import GuidanceError

log = logging.getLogger("guidance_assistant")

st.set_page_config(page_title="Guidance Assistant", page_icon=":material/menu_book:",
                   layout="wide")
st.html("<style>blockquote { opacity: 1 !important; }</style>")  # quoted guidance at full contrast
state.init_state()
try:
    settings = load_settings()
except GuidanceError as exc:
    st.error(f"The Guidance Assistant could not start. {exc}", icon=":material/error:")
    st.stop()
except Exception:
    log.exception("Start-up failed")
    st.error("The Guidance Assistant could not start because of an unexpected problem. It has "
             "been logged: ask whoever runs this app to check the server log.")
    st.stop()

identity = current_identity(settings)
if identity is None:
    st.navigation([st.Page(show_sign_in, title="Sign in", icon=":material/login:")]).run()
    st.stop()

pages = [st.Page("app_pages/ask.py", title="Ask", icon=":material/chat:", default=True),
         st.Page("app_pages/draft.py", title="Draft a letter", icon=":material/edit_document:"),
         st.Page("app_pages/consult.py", title="Consult", icon=":material/forum:"),
         st.Page("app_pages/help.py", title="Help", icon=":material/help:")]
if identity.is_admin or not oidc_enabled():  # local mode: Admin asks for the password
    pages.insert(-1, st.Page("app_pages/admin.py", title="Admin", icon=":material/settings:"))
page = st.navigation(pages)
show_account(identity)
try:
    page.run()
except GuidanceError as exc:
    st.error(str(exc), icon=":material/error:")
except Exception:
    log.exception("Page %s failed", page.title)
    st.error("Something went wrong on this page. It has been logged; try again, and tell "
             "whoever runs this app if it keeps happening.", icon=":material/error:")
