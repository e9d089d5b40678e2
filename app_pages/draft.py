"""Draft a letter: a template, the case facts and what to cover in; an editable, cited draft out.

Everything the caseworker types is kept in session state (``persist_state="session"``), so an
error, a rerun or a visit to another page never loses it. The draft itself lives in
``state.DRAFT``; edits are applied to it on every run, then checked and exported from it.
"""

from __future__ import annotations

import logging
import time
from datetime import date
from typing import Any

import streamlit as st

from app_pages import state
from app_pages.access import current_identity
from app_pages.services import AppServices, load_settings, ready_app_services
from app_pages.sources import REDRAW_S, escape_markdown, streamed
from assistant.drafting import (
    MAX_COVER_CHARS,
    MAX_FACTS_CHARS,
    CaseFacts,
    Draft,
    DraftError,
    DraftProgress,
    DraftSection,
    draft_letter,
    edit_section,
    prepare_values,
)
from assistant.errors import GuidanceError
from assistant.exporting import export_file_name
from assistant.letter_checks import Finding, check_draft, part_label
from assistant.letter_export import export_docx, export_text
from assistant.templates import (
    FieldSpec,
    LetterTemplate,
    TemplateError,
    find_template,
    list_templates,
)

log = logging.getLogger(__name__)
OFFLINE_BANNER = ("No language model is configured, so each drafted section holds extracts "
                  "quoted from the guidance, after a [REWRITE: …] note. Rewrite every section "
                  "in your own words for this customer, keep the [n] citations, and delete the "
                  "notes.")
NO_GUIDANCE = ("The letter was not drafted: no guidance has been indexed, so there is nothing to "
               "draft it from. Ask an administrator to add guidance on the Admin page. Your facts "
               "are kept.")
CHECK_TITLES = {"placeholder": "Placeholders still to fill in",
                "uncited": "Sections with no cited source",
                "unknown_source": "Citations that point at no source",
                "identifier": "Personal details not in this case's facts (pasted from another "
                              "case?)",
                "contact": "Contact details the guidance does not give",
                "date": "Dates to check"}
PLACEHOLDERS = {"ni_number": "For example AB 12 34 56 C", "postcode": "For example SW1A 2AA",
                "money": "For example £1,250", "reference": "For example HSA-2025-004512"}
# WCAG 2.2 target size (axe, serious): the date inputs' day and month parts are 18 px wide.
DATE_PART_STYLE = ("<style>[data-testid='stDateInputField'] [role='spinbutton'] {min-width: 24px; "
                   "min-height: 24px; display: inline-flex; align-items: center; "
                   "justify-content: center;}</style>")
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def field_label(spec: FieldSpec) -> str:
    return spec.label if spec.required else f"{spec.label} (optional)"


def show_field(spec: FieldSpec) -> str:
    """One fact's input, by type; returns its value as text ('' when empty)."""
    kind = state.widget_kind(spec)
    key = state.fact_key(kind, spec.name)
    label, help_ = field_label(spec), spec.help or None
    if kind == "date":
        day = st.date_input(label, value=None, key=key, help=help_, format="DD/MM/YYYY",
                            min_value=date(1900, 1, 1), max_value=date(2100, 12, 31),
                            persist_state="session")
        return day.isoformat() if isinstance(day, date) else ""
    if kind == "multiline":
        text = st.text_area(label, key=key, help=help_, max_chars=spec.max_length, height=100,
                            placeholder=spec.help or None, persist_state="session")
    else:
        # the field's help as its placeholder too: in a tooltip only, 'For example
        # "complaint"' went unseen and "your complaint" made "your your complaint"
        text = st.text_input(label, key=key, help=help_, max_chars=spec.max_length,
                             placeholder=PLACEHOLDERS.get(spec.type) or spec.help or None,
                             persist_state="session")
    if len(text or "") >= spec.max_length:  # the browser stops typing and pasting there
        st.warning(f"{escape_markdown(spec.label)} reached the limit of {spec.max_length:,} "
                   "characters, so anything longer was cut off. Check it is complete.",
                   icon=":material/warning:")
    return (text or "").strip()


