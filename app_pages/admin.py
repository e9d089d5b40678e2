"""Admin: the documents in the index, uploads, new versions, deletion, reindexing, health and
the letter templates.

The role is checked here as well as in navigation, so a crafted URL or session cannot reach it.
"""

from __future__ import annotations

import shlex
from collections import Counter
from collections.abc import Callable
from typing import Any

import streamlit as st

from app_pages import state
from app_pages.access import current_identity, show_admin_sign_in
from app_pages.errors import run_guarded
from app_pages.services import AppServices, load_settings, ready_app_services
from app_pages.sources import escape_markdown, plain_rows
from assistant import library, uploads
from assistant.errors import GuidanceError
from assistant.templates import (
    MAX_TEMPLATE_BYTES,
    LetterTemplate,
    TemplateError,
    list_templates,
    parse_template,
    save_template,
)
from assistant.types import DocumentRecord
from ingest.locking import running_apps
from ingest.pipeline import IngestReport
from ingest.service import check_store, repair_store

ACCEPTED = ["pdf", "docx", "html", "htm", "md", "markdown", "txt", "rtf"]
NEW_COLLECTION = "➕ New collection…"


def run_action(description: str, action: Callable[[], Any]) -> Any:
    """Run an admin action, showing the engine's advice (or a generic message) if it fails."""
    return run_guarded(description, action)


def progress_bar(label: str) -> Callable[[int, int, str], None]:
    """A progress bar and the callback that moves it."""
    bar = st.progress(0.0, text=label)

    def update(done: int, total: int, name: str) -> None:
        bar.progress(done / max(total, 1), text=f"{label} {done} of {total}: {name}")

    return update


def finish(title: str, rows: list[dict[str, Any]], ok: bool = True) -> None:
    """Keep an action's per-file results for display after the rerun, and rerun."""
    st.session_state[state.LAST_RESULTS] = (title, rows, ok)
    st.session_state[state.UPLOAD_ROUND] += 1
    st.rerun()


def show_last_results() -> None:
    results = st.session_state.get(state.LAST_RESULTS)
    st.session_state[state.LAST_RESULTS] = None
    if results:
        title, rows, ok = results
        if ok:
            st.success(title, icon=":material/task_alt:")
        else:
            st.warning(title, icon=":material/warning:")
        if rows:
            plain_table(rows)


def plain_table(rows: list[dict[str, Any]]) -> None:
    """``st.table`` renders Markdown in cells: file names and failure reasons come from uploads."""
    st.table(plain_rows(rows), hide_index=True, border="horizontal")


def document_rows(records: list[DocumentRecord], search: str) -> list[dict[str, Any]]:
    needle = search.strip().lower()
    rows = [{"Title": r.title, "Type": r.doc_type, "Pages": str(r.pages) if r.pages else "",
             "Chunks": r.chunks,
             "Collection": r.collection, "Last indexed": _when(r.indexed_at),
             "Status": "ok" if r.status == "ok" else f"{r.status}: {r.reason}", "File": r.source}
            for r in records]
    if needle:
        rows = [row for row in rows if needle in " ".join(map(str, row.values())).lower()]
    return sorted(rows, key=lambda row: (row["Collection"], row["Title"].lower()))


def _when(iso: str) -> str:
    """'2026-11-26T12:52:27+00:00' as '2026-11-26 12:52 UTC'."""
    return f"{iso[:10]} {iso[11:16]} UTC" if len(iso) >= 16 else iso


def show_documents(records: list[DocumentRecord]) -> None:
    search = st.text_input("Search documents", key=state.DOC_SEARCH,
                           placeholder="Title, collection, type, status or file name")
    rows = document_rows(records, search)
    failed = sum(r.status == "failed" for r in records)
    # files that failed are listed too, so the count says so (Index health counts documents)
    st.caption(f"{len(rows)} of {len(records)} files" + (
        f" ({len(records) - failed} indexed, {failed} failed: the reasons are on Index health)"
        if failed else "") + ". Select a column heading to sort.")
    st.dataframe(rows, hide_index=True, width="stretch",
                 column_config={"Status": st.column_config.TextColumn("Status", width="large")})


