"""Model stages (generate, condense, refine, map) through the FakeChatModel, and every prompt."""

from __future__ import annotations

import json
import re
from string import Template

import pytest

from assistant.errors import ModelError
from assistant.testing import FakeChatModel, FakeEmbedder
from consult.analysis import analyse_question
from consult.export import mapping_rows
from consult.importing import build_question
from consult.prompts import ALL
from consult.redaction import redact
from consult.refining import map_with_model, refine_themes
from consult.themes import Theme
from tests.consult.helpers import topical_answers, topical_question

THEMES = [Theme("D1", "cost, permits"), Theme("D2", "bus, routes"), Theme("D3", "cycle, lanes")]


def _named(ids: list[str]) -> str:
    return json.dumps(
        [{"theme_id": i, "label": f"Theme {i}", "description": f"About {i}."} for i in ids]
    )


def test_stages_rename_condense_and_refine() -> None:
    llm = FakeChatModel()
    llm.enqueue("Here you are: " + _named(["D1", "D2", "D3"]))
    llm.enqueue(_named(["D1", "D3"]))  # D2 merged away
    llm.enqueue(
        json.dumps([{"theme_id": "D1", "label": "Parking costs", "description": "Too dear."}])
    )
    themes = refine_themes("Q?", THEMES, [], llm, {"D1": ["Permits cost too much"]})
    assert [(t.theme_id, t.label, t.origin) for t in themes] == [
        ("D1", "Parking costs", "model"), ("D3", "Theme D3", "model"),
    ]  # fmt: skip
    first_prompt = llm.received[0][1][1]
    assert "Permits cost too much" in first_prompt and llm.received[0][0][0] == "system"


def test_bad_json_keeps_offline_themes() -> None:
    llm = FakeChatModel()
    for _ in range(3):
        llm.enqueue("I cannot do that.")
    assert refine_themes("Q?", THEMES, [], llm) == THEMES


def test_model_failure_is_raised() -> None:
    llm = FakeChatModel()
    llm.enqueue('[{"theme_id": "D1"', fail_after=1)
    with pytest.raises(ModelError):
        refine_themes("Q?", THEMES, [], llm)


def test_map_with_model_drops_unknown_ids() -> None:
    llm = FakeChatModel()
    llm.enqueue(json.dumps({"r1": ["D1", "ZZ"], "r2": "D2"}))
    mapped = map_with_model("Q?", THEMES, [("r1", "permits"), ("r2", "buses")], llm)
    assert mapped == {"r1": ["D1"], "r2": []}
    assert "<responses>" in llm.received[0][1][1]


def test_analysis_uses_model_names(fake_embedder: FakeEmbedder) -> None:
    llm = FakeChatModel()
    for _ in range(3):
        llm.enqueue(_named(["D1", "D2", "D3"]))
    question = topical_question(2)  # 6 responses: one map batch
    first, second = (r.response_id for r in question.responses[:2])
    llm.enqueue(json.dumps({first: ["D2", "D3"], second: []}))  # the rest unanswered
    result = analyse_question(question, fake_embedder, llm=llm, k=3)
    assert {t.label for t in result.themes} == {"Theme D1", "Theme D2", "Theme D3"}
    assert result.assignments[0] == ["D2", "D3"] and result.assignments[1] == []
    assert all(result.assignments[2:]), "responses the model skipped keep their offline themes"
    assert len(llm.received) == 4


@pytest.mark.parametrize("name", sorted(ALL))
def test_every_prompt_renders(name: str) -> None:
    template: Template = ALL[name]
    text = template.substitute(question="Q?", groups="G", themes="T", responses="R")
    assert "Q?" in text and "$" not in text


PERSONAL = ("mary.jones@example.com", "07700 900123", "+44 (0)20 7946 0018", "QQ 12 34 56 C",
            "SW1A 1AA", "ls2 7ew")


def test_redact_masks_personal_details_and_keeps_figures() -> None:
    text = ("I'm Mary, mary.jones@example.com, 07700 900123 or +44 (0)20 7946 0018, "
            "NI QQ123456C, at SW1A 1AA. We lost £10,000 in 2019; 40% of 1,200 shops; "
            "the 07:30 bus; call 999; the B2 4th floor.")
    assert redact(text) == (
        "I'm Mary, [email], [phone] or [phone], NI [NI number], at [postcode]. We lost £10,000 "
        "in 2019; 40% of 1,200 shops; the 07:30 bus; call 999; the B2 4th floor.")


def test_prompts_mask_personal_details_and_results_keep_them(fake_embedder: FakeEmbedder) -> None:
    pairs = [(rid, f"{text} Contact me: {PERSONAL[n % len(PERSONAL)]}.")
             for n, (rid, text) in enumerate(topical_answers(2))]
    question = build_question("q1", "Do you agree with the transport plan?", pairs)
    llm = FakeChatModel()
    for _ in range(3):
        llm.enqueue("no JSON")  # the offline themes (named from respondents' words) stay
    llm.enqueue(json.dumps({rid: ["D1"] for rid, _ in pairs}))
    result = analyse_question(question, fake_embedder, llm=llm, k=3)
    prompts = "\n".join(text for messages in llm.received for _, text in messages)
    assert len(llm.received) == 4 and "Contact me: [email]" in prompts
    for detail in PERSONAL:
        assert detail not in prompts
    assert {"[email]", "[phone]", "[NI number]", "[postcode]"} <= set(
        re.findall(r"\[[\w ]+\]", prompts))
    assert [r.text for r in result.question.responses] == [text for _, text in pairs]
    exported = str(mapping_rows([result]))
    assert all(detail in exported for detail in PERSONAL)


def test_map_with_model_masks_each_response() -> None:
    llm = FakeChatModel()
    llm.enqueue("{}")
    answer = "I disagree. mary.jones@example.com, 07700 900123, NI QQ123456C, LS2 7EW."
    map_with_model("Q?", THEMES, [("R1", answer)], llm)
    sent = next(line for line in llm.received[0][1][1].splitlines() if line.startswith("R1:"))
    assert sent == 'R1: "I disagree. [email], [phone], NI [NI number], [postcode]."'