def show_fact_inputs(template: LetterTemplate) -> tuple[CaseFacts, str, bool]:
    """The form generated from the template's fields, free-text facts and what to cover."""
    st.subheader("Case facts")
    values: dict[str, str] = {}
    fields = template.fields
    for start in range(0, len(fields), 2):  # two a row, in the template's (the letter's) order
        for column, spec in zip(st.columns(2), fields[start:start + 2], strict=False):
            with column:
                values[spec.name] = show_field(spec)
    notes = st.text_area(
        "Other case facts (optional)", key=state.DRAFT_FACTS_TEXT, max_chars=MAX_FACTS_CHARS,
        help="Anything else the letter should take into account. The checks use these facts "
             "too, to spot personal details pasted from another case.", persist_state="session")
    cover = st.text_area(
        "What the letter must cover", key=state.DRAFT_COVER, max_chars=MAX_COVER_CHARS,
        placeholder="For example: explain why the claim was refused and how to ask for a review",
        persist_state="session")
    for text, limit, what in ((notes, MAX_FACTS_CHARS, "The other case facts"),
                              (cover, MAX_COVER_CHARS, "'What the letter must cover'")):
        if len(text or "") >= limit:
            st.warning(f"{what} reached the limit of {limit:,} characters, so anything longer "
                       "was cut off. Keep to what this letter needs.", icon=":material/warning:")
    allow_missing = st.checkbox(
        "Draft even if some facts are missing (leaves {placeholders} to fill in)",
        key=state.DRAFT_ALLOW_MISSING, persist_state="session")
    return CaseFacts(values, (notes or "").strip()), (cover or "").strip(), allow_missing


def choose_template(templates: list[LetterTemplate]) -> LetterTemplate:
    by_name = {t.name: t for t in templates}
    if st.session_state.get(state.DRAFT_TEMPLATE) not in by_name:
        st.session_state.pop(state.DRAFT_TEMPLATE, None)
    name = st.selectbox("Letter template", list(by_name), key=state.DRAFT_TEMPLATE,
                        format_func=lambda n: by_name[n].title, persist_state="session")
    template = by_name[name or templates[0].name]
    if template.description:
        st.caption(escape_markdown(template.description))
    return template


class ProgressView:
    """Shows per-section progress, and the model's text as it streams in."""

    def __init__(self, total: int) -> None:
        self.bar = st.progress(0.0, text=f"Drafting section 1 of {total}…")
        self.box: Any = None
        self.text = ""
        self.shown = 0.0

    def __call__(self, event: DraftProgress) -> None:
        where = f"section {event.index + 1} of {event.total}: {event.heading or event.section_id}"
        if event.done:
            if self.box is not None and self.text:  # the tail the throttle did not draw yet
                self.box.markdown(streamed(self.text))
            self.bar.progress((event.index + 1) / event.total, text=f"Drafted {where}")
        elif event.piece:
            self.text += event.piece
            # the model's text as it streams: no planted image or link goes live (redrawn at
            # most every REDRAW_S, so a long section does not cost quadratic time)
            if time.monotonic() - self.shown >= REDRAW_S:
                self.box.markdown(streamed(self.text))
                self.shown = time.monotonic()
        else:
            self.bar.progress(event.index / event.total, text=f"Drafting {where}…")
            st.markdown(f"**{escape_markdown(event.heading or event.section_id)}**")
            self.box, self.text, self.shown = st.empty(), "", 0.0


def run_draft(app: AppServices, template: LetterTemplate, facts: CaseFacts, cover: str,
              allow_missing: bool) -> None:
    """Draft the letter with visible progress; keep the draft (or the partial one) in state."""
    try:
        prepare_values(template, facts, cover, allow_missing=allow_missing)  # fail fast
    except GuidanceError as exc:
        st.error(f"The letter was not drafted. {exc} Your facts are kept.", icon=":material/error:")
        return
    if not has_guidance(app):
        return
    problem = ""
    with st.status(f"Drafting the {template.title.lower()}…", expanded=True) as status:
        try:
            draft: Draft | None = draft_with(app, template, facts, cover, allow_missing)
        except DraftError as exc:
            draft = exc.partial
        except GuidanceError as exc:
            draft, problem = None, f"The letter was not drafted. {exc}"
        except Exception:
            log.exception("Drafting failed")
            draft, problem = None, ("The letter was not drafted because of an unexpected "
                                    "problem. It has been logged; try again, and tell "
                                    f"{app.settings.support_contact} if it keeps happening.")
        done = draft is not None and draft.complete
        status.update(label="The draft is ready." if done else "Drafting stopped.",
                      state="complete" if done else "error", expanded=False)
    if problem:
        st.error(f"{problem} Your facts are kept.", icon=":material/error:")
    if draft is not None:
        st.session_state[state.DRAFT] = draft
        st.session_state[state.DRAFT_ROUND] += 1


