"""The services shared by every session, built once per process.

They are held in a module object, not ``st.cache_resource``: any browser can ask Streamlit to
clear its resource caches, and each rebuild cost about 0.7 s of server CPU (found by a security
review: 120 clears in a row cost 85 s). Tests replace ``load_settings`` and
``build_app_services`` (what the factory calls) with fakes and call ``forget_app_services``.
Pages read settings through ``load_settings`` without waiting for the services, so a fresh
server can draw the chat input while it loads the model and opens the index.
On first start, when the index is empty, each subfolder of ``settings.sample_guidance_dir`` is
indexed as a collection, with visible progress.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

import streamlit as st

from assistant.config import Settings, get_settings
from assistant.conversations import ConversationStore
from assistant.library import refresh_retrieval
from assistant.services import Services, build_services
from ingest.locking import register_app
from ingest.service import repair_if_idle

log = logging.getLogger(__name__)


@dataclass
class AppServices:
    """The engine's services plus the conversation store and a lock for first-start indexing."""

    services: Services
    conversations: ConversationStore
    indexing: threading.Lock = field(default_factory=threading.Lock)

    @property
    def settings(self) -> Settings:
        return self.services.settings


def load_settings() -> Settings:
    """The settings (loaded once per process; a bad value raises ConfigError naming it)."""
    return get_settings()


def build_app_services(settings: Settings) -> AppServices:
    """Build the real services from settings (the seam tests replace), warmed up."""
    app = AppServices(build_services(settings), ConversationStore(settings.conversations_db))
    if not settings.chroma_host:  # the ingest CLI then refuses to write under this process
        register_app(settings.store_dir)
    try:  # a killed ingestion may have left a document half-written: finish or roll it back
        repaired = repair_if_idle(settings, app.services.index)
        if repaired:
            log.warning("Repaired %d document(s) an interrupted ingestion left pending", repaired)
            refresh_retrieval(app.services)
    except Exception:  # the store's own error will surface, with advice, on first use
        log.warning("Checking for interrupted ingestion failed", exc_info=True)
    retriever = app.services.retriever
    try:  # load the model, touch the index and build the spelling dictionary now (~1 s)
        retriever.warm_up()
    except Exception:  # a problem here will surface, with advice, on the first question
        log.warning("Warming up retrieval failed", exc_info=True)
    return app


_APP: AppServices | None = None
_APP_LOCK = threading.Lock()


def get_app_services() -> AppServices:
    """The shared services, built once per process (the first session to need them builds
    them; the others wait)."""
    global _APP
    if _APP is None:
        # the spinner outside the lock: sessions waiting for another's build see it too
        with st.spinner("Starting the Guidance Assistant…"), _APP_LOCK:
            if _APP is None:
                _APP = build_app_services(load_settings())
    return _APP


def forget_app_services() -> None:
    """Drop the shared services, so the next session builds them again (tests)."""
    global _APP
    with _APP_LOCK:
        _APP = None


def ready_app_services() -> AppServices:
    """The shared services, with the sample guidance indexed if the index is empty."""
    app = get_app_services()
    index_sample_guidance_if_empty(app)
    return app


def index_sample_guidance_if_empty(app: AppServices) -> None:
    """First start: index each sample-guidance subfolder as a collection, showing progress."""
    if app.services.index.get_documents():
        return
    root = app.settings.sample_guidance_dir
    folders = sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
    if not folders:
        return
    with app.indexing:  # another session may be indexing: wait for it, then check again
        if app.services.index.get_documents():
            return
        if not _index_folders(app, folders):  # another app process (or the CLI) is indexing
            st.info("The sample guidance is being indexed by another process for first use. "
                    "Questions will be answered once it finishes: reload this page in a minute.",
                    icon=":material/hourglass_top:")


def _index_folders(app: AppServices, folders: list[Path]) -> bool:
    """Index the folders with progress; False if another process holds the store."""
    from assistant.errors import GuidanceError, StoreLockedError, StoreSharedError
    from assistant.library import index_files
    from ingest.pipeline import validate_collection

    with st.status("Indexing the sample guidance for first use…", expanded=True) as status:
        bar = st.progress(0.0, text="Reading documents…")
        for folder in folders:
            try:
                validate_collection(folder.name)
            except GuidanceError as exc:  # one badly named folder must not stop the others
                st.write(f"**{folder.name}** was skipped: {exc} Rename the folder.")
                continue

            def progress(done: int, total: int, name: str, _c: str = folder.name) -> None:
                bar.progress(done / max(total, 1), text=f"{_c}: {done} of {total} — {name}")

            try:
                report = index_files(app.services, [folder], folder.name, progress)
            except StoreSharedError as exc:  # another app on this embedded store: say so
                bar.empty()
                status.update(label="The sample guidance was not indexed.", state="error",
                              expanded=True)
                st.warning(str(exc), icon=":material/warning:")
                return True
            except StoreLockedError:
                bar.empty()
                status.update(label="Another process is indexing the sample guidance.",
                              state="complete", expanded=False)
                return False
            st.write(f"**{folder.name}**: {report.added} documents added, "
                     f"{len(report.failed)} failed, {report.chunks} passages in the index.")
        status.update(label="The sample guidance is ready.", state="complete", expanded=False)
    return True
