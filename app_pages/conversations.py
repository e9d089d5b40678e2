"""The Ask page's sidebar: past conversations, new, rename, delete and export."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import streamlit as st

from app_pages import state
from app_pages.services import AppServices
from app_pages.sources import escape_markdown
from assistant.access import LOCAL_USER_ID, Identity
from assistant.conversations import Conversation
from assistant.exporting import (
    conversation_to_docx,
    conversation_to_markdown,
    export_file_name,
)

LISTED = 30
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def show_conversations_sidebar(app: AppServices, identity: Identity) -> None:
    """New conversation, the list of past ones, and tools for the open one."""
    sidebar = st.sidebar
    sidebar.subheader("Conversations")
    current = st.session_state.get(state.CONVERSATION)
    # a callback, so the page below is drawn already without the old conversation
    sidebar.button("New conversation", icon=":material/add:", disabled=current is None,
                   on_click=_open, args=(None,))
    conversations = app.conversations.list_conversations(identity.user_id)
    if identity.user_id == LOCAL_USER_ID:
        sidebar.caption("Local mode has no sign-in: everyone who uses this app shares these "
                        "conversations. Ask your administrator for sign-in mode to keep them "
                        "per person.")
    elif not conversations:
        sidebar.caption("Your conversations will be listed here.")
    for conversation in conversations[:LISTED]:
        is_open = conversation.id == current
        # a title is the user's words (or a question): shown as typed, never as Markdown
        # the time it was last used tells apart conversations that start with the same question
        label = f"{escape_markdown(conversation.title)} · {when(conversation.updated_at)}"
        sidebar.button(label, key=f"ga_open_{conversation.id}",
                       type="primary" if is_open else "tertiary",
                       help="The open conversation" if is_open else "Open this conversation",
                       on_click=_open, args=(conversation.id,))
    open_one = next((c for c in conversations if c.id == current), None)
    if open_one is not None:
        with sidebar.expander("Manage this conversation"):
            _manage(app, identity, open_one)


def when(stamp: str) -> str:
    """'27 Nov 14:02' in UK time, from a stored UTC time ('' if it cannot be read)."""
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return ""
    try:
        moment = moment.astimezone(ZoneInfo("Europe/London"))
    except ZoneInfoNotFoundError:  # a machine without time zone data: UTC, said so
        return f"{moment:%d %b %H:%M} UTC"
    return f"{moment:%d %b %H:%M}"


def _open(conversation_id: str | None) -> None:
    st.session_state[state.CONVERSATION] = conversation_id
    st.session_state[state.CONFIRM_DELETE_CONVERSATION] = False


def _manage(app: AppServices, identity: Identity, conversation: Conversation) -> None:
    store = app.conversations
    with st.form("ga_rename_form", border=False):
        # keyed by conversation: another conversation's box never keeps this one's title
        title = st.text_input("New title", value=conversation.title,
                              key=state.rename_key(conversation.id))
        if st.form_submit_button("Rename"):
            if not title.strip():
                st.warning("Type a title first: a conversation cannot have an empty title.")
            else:
                store.rename(identity.user_id, conversation.id, title)
                st.rerun()
    messages = store.messages(identity.user_id, conversation.id)
    st.download_button("Export as Markdown", conversation_to_markdown(conversation.title,
                                                                      messages),
                       file_name=export_file_name(conversation.title, "md"),
                       mime="text/markdown", icon=":material/description:", on_click="ignore")
    st.download_button("Export as Word", lambda: conversation_to_docx(conversation.title,
                                                                      messages),
                       file_name=export_file_name(conversation.title, "docx"), mime=DOCX_MIME,
                       icon=":material/article:", on_click="ignore")
    if not st.session_state.get(state.CONFIRM_DELETE_CONVERSATION):
        if st.button("Delete conversation", icon=":material/delete:"):
            st.session_state[state.CONFIRM_DELETE_CONVERSATION] = True
            st.rerun()
        return
    st.warning("Delete this conversation for good? This cannot be undone.")
    yes, no = st.columns(2)
    if yes.button("Yes, delete", type="primary"):
        store.delete(identity.user_id, conversation.id)
        _open(None)
        state.notify("success", "The conversation was deleted.")
        st.rerun()
    if no.button("Cancel"):
        st.session_state[state.CONFIRM_DELETE_CONVERSATION] = False
        st.rerun()
