"""The real ChatModel through the real openai client and langchain-openai, against a loopback
server that speaks the chat-completions protocol (SSE streaming included)."""

from __future__ import annotations

import logging
import socket

import pytest

from assistant.adapters.openai_chat import CUT_OFF, LENGTH_NOTE, OpenAIChatModel
from assistant.answering import answer_question
from assistant.config import Settings
from assistant.errors import ModelError
from assistant.testing import FakeRetriever
from tests.assistant.builders import guidance_chunk, scored
from tests.openai_server import OpenAIServer, Reply

pytestmark = pytest.mark.integration

KEY = "sk-test-not-a-real-key-1234"
MESSAGES = [("system", "Be brief."), ("user", "How long is adoption leave?")]


def model_for(
    server: OpenAIServer, sleeps: list[float] | None = None, **overrides: object
) -> OpenAIChatModel:
    values: dict[str, object] = {
        "llm_provider": "openai",
        "llm_base_url": server.base_url,
        "llm_api_key": KEY,
        "llm_model": "local-model",
        "llm_timeout_s": 2.0,
        "llm_max_retries": 2,
        **overrides,
    }
    settings = Settings(**values)  # type: ignore[arg-type]
    return OpenAIChatModel(
        settings, sleep=(sleeps if sleeps is not None else []).append, backoff_s=0.25
    )


def read(model: OpenAIChatModel) -> tuple[list[str], ModelError | None]:
    pieces: list[str] = []
    try:
        pieces.extend(model.stream(MESSAGES))
    except ModelError as exc:
        return pieces, exc
    return pieces, None


def test_streams_the_reply_and_sends_settings(openai_server: OpenAIServer) -> None:
    openai_server.enqueue(Reply("Up to 52 weeks [1]."))
    pieces, error = read(model_for(openai_server, llm_temperature=0.2, llm_max_tokens=123))
    assert error is None and pieces == ["Up ", "to ", "52 ", "weeks ", "[1]."]
    request = openai_server.requests[0]
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == f"Bearer {KEY}"
    body = request.body
    assert body["model"] == "local-model" and body["stream"] is True
    assert body["temperature"] == 0.2 and body["max_tokens"] == 123  # via extra_body
    assert body["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "How long is adoption leave?"},
    ]


def test_401_is_explained_and_not_retried(openai_server: OpenAIServer) -> None:
    openai_server.enqueue(Reply(status=401))
    model = model_for(openai_server)
    pieces, error = read(model)
    assert pieces == [] and error is not None
    assert "rejected the API key (401)" in str(error) and "GA_LLM_API_KEY" in str(error)
    assert KEY not in str(error) and KEY not in repr(model.__dict__)
    assert len(openai_server.requests) == 1


def logged(caplog: pytest.LogCaptureFixture) -> str:
    """Every captured log record as it would be written, tracebacks included."""
    return "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)


def test_429_is_retried_with_backoff_then_succeeds(
    openai_server: OpenAIServer, caplog: pytest.LogCaptureFixture
) -> None:
    openai_server.enqueue(
        Reply(status=429, headers={"retry-after": "0.5"}), Reply(status=429), Reply("Done.")
    )
    sleeps: list[float] = []
    with caplog.at_level(logging.DEBUG):
        pieces, error = read(model_for(openai_server, sleeps))
    assert error is None and "".join(pieces) == "Done."
    assert sleeps == [0.5, 0.5] and len(openai_server.requests) == 3
    assert "RateLimitError); retrying in 0.5 s" in logged(caplog)
    assert KEY not in logged(caplog) and KEY[-8:] not in logged(caplog)


def test_429_that_persists_says_so(openai_server: OpenAIServer) -> None:
    openai_server.default_reply = Reply(status=429)
    sleeps: list[float] = []
    _, error = read(model_for(openai_server, sleeps, llm_max_retries=1))
    assert error is not None and "busy or over its usage limit (429)" in str(error)
    assert sleeps == [0.25] and len(openai_server.requests) == 2


def test_500_is_retried_then_explained(
    openai_server: OpenAIServer, caplog: pytest.LogCaptureFixture
) -> None:
    openai_server.default_reply = Reply(status=500)
    sleeps: list[float] = []
    with caplog.at_level(logging.DEBUG):
        _, error = read(model_for(openai_server, sleeps))
    assert "retrying" in logged(caplog) and KEY[-8:] not in logged(caplog)
    assert error is not None and "had an error (500)" in str(error)
    assert sleeps == [0.25, 0.5] and len(openai_server.requests) == 3


def test_a_slow_first_token_times_out_without_retry(openai_server: OpenAIServer) -> None:
    openai_server.enqueue(Reply("late", delay_s=3))
    _, error = read(model_for(openai_server, llm_timeout_s=0.5))
    assert error is not None and "did not reply within 0.5 seconds" in str(error)
    assert len(openai_server.requests) == 1


def test_a_stream_cut_mid_way_is_reported_not_retried(openai_server: OpenAIServer) -> None:
    openai_server.enqueue(Reply("one two three four five", cut_after=2))
    pieces, error = read(model_for(openai_server))
    assert pieces == ["one ", "two "] and error is not None and str(error) == CUT_OFF
    assert len(openai_server.requests) == 1