def show_upload(app: AppServices, collections: list[str]) -> None:
    settings = app.settings
    options = [*collections, NEW_COLLECTION] if collections else [NEW_COLLECTION]
    choice = st.selectbox("Collection", options, key=state.UPLOAD_COLLECTION)
    collection = st.text_input("New collection name", help="Letters, digits, '-' or '_'.") \
        if choice == NEW_COLLECTION else choice
    files = st.file_uploader(
        "Guidance files (PDF, Word .docx, HTML, Markdown, text or RTF)", type=ACCEPTED,
        accept_multiple_files=True, max_upload_size=settings.max_upload_mb,
        key=f"{state.UPLOAD_FILES}_{st.session_state[state.UPLOAD_ROUND]}",
        help=f"Up to {settings.max_upload_mb} MB each. Files are checked by their content.")
    if st.button("Add and index", type="primary", disabled=not files or not collection):
        rows = run_action("add the files", lambda: add_files(app, collection or "", files or []))
        if rows is not None:
            title, ok = upload_summary(rows, collection or "")
            finish(title, rows, ok=ok)


def upload_summary(rows: list[dict[str, Any]], collection: str) -> tuple[str, bool]:
    """The headline of an upload and whether it all went well: a part failure is a warning."""
    indexed = sum(row["Result"] == "indexed" for row in rows)
    if indexed == len(rows):
        return f"Added {indexed} file(s) to {collection}.", True
    problems = ", ".join(f"{n} {result}" for result in ("refused", "failed")
                         if (n := sum(row["Result"] == result for row in rows)))
    return (f"Added {indexed} of {len(rows)} file(s) to {collection}; {problems}: the reasons "
            "are below. Fix those files and upload them again.", False)


def add_files(app: AppServices, collection: str, files: list[Any]) -> list[dict[str, Any]]:
    """Check and save each file, then index the saved ones; one result row per file."""
    rows: list[dict[str, Any]] = []
    saved = []
    indexed = library.indexed_files(app.services)
    for file in files:
        try:
            # a name saved earlier in this batch is taken too
            taken = None if indexed is None else indexed | {p.resolve() for p in saved}
            item = uploads.save_upload(app.settings, collection, file.name, file.getvalue(),
                                       taken)
            saved.append(item.path)
        except GuidanceError as exc:
            rows.append({"File": file.name, "Result": "refused", "Reason": str(exc)})
        except OSError as exc:  # e.g. a name the file system refuses
            rows.append({"File": file.name, "Result": "refused",
                         "Reason": f"It could not be saved ({exc.strerror or exc}). Rename the "
                                   "file and retry."})
    if saved:
        report = library.index_uploads(app.services, saved, collection,
                                       progress_bar("Indexing"))
        rows += result_rows(saved_names=[p.name for p in saved], report=report,
                            collection=collection)
    return rows


def result_rows(saved_names: list[str], report: IngestReport,
                collection: str = "") -> list[dict[str, Any]]:
    failed = {path.rsplit("/", 1)[-1]: reason for path, reason in report.failed}
    copies: dict[str, str] = {}  # "collection/file" -> the other copy
    for path, other in report.duplicates:
        copies.setdefault(path, other)
        copies.setdefault(other, path)
    return [{"File": name, "Result": "failed" if name in failed else "indexed",
             "Reason": failed.get(name) or (
                 f"Same content as {copies[f'{collection}/{name}']}: both are indexed. Delete "
                 "one if it is a stray copy." if f"{collection}/{name}" in copies else "")}
            for name in saved_names]


def label(record: DocumentRecord) -> str:
    return f"{record.title} ({record.collection}/{record.source})"


def show_replace(app: AppServices, records: list[DocumentRecord]) -> None:
    if not records:
        st.caption("There are no documents yet.")
        return
    record = st.selectbox("Document", records, format_func=label, key=state.REPLACE_DOC)
    file = st.file_uploader("New version", type=ACCEPTED,
                            max_upload_size=app.settings.max_upload_mb,
                            key=f"{state.REPLACE_FILE}_{st.session_state[state.UPLOAD_ROUND]}")
    if st.button("Replace and reindex", type="primary", disabled=file is None or record is None):
        done = run_action("replace the document", lambda: replace(app, record, file))
        if done is not None:
            ok, rows = done
            title = escape_markdown(record.title)  # from the document itself: shown as typed
            finish(f"Replaced {title}." if ok else
                   f"{title} was not replaced: the previous version is kept.", rows, ok)


