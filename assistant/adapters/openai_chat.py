"""The real ChatModel: LangChain's ``ChatOpenAI`` (OpenAI or any OpenAI-compatible server via
``base_url``) or ``AzureChatOpenAI``, built from Settings.

The constructor only stores configuration; the LangChain client is created on first use. Errors
from the endpoint become ``ModelError`` with advice. Rate limits, server errors and refused
connections are retried with exponential backoff, but only before the first token arrives: once
text has been streamed, a failure is reported as a cut-off answer, never retried or hidden.
Timeouts are not retried (each would cost another full timeout). A stream that ends without a
finish reason counts as cut off. The API key is passed as a ``SecretStr`` and never logged.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import httpx
import openai
from pydantic import SecretStr

from assistant.config import Settings, shown_address
from assistant.errors import ModelError

logger = logging.getLogger(__name__)

MAX_BACKOFF_S = 30.0
CUT_OFF = "The model's answer was cut off part-way, so it is not shown as complete. Try again."
LENGTH_NOTE = "\n\n*(The answer reached its length limit and may be incomplete.)*"
_ROLES = {"system", "user", "assistant"}


class OpenAIChatModel:
    """ChatModel over LangChain ``ChatOpenAI`` / ``AzureChatOpenAI``.

    ``settings`` supplies the provider, endpoint, model, temperature, max tokens, timeout and
    retry count. For an OpenAI-compatible server (``llm_base_url`` set) the token limit is sent as
    ``extra_body={"max_tokens": ...}``, which llama.cpp honours (it ignored the ``max_tokens``
    field LangChain sends). ``sleep`` and ``backoff_s`` let tests retry without waiting.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        sleep: Callable[[float], None] = time.sleep,
        backoff_s: float = 1.0,
    ) -> None:
        if settings.llm_provider == "none":
            raise ModelError("No language model is configured (GA_LLM_PROVIDER=none).")
        self._settings = settings
        self._sleep = sleep
        self._backoff_s = backoff_s
        self._model: Any = None

    @property
    def description(self) -> str:
        """Provider, model and endpoint, for logs and the admin page (never the key)."""
        s = self._settings
        where = shown_address(s.azure_endpoint if s.llm_provider == "azure"
                              else s.llm_base_url) or "OpenAI"
        return f"{s.llm_provider}:{s.azure_deployment or s.llm_model} at {where}"

    def stream(self, messages: Sequence[tuple[str, str]]) -> Iterator[str]:
        """Yield the reply in pieces; raise ``ModelError`` with advice on failure."""
        payload = _to_langchain(messages)
        attempt = 0
        while True:
            emitted = False
            finish: str | None = None
            try:
                for chunk in self._chat_model().stream(payload):
                    finish = chunk.response_metadata.get("finish_reason") or finish
                    text = chunk.text if isinstance(chunk.text, str) else str(chunk.content)
                    if text:
                        emitted = True
                        yield text
            except Exception as exc:
                if emitted:
                    raise ModelError(CUT_OFF) from exc
                if attempt < self._settings.llm_max_retries and _retryable(exc):
                    self._sleep(self._delay(attempt, exc))
                    attempt += 1
                    continue
                raise self._model_error(exc) from exc
            if finish is None:
                raise ModelError(CUT_OFF)
            if finish == "length":
                yield LENGTH_NOTE
            return

    def _chat_model(self) -> Any:
        if self._model is None:
            self._model = build_langchain_model(self._settings)
        return self._model

    def _delay(self, attempt: int, exc: Exception) -> float:
        delay: float = self._backoff_s * float(2**attempt)
        response = getattr(exc, "response", None)
        retry_after = response.headers.get("retry-after") if response is not None else None
        with contextlib.suppress(TypeError, ValueError):
            delay = float(str(retry_after)) if retry_after is not None else delay
        logger.info("Model endpoint failed (%s); retrying in %.1f s", type(exc).__name__, delay)
        return min(max(delay, 0.0), MAX_BACKOFF_S)

    def _model_error(self, exc: Exception) -> ModelError:
        return ModelError(describe_error(exc, self._settings))


