"""Consult page, review: rename, add, merge, split and delete themes, move responses, correct
positions, re-map from the corrections and sign off the framework.

Only "Update mapping" re-maps, and it says what moved; every other action changes only what it
names, and sign-off records the themes and mapping on screen.

Each action runs in a form; the engine validates first and changes nothing when it refuses
(``ReviewError``), so a refused action loses no earlier work, and its form keeps what was typed
(forms are emptied only after an action succeeds).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import streamlit as st

from app_pages import state
from app_pages.consult_results import framework_json, plain
from assistant.errors import GuidanceError
from assistant.ports import Embedder
from consult import review
from consult.analysis import QuestionResult, remap
from consult.errors import ReviewError
from consult.mapping import MIN_LABELS_TO_FIT
from consult.positions import POSITIONS
from consult.report import name_some, summarise

log = logging.getLogger(__name__)
NO_THEME = ""  # "from no theme": add the response to the chosen theme, keep its others


def review_form(name: str, fields: dict[str, object]) -> Any:
    """A form (keyed ``name``) that keeps what was typed when its action is refused, and whose
    ``fields`` (widget name -> empty value) are emptied on the run after it succeeds."""
    empty_if_done(name, fields)
    return st.form(state.consult_key(name))


def empty_if_done(name: str, fields: dict[str, object]) -> None:
    """Empty ``fields`` on the run after form ``name``'s action succeeded (before any of them
    is drawn: a drawn widget's value cannot be set)."""
    if st.session_state.pop(state.consult_key(f"{name}_done"), False):
        for field, empty in fields.items():
            st.session_state[state.consult_key(field)] = empty


def apply(done: str | Callable[[Any], str], action: Callable[[], object],
          form: str | None = None) -> bool:
    """Run a review action; on success queue ``done`` (or ``done`` of what the action returned),
    mark ``form`` to be emptied and rerun, else explain and keep state (and what was typed)."""
    try:
        outcome = action()
    except GuidanceError as exc:
        st.error(f"That change was not made. {plain(str(exc))}", icon=":material/error:")
        return False
    except Exception:
        log.exception("Consult review action failed")
        st.error("That change was not made because of an unexpected problem. Your themes and "
                 "corrections are as they were; try again.", icon=":material/error:")
        return False
    state.notify("success", done if isinstance(done, str) else done(outcome))
    if form is not None:
        st.session_state[state.consult_key(f"{form}_done")] = True
    st.rerun()
    return True


def moved_note(moved: list[str], listed: int = 10) -> str:
    """Which responses re-mapping gave other themes, so a change is never silent."""
    if not moved:
        return "no response changed theme."
    ids = name_some([plain(rid) for rid in moved], listed)
    return (f"{len(moved):,} response{'s' if len(moved) > 1 else ''} now "
            f"{'have' if len(moved) > 1 else 'has'} different themes: {ids}.")


def sizes_note(result: QuestionResult, before: dict[str, int], listed: int = 6) -> str:
    """How the themes' sizes changed ("Enforcement 4 → 9, Parking 40 → 37"), largest change
    first, so the reviewer sees where the moved responses went."""
    after = review.theme_sizes(result)
    labels = {t.theme_id: t.label for t in result.themes}
    changed = sorted((t for t in after if after[t] != before.get(t, 0)),
                     key=lambda t: -abs(after[t] - before.get(t, 0)))
    if not changed:
        return ""
    parts = [f"{plain(labels[t])} {before.get(t, 0)} → {after[t]}" for t in changed[:listed]]
    more = f" and {len(changed) - listed} more" if len(changed) > listed else ""
    return f" Theme sizes: {', '.join(parts)}{more}."


def theme_picker(result: QuestionResult, label: str, name: str) -> str | None:
    # in the themes table's order, largest first (a browser review renamed the wrong theme
    # when the picker listed them in another order)
    known = {t.theme_id for t in result.themes}
    ids = [row.theme.theme_id for row in summarise(result) if row.theme.theme_id in known]
    labels = {t.theme_id: t.label for t in result.themes}
    return st.selectbox(label, ids, format_func=lambda i: labels.get(i, i),
                        key=state.consult_key(name), index=None, placeholder="Choose a theme")


def rename_form(result: QuestionResult) -> None:
    with review_form("rename_form", {"rename_theme": None, "rename_label": "",
                                     "rename_description": ""}):
        theme = theme_picker(result, "Theme to rename", "rename_theme")
        label = st.text_input("New label", max_chars=120, key=state.consult_key("rename_label"))
        description = st.text_area("New description (leave empty to keep the current one)",
                                   max_chars=500, key=state.consult_key("rename_description"))
        if st.form_submit_button("Rename theme", type="primary"):
            apply(f"Theme renamed to “{plain(label)}”.", lambda: review.rename_theme(
                result, theme or "", label, description.strip() or None), "rename_form")


