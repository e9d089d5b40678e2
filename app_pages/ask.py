"""Ask: caseworkers chat with the guidance; answers stream in with their numbered sources."""

from __future__ import annotations

import logging
import time
from typing import Any

import streamlit as st

from app_pages import state
from app_pages.access import current_identity
from app_pages.conversations import show_conversations_sidebar
from app_pages.services import AppServices, load_settings, ready_app_services
from app_pages.sources import REDRAW_S, escape_markdown, show_answer, streamed
from assistant.access import Identity
from assistant.answering import answer_question
from assistant.conversations import Message
from assistant.errors import GuidanceError
from assistant.types import DOC_TYPE_NAMES, Answer, ChunkFilter, DocumentRecord

log = logging.getLogger(__name__)
OFFLINE_BANNER = ("Answers are extracts from the guidance; no language model is configured. "
                  "Each answer quotes the guidance word for word: check the sources for context.")


def show_filters(records: list[DocumentRecord]) -> ChunkFilter | None:
    """Sidebar filters: which collections and document types to search (none = all)."""
    collections = sorted({r.collection for r in records if r.status == "ok"})
    types = sorted({r.doc_type for r in records if r.status == "ok" and r.doc_type})
    st.sidebar.subheader("Search in")
    chosen = st.sidebar.multiselect("Collections", collections, key=state.FILTER_COLLECTIONS,
                                    placeholder="All collections")
    kinds = st.sidebar.multiselect("Document types", types, key=state.FILTER_TYPES,
                                   format_func=lambda t: DOC_TYPE_NAMES.get(t, t),
                                   placeholder="All document types")
    if not chosen and not kinds:
        return None
    return ChunkFilter(collections=tuple(chosen) or None, doc_types=tuple(kinds) or None)


def show_history(app: AppServices, messages: list[Message],
                 records: dict[str, DocumentRecord], user_id: str, asking: str = "") -> None:
    """The open conversation, each answer with its sources and feedback; ``asking`` is the
    question about to be answered in this run."""
    question = ""
    for i, message in enumerate(messages):
        with st.chat_message(message.role):
            if message.role == "user":
                question = message.content
                st.text(message.content)
                following = messages[i + 1] if i + 1 < len(messages) else None
                after = following.content if following else asking
                # no answer follows, and it was not asked again straight after
                if (following is None or following.role == "user") and after != message.content:
                    show_unanswered(message)
                continue
            show_answer(message, question, records)
            show_feedback(app, message, user_id)


def show_unanswered(message: Message) -> None:
    """A question whose answer never finished: asked again, reloaded, or the answer failed."""
    st.caption(":material/block: This question has no answer: another question was asked, the "
               "page was reloaded or the answer failed before it finished.")
    st.button("Ask again", key=f"ga_ask_again_{message.id}", icon=":material/replay:",
              on_click=state.set_value, args=(state.ASK_AGAIN, message.content))


def show_feedback(app: AppServices, message: Message, user_id: str) -> None:
    """Thumbs up or down, stored at once, then an optional comment."""
    def store_score() -> None:
        score = st.session_state.get(state.feedback_key(message.id))
        if score is not None:
            app.conversations.record_feedback(user_id, message.id, int(score), message.comment)

    score = st.feedback("thumbs", key=state.feedback_key(message.id), default=message.feedback,
                        on_change=store_score)
    if score is None:
        return
    if message.comment:
        st.caption(f"Your comment: {escape_markdown(message.comment)}")
    with st.form(f"ga_comment_form_{message.id}", clear_on_submit=True, border=False):
        comment = st.text_input("Comment on this answer (optional)",
                                key=state.comment_key(message.id),
                                placeholder="What was missing or wrong?")
        if st.form_submit_button("Send comment") and comment.strip():
            app.conversations.record_feedback(user_id, message.id, int(score), comment)
            state.notify("success", "Thank you: your comment was saved.")
            st.rerun()