def has_guidance(app: AppServices) -> bool:
    """Whether the index holds guidance to draft from; if not, says so (a letter drafted from
    nothing would say the guidance covers nothing)."""
    try:
        if app.services.index.count_chunks() > 0:
            return True
        st.error(NO_GUIDANCE, icon=":material/error:")
    except GuidanceError as exc:
        st.error(f"The letter was not drafted. {exc} Your facts are kept.", icon=":material/error:")
    return False


def draft_with(app: AppServices, template: LetterTemplate, facts: CaseFacts, cover: str,
               allow_missing: bool) -> Draft:
    """The engine's draft, with a progress view drawn inside the status box."""
    services = app.services
    return draft_letter(template, facts, cover, retriever=services.retriever, llm=services.llm,
                        settings=services.settings, embedder=services.embedder,
                        allow_missing=allow_missing,
                        on_progress=ProgressView(len(template.sections)))


def apply_edits(draft: Draft) -> None:
    """Copy each section editor's text into the draft (so checks and exports see the edits)."""
    draft_round = st.session_state[state.DRAFT_ROUND]
    for section in draft.sections:
        text = st.session_state.get(state.section_key(draft_round, section.id))
        if text is not None and text.strip() != section.text:
            edit_section(draft, section.id, text)


def show_section(draft: Draft, i: int, section: DraftSection, findings: list[Finding]) -> None:
    """A section's editor, what the checks found in it, and the sources it cites."""
    key = state.section_key(st.session_state[state.DRAFT_ROUND], section.id)
    if key not in st.session_state:
        st.session_state[key] = section.text
    st.text_area(part_label(i, section), key=key, height="content")
    for warning in section.warnings:
        st.caption(escape_markdown(warning))
    for finding in findings:
        st.warning(escape_markdown(finding.message), icon=":material/flag:")
    cited = dict.fromkeys(n for p in section.paragraphs for n in p.cited)
    sources = [c for c in (draft.source(n) for n in cited) if c is not None]
    for c in sources:
        details = [c.section] if c.section and c.section != c.title else []
        details += [f"page {c.page}"] if c.page else []
        line = f"**[{c.n}] {escape_markdown(c.title)}**"
        line += f" — {escape_markdown(', '.join(details))}" if details else ""
        st.markdown(line + (f"\n\n> {escape_markdown(c.quote)}" if c.quote else ""))


def show_checks(findings: list[Finding]) -> None:
    """Everything to fix or confirm before sending, grouped by kind."""
    st.subheader("Before you send this letter")
    if not findings:
        st.success("The checks found no unfilled placeholders, no uncited sections and no "
                   "personal details missing from this case's facts.", icon=":material/check:")
        return
    st.warning(f"The checks found {len(findings)} thing(s) to look at. Edit the letter above; "
               "the checks run again on your edits.", icon=":material/checklist:")
    for kind, title in CHECK_TITLES.items():
        found = [f.message for f in findings if f.kind == kind]
        if found:
            st.markdown(f"**{title}**\n\n" + "\n".join(f"- {escape_markdown(m)}" for m in found))