def build_langchain_model(settings: Settings) -> Any:
    """The LangChain chat model for ``settings`` (imports langchain_openai only when needed)."""
    from langchain_openai import AzureChatOpenAI, ChatOpenAI

    key = settings.llm_api_key or SecretStr("no-key-needed")  # local servers ignore the key
    common: dict[str, Any] = {
        "api_key": key,
        "temperature": settings.llm_temperature,
        "timeout": settings.llm_timeout_s,
        "max_retries": 0,  # retried here, and only before the first token
        "streaming": True,
    }
    if settings.llm_provider == "azure":
        return AzureChatOpenAI(
            azure_endpoint=settings.azure_endpoint,
            azure_deployment=settings.azure_deployment or settings.llm_model,
            api_version=settings.azure_api_version,
            **common,
            **{"max_tokens": settings.llm_max_tokens},
        )
    if settings.llm_base_url:
        return ChatOpenAI(
            model=settings.llm_model,
            base_url=settings.llm_base_url,
            extra_body={"max_tokens": settings.llm_max_tokens},
            **common,
        )
    return ChatOpenAI(model=settings.llm_model, **common, **{"max_tokens": settings.llm_max_tokens})


def _to_langchain(messages: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    for role, _ in messages:
        if role not in _ROLES:
            raise ValueError(f"Unknown chat role {role!r}; expected one of {sorted(_ROLES)}")
    return [
        ("human" if role == "user" else "ai" if role == "assistant" else role, text)
        for role, text in messages
    ]


def _retryable(exc: Exception) -> bool:
    if isinstance(exc, openai.APITimeoutError | httpx.TimeoutException):
        return False
    if isinstance(exc, openai.RateLimitError | openai.InternalServerError):
        return True
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code >= 500
    return isinstance(exc, openai.APIConnectionError | httpx.ConnectError)


def describe_error(exc: Exception, settings: Settings) -> str:
    """What went wrong with the model endpoint and what the user can do, in plain English."""
    where = shown_address(settings.azure_endpoint if settings.llm_provider == "azure"
                           else settings.llm_base_url)
    if isinstance(exc, openai.APITimeoutError | httpx.TimeoutException):
        return (
            f"The language model did not reply within {settings.llm_timeout_s:g} seconds. "
            "Try again, perhaps with a shorter question; an administrator can raise "
            "GA_LLM_TIMEOUT_S."
        )
    if isinstance(exc, openai.APIConnectionError | httpx.TransportError):
        return (
            f"Could not connect to the language model at {where or 'the OpenAI API'}. Check the "
            "service is running and GA_LLM_BASE_URL is right, or set GA_LLM_PROVIDER=none for "
            "offline answers."
        )
    if isinstance(exc, openai.APIStatusError):
        return _describe_status(exc.status_code)
    return f"The language model failed unexpectedly ({type(exc).__name__}). Try again."


def _describe_status(status: int) -> str:
    if status == 401:
        return (
            "The language model service rejected the API key (401). Ask your administrator to "
            "check GA_LLM_API_KEY."
        )
    if status == 403:
        return "The API key may not use this model (403). Ask your administrator to check access."
    if status == 404:
        return (
            "The language model or deployment was not found (404). Ask your administrator to "
            "check GA_LLM_MODEL, GA_AZURE_DEPLOYMENT and the endpoint URL."
        )
    if status == 429:
        return (
            "The language model service is busy or over its usage limit (429). Wait a minute "
            "and try again."
        )
    if status >= 500:
        return (
            f"The language model service had an error ({status}). Try again in a few minutes; "
            "if it keeps happening, tell your administrator."
        )
    return f"The language model refused the request ({status}). Try rephrasing the question."