def replace(app: AppServices, record: DocumentRecord,
            file: Any) -> tuple[bool, list[dict[str, Any]]]:
    result = library.replace_and_index(app.services, record, file.name, file.getvalue(),
                                       progress_bar("Indexing"))
    if result.refused:
        return False, [{"File": file.name, "Result": "refused",
                        "Reason": f"{result.refused.rstrip('.')}. The previous version is kept."}]
    return True, [{"File": file.name, "Result": "indexed", "Reason": "",
                   "Passages re-embedded": result.report.embedded}]


def show_delete(app: AppServices, records: list[DocumentRecord]) -> None:
    if not records:
        return
    record = st.selectbox("Document to delete", records, format_func=label, key=state.DELETE_DOC,
                          index=None, placeholder="Choose a document")
    pending = st.session_state.get(state.CONFIRM_DELETE_DOCUMENT)
    if pending is None or record is None or pending != record.doc_id:
        if st.button("Delete document…", icon=":material/delete:", disabled=record is None):
            st.session_state[state.CONFIRM_DELETE_DOCUMENT] = record.doc_id if record else None
            st.rerun()
        return
    title = escape_markdown(record.title)  # from the document itself: shown as typed
    st.warning(f"Delete **{title}** from the index and its file from disk? This cannot "
               "be undone.")
    yes, no = st.columns(2)
    if yes.button("Yes, delete it", type="primary"):
        st.session_state[state.CONFIRM_DELETE_DOCUMENT] = None
        deleted = run_action("delete the document",
                             lambda: library.delete_document(app.services, record))
        if deleted is not None:
            note = "and its file" if deleted else (
                "(its file is in a folder this app does not manage: remove it there too, or "
                "the next `python -m ingest` run of that folder adds it again)")
            finish(f"Deleted {title} from the index {note}.", [])
    if no.button("Cancel"):
        st.session_state[state.CONFIRM_DELETE_DOCUMENT] = None
        st.rerun()


def show_reindex(app: AppServices, collections: list[str]) -> None:
    target = st.selectbox("Reindex", ["All collections", *collections], key=state.REINDEX_TARGET)
    st.caption("Reads every file in the collection's folders again: changed files are "
               "re-embedded, new ones added, and documents whose file is gone are removed.")
    if st.button("Reindex now", type="primary"):
        chosen = collections if target == "All collections" else [target]
        reports = run_action("reindex", lambda: library.reindex(app.services, chosen,
                                                                 progress_bar("Reindexing")))
        if reports is not None:
            # files that failed before and did not change are not read again, but still fail
            failing = Counter(r.collection for r in app.services.index.get_documents()
                              if r.status == "failed")
            rows = [{"Collection": name, "Added": r.added, "Updated": r.updated,
                     "Unchanged": r.unchanged, "Removed": r.removed,
                     "Failed now": len(r.failed), "Failed files in total": failing[name],
                     "Seconds": f"{r.seconds:.1f}"} for name, r in reports.items()]
            total = sum(failing[name] for name in reports)
            note = f" {total} file(s) cannot be read: see Index health." if total else ""
            note += "".join(unmanaged_note(c, folder, n) for c, folder, n in
                            library.unmanaged_sources(app.services, chosen))
            finish(f"Reindexed {', '.join(reports) or 'nothing'}.{note}", rows,
                   ok=not total and bool(reports))


def unmanaged_note(collection: str, folder: str, documents: int) -> str:
    """What to do about documents that ``python -m ingest`` indexed from another folder."""
    shown = shlex.quote(folder).replace("`", "")
    return (f" {documents} document(s) in {escape_markdown(collection)} came from "
            f"{escape_markdown(folder)}, which this app does not read: to refresh them, stop "
            f"the app and run `python -m ingest {shown} --collection {collection}`.")


