"""Consult with the real MiniLM embedder on the gold set, and the model stages over real HTTP."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import SecretStr

from assistant.adapters.embedders import MiniLMEmbedder
from assistant.adapters.openai_chat import OpenAIChatModel
from assistant.config import Settings
from consult.eval import evaluate_question
from consult.importing import load_themefinder
from consult.refining import map_with_model, refine_themes
from consult.themes import Theme
from tests.openai_server import OpenAIServer, Reply

pytest_plugins = ("tests.openai_server",)
GOLD = "consult/themefinder_synthetic/evals/data/gambling_XS"


@pytest.mark.integration
def test_gold_set_figures(shared_data: Path, minilm: MiniLMEmbedder) -> None:
    """Floors a little under the measured figures (docs/consult.md), so regressions show."""
    folder = shared_data / GOLD
    rows = [evaluate_question(folder, q, minilm) for q in load_themefinder(folder).questions]
    for row in rows:
        assert row["mapping_f1_zero_shot"] >= 0.42, row
        assert row["mapping_f1_after_review"] >= row["mapping_f1_zero_shot"] - 0.02, row
        # on the same 80 responses, the reviewer's 20 labels help
        assert row["mapping_f1_after_review"] > row["mapping_f1_zero_shot_rest"], row
        assert row["discovery_f1"] >= 0.30, row
        assert row["position_macro_f1"] >= 0.70, row


@pytest.mark.integration
def test_model_stages_over_http(openai_server: OpenAIServer) -> None:
    settings = Settings(
        llm_provider="openai", llm_base_url=openai_server.base_url,
        llm_api_key=SecretStr("sk-test"), llm_model="local-model", llm_timeout_s=5.0,
    )  # fmt: skip
    llm = OpenAIChatModel(settings, sleep=lambda _: None, backoff_s=0.0)
    named = [{"theme_id": "D1", "label": "Costs", "description": "Too dear."}]
    for _ in range(3):
        openai_server.enqueue(Reply(json.dumps(named)))
    themes = refine_themes("Q?", [Theme("D1", "cost"), Theme("D2", "bus")], [], llm)
    assert [t.label for t in themes] == ["Costs"]  # condense merged D2 away
    openai_server.enqueue(Reply(json.dumps({"r1": ["D1"]})))
    assert map_with_model("Q?", themes, [("r1", "too dear")], llm) == {"r1": ["D1"]}
    sent = openai_server.requests[-1].body["messages"]
    assert "<responses>" in sent[-1]["content"] and sent[0]["role"] == "system"
