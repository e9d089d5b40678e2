"""Every session-state key the app uses, in one place, each prefixed ``ga_``.

Session state holds per-user UI state only. The admin flag (local mode) is never a widget key,
so a browser cannot set it by sending widget values.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from assistant.templates import MAX_VALUE_CHARS, FieldSpec

CONVERSATION = "ga_conversation_id"  # the open conversation, or None for a new one
ADMIN_UNLOCKED = "ga_admin_unlocked"  # local mode: the admin password was given this session
ADMIN_TAB = "ga_admin_tab"  # widget: the Admin page tab in use
FILTER_COLLECTIONS = "ga_filter_collections"  # widget: collections to search
FILTER_TYPES = "ga_filter_types"  # widget: document types to search
CONFIRM_DELETE_CONVERSATION = "ga_confirm_delete_conversation"
CONFIRM_DELETE_DOCUMENT = "ga_confirm_delete_document"  # doc_id awaiting confirmation
NOTICE = "ga_notice"  # (kind, text) shown once after a rerun
ASK_AGAIN = "ga_ask_again"  # a question left unanswered, to ask again (set by its button)
ADMIN_PASSWORD = "ga_admin_password"  # noqa: S105 - a widget key; the field clears on submit
DOC_SEARCH = "ga_doc_search"  # widget: admin documents table search
UPLOAD_COLLECTION = "ga_upload_collection"  # widget
UPLOAD_FILES = "ga_upload_files"  # widget
REPLACE_DOC = "ga_replace_doc"  # widget
REPLACE_FILE = "ga_replace_file"  # widget
DELETE_DOC = "ga_delete_doc"  # widget
REINDEX_TARGET = "ga_reindex_target"  # widget
UPLOAD_ROUND = "ga_upload_round"  # bumps to reset the file uploaders after indexing
LAST_RESULTS = "ga_last_results"  # (title, rows) of the last admin action, shown after rerun
DRAFT_TEMPLATE = "ga_draft_template"  # widget: the chosen letter template (kept across pages)
DRAFT_FACTS_TEXT = "ga_draft_facts_text"  # widget: free-text case facts (kept across pages)
DRAFT_COVER = "ga_draft_cover"  # widget: what the letter must cover (kept across pages)
DRAFT_ALLOW_MISSING = "ga_draft_allow_missing"  # widget: draft with placeholders for gaps
DRAFT = "ga_draft"  # the current Draft (edits applied; a partial one after a model failure)
DRAFT_ROUND = "ga_draft_round"  # bumps with each new draft so the section editors start afresh
CONFIRM_REDRAFT = "ga_confirm_redraft"  # "Draft" was pressed over an edited draft: ask first
TEMPLATE_FILE = "ga_template_file"  # widget (admin): an uploaded letter template
CONFIRM_REPLACE_TEMPLATE = "ga_confirm_replace_template"  # template name awaiting confirmation
HEALTH_PROBLEMS = "ga_health_problems"  # the admin consistency check's findings (None: not run)

_DEFAULTS: dict[str, Any] = {
    CONVERSATION: None,
    ADMIN_UNLOCKED: False,
    CONFIRM_DELETE_CONVERSATION: False,
    CONFIRM_DELETE_DOCUMENT: None,
    NOTICE: None,
    UPLOAD_ROUND: 0,
    LAST_RESULTS: None,
    DRAFT: None,
    DRAFT_ROUND: 0,
    CONFIRM_REDRAFT: False,
    CONFIRM_REPLACE_TEMPLATE: None,
}


def init_state() -> None:
    """Give every non-widget key its default for a new session."""
    for key, value in _DEFAULTS.items():
        st.session_state.setdefault(key, value)


def feedback_key(message_id: int) -> str:
    """The st.feedback widget of one answer."""
    return f"ga_feedback_{message_id}"


def comment_key(message_id: int) -> str:
    """The optional comment field of one answer's feedback."""
    return f"ga_comment_{message_id}"


def widget_kind(spec: FieldSpec) -> str:
    """Which input a field gets: a date picker, a text area (a multi-line field, or a text field
    allowed a sentence or more) or a one-line text input."""
    if spec.type == "text" and spec.max_length > MAX_VALUE_CHARS:  # longer than the default
        return "multiline"
    return {"date": "date", "multiline": "multiline"}.get(spec.type, "line")


def fact_key(widget: str, field_name: str) -> str:
    """The input of one template field; ``widget`` (date, multiline, line) keeps kinds apart."""
    return f"ga_draft_fact_{widget}_{field_name}"


def section_key(draft_round: int, section_id: str) -> str:
    """The editor of one section of the current draft."""
    return f"ga_draft_section_{draft_round}_{section_id}"


def notify(kind: str, text: str) -> None:
    """Queue a message to show once, after the next rerun."""
    st.session_state[NOTICE] = (kind, text)


def show_notice() -> None:
    """Show and clear a queued message."""
    notice = st.session_state.get(NOTICE)
    if notice:
        st.session_state[NOTICE] = None
        kind, text = notice
        {"success": st.success, "warning": st.warning, "error": st.error}.get(kind, st.info)(text)


# The Consult page: the imported consultation, its results and review live here between runs, so
# an error never loses them. Dicts are created by the page (no shared mutable defaults).
CONSULT_UPLOAD = "ga_consult_upload"  # widget: the responses file
CONSULT_FILE = "ga_consult_file"  # (file_id, sheet, columns) of the uploaded file
CONSULT_SHEETS = "ga_consult_sheets"  # (file_id, sheet names) of an uploaded workbook
CONSULT_SHEET = "ga_consult_sheet"  # widget: the workbook's sheet to import
CONSULT_ID_COLUMN = "ga_consult_id_column"  # widget
CONSULT_QUESTION_COLUMNS = "ga_consult_question_columns"  # widget
CONSULT_DATA = "ga_consult_data"  # the imported Consultation
CONSULT_RESULTS = "ga_consult_results"  # question_id -> QuestionResult (with the review)
CONSULT_FRAMEWORKS = "ga_consult_frameworks"  # question_id -> signed-off Framework
CONSULT_QUESTION = "ga_consult_question"  # widget: the question being reviewed
CONSULT_USE_LLM = "ga_consult_use_llm"  # widget: refine themes with the language model
CONSULT_THEMES_COUNT = "ga_consult_themes_count"  # widget: themes to find (0 = automatic)
CONSULT_RESUME = "ga_consult_resume"  # widget: a saved review file to carry on with
CONSULT_FRAMEWORK_UPLOAD = "ga_consult_framework_upload"  # widget: a framework to map onto
CONSULT_FRAMEWORK_QUESTIONS = "ga_consult_framework_questions"  # widget: questions it maps


def consult_key(name: str) -> str:
    """A widget of the Consult page's review forms."""
    return f"ga_consult_{name}"


def rename_key(conversation_id: str) -> str:
    """The widget key of the new-title box of one conversation."""
    return f"ga_rename_title_{conversation_id}"


def set_value(key: str, value: Any) -> None:
    """A button's callback: keep ``value`` under ``key`` for the run it starts."""
    st.session_state[key] = value
