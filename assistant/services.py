"""The one factory that builds real services from settings (CLIs and the app both call it).

Network clients are created here, late; constructors elsewhere only store configuration.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assistant.config import Settings
from assistant.errors import ConfigError
from assistant.ports import ChatModel, ChunkIndex, Embedder, Retriever


def build_embedder(settings: Settings) -> Embedder:
    """The configured embedder: offline MiniLM by default, else OpenAI / Azure OpenAI."""
    if settings.embedder == "minilm":
        from assistant.adapters.embedders import MiniLMEmbedder

        return MiniLMEmbedder(batch_size=settings.embed_batch_size, threads=settings.embed_threads)
    from assistant.adapters.embedders import OpenAIEmbedder

    return OpenAIEmbedder(_openai_client(settings, azure=settings.embedder == "azure"),
                          settings.embedding_model)


def build_index(settings: Settings, embedder: Embedder) -> Any:
    """The Chroma chunk index (embedded on disk, or the configured server)."""
    from assistant.adapters.chroma_index import ChromaChunkIndex, open_client

    client = open_client(settings.store_dir, settings.chroma_host, settings.chroma_port,
                         settings.chroma_ssl)
    return ChromaChunkIndex(client, embedder, settings.chroma_collection)


def _openai_client(settings: Settings, *, azure: bool) -> Any:
    import openai

    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else "not-needed"
    if azure:
        if not settings.azure_endpoint:
            raise ConfigError("GA_AZURE_ENDPOINT is not set, but Azure OpenAI is configured.")
        return openai.AzureOpenAI(api_key=key, azure_endpoint=settings.azure_endpoint,
                                  api_version=settings.azure_api_version,
                                  timeout=settings.llm_timeout_s)
    return openai.OpenAI(api_key=key, base_url=settings.llm_base_url,
                         timeout=settings.llm_timeout_s)


@dataclass
class Services:
    """Everything a page or CLI needs, built once per process."""

    settings: Settings
    embedder: Embedder
    index: ChunkIndex
    retriever: Retriever
    llm: ChatModel | None


def build_chat_model(settings: Settings) -> ChatModel | None:
    """The configured chat model, or None in offline (extractive) mode."""
    if settings.offline:
        return None
    from assistant.adapters.openai_chat import OpenAIChatModel

    return OpenAIChatModel(settings)


def build_services(settings: Settings) -> Services:
    """Build the real embedder, index, retriever and chat model from settings."""
    from assistant.retrieval import build_retriever

    embedder = build_embedder(settings)
    index = build_index(settings, embedder)
    return Services(settings, embedder, index, build_retriever(settings, index, embedder),
                    build_chat_model(settings))
