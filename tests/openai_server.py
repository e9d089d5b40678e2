"""A real HTTP server on loopback that speaks the OpenAI chat-completions and embeddings
protocols, for tests.

It answers ``POST .../chat/completions`` (so both ``/v1/chat/completions`` and Azure's
``/openai/deployments/<name>/chat/completions`` work) with scripted replies, streamed as
server-sent events when the request asks for ``stream: true``. Each test scripts what happens::

    server.enqueue(Reply("Hello [1]."))                  # a normal reply
    server.enqueue(Reply(status=429, headers={"retry-after": "0"}))
    server.enqueue(Reply("slow", delay_s=2))              # headers only after 2 s (timeouts)
    server.enqueue(Reply("one two three", cut_after=2))   # stream cut after two pieces
    server.requests[-1].body["messages"]                  # what the client sent

``POST .../embeddings`` answers with deterministic vectors (``embedding_vector``: hashed from
each input, ``embedding_dim`` long unless the request asks for ``dimensions``), as floats or as
base64 when the client asks for ``encoding_format: base64``. It takes its status, delay and
headers from the next reply in the same queue, and is recorded in ``requests`` like a chat one.

When the queue is empty, ``default_reply`` is used. tests/conftest.py registers this module as
a plugin, so any test can take the ``openai_server`` fixture (import the classes for typing)::

    from tests.openai_server import OpenAIServer, Reply

    def test_something(openai_server: OpenAIServer) -> None: ...

Outside pytest, use it as a context manager: ``with OpenAIServer() as server: ...``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import struct
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "invalid_api_key",
    403: "permission_denied",
    404: "not_found_error",
    429: "rate_limit_exceeded",
}


@dataclass
class Reply:
    """One scripted response. ``status`` other than 200 sends an OpenAI-style error body."""

    text: str = "This is a scripted reply."
    status: int = 200
    delay_s: float = 0.0  # before the response headers: makes a client time out
    chunk_delay_s: float = 0.0  # between streamed pieces, after the first (mid-stream stalls)
    cut_after: int | None = None  # stream: drop the connection after this many pieces
    finish_reason: str = "stop"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class RecordedRequest:
    """A request the server received: path, lower-cased headers and the JSON body."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]


class OpenAIServer:
    """A scriptable OpenAI-compatible server on 127.0.0.1 (a free port), run in a thread."""

    def __init__(self) -> None:
        self.replies: list[Reply] = []
        self.default_reply = Reply()
        self.requests: list[RecordedRequest] = []
        self.embedding_dim = 8
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        """The OpenAI-style base URL, e.g. http://127.0.0.1:PORT/v1."""
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def root_url(self) -> str:
        """The server's root, e.g. as an Azure endpoint."""
        return f"http://127.0.0.1:{self.port}"

    def enqueue(self, *replies: Reply) -> None:
        """Queue replies, used in order by the next requests."""
        with self._lock:
            self.replies.extend(replies)

    def next_reply(self, request: RecordedRequest) -> Reply:
        with self._lock:
            self.requests.append(request)
            return self.replies.pop(0) if self.replies else self.default_reply

    def start(self) -> OpenAIServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> OpenAIServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


@pytest.fixture
def openai_server() -> Iterator[OpenAIServer]:
    """A started OpenAIServer, stopped after the test."""
    with OpenAIServer() as server:
        yield server