def show_downloads(draft: Draft, findings: list[Finding]) -> None:
    """Word and plain-text files built from the edited draft (without the notice); a warning
    when the draft still holds notes, placeholders or unrewritten extracts (they are exported)."""
    left = sum(f.kind == "placeholder" for f in findings)
    extracts = any(p.role == "extract" for s in draft.sections for p in s.paragraphs)
    if left or extracts:
        what = [f"{left} note(s) or placeholder(s) still to fill in, such as [REWRITE: …] and "
                "[TO DO: …]"] if left else []
        what += ["guidance extracts quoted word for word, not yet rewritten"] if extracts else []
        st.warning("This letter is not finished. The files below hold it as it is now, "
                   f"including {' and '.join(what)}. Finish it before you send it.",
                   icon=":material/warning:")
    cited = st.toggle("Include source numbers and the list of sources", value=True,
                      key="draft_export_sources",
                      help="Keep them in the copy you check; leave them out of the copy you send "
                           "(they name guidance documents, internal addresses and files).")
    # the copy with sources is named so, to tell it from the copy to send at a glance
    name = (f"{draft.title} {draft.facts.fields.get('reference', '')}"
            f"{' (with sources)' if cited else ''}")
    row = st.container(horizontal=True)
    row.download_button("Download as Word (.docx)",
                        data=lambda: export_docx(draft, sources=cited),
                        file_name=export_file_name(name, "docx"), mime=DOCX_MIME,
                        icon=":material/download:", on_click="ignore", type="primary")
    row.download_button("Download as plain text (.txt)",
                        data=lambda: export_text(draft, sources=cited),
                        file_name=export_file_name(name, "txt"), mime="text/plain",
                        icon=":material/download:", on_click="ignore")
    st.caption(("The files hold the letter and its numbered sources" if cited else
                "The files hold the letter without source numbers or sources, to send")
               + "; the machine-drafted notice is not included.")


def show_draft(draft: Draft, templates_dir: Any) -> None:
    """The machine-drafted notice, then the editable sections, the checks and the downloads."""
    apply_edits(draft)
    try:
        template: LetterTemplate | None = find_template(draft.template_name, templates_dir)
    except TemplateError:
        template = None
    findings = check_draft(draft, template)
    st.header(f"Your draft: {draft.title}", divider="gray")
    st.warning(draft.notice, icon=":material/smart_toy:")
    if not draft.complete:
        st.error(f"{draft.error} Sections marked [TO DO] were not drafted: write them "
                 "yourself, or press Draft again.", icon=":material/error:")
    if draft.mode == "offline":
        st.info(OFFLINE_BANNER, icon=":material/info:")
    for i, section in enumerate(draft.sections, start=1):
        show_section(draft, i, section, [f for f in findings if f.section_id == section.id])
    show_checks(findings)
    show_downloads(draft, findings)


def confirm_redraft() -> bool:
    """Ask before a new draft replaces an edited one; True once the user says replace it."""
    box = st.empty()
    with box.container():
        st.warning("You have edited this draft. Drafting again replaces it, and your edits are "
                   "lost. Download it first (below) if you want to keep them.",
                   icon=":material/warning:")
        row = st.container(horizontal=True)
        discard = row.button("Draft again and discard my edits", type="primary")
        keep = row.button("Keep my edited draft")
    if discard:
        st.session_state[state.CONFIRM_REDRAFT] = False
        box.empty()  # the question is answered: the drafting progress takes its place
        return True
    if keep:
        st.session_state[state.CONFIRM_REDRAFT] = False
        st.rerun()
    return False


def main() -> None:
    settings = load_settings()
    if current_identity(settings) is None:
        st.error("Sign in to draft letters.")
        return
    st.html(DATE_PART_STYLE)
    st.title("Draft a letter")
    st.caption("Choose a template, give the case facts and say what the letter must cover. "
               "Each section is drafted from the guidance and cites its sources; you then edit "
               "and check the letter before downloading it.")
    templates, problems = list_templates(settings.templates_dir)
    if problems:
        st.caption(f"{len(problems)} template file(s) could not be read and are not offered. "
                   "An administrator can see why on the Admin page, under Templates.")
    if not templates:
        st.warning("There are no letter templates yet. Ask an administrator to add one on the "
                   "Admin page, under Templates.", icon=":material/warning:")
        return
    template = choose_template(templates)
    facts, cover, allow_missing = show_fact_inputs(template)
    clicked = st.button("Draft the letter", type="primary", icon=":material/edit_document:")
    current = st.session_state.get(state.DRAFT)
    if current is not None:
        apply_edits(current)  # so edits typed just before the click count as edits
    if clicked and current is not None and current.edited:
        st.session_state[state.CONFIRM_REDRAFT] = True
    elif clicked:
        run_draft(ready_app_services(), template, facts, cover, allow_missing)
    if st.session_state[state.CONFIRM_REDRAFT] and confirm_redraft():
        run_draft(ready_app_services(), template, facts, cover, allow_missing)
    draft = st.session_state.get(state.DRAFT)
    if draft is not None:
        show_draft(draft, settings.templates_dir)


main()
