"""Consult: policy teams import consultation responses, theme them offline, review and export.

The imported consultation and every question's results (with the reviewer's corrections) live in
session state, so an error in one step never loses earlier work.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import streamlit as st

from app_pages import state
from app_pages.access import current_identity
from app_pages.consult_results import (
    import_counts,
    plain,
    show_downloads,
    show_overview,
    show_responses,
    show_set_aside,
    show_themes,
)
from app_pages.consult_review import show_review, show_sign_off
from app_pages.consult_upload import (
    import_table,
    import_themefinder_zip,
    upload_book,
    upload_columns,
    upload_id_column,
    upload_sheets,
)
from app_pages.errors import run_guarded
from app_pages.services import AppServices, get_app_services, load_settings
from assistant.errors import GuidanceError
from consult.analysis import QuestionResult, analyse_question
from consult.errors import ConsultError
from consult.importing import repeated_id_warning
from consult.language import language_warning
from consult.responses import Consultation, Question
from consult.review import review_from_json
from consult.themes import Framework, framework_from_json

log = logging.getLogger(__name__)
T = TypeVar("T")
WORKBOOK = state.consult_key("workbook")  # (file_id, (name, sha256), workbook or its error)
INTRO = ("Import consultation responses from a CSV or Excel file, find the themes offline, "
         "review them, then download the results. Nothing a respondent wrote is run or "
         "rendered as a web page.")


def guarded(description: str, action: Callable[[], T]) -> T | None:
    """Run a step, showing the engine's advice (or a generic message) if it fails; the message
    shows file, sheet and column names as typed (``run_guarded`` escapes it)."""
    return run_guarded(description, action,
                       after="your imported responses and review are kept; try again.")


def confirmed(step: str, clicked: bool, again: str) -> bool:
    """Whether ``step`` (which replaces the analysis) may run now: at once when nothing was
    reviewed, else only once the user confirms, as the Draft page asks before discarding edits."""
    key = state.consult_key(f"confirm_{step}")
    results: dict[str, QuestionResult] = st.session_state.get(state.CONSULT_RESULTS) or {}
    if clicked and any(r.reviewed for r in results.values()):
        st.session_state[key] = True
    elif not st.session_state.get(key):
        return clicked
    box = st.empty()
    with box.container():
        st.warning(f"You have reviewed these themes (corrections, theme changes, positions or a "
                   f"sign-off). {again} replaces the analysis, and your review is lost. Save it "
                   "first (“Save review (.json)” in step 5) if you want to keep it.",
                   icon=":material/warning:")
        row = st.container(horizontal=True)
        discard = row.button(f"{again} and discard my review", type="primary",
                             key=f"{key}_discard")
        keep = row.button("Keep my review", key=f"{key}_keep")
    if discard:
        st.session_state[key] = False
        box.empty()  # the question is answered
        return True
    if keep:
        st.session_state[key] = False
        st.rerun()
    return False


def uploaded_workbook(upload: Any) -> Any:
    """The uploaded workbook (None for a CSV file), opened once per file: opening one parses
    every distinct text in it, and sheets, columns, the id guess and the import all read it.
    Kept with the file's hash, so the same file uploaded again is not opened again either; a
    file that could not be opened gives its error again without another try."""
    known = st.session_state.get(WORKBOOK)
    if not (known and known[0] == upload.file_id):
        content = (upload.name, hashlib.sha256(upload.getvalue()).hexdigest())
        if not (known and known[1] == content):
            known = (upload.file_id, content, opened_workbook(upload))
        st.session_state[WORKBOOK] = known = (upload.file_id, content, known[2])
    if isinstance(known[2], GuidanceError):
        raise ConsultError(str(known[2]))
    return known[2]


def opened_workbook(upload: Any) -> Any:
    """The upload's workbook, or the engine's error saying why it cannot be read."""
    try:
        return upload_book(upload.name, upload.getvalue())
    except GuidanceError as exc:
        return exc


def file_sheet(upload: Any) -> tuple[bool, str | None]:
    """(readable, sheet): a workbook with several sheets offers a choice; sheet names are read
    once per file."""
    known = st.session_state.get(state.CONSULT_SHEETS)
    if known and known[0] == upload.file_id:
        sheets = list(known[1])
    else:
        found = guarded(f"read {upload.name}", lambda: upload_sheets(
            upload.name, upload.getvalue(), uploaded_workbook(upload)))
        if found is None:
            return False, None
        sheets = found
        st.session_state[state.CONSULT_SHEETS] = (upload.file_id, sheets)
        st.session_state.pop(state.CONSULT_SHEET, None)  # a new file starts at its first sheet
    if len(sheets) < 2:
        return True, None
    return True, st.selectbox("Sheet", sheets, key=state.CONSULT_SHEET,
                              help="The workbook has several sheets: choose the one that holds "
                                   "one row per respondent.")


def file_columns(upload: Any, sheet: str | None) -> list[str] | None:
    """The columns of the uploaded file (or of its chosen sheet), read once per file and sheet
    (None when they cannot be read)."""
    known = st.session_state.get(state.CONSULT_FILE)
    if known and known[:2] == (upload.file_id, sheet):
        return list(known[2])
    columns = guarded(f"read {upload.name}", lambda: upload_columns(
        upload.name, upload.getvalue(), sheet, uploaded_workbook(upload)))
    if columns is not None:
        st.session_state[state.CONSULT_FILE] = (upload.file_id, sheet, columns)
        # another file or sheet: its own columns are chosen afresh (the last file's id choice
        # was kept, and a question column of the same name picked an unrelated one)
        st.session_state.pop(state.CONSULT_ID_COLUMN, None)
        st.session_state.pop(state.CONSULT_QUESTION_COLUMNS, None)
    return columns


def show_import(max_mb: int) -> None:
    """Step 1: upload, choose columns, import, and show what import counted."""
    st.header("1. Import responses", divider="gray")
    upload = st.file_uploader(
        "Responses file (CSV or Excel .xlsx, one row per respondent; or a .zip of a "
        "Themefinder folder)", type=["csv", "xlsx", "zip"], max_upload_size=max_mb,
        key=state.CONSULT_UPLOAD,
        help=f"Up to {max_mb} MB and 200,000 rows. The first row must name the columns.")
    if upload is not None and upload.name.lower().endswith(".zip"):
        offer_themefinder(upload)
    elif upload is not None:
        readable, sheet = file_sheet(upload)
        if readable and (columns := file_columns(upload, sheet)):
            choose_columns(upload, columns, sheet)
    if upload is None:
        st.session_state.pop(WORKBOOK, None)  # a removed file's workbook is not kept
    show_resume(max_mb)
    data: Consultation | None = st.session_state.get(state.CONSULT_DATA)
    if data is not None:
        show_import_counts(data)


def show_resume(max_mb: int) -> None:
    """Carry on with a review saved from step 5 (it holds the responses too)."""
    with st.expander("Resume a saved review", icon=":material/history:"):
        upload = st.file_uploader("Saved review (.json, from “Save review” in step 5)",
                                  type=["json"], max_upload_size=max_mb, key=state.CONSULT_RESUME)
        replacing = st.session_state.get(state.CONSULT_DATA) is not None
        label = "Resume (replaces the current analysis)" if replacing else "Resume"
        clicked = st.button(label, disabled=upload is None, icon=":material/history:")
        if confirmed("resume", clicked, "Resuming") and upload is not None:
            with st.spinner("Reading the review and re-embedding its responses…"):
                resumed = guarded(f"resume {upload.name}", lambda: review_from_json(
                    upload.getvalue(), get_app_services().services.embedder, upload.name))
            if resumed is not None:
                keep_review(*resumed)


def keep_review(data: Consultation, results: list[QuestionResult]) -> None:
    st.session_state[state.CONSULT_DATA] = data
    st.session_state.pop(state.CONSULT_FRAMEWORK_QUESTIONS, None)
    st.session_state[state.CONSULT_RESULTS] = {r.question.question_id: r for r in results}
    st.session_state[state.CONSULT_FRAMEWORKS] = {
        r.question.question_id: Framework(tuple(r.themes), True, r.signed_off_by)
        for r in results if r.signed_off}
    state.notify("success", f"Resumed the review of {len(results)} question(s) from "
                 f"{plain(Path(data.source).name)}.")
    st.rerun()


def id_guess(upload: Any, columns: list[str], sheet: str | None) -> int:
    """Where the likeliest id column is in ``columns`` (read once per file and sheet)."""
    key = state.consult_key("id_guess")
    known = st.session_state.get(key)
    if not (known and known[:2] == (upload.file_id, sheet)):
        guess = guarded(f"read {upload.name}", lambda: upload_id_column(
            upload.name, upload.getvalue(), sheet, uploaded_workbook(upload)))
        known = (upload.file_id, sheet, guess)
        st.session_state[key] = known
    return columns.index(known[2]) if known[2] in columns else 0


def choose_columns(upload: Any, columns: list[str], sheet: str | None) -> None:
    id_column = st.selectbox("Respondent id column", columns,
                             index=id_guess(upload, columns, sheet), key=state.CONSULT_ID_COLUMN,
                             help="Each respondent's own id. Chosen for you: a column named like "
                                  "an id whose values are all different.")
    offered = [c for c in columns if c != id_column]
    chosen = st.session_state.get(state.CONSULT_QUESTION_COLUMNS)
    if chosen is not None and any(c not in offered for c in chosen):  # now the id column
        st.session_state[state.CONSULT_QUESTION_COLUMNS] = [c for c in chosen if c in offered]
    if len(offered) == 1 and not st.session_state.get(state.CONSULT_QUESTION_COLUMNS):
        # the only column that can hold answers (a browser review): chosen, not left to find
        st.session_state[state.CONSULT_QUESTION_COLUMNS] = offered
    questions = st.multiselect("Question columns (one or more)", offered,
                               key=state.CONSULT_QUESTION_COLUMNS,
                               placeholder="Choose the columns holding answers")
    replacing = st.session_state.get(state.CONSULT_DATA) is not None
    label = "Import again (replaces the current analysis)" if replacing else "Import"
    clicked = st.button(label, type="primary", disabled=not questions, icon=":material/upload:")
    if confirmed("import", clicked, "Importing again") and questions:
        keep_import(upload.name, lambda: import_table(
            upload.name, upload.getvalue(), id_column or "", questions, sheet,
            uploaded_workbook(upload)))


def offer_themefinder(upload: Any) -> None:
    st.caption("A zip of a folder in the Themefinder layout: question_part_1/question.json "
               "and responses.jsonl, question_part_2/…. Each part is a question.")
    replacing = st.session_state.get(state.CONSULT_DATA) is not None
    label = "Import again (replaces the current analysis)" if replacing else "Import"
    clicked = st.button(label, type="primary", icon=":material/upload:")
    if confirmed("import", clicked, "Importing again"):
        keep_import(upload.name,
                    lambda: import_themefinder_zip(upload.name, upload.getvalue()))


def keep_import(name: str, read: Callable[[], Consultation]) -> None:
    """Import, and on success replace the current consultation and its analysis."""
    data = guarded(f"import {name}", read)
    if data is not None:
        st.session_state[state.CONSULT_DATA] = data
        st.session_state[state.CONSULT_RESULTS] = {}
        st.session_state[state.CONSULT_FRAMEWORKS] = {}
        st.session_state.pop(state.CONSULT_FRAMEWORK_QUESTIONS, None)  # all, for the new file
        state.notify("success", f"Imported {data.rows:,} rows from {plain(name)}.")
        st.rerun()


def show_import_counts(data: Consultation) -> None:
    name = Path(data.source).name
    st.subheader(f"Imported: {plain(name)}, {data.rows:,} rows")
    if (repeated := repeated_id_warning(data)) is not None:
        st.warning(repeated, icon=":material/warning:")
    if (language := language_warning(data)) is not None:
        st.warning(plain(language), icon=":material/translate:")
    st.table(import_counts(data.questions), hide_index=True, border="horizontal")
    st.caption("Empty answers, N/A answers and repeated respondent ids are counted and listed "
               "below but not themed. Answers that give no reason (“Agree”, “No”, “?”) are "
               "listed too: their positions count, but they are not themed. Answers with the "
               "same text as another are themed and marked (“Repeated text”); answers over "
               "10,000 characters are shortened for theming.")
    show_set_aside(data.questions)


def show_analyse(app: AppServices, data: Consultation, max_mb: int) -> None:
    """Step 2: theme every question, with a progress bar."""
    st.header("2. Find themes", divider="gray")
    llm = app.services.llm
    use_llm = llm is not None and st.checkbox(
        "Refine themes with the language model", value=True, key=state.CONSULT_USE_LLM)
    framework, usable = show_framework_upload(max_mb)
    mapped = framework_questions(data.questions) if framework is not None else set()
    k = st.number_input("How many themes to look for (0 = decide automatically)", min_value=0,
                        max_value=30, value=0, key=state.CONSULT_THEMES_COUNT,
                        disabled=framework is not None and len(mapped) == len(data.questions))
    results = st.session_state.setdefault(state.CONSULT_RESULTS, {})
    label = "Analyse again (discards your review)" if results else "Analyse responses"
    clicked = st.button(label, type="primary", icon=":material/insights:", disabled=not usable)
    if confirmed("analyse", clicked, "Analysing again") and usable:
        results.clear()
        st.session_state[state.CONSULT_FRAMEWORKS] = {}
        analyse(app, data.questions, results, llm if use_llm else None, int(k) or None,
                framework, mapped)
        st.rerun()


def framework_questions(questions: tuple[Question, ...]) -> set[str]:
    """The questions an uploaded framework maps (all by default; a choice when there are several:
    a framework signed off for one question rarely fits another's answers)."""
    ids = [q.question_id for q in questions]
    if len(ids) < 2:
        return set(ids)
    texts = {q.question_id: " ".join(q.text.split())[:120] or q.question_id for q in questions}
    chosen = st.multiselect("Map these questions onto the framework (the others get their own "
                            "themes)", ids, default=ids, format_func=lambda i: texts.get(i, i),
                            key=state.CONSULT_FRAMEWORK_QUESTIONS)
    if not chosen:
        st.caption("No question is chosen: every question will get its own themes.")
    return set(chosen)


def show_framework_upload(max_mb: int) -> tuple[Framework | None, bool]:
    """An optional framework to map onto instead of discovering themes.

    Returns the framework and whether analysis may go ahead: not with an unreadable upload,
    which would otherwise be silently ignored.
    """
    upload = st.file_uploader(
        "Theme framework (optional, .json): map answers onto these themes instead of "
        "discovering new ones", type=["json"], max_upload_size=max_mb,
        key=state.CONSULT_FRAMEWORK_UPLOAD,
        help="A framework downloaded after sign-off in step 4, or a Themefinder themes.json.")
    if upload is None:
        return None, True
    framework = guarded(f"read {upload.name}",
                        lambda: framework_from_json(upload.getvalue(), upload.name))
    if framework is not None:
        signed = f", signed off by {plain(framework.signed_off_by)}" \
            if framework.signed_off else ""
        st.caption(f"Using {len(framework.themes)} themes from {plain(upload.name)}{signed}.")
    return framework, framework is not None


def analyse(app: AppServices, questions: tuple[Question, ...], results: dict[str, Any],
            llm: Any, k: int | None, framework: Framework | None = None,
            mapped: set[str] | None = None) -> None:
    """Analyse each question in turn, keeping each result as soon as it is ready.

    Questions in ``mapped`` (all when None) are mapped onto ``framework``; others discover themes.
    """
    bar = st.progress(0.0, text="Starting…")
    total = len(questions)
    for n, question in enumerate(questions):
        # a question with no answer to theme still gets its (empty) result, so its set-aside
        # answers reach the downloads and the saved review
        def progress(done: int, count: int, _n: int = n) -> None:
            step = "finding and mapping themes" if done >= count else \
                f"reading answers: {done:,} of {count:,}"
            bar.progress(min((_n + 0.8 * done / max(count, 1)) / total, 1.0),
                         text=f"Question {_n + 1} of {total}: {step}")

        applies = framework if mapped is None or question.question_id in mapped else None
        try:
            results[question.question_id] = analyse_question(
                question, app.services.embedder, framework=applies, llm=llm, k=k,
                progress=progress)
            if applies is not None and applies.signed_off:
                st.session_state[state.CONSULT_FRAMEWORKS][question.question_id] = framework
        except GuidanceError as exc:
            state.notify("error", f"Question {n + 1} could not be analysed. {plain(str(exc))}")
            return
        except Exception:
            log.exception("Consult analysis failed")
            state.notify("error", f"Question {n + 1} could not be analysed because of an "
                         "unexpected problem. It has been logged; your imported responses "
                         "are kept, so try again.")
            return
    bar.progress(1.0, text="Done.")
    state.notify("success", f"Analysed {len(results)} question(s). Check the themes above, "
                 "then review them here.")


def pick_question(data: Consultation, results: dict[str, QuestionResult]) -> QuestionResult:
    analysed = [q for q in data.questions if q.question_id in results and q.responses]
    texts = {q.question_id: q.text for q in analysed}
    chosen = st.selectbox("Question", list(texts), key=state.CONSULT_QUESTION,
                          format_func=lambda i: " ".join(texts.get(i, i).split())[:150])
    return results[chosen or analysed[0].question_id]


def show_results(app: AppServices, data: Consultation, reviewer: str) -> None:
    """Steps 3-5 for the chosen question: themes, review, sign-off; then downloads."""
    results: dict[str, QuestionResult] = st.session_state.get(state.CONSULT_RESULTS) or {}
    skipped = [q for q in data.questions if not q.responses]
    for question in skipped:
        st.info(f"“{plain(question.text)}” has no answers to theme.", icon=":material/info:")
    if not any(q.responses and q.question_id in results for q in data.questions):
        if results:  # only questions with nothing to theme: their set-aside answers can be saved
            st.header("5. Download", divider="gray")
            show_downloads([results[q.question_id] for q in data.questions
                            if q.question_id in results], data.source, data.rows)
        return
    st.header("3. Themes", divider="gray")
    result = pick_question(data, results)
    if result.signed_off:
        st.caption(f"Framework signed off by {plain(result.signed_off_by)}.")
    show_overview(result)
    show_themes(result)
    show_responses(result)
    st.header("4. Review", divider="gray")
    # review actions rerun the page: their result shows here, in a slot that is always present
    # so the review tabs below keep their place
    with st.empty().container():
        state.show_notice()
    show_review(result, app.services.embedder)
    show_sign_off(result, reviewer)
    st.header("5. Download", divider="gray")
    show_downloads([results[q.question_id] for q in data.questions if q.question_id in results],
                   data.source, data.rows)


def main() -> None:
    settings = load_settings()
    identity = current_identity(settings)
    if identity is None:
        st.error("Sign in to use Consult.")
        return
    st.title("Consult: theme consultation responses")
    st.caption(INTRO)
    with st.empty().container():  # always present: the elements below keep their places
        if not st.session_state.get(state.CONSULT_RESULTS):
            state.show_notice()
    show_import(settings.max_upload_mb)
    data: Consultation | None = st.session_state.get(state.CONSULT_DATA)
    if data is None:
        return
    app = get_app_services()
    show_analyse(app, data, settings.max_upload_mb)
    show_results(app, data, identity.name)


main()