def add_form(result: QuestionResult) -> None:
    with review_form("add_form", {"add_label": "", "add_description": ""}):
        label = st.text_input("Label", max_chars=120, key=state.consult_key("add_label"))
        description = st.text_area("Description (one sentence helps the mapping)",
                                   max_chars=500, key=state.consult_key("add_description"))
        if st.form_submit_button("Add theme", type="primary"):
            # no re-map here: adding a theme moved every response the reviewer had checked
            apply(f"Theme “{plain(label)}” added, with no responses yet. Move responses into "
                  "it, then use “Update mapping from my corrections” to find others like them.",
                  lambda: review.add_theme(result, label, description), "add_form")


def merge_form(result: QuestionResult) -> None:
    labels = {t.theme_id: t.label for t in result.themes}
    with review_form("merge_form", {"merge_themes": [], "merge_label": ""}):
        chosen = st.multiselect("Themes to merge (two or more)", list(labels),
                                format_func=lambda i: labels.get(i, i),
                                key=state.consult_key("merge_themes"))
        label = st.text_input("Label of the merged theme (empty: the first theme's)",
                              max_chars=120, key=state.consult_key("merge_label"))
        if st.form_submit_button("Merge themes", type="primary"):
            apply(f"{len(chosen)} themes merged.",
                  lambda: review.merge_themes(result, chosen, label.strip()), "merge_form")


def split_form(result: QuestionResult) -> None:
    with review_form("split_form", {"split_theme": None}):  # keeps the number of parts
        theme = theme_picker(result, "Theme to split", "split_theme")
        parts = st.number_input("Into how many themes", min_value=2, max_value=6, value=2,
                                key=state.consult_key("split_parts"))
        if st.form_submit_button("Split theme", type="primary"):
            apply(f"Theme split into {int(parts)}. Rename the new themes to say what differs.",
                  lambda: review.split_theme(result, theme or "", int(parts)), "split_form")


def delete_form(result: QuestionResult) -> None:
    with review_form("delete_form", {"delete_theme": None, "delete_sure": False}):
        theme = theme_picker(result, "Theme to delete", "delete_theme")
        sure = st.checkbox("Yes, delete this theme (its responses become unmatched unless they "
                           "have other themes)", key=state.consult_key("delete_sure"))
        if st.form_submit_button("Delete theme"):
            if not sure:
                st.warning("Tick the box to confirm, then select Delete theme again.")
                return
            apply("Theme deleted.", lambda: review.delete_theme(result, theme or ""),
                  "delete_form")


def response_label(result: QuestionResult) -> Callable[[str], str]:
    texts = {r.response_id: r.text for r in result.question.responses}
    return lambda rid: f"{rid}: {' '.join(texts.get(rid, '').split())[:80]}"


REVIEW_TABS = ("Rename", "Add", "Merge", "Split", "Delete", "Move responses", "Position")
MAX_CHOICES = 200  # responses offered in one list; the filter narrows larger questions
_ALL = "\x00all"  # filter option: every response


def response_filter(result: QuestionResult, name: str,
                    on_theme: Callable[[], None] | None = None) -> list[str]:
    """A theme and words filter above a form; returns the matching response ids (at most
    MAX_CHOICES). ``on_theme`` runs when the theme filter changes."""
    labels = {t.theme_id: t.label for t in result.themes}
    options = [_ALL, review.UNMATCHED, *labels]
    names = {_ALL: "All responses", review.UNMATCHED: "Responses with no theme", **labels}
    left, right = st.columns(2)
    theme = left.selectbox("Show responses in", options, format_func=lambda i: names.get(i, i),
                           key=state.consult_key(f"{name}_filter_theme"), on_change=on_theme)
    words = right.text_input("Containing (id or words)", max_chars=200,
                             key=state.consult_key(f"{name}_filter_words"))
    found = review.find_responses(result, None if theme == _ALL else theme, words)
    if len(found) > MAX_CHOICES:
        st.caption(f"{len(found):,} responses match; the first {MAX_CHOICES} are listed. "
                   "Narrow the filter to find others.")
    elif not found:
        st.caption("No response matches the filter.")
    return found[:MAX_CHOICES]