def test_a_stall_mid_stream_is_a_cut_off(openai_server: OpenAIServer) -> None:
    openai_server.enqueue(Reply("one two three", chunk_delay_s=1.5))
    pieces, error = read(model_for(openai_server, llm_timeout_s=0.5))
    assert error is not None and str(error) == CUT_OFF and len(pieces) < 3


def test_a_length_limit_is_marked(openai_server: OpenAIServer) -> None:
    openai_server.enqueue(Reply("A long answer", finish_reason="length"))
    pieces, error = read(model_for(openai_server))
    assert error is None and pieces[-1] == LENGTH_NOTE


def test_connection_refused_is_explained() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = Settings(
        llm_provider="openai", llm_base_url=f"http://127.0.0.1:{port}/v1", llm_max_retries=1
    )
    sleeps: list[float] = []
    model = OpenAIChatModel(settings, sleep=sleeps.append)
    with pytest.raises(ModelError, match="Could not connect to the language model at http"):
        list(model.stream(MESSAGES))
    assert sleeps == [1.0]


def test_a_refused_connection_never_shows_credentials_put_in_the_address() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = Settings(llm_provider="openai", llm_max_retries=1,
                        llm_base_url=f"http://bob:s3cret@127.0.0.1:{port}/v1?api-key=k3y")
    model = OpenAIChatModel(settings, sleep=lambda _: None)
    with pytest.raises(ModelError) as raised:
        list(model.stream(MESSAGES))
    message = str(raised.value)
    assert f"at http://127.0.0.1:{port}/v1." in message
    assert "s3cret" not in message and "k3y" not in message and "bob" not in message


@pytest.mark.parametrize(("url", "shown"), [
    ("https://u:p@h.example/v1;key=abc?x=1", "https://h.example/v1"),
    ("http://[::1]:8080/v1", "http://[::1]:8080/v1"),
    ("http://localhost:99999/v1", "the configured address (check it: it is not a valid web "
                                  "address)"),
    ("http://[::1/v1", "the configured address (check it: it is not a valid web address)"),
])
def test_an_endpoint_is_shown_without_secrets_and_never_breaks_the_message(url: str,
                                                                           shown: str) -> None:
    from assistant.config import shown_address

    assert shown_address(url) == shown


def test_settings_and_the_model_description_never_show_credentials_in_an_endpoint() -> None:
    """From a security review: ``repr(settings)`` and the description "for logs" carried a
    user name, password and query-string key put in the endpoint's address."""
    from assistant.adapters.openai_chat import OpenAIChatModel

    settings = Settings(llm_provider="openai", llm_api_key="sk-secret-123",
                        llm_base_url="https://user:pw-in-url@llm.example/v1?api-key=qs-secret",
                        admin_password="hunter2-admin")
    for shown in (repr(settings), OpenAIChatModel(settings).description):
        assert not any(secret in shown for secret in ("sk-secret-123", "pw-in-url", "qs-secret",
                                                      "hunter2-admin")), shown
        assert "https://llm.example/v1" in shown


def test_azure_uses_the_deployment_path_and_api_key_header(openai_server: OpenAIServer) -> None:
    openai_server.enqueue(Reply("Azure reply."))
    settings = Settings(
        llm_provider="azure",
        azure_endpoint=openai_server.root_url,
        azure_deployment="gpt-4o-uk",
        llm_api_key=KEY,
        llm_max_tokens=77,
    )
    pieces = list(OpenAIChatModel(settings).stream(MESSAGES))
    assert "".join(pieces) == "Azure reply."
    request = openai_server.requests[0]
    assert request.path.startswith("/openai/deployments/gpt-4o-uk/chat/completions?api-version=")
    assert request.headers["api-key"] == KEY


def test_answer_question_end_to_end_over_http(openai_server: OpenAIServer) -> None:
    openai_server.enqueue(Reply("Adoption pay lasts up to 39 weeks [1]. See www.evil.example [2]."))
    retriever = FakeRetriever(
        scored(
            guidance_chunk("Adoption pay lasts up to 39 weeks."),
            guidance_chunk("Tell your employer.", doc="notice"),
        )
    )
    stream = answer_question(
        "How long is adoption pay?",
        [],
        retriever=retriever,
        llm=model_for(openai_server),
        settings=Settings(),
    )
    streamed = "".join(stream)
    assert streamed.startswith("Adoption pay lasts up to 39 weeks [1].")
    assert [c.n for c in stream.final.citations] == [1, 2]
    assert any("www.evil.example" in w for w in stream.final.warnings)
    sent = openai_server.requests[0].body["messages"][1]["content"]
    assert '<source n="1"' in sent and "Question: How long is adoption pay?" in sent


def test_answer_cut_mid_way_over_http_is_not_stored(openai_server: OpenAIServer) -> None:
    openai_server.enqueue(Reply("Adoption pay lasts up to 39 weeks [1].", cut_after=3))
    retriever = FakeRetriever(scored(guidance_chunk("Adoption pay lasts up to 39 weeks.")))
    stream = answer_question(
        "How long?", [], retriever=retriever, llm=model_for(openai_server), settings=Settings()
    )
    with pytest.raises(ModelError):
        list(stream)
    with pytest.raises(ModelError, match="did not finish"):
        _ = stream.final
