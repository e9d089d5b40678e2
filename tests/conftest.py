"""Shared fixtures. Unit tests are offline and quick; integration tests are marked."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.testing import FakeEmbedder, InMemoryChunkIndex

# The loopback OpenAI-protocol server's fixture, ``openai_server``, for every test module.
pytest_plugins = ("tests.openai_server",)

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = (ROOT.parent / "shared" / "data").resolve()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data: real public material. Tests that need it fail loudly if it is absent."""
    assert SHARED_DATA.is_dir(), f"expected the shared data at {SHARED_DATA}"
    return SHARED_DATA


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture
def memory_index() -> InMemoryChunkIndex:
    return InMemoryChunkIndex()


@pytest.fixture(scope="session")
def minilm():  # type: ignore[no-untyped-def]
    """The real offline embedder, loaded once per test session."""
    from assistant.adapters.embedders import MiniLMEmbedder

    return MiniLMEmbedder()
