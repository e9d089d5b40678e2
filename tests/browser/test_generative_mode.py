"""End to end with a language model: the app against the real loopback OpenAI-compatible server
(tests/openai_server.py), in headless Chromium. A streamed answer interrupted by a second
question is not lost silently: the first question says it has no answer and can be asked again.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant import prompts
from tests.browser.conftest import (
    CHAT,
    RunningApp,
    sample_tree,
    screenshot,
    send,
    start_app,
    stop_app,
    wait_until_idle,
)
from tests.openai_server import OpenAIServer, Reply

pytestmark = [pytest.mark.browser, pytest.mark.integration]
SLOW = ("Employers must have employers' liability insurance [1]. " * 12).strip()
FIRST = "Do I need employers' liability insurance?"
SECOND = "How much can I be fined for not having it?"
REWRITTEN = "How much can an employer be fined for not having employers' liability insurance?"


@pytest.fixture(scope="module")
def model_server() -> Iterator[OpenAIServer]:
    with OpenAIServer() as server:
        yield server


@pytest.fixture(scope="module")
def model_app(shared_data: Path, tmp_path_factory: pytest.TempPathFactory,
              model_server: OpenAIServer) -> Iterator[RunningApp]:
    data = sample_tree(shared_data, tmp_path_factory.mktemp("generative-app"))
    app = start_app(data, env={"GA_LLM_PROVIDER": "openai", "GA_LLM_MODEL": "scripted-model",
                               "GA_LLM_BASE_URL": model_server.base_url})
    yield app
    stop_app(app)


def test_a_second_question_during_a_slow_answer_leaves_the_first_askable_again(
        model_app: RunningApp, model_server: OpenAIServer, page: Any) -> None:
    page.goto(model_app.url)
    page.locator(CHAT).wait_for(timeout=120_000)  # the first start indexes the sample guides
    wait_until_idle(page, timeout_ms=180_000)
    model_server.enqueue(
        Reply(SLOW, chunk_delay_s=0.5),  # the first answer: about 25 s of streaming
        Reply(REWRITTEN),  # the second question's follow-up rewrite
        Reply("You can be fined £2,500 for every day you are not properly insured [1]."),
    )
    send(page, FIRST)
    page.get_by_text("Employers must have", exact=False).first.wait_for(timeout=60_000)
    send(page, SECOND)  # while the first answer is still streaming
    page.get_by_text("£2,500 for every day", exact=False).first.wait_for(timeout=60_000)
    wait_until_idle(page)
    first = page.locator('[data-testid="stChatMessage"]').nth(0)
    assert FIRST in first.inner_text()
    assert "This question has no answer" in first.inner_text()
    screenshot(page, "20-generative-interrupted-question")

    model_server.enqueue(Reply(FIRST),  # the rewrite (the history now has the second question)
                         Reply("Yes: most employers must have it by law [1]."))
    first.get_by_role("button", name="Ask again").click()
    page.get_by_text("most employers must have it by law", exact=False).first.wait_for(
        timeout=60_000)
    wait_until_idle(page)
    messages = page.locator('[data-testid="stChatMessage"]')
    assert messages.count() == 5  # first (unanswered), second + answer, first again + answer
    assert FIRST in messages.nth(3).inner_text()
    answer_text = messages.nth(4).inner_text()
    assert "[1]" in answer_text and "Sources" in answer_text
    rewrite, answer = model_server.requests[-2:]
    # the rewrite request: the follow-up prompt, with the whole conversation as its history
    assert rewrite.body["messages"][0] == {"role": "system",
                                           "content": prompts.render("followup_system")}
    asked = rewrite.body["messages"][-1]["content"]
    assert asked.startswith("Conversation so far:\n")
    assert f"user: {FIRST}\nuser: {SECOND}\nassistant: You can be fined £2,500" in asked
    assert asked.endswith(f"Follow-up question: {FIRST}")
    # the answer request: the rewritten question, searched in the right guide
    sources = answer.body["messages"][-1]["content"]
    assert f"Question: {FIRST}" in sources
    assert '<source n="1" title="Employers\' liability insurance"' in sources