def _handler_for(server: OpenAIServer) -> type[BaseHTTPRequestHandler]:
    class Handler(_Handler):
        owner = server

    return Handler


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    owner: OpenAIServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib's name
        """Keep test output quiet."""

    def do_POST(self) -> None:  # noqa: N802 - stdlib's name
        length = int(self.headers.get("content-length", 0))
        body = json.loads(self.rfile.read(length) or b"{}")
        headers = {k.lower(): v for k, v in self.headers.items()}
        reply = self.owner.next_reply(RecordedRequest(self.path, headers, body))
        if reply.delay_s and self.owner.stopping.wait(reply.delay_s):
            return
        route = self.path.split("?")[0]
        if not route.endswith(("/chat/completions", "/embeddings")):
            self._send_json(404, _error_body(404, f"No route for {self.path}"), {})
        elif reply.status != 200:
            self._send_json(
                reply.status, _error_body(reply.status, "Scripted error"), reply.headers
            )
        elif route.endswith("/embeddings"):
            dim = int(body.get("dimensions") or self.owner.embedding_dim)
            self._send_json(200, _embeddings(body, dim), reply.headers)
        elif body.get("stream"):
            self._stream(reply, body)
        else:
            self._send_json(200, _completion(reply, body), reply.headers)

    def _send_json(self, status: int, payload: dict[str, Any], headers: dict[str, str]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _stream(self, reply: Reply, body: dict[str, Any]) -> None:
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("transfer-encoding", "chunked")
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        for count, event in enumerate(_events(reply, body)):
            if reply.cut_after is not None and count > reply.cut_after:
                self.close_connection = True
                self.wfile.flush()
                return  # no terminating chunk: the client sees an incomplete body
            if count > 1 and reply.chunk_delay_s and self.owner.stopping.wait(reply.chunk_delay_s):
                return
            data = f"data: {event}\n\n".encode()
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()
        self.wfile.write(b"0\r\n\r\n")

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client went away (e.g. it timed out)


def _events(reply: Reply, body: dict[str, Any]) -> Iterator[str]:
    """The SSE data lines: a role delta, one delta per piece, the finish, usage, then [DONE]."""
    model = str(body.get("model", "scripted-model"))
    yield _chunk(model, {"role": "assistant", "content": ""}, None)
    for piece in re.findall(r"\S+\s*", reply.text):
        yield _chunk(model, {"content": piece}, None)
    yield _chunk(model, {}, reply.finish_reason)
    if (body.get("stream_options") or {}).get("include_usage"):
        usage = {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}
        yield json.dumps(
            {**_envelope(model, "chat.completion.chunk"), "choices": [], "usage": usage}
        )
    yield "[DONE]"


def _envelope(model: str, kind: str) -> dict[str, Any]:
    return {"id": "chatcmpl-scripted", "object": kind, "created": int(time.time()), "model": model}


def _chunk(model: str, delta: dict[str, Any], finish_reason: str | None) -> str:
    choice = {"index": 0, "delta": delta, "finish_reason": finish_reason, "logprobs": None}
    return json.dumps({**_envelope(model, "chat.completion.chunk"), "choices": [choice]})


def _completion(reply: Reply, body: dict[str, Any]) -> dict[str, Any]:
    message = {"role": "assistant", "content": reply.text}
    choice = {
        "index": 0,
        "message": message,
        "finish_reason": reply.finish_reason,
        "logprobs": None,
    }
    usage = {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}
    model = str(body.get("model", "scripted-model"))
    return {**_envelope(model, "chat.completion"), "choices": [choice], "usage": usage}


def embedding_vector(text: str, dim: int) -> list[float]:
    """The server's vector for ``text``: the same text always gets the same ``dim`` floats."""
    digest = hashlib.sha256(text.encode()).digest() * (dim // 32 + 1)
    return [byte / 255.0 - 0.5 for byte in digest[:dim]]


def _embeddings(body: dict[str, Any], dim: int) -> dict[str, Any]:
    texts = body.get("input", [])
    texts = [texts] if isinstance(texts, str) else texts
    data = []
    for i, text in enumerate(texts):
        vector: list[float] | str = embedding_vector(str(text), dim)
        if body.get("encoding_format") == "base64":
            vector = base64.b64encode(struct.pack(f"<{dim}f", *vector)).decode()
        data.append({"object": "embedding", "index": i, "embedding": vector})
    tokens = sum(len(str(t).split()) for t in texts)
    return {"object": "list", "data": data, "model": str(body.get("model", "scripted-model")),
            "usage": {"prompt_tokens": tokens, "total_tokens": tokens}}


def _error_body(status: int, message: str) -> dict[str, Any]:
    kind = _ERROR_TYPES.get(status, "server_error")
    return {
        "error": {"message": f"{message} ({status})", "type": kind, "code": kind, "param": None}
    }