def move_form(result: QuestionResult) -> None:
    labels = {t.theme_id: t.label for t in result.themes}

    def move_from_filtered_theme() -> None:  # listing a theme's responses: move them from it
        shown = st.session_state.get(state.consult_key("move_filter_theme"))
        st.session_state[state.consult_key("move_from")] = shown if shown in labels else NO_THEME

    ids = response_filter(result, "move", move_from_filtered_theme)
    with review_form("move_form", {"move_responses": [], "move_from": NO_THEME,
                                   "move_to": None}):
        chosen = st.multiselect("Responses to move (type to search by id or words)", ids,
                                format_func=response_label(result),
                                key=state.consult_key("move_responses"))
        source = st.selectbox("From theme", [NO_THEME, *labels],
                              format_func=lambda i: labels.get(i, "(none: keep its themes)"),
                              key=state.consult_key("move_from"))
        target = theme_picker(result, "To theme", "move_to")
        if st.form_submit_button("Move responses", type="primary"):
            def move() -> None:
                if not chosen or target is None:
                    raise ReviewError("Choose at least one response and a theme.")
                for rid in chosen:
                    review.move_response(result, rid, source or None, target)
            apply(f"{len(chosen)} response(s) moved. Use “Update mapping from my "
                  "corrections” to re-map the others.", move, "move_form")


def position_form(result: QuestionResult) -> None:
    """Correct one response's position: the choice starts at its current position, and the
    whole answer is shown (the list shows only a preview)."""
    ids = response_filter(result, "position")
    empty_if_done("position_form", {"position_response": None})
    rid = st.selectbox("Response", ids, format_func=response_label(result), index=None,
                       key=state.consult_key("position_response"),
                       placeholder="Choose a response")
    current = review.current_position(result, rid) if rid else None
    if rid is not None and current is not None:
        show_whole_answer(result, rid, current)
    with st.form(state.consult_key("position_form")):
        position = st.radio("Position", POSITIONS, horizontal=True,
                            index=POSITIONS.index(current) if current else 0,
                            key=state.consult_key(f"position_value_{rid}"))
        if st.form_submit_button("Set position", type="primary"):
            def correct() -> None:
                if rid is None:
                    raise ReviewError("Choose a response first.")
                review.set_position(result, rid, position)
            apply("Position corrected.", correct, "position_form")


def show_whole_answer(result: QuestionResult, rid: str, current: str) -> None:
    """The chosen response in full (as text, never parsed) and where its position came from."""
    st.text(review.full_text(result, rid))
    st.caption(f"Current position: {current} ({plain(review.position_source(result, rid))}).")


def show_review(result: QuestionResult, embedder: Embedder) -> None:
    """The review actions for one question, one tab each."""
    # keyed and tracked, the chosen tab stays chosen when an action reruns the page (an unkeyed
    # tab bar resets to its first tab whenever an element above it comes or goes)
    tabs = st.tabs(list(REVIEW_TABS), key=state.consult_key("review_tab"), on_change="rerun")
    with tabs[0]:
        rename_form(result)
    with tabs[1]:
        add_form(result)
    with tabs[2]:
        merge_form(result)
    with tabs[3]:
        split_form(result)
    with tabs[4]:
        delete_form(result)
    with tabs[5]:
        move_form(result)
    with tabs[6]:
        position_form(result)
    show_remap(result, embedder)


def show_remap(result: QuestionResult, embedder: Embedder) -> None:
    count = len(result.corrections)
    st.caption(f"{count} response(s) corrected by hand. “Update mapping” re-maps the other "
               "responses using your corrections and theme changes; corrected responses never "
               f"move. With fewer than {MIN_LABELS_TO_FIT} corrections the mapping rule keeps "
               "its defaults, so a few corrections change little.")
    if st.button("Update mapping from my corrections", icon=":material/sync:",
                 key=state.consult_key("remap"), disabled=not result.themes):
        before = review.theme_sizes(result)
        apply(lambda moved: "Mapping updated from your corrections: "
              f"{moved_note(moved)}{sizes_note(result, before)}",
              lambda: remap(result, embedder))


def show_sign_off(result: QuestionResult, reviewer: str) -> None:
    """Sign off this question's framework and mapping as they stand, and download it."""
    frameworks = st.session_state.setdefault(state.CONSULT_FRAMEWORKS, {})
    qid = result.question.question_id
    if result.signed_off and qid in frameworks:
        st.success(f"Framework signed off by {plain(result.signed_off_by)}, with the mapping as "
                   "it stood. Any further change to the themes withdraws the sign-off.",
                   icon=":material/verified:")
        st.download_button("Download the framework (JSON)", framework_json(frameworks[qid]),
                           file_name=f"framework-{qid}.json", mime="application/json",
                           icon=":material/download:", on_click="ignore")
        return
    with st.form(state.consult_key("sign_off_form")):
        name = st.text_input("Signed off by", value=reviewer, max_chars=120,
                             key=state.consult_key("sign_off_name"))
        st.caption("Signing off records the themes and the mapping exactly as shown: nothing is "
                   "re-mapped.")
        if st.form_submit_button("Sign off framework", icon=":material/verified:"):
            def sign() -> None:
                frameworks[qid] = review.sign_off(result, name)
            apply(f"Framework signed off as it stands: {len(result.themes)} themes, "
                  f"{len(result.assignments):,} responses; no response was re-mapped.", sign)
