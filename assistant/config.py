"""The one typed settings object. Only this module reads the environment or secrets.toml.

Values come from, highest priority first: keyword arguments, environment variables prefixed
``GA_`` (e.g. ``GA_STORE_DIR``), top-level keys of ``.streamlit/secrets.toml`` (read as TOML, so
nothing here imports streamlit), then the defaults below. Nothing is required to run offline.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from assistant.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SECRETS_FILE = Path(os.environ.get("GA_SECRETS_FILE", PROJECT_ROOT / ".streamlit" / "secrets.toml"))

LlmProvider = Literal["none", "openai", "azure"]
EmbedderName = Literal["minilm", "openai", "azure"]


_ADDRESSES = ("llm_base_url", "azure_endpoint")


class Settings(BaseSettings):
    """Every setting of the Guidance Assistant, frozen once loaded."""

    model_config = SettingsConfigDict(
        env_prefix="GA_", frozen=True, extra="ignore", toml_file=SECRETS_FILE
    )

    # Where things live.
    store_dir: Path = Field(PROJECT_ROOT / ".data" / "store", description="Local index state")
    sample_guidance_dir: Path = PROJECT_ROOT / "sample_guidance"
    library_dir: Path = Field(
        PROJECT_ROOT / ".data" / "library", description="Uploaded guidance files, by collection"
    )
    conversations_db: Path = PROJECT_ROOT / ".data" / "conversations.sqlite3"
    templates_dir: Path = PROJECT_ROOT / "templates"
    default_collection: str = "guidance"

    # Chroma: embedded on disk unless a server host is set.
    chroma_host: str | None = None
    chroma_port: int = 8000
    chroma_ssl: bool = False
    chroma_collection: str = "chunks"

    # Embeddings.
    embedder: EmbedderName = "minilm"
    embedding_model: str = "text-embedding-3-small"
    embed_batch_size: int = Field(8, ge=1, le=256)
    embed_threads: int = Field(
        0, ge=0, description="parallel single-threaded model sessions; 0 = one per core")

    # Chunking.
    chunk_tokens: int = Field(200, ge=32, le=256)
    chunk_overlap_tokens: int = Field(24, ge=0, le=128)

    # Ingestion limits.
    max_upload_mb: int = Field(25, ge=1)
    parse_timeout_s: float = Field(60.0, gt=0)
    parse_memory_mb: int = Field(1024, ge=128)
    parse_workers: int = Field(2, ge=0, description="0 = parse in-process, no limits (tests)")

    # Language model (generative answers). "none" = offline extractive answers.
    llm_provider: LlmProvider = "none"
    llm_base_url: str | None = None
    llm_model: str = "gpt-4o-mini"
    llm_api_key: SecretStr | None = None
    azure_endpoint: str | None = None
    azure_api_version: str = "2024-10-21"
    azure_deployment: str | None = None
    llm_temperature: float = Field(0.0, ge=0, le=2)
    llm_max_tokens: int = Field(600, ge=16)
    llm_timeout_s: float = Field(60.0, gt=0)
    llm_max_retries: int = Field(2, ge=0, le=10)
    context_token_budget: int = Field(3000, ge=256)
    # an amount quoted from guidance last updated longer ago than this carries a warning
    stale_after_days: int = Field(365, ge=1)
    # anything quoted from guidance last updated longer ago than this carries a warning
    outdated_after_days: int = Field(1095, ge=1)

    # Access.
    admin_password: SecretStr | None = None
    admin_emails: tuple[str, ...] = ()
    admin_groups: tuple[str, ...] = ()  # OIDC "groups" claim values that grant admin
    support_contact: str = Field(
        "the team that owns your guidance", description="Who users contact, shown on Help"
    )

    @model_validator(mode="after")
    def _check_required_secrets(self) -> Settings:
        needs_key = self.llm_provider != "none" or self.embedder != "minilm"
        if needs_key and self.llm_api_key is None and not self.llm_base_url:
            raise ConfigError(
                "GA_LLM_API_KEY is not set, but a model endpoint is configured "
                f"(GA_LLM_PROVIDER={self.llm_provider}, GA_EMBEDDER={self.embedder}). "
                "Set GA_LLM_API_KEY, or set GA_LLM_PROVIDER=none for offline answers."
            )
        uses_azure = self.llm_provider == "azure" or self.embedder == "azure"
        if uses_azure and not self.azure_endpoint:
            raise ConfigError("GA_AZURE_ENDPOINT is not set, but Azure OpenAI is configured.")
        return self

    def __repr_args__(self) -> Any:
        """Fields as ``repr`` shows them: an endpoint without the user name, password or query
        string someone may have put in it (secrets are ``SecretStr`` and shown as stars)."""
        for name, value in super().__repr_args__():
            yield name, (shown_address(value) if name in _ADDRESSES and value else value)

    def with_store_dir(self, store_dir: Path) -> Settings:
        """These settings with another index folder (the CLIs' --store)."""
        return Settings(**{**self.model_dump(), "store_dir": store_dir})

    @property
    def offline(self) -> bool:
        """True when answers are extractive because no language model is configured."""
        return self.llm_provider == "none"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))


def shown_address(url: str | None) -> str:
    """An endpoint as users may see it: scheme, host, port and path, never a user name,
    password or query string someone put in the address ("https://user:key@host/v1?key=...")."""
    if not url:
        return ""
    try:
        parts = urlsplit(url)
        port = f":{parts.port}" if parts.port else ""
    except ValueError:  # a port out of range or not a number, an unclosed "[": said as it is
        return "the configured address (check it: it is not a valid web address)"
    host = parts.hostname or ""
    if ":" in host:  # an IPv6 address keeps its brackets
        host = f"[{host}]"
    path = parts.path.split(";", 1)[0]  # no ";key=..." path parameters either
    return f"{parts.scheme}://{host}{port}{path}" if host else "the configured address"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Load the settings once per process; a bad value fails here, naming the variable."""
    try:
        return Settings()
    except ConfigError:
        raise
    except ValidationError as exc:
        raise ConfigError(f"Invalid configuration: {describe_invalid(exc)}") from None
    except ValueError as exc:
        raise ConfigError(f"Invalid configuration: {exc}") from exc


def describe_invalid(exc: ValidationError) -> str:
    """Which settings are wrong and why, never the values given (one may be a secret)."""
    parts = []
    for error in exc.errors(include_input=False, include_url=False, include_context=False):
        where = ".".join(str(part) for part in error["loc"]) or "settings"
        parts.append(f"{where}: {error['msg']}")
    return "; ".join(parts)