def show_health(app: AppServices, records: list[DocumentRecord]) -> None:
    failed = [r for r in records if r.status == "failed"]
    cols = st.columns(4)
    cols[0].metric("Documents", len(records) - len(failed))
    cols[1].metric("Passages (chunks)", app.services.index.count_chunks())
    cols[2].metric("Failed files", len(failed))
    size = library.store_size_bytes(app.settings) / 1048576
    cols[3].metric("Store size", f"{size:.1f} MB" if not app.settings.chroma_host else "server")
    st.markdown(f"**Embedding model:** `{app.services.embedder.model_id}`  \n"
                f"**Last reindex:** {library.last_reindex_time(app.settings) or 'never'}")
    if failed:
        plain_table([{"File": f"{r.collection}/{r.source}", "Reason": r.reason} for r in failed])
    show_consistency(app)


def show_consistency(app: AppServices) -> None:
    """Check that every chunk belongs to its document's committed version, and repair if not."""
    st.subheader("Consistency")
    st.caption("Checks that the search index holds exactly the committed passages of every "
               "document (reads every passage: a few seconds per 10,000).")
    state.show_notice()  # the result of a repair, after its rerun
    if st.button("Check the index", icon=":material/fact_check:"):
        problems = run_guarded("check the index",
                               lambda: check_store(app.services.index))
        st.session_state[state.HEALTH_PROBLEMS] = problems
    problems = st.session_state.get(state.HEALTH_PROBLEMS)
    if problems is None:
        return
    if not problems:
        st.success("The index is consistent.", icon=":material/check:")
        return
    st.warning(f"The index has {len(problems)} problem(s), for example from an ingestion that "
               "was stopped part-way:\n\n"
               # file names from folders this app did not write: shown as typed, never rendered
               + "\n".join(f"- {escape_markdown(p)}" for p in problems[:20]),
               icon=":material/warning:")
    if app.settings.chroma_host:
        st.caption("With a Chroma server the ingestion lock only covers this host: Repair "
                   "leaves alone any document another host began writing in the last hour, "
                   "and its problems may clear when that host finishes.")
    if st.button("Repair the index", type="primary"):
        repaired = run_guarded("repair the index",
                               lambda: repair_store(app.settings, app.services.index))
        if repaired is not None:
            library.refresh_retrieval(app.services)
            st.session_state[state.HEALTH_PROBLEMS] = None
            message = f"Repaired: {repaired.removed} stray passage(s) removed."
            if repaired.to_reread:
                message += (f" {len(repaired.to_reread)} document(s) had lost passages and will "
                            "be read again from their files by the next Reindex (or, for "
                            "documents from a folder this app does not read, the next "
                            "`python -m ingest` of that folder).")
            state.notify("success", message)
            st.rerun()


def show_templates(app: AppServices) -> None:
    """The letter templates offered on Draft a letter, any that fail validation, and upload."""
    folder = app.settings.templates_dir
    templates, problems = list_templates(folder)
    st.caption(f"Templates are YAML files in `{folder}`: text and declared fields only, never "
               "code. See docs/drafting.md for the format.")
    if templates:
        plain_table([template_row(t) for t in templates])
    else:
        st.info("There are no valid templates yet: caseworkers cannot draft letters.")
    if problems:
        st.error("These template files are not offered to caseworkers:\n\n"
                 + "\n".join(f"- {p}" for p in problems), icon=":material/error:")
    st.subheader("Add or replace a template")
    show_template_upload(app)


def template_row(template: LetterTemplate) -> dict[str, Any]:
    return {"Name": template.name, "Title": template.title,
            "Fields": ", ".join(f.label for f in template.fields),
            "Drafted sections": ", ".join(s.heading or s.id for s in template.sections)}


