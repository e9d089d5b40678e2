"""How pages run a step that may fail: the engine's advice, or a logged generic message."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from app_pages.sources import escape_markdown
from assistant.errors import GuidanceError

log = logging.getLogger(__name__)
T = TypeVar("T")
TRY_AGAIN = "try again, and tell whoever runs this app if it keeps happening."


def run_guarded(description: str, action: Callable[[], T], after: str = TRY_AGAIN) -> T | None:
    """Run ``action``; on failure show what could not be done and what to do, and return None.

    The message is shown as typed: a file, sheet or column name in it (an uploader's choice)
    never renders as a link, an image or formatting."""
    try:
        return action()
    except GuidanceError as exc:
        st.error(escape_markdown(f"Could not {description}. {exc}"), icon=":material/error:")
    except Exception:
        log.exception("Page step failed: %s", description)
        st.error(escape_markdown(f"Could not {description} because of an unexpected problem. It "
                                 f"has been logged; {after}"), icon=":material/error:")
    return None
