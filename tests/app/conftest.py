"""AppTest fixtures: fake services injected through the one factory in app_pages/services.py."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import app_pages.access as app_access
import app_pages.services as app_services
from app_pages.services import AppServices
from assistant.access import AttemptLimiter
from assistant.config import Settings
from assistant.conversations import ConversationStore
from assistant.services import Services
from assistant.testing import FakeChatModel, FakeEmbedder, FakeRetriever, InMemoryChunkIndex
from assistant.types import Chunk, DocumentRecord, ScoredChunk

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "streamlit_app.py")
ADMIN_PAGE = "app_pages/admin.py"
HELP_PAGE = "app_pages/help.py"
PASSWORD = "open sesame 42"


@pytest.fixture(autouse=True)
def _keep_main_module() -> Iterator[None]:
    """AppTest runs a page as ``__main__`` and leaves it there. The parser's worker processes
    re-import the parent's ``__main__``: after ``AppTest.from_function`` (a temporary script,
    deleted since) every worker died at start-up in later tests of the same run."""
    main = sys.modules["__main__"]
    yield
    sys.modules["__main__"] = main


def leave_chunk(n: int = 0, score_text: str = "") -> Chunk:
    """A chunk of a fictional annual-leave document."""
    return Chunk(
        chunk_id=f"hr/leave.md#{n}", doc_id="hr/leave.md", collection="hr",
        title="Annual leave and carry over", source="leave.md", doc_type="markdown",
        section="Carrying leave over", page_start=None,
        url="https://www.gov.uk/holiday-entitlement-rights",
        text=("You can carry over up to 5 days of annual leave into the next leave year. "
              "Ask your line manager to approve carry over before the end of the year. "
              + score_text),
        content_hash=f"h{n}", doc_version="v1", position=n)


def leave_record(source_path: str = "") -> DocumentRecord:
    return DocumentRecord("hr/leave.md", "hr", "leave.md", "Annual leave and carry over",
                          "markdown", "v1", pages=0, chunks=1, indexed_at="2026-11-26T10:00:00",
                          source_path=source_path)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(store_dir=tmp_path / "store", library_dir=tmp_path / "library",
                    sample_guidance_dir=tmp_path / "sample",
                    conversations_db=tmp_path / "conversations.sqlite3",
                    admin_password=PASSWORD, admin_emails=("admin@dept.gov.uk",),
                    parse_workers=1)  # type: ignore[arg-type]


@pytest.fixture
def retriever() -> FakeRetriever:
    return FakeRetriever([ScoredChunk(leave_chunk(), 0.9)], min_relevance=0.3)


@pytest.fixture
def fake_app(settings: Settings, retriever: FakeRetriever, monkeypatch: pytest.MonkeyPatch
             ) -> Iterator[AppServices]:
    """Fake services (in-memory index, fake embedder and retriever, offline) for every page."""
    index = InMemoryChunkIndex()
    index.upsert_documents([leave_record()])
    app = AppServices(Services(settings, FakeEmbedder(), index, retriever, None),
                      ConversationStore(settings.conversations_db))
    monkeypatch.setattr(app_services, "load_settings", lambda: app.settings)
    monkeypatch.setattr(app_services, "build_app_services", lambda _settings: app)
    monkeypatch.setattr(app_access, "ADMIN_ATTEMPTS", AttemptLimiter())  # a fresh count per test
    app_services.forget_app_services()
    yield app
    app_services.forget_app_services()


@pytest.fixture
def chat_model(fake_app: AppServices) -> FakeChatModel:
    """Switch the fake app to generative mode with a fake chat model."""
    model = FakeChatModel()
    fake_app.services.llm = model
    fake_app.services.settings = fake_app.settings.model_copy(
        update={"llm_provider": "openai", "llm_base_url": "http://127.0.0.1:9/v1"})
    return model


def open_app(user: dict[str, object] | None = None) -> AppTest:
    """The app as a new browser session would see it (local mode unless ``user`` says OIDC)."""
    at = AppTest.from_file(APP, default_timeout=30)
    if user is not None:
        at.user = user
    return at.run()


def texts(at: AppTest) -> str:
    """Everything the page shows as text (markdown, captions, alerts), for assertions."""
    parts = [e.value for e in at.markdown] + [e.value for e in at.caption]
    parts += [e.value for kind in (at.info, at.warning, at.error, at.success) for e in kind]
    parts += [e.value for e in at.text]
    return "\n".join(str(p) for p in parts)