def ask(app: AppServices, identity: Identity, question: str, history: list[Message],
        where: ChunkFilter | None, records: dict[str, DocumentRecord]) -> None:
    """Answer ``question``: stream it, then show the checked answer with its sources."""
    store = app.conversations
    with st.chat_message("user"):
        st.text(question)
    conversation_id = st.session_state.get(state.CONVERSATION)
    if conversation_id is None:
        conversation_id = store.create(identity.user_id, question).id
        st.session_state[state.CONVERSATION] = conversation_id
    store.add_question(identity.user_id, conversation_id, question)
    with st.chat_message("assistant"):
        placeholder = st.empty()
        answer = stream_answer(app, question, [(m.role, m.content) for m in history], where,
                               placeholder)
        if answer is None:
            return
        message = as_message(store.add_answer(identity.user_id, conversation_id, answer), answer)
        with placeholder.container():  # the checked answer replaces what was streamed
            show_answer(message, question, records)
            show_feedback(app, message, identity.user_id)


def as_message(message_id: int, answer: Answer) -> Message:
    """A just-stored answer, as the conversation store would return it."""
    return Message(message_id, "assistant", answer.text, tuple(answer.citations),
                   tuple(answer.closest), answer.answered, answer.mode, tuple(answer.warnings),
                   tuple(answer.spelling))


def stream_answer(app: AppServices, question: str, history: list[tuple[str, str]],
                  where: ChunkFilter | None, placeholder: Any) -> Answer | None:
    """Stream the engine's answer; on failure show plain-English advice and return None."""
    services = app.services
    try:
        with placeholder.container():
            waiting = st.empty()
            waiting.caption(":material/hourglass_top: Searching the guidance"
                            + ("" if services.llm is None else " and waiting for the model")
                            + "…")
            box = st.empty()
            stream = answer_question(question, history, retriever=services.retriever,
                                     llm=services.llm, where=where, settings=services.settings,
                                     embedder=services.embedder)
            text, shown = "", 0.0
            for piece in stream:
                waiting.empty()
                text += piece
                # as it streams, the text is defused as the final answer is: an image or link a
                # model (or a planted document) wrote never loads or goes live, even briefly.
                # Redrawn at most every REDRAW_S, so a long answer does not cost quadratic time.
                if time.monotonic() - shown >= REDRAW_S:
                    box.markdown(streamed(text))
                    shown = time.monotonic()
            box.markdown(streamed(text))
        return stream.final
    except GuidanceError as exc:
        # our own plain-English advice (model errors are described in fixed words, never the
        # endpoint's text), so an administrator sees a rejected key or a rate limit in the log
        log.warning("No answer (%s): %s", type(exc).__name__, exc)
        placeholder.error(f"Sorry, no answer this time. {exc}", icon=":material/error:")
    except Exception:
        log.exception("Answering failed")
        placeholder.error("Sorry, something went wrong while answering. Try again in a moment; "
                          f"if it keeps happening, tell {app.settings.support_contact}.",
                          icon=":material/error:")
    return None


def main() -> None:
    settings = load_settings()
    identity = current_identity(settings)
    if identity is None:
        st.error("Sign in to ask questions.")
        return
    st.title("Ask the guidance")
    if settings.offline:
        st.info(OFFLINE_BANNER, icon=":material/info:")
    # The chat input is pinned to the bottom: draw it before the services are ready, so people
    # can start typing while a fresh server loads the model and opens the index.
    question = st.chat_input("Ask a question about the guidance", max_chars=2000) \
        or st.session_state.pop(state.ASK_AGAIN, None)
    app = ready_app_services()
    state.show_notice()
    records = app.services.index.get_documents()
    where = show_filters(records)
    by_id = {r.doc_id: r for r in records}
    conversation_id = st.session_state.get(state.CONVERSATION)
    if conversation_id and app.conversations.get(identity.user_id, conversation_id) is None:
        st.session_state[state.CONVERSATION] = conversation_id = None
    history = app.conversations.messages(identity.user_id, conversation_id) \
        if conversation_id else []
    if not history and not question:
        st.caption("Ask a question in plain English, for example: *How do I report sickness "
                   "absence?* Answers quote the guidance and number their sources.")
    asking = question.strip() if question else ""
    show_history(app, history, by_id, identity.user_id, asking)
    if asking:
        # asked again: its unanswered first asking is no context for the rewrite
        context = history[:-1] if history and history[-1].role == "user" \
            and history[-1].content == asking else history
        ask(app, identity, asking, context, where, by_id)
    show_conversations_sidebar(app, identity)


main()