def show_template_upload(app: AppServices) -> None:
    file = st.file_uploader(
        "Letter template (.yaml)", type=["yaml", "yml"], max_upload_size=1,
        key=f"{state.TEMPLATE_FILE}_{st.session_state[state.UPLOAD_ROUND]}",
        help=f"Up to {MAX_TEMPLATE_BYTES // 1024} KB. The file is checked before it is saved.")
    if file is None:
        st.session_state[state.CONFIRM_REPLACE_TEMPLATE] = None
        return
    template = run_action("check the template", lambda: read_template(file.getvalue()))
    if template is None:
        return
    text = file.getvalue().decode("utf-8")
    exists = (app.settings.templates_dir / f"{template.name}.yaml").exists()
    if not exists:
        if st.button("Add template", type="primary"):
            add_template(app, text, replace=False)
        return
    if st.session_state.get(state.CONFIRM_REPLACE_TEMPLATE) != template.name:
        st.info(f"A template called **{escape_markdown(template.name)}** already exists.")
        if st.button("Replace it…", icon=":material/swap_horiz:"):
            st.session_state[state.CONFIRM_REPLACE_TEMPLATE] = template.name
            st.rerun()
        return
    confirm_replace(app, template, text)


def read_template(data: bytes) -> LetterTemplate:
    """The uploaded file checked as a template (size, UTF-8, YAML, fields and parts)."""
    if len(data) > MAX_TEMPLATE_BYTES:
        raise TemplateError(f"The file is {len(data) // 1024} KB; templates are limited to "
                            f"{MAX_TEMPLATE_BYTES // 1024} KB.")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise TemplateError("The file is not UTF-8 text: save it as UTF-8 YAML.") from None
    return parse_template(text, "The uploaded template")


def confirm_replace(app: AppServices, template: LetterTemplate, text: str) -> None:
    st.warning(f"Replace the template **{escape_markdown(template.name)}** with the uploaded "
               "file? Letters already drafted are not changed.")
    yes, no = st.columns(2)
    if yes.button("Yes, replace it", type="primary"):
        st.session_state[state.CONFIRM_REPLACE_TEMPLATE] = None
        add_template(app, text, replace=True)
    if no.button("Cancel", key="ga_cancel_replace_template"):
        st.session_state[state.CONFIRM_REPLACE_TEMPLATE] = None
        st.session_state[state.UPLOAD_ROUND] += 1
        st.rerun()


def add_template(app: AppServices, text: str, *, replace: bool) -> None:
    saved = run_action("save the template",
                       lambda: save_template(text, app.settings.templates_dir, replace=replace))
    if saved is not None:
        verb = "Replaced" if replace else "Added"
        finish(f"{verb} the template {escape_markdown(saved.title)} "
               f"({escape_markdown(saved.name)}).", [])


def main() -> None:
    settings = load_settings()
    identity = current_identity(settings)
    st.title("Admin")
    if identity is None or not identity.is_admin:
        show_admin_sign_in(settings)
        st.stop()
    app = ready_app_services()
    others = [] if app.settings.chroma_host else running_apps(app.settings.store_dir)
    if others:
        st.warning(f"Another app process ({', '.join(map(str, others))}) is using this "
                   "embedded store, so documents cannot be added, replaced, deleted or "
                   "reindexed from here: its search would not see the change. Stop one of "
                   "them, or run Chroma as a server for several app processes.",
                   icon=":material/warning:")
    show_last_results()
    # pickers list documents by collection and title, as the documents table does
    records = sorted(app.services.index.get_documents(),
                     key=lambda r: (r.collection, r.title.lower(), r.source))
    collections = library.known_collections(app.services)
    # keyed, so the tab in use stays selected when a result banner above appears or goes; and
    # reported to the server (on_change="rerun"), so a rerun under way when the tab is chosen
    # cannot put the first tab back (a full CI run saw "Documents" after choosing a file)
    tabs = st.tabs(["Documents", "Upload", "Replace or delete", "Reindex", "Index health",
                    "Templates"], key=state.ADMIN_TAB, on_change="rerun")
    with tabs[0]:
        show_documents(records)
    with tabs[1]:
        show_upload(app, collections)
    with tabs[2]:
        st.subheader("Replace with a new version")
        show_replace(app, records)
        st.subheader("Delete a document")
        show_delete(app, records)
    with tabs[3]:
        show_reindex(app, collections)
    with tabs[4]:
        show_health(app, records)
    with tabs[5]:
        show_templates(app)


main()
