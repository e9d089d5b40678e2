"""Positions, evidence, discovery, mapping and review, with the fake embedder."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from assistant.testing import FakeEmbedder
from consult.analysis import QuestionResult, analyse_question, remap
from consult.discovery import discover_themes
from consult.errors import ConsultError, ReviewError
from consult.evidence import is_evidence_rich
from consult.importing import build_question
from consult.mapping import CAP, assign, micro_f1
from consult.positions import classify_position, is_open_question
from consult.review import (
    ANY_THEME,
    UNMATCHED,
    add_theme,
    delete_theme,
    find_responses,
    load_result,
    load_review,
    merge_themes,
    move_response,
    rename_theme,
    result_to_json,
    review_from_json,
    review_to_json,
    save_review,
    set_position,
    set_response_themes,
    sign_off,
    split_theme,
)  # fmt: skip
from consult.themes import (
    Framework,
    Theme,
    framework_from_json,
    load_framework,
    parse_framework,
    save_framework,
)
from tests.consult.helpers import TOPICS, topical_question


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("Yes, I fully support this.", "agree"),
        ("I do not support this; it goes too far.", "disagree"),
        ("No. This is heavy-handed.", "disagree"),
        ("I'm not sure, it depends on the cost.", "unclear"),
        ("We need more buses on Sundays.", "agree"),
    ],
)
def test_positions(text: str, position: str) -> None:
    assert classify_position(text) == position


@pytest.mark.parametrize(
    "text",
    [
        "I object. Small firms cannot afford the extra costs.",  # the reviewer's examples
        "The proposal is too expensive for small firms to comply with.",
        "I oppose this.",
        "We are firmly opposed to the change.",
        "I am against it.",
        "It is unaffordable.",
        "This should not go ahead.",
        "I disagree.",
        "Small businesses can't afford it.",
        "It costs too much.",
    ],
)
def test_general_disagreement_cues(text: str) -> None:
    question = "Do you agree with the proposal to require annual audits?"
    assert classify_position(text, question) == "disagree"


def test_cost_words_in_a_supportive_answer_stay_agree() -> None:
    question = "Do you agree with the proposal?"
    assert classify_position("I support it: families cannot afford the losses.", question) == \
        "agree"
    assert classify_position("If you can't afford to lose it, don't bet it.",
                             "What else could be done?") == "agree"


def test_evidence() -> None:
    assert is_evidence_rich("My son lost £2,000 in 2023.")
    assert not is_evidence_rich("I think it is a good idea.")


def test_discovery_finds_the_topics(fake_embedder: FakeEmbedder) -> None:
    question = topical_question()
    texts = [r.text for r in question.responses]
    found = discover_themes(fake_embedder.embed(texts), texts, k=3)
    assert len(found.themes) == 3
    labels = sorted(t.label.lower() for t in found.themes)
    hits = sorted(next(k for k in ("bus", "cost", "cycl") if k in label) for label in labels)
    assert hits == ["bus", "cost", "cycl"], labels


def test_analyse_maps_each_response_to_its_topic(fake_embedder: FakeEmbedder) -> None:
    result = analyse_question(topical_question(), fake_embedder, k=3)
    for theme in result.themes:
        members = [
            result.texts[i] for i, ids in enumerate(result.assignments) if theme.theme_id in ids
        ]
        topics = {next(t for t, s in TOPICS.items() if text.startswith(s)) for text in members}
        assert len(topics) == 1 and len(members) == 6


def test_framework_mapping_and_catch_all(fake_embedder: FakeEmbedder) -> None:
    themes = (
        Theme("A", "Parking cost", "cost of parking permits for families", "framework"),
        Theme("X", "None of the Above", "no other theme applies", "framework"),
    )
    result = analyse_question(topical_question(2), fake_embedder, framework=Framework(themes))
    cost = [
        ids for text, ids in zip(result.texts, result.assignments, strict=True) if "parking" in text
    ]
    assert cost and all(ids == ["A"] for ids in cost)
    assert all("X" not in ids for ids in result.assignments)


def test_assign_floor_sends_leftovers_to_catch_all() -> None:
    themes = [Theme("A", "A"), Theme("X", "None of the above")]
    scores = np.array([[0.5, -np.inf], [0.01, -np.inf]], dtype=np.float32)
    assert assign(scores, themes) == [[0], [1]]


def test_micro_f1() -> None:
    assert micro_f1([["a"], ["b", "c"]], [{"a"}, {"b"}]) == pytest.approx(2 * (2 / 3) / (2 / 3 + 1))


def test_review_actions_and_json_round_trip(fake_embedder: FakeEmbedder) -> None:
    result = analyse_question(topical_question(), fake_embedder, k=3)
    first, second, third = (t.theme_id for t in result.themes)
    rename_theme(result, first, "Renamed")
    merged = merge_themes(result, [first, second], "Merged")
    assert sum(merged in ids for ids in result.assignments) == 12
    parts = split_theme(result, merged, 2)
    assert sum(any(p in ids for p in parts) for ids in result.assignments) == 12
    new = add_theme(result, "Road safety", "speed limits near schools")
    rid = result.question.responses[0].response_id
    move_response(result, rid, None, new)
    set_position(result, rid, "disagree")
    delete_theme(result, third)
    assert all(third not in ids for ids in result.assignments)
    remap(result, fake_embedder)
    assert new in result.assignments[0] and result.corrections[rid]
    mapped = [list(ids) for ids in result.assignments]
    framework = sign_off(result, "reviewer@example.gov.uk")
    assert framework.signed_off and result.signed_off
    assert result.assignments == mapped  # signing off records the mapping, it re-maps nothing
    loaded = load_result(json.loads(json.dumps(result_to_json(result))), fake_embedder)
    assert loaded.assignments == result.assignments and loaded.positions[0] == "disagree"
    assert loaded.signed_off_by == "reviewer@example.gov.uk"


def test_find_responses_by_theme_and_words(fake_embedder: FakeEmbedder) -> None:
    result = analyse_question(topical_question(), fake_embedder, k=3)
    every = [r.response_id for r in result.question.responses]
    assert find_responses(result) == every
    theme = result.themes[0].theme_id
    in_theme = find_responses(result, theme)
    assert in_theme == [rid for rid, ids in zip(every, result.assignments, strict=True)
                        if theme in ids]
    assert 0 < len(in_theme) < len(every)
    result.assignments[1] = []
    assert find_responses(result, UNMATCHED) == [every[1]]
    text = result.question.responses[2].text
    word = max(text.split(), key=len).upper()  # case-insensitive, any word of the text
    assert every[2] in find_responses(result, ANY_THEME, f"  {word} ")
    assert find_responses(result, ANY_THEME, "r3") == ["r3"] + [r for r in every
                                                               if r.startswith("r3") and r != "r3"]
    assert find_responses(result, ANY_THEME, f"{word} no-such-word") == []


def test_review_file_round_trip(tmp_path: Path, fake_embedder: FakeEmbedder) -> None:
    result = analyse_question(topical_question(), fake_embedder, k=3)
    rename_theme(result, result.themes[0].theme_id, "Kept name")
    save_review([result, result], tmp_path / "review.json")
    loaded = load_review(tmp_path / "review.json", fake_embedder)
    assert len(loaded) == 2 and loaded[1].themes[0].label == "Kept name"
    assert loaded[0].vectors is not None and loaded[0].vectors.shape[0] == len(result.texts)
    (tmp_path / "bad.json").write_text("{}")
    with pytest.raises(ReviewError, match="not a saved Consult review"):
        load_review(tmp_path / "bad.json")


def test_saved_review_carries_the_consultation_to_resume_from(
        fake_embedder: FakeEmbedder) -> None:
    result = analyse_question(topical_question(), fake_embedder, k=3)
    rid = result.question.responses[2].response_id
    move_response(result, rid, None, result.themes[1].theme_id)
    sign_off(result, "Pat Reviewer")
    text = review_to_json([result], "uploads/responses.csv", 31)
    data, (loaded,) = review_from_json(text.encode("utf-8"), fake_embedder, "review.json")
    assert (data.source, data.rows) == ("uploads/responses.csv", 31)
    assert data.questions == (result.question,)
    assert loaded.corrections == result.corrections and loaded.signed_off_by == "Pat Reviewer"
    assert loaded.vectors is not None and loaded.vectors.shape[0] == len(result.texts)


def test_resumed_review_keeps_the_margin_and_cap_the_reviewer_taught(
        fake_embedder: FakeEmbedder) -> None:
    result = analyse_question(topical_question(), fake_embedder, k=3)
    result.margin, result.cap = 0.12, 1
    (loaded,) = review_from_json(review_to_json([result]), fake_embedder)[1]
    assert (loaded.margin, loaded.cap) == (0.12, 1)
    old = json.loads(review_to_json([result]))
    del old["questions"][0]["cap"]  # a review saved before the cap was kept
    assert review_from_json(json.dumps(old), fake_embedder)[1][0].cap == CAP
    old["questions"][0]["cap"] = "3; rm -rf"
    with pytest.raises(ReviewError, match="bad theme cap"):
        review_from_json(json.dumps(old), fake_embedder)


@pytest.mark.parametrize(("content", "reason"), [
    (b"\xff\xfe not utf-8 {", "not a saved Consult review"),
    (b'{"version": 1, "questions": []}', "no questions"),
    (b'[1, 2]', "not a saved Consult review"),
    (b'{"questions": [{"question": {}}]}', "could not be read"),
])
def test_a_file_that_is_not_a_saved_review_is_refused_clearly(content: bytes,
                                                              reason: str) -> None:
    with pytest.raises(ReviewError, match=reason):
        review_from_json(content, None, "upload.json")


def test_review_errors_change_nothing(fake_embedder: FakeEmbedder) -> None:
    result = analyse_question(topical_question(), fake_embedder, k=3)
    before = result_to_json(result)
    with pytest.raises(ReviewError, match="no theme 'nope'"):
        merge_themes(result, [result.themes[0].theme_id, "nope"], "x")
    with pytest.raises(ReviewError, match="not a position"):
        set_position(result, result.question.responses[0].response_id, "maybe")
    assert result_to_json(result) == before


def test_a_label_another_theme_has_is_refused(fake_embedder: FakeEmbedder) -> None:
    """From a browser review: renaming a theme to another's label was accepted, and the chart
    drew the two as one bar."""
    result = analyse_question(topical_question(), fake_embedder, k=3)
    first, second, third = (t.theme_id for t in result.themes[:3])
    taken = result.themes[1].label
    before = result_to_json(result)
    for act in (lambda: rename_theme(result, first, f"  {taken.upper()} "),
                lambda: add_theme(result, taken),
                lambda: merge_themes(result, [first, third], taken)):
        with pytest.raises(ReviewError, match="already called"):
            act()
    assert result_to_json(result) == before
    # splitting never makes a label another theme has (from a code review)
    biggest = max((t for t in result.themes if t.label != taken),
                  key=lambda t: sum(t.theme_id in ids for ids in result.assignments))
    add_theme(result, f"{biggest.label} (1)")
    split_theme(result, biggest.theme_id)
    labels = [t.label for t in result.themes]
    assert len(labels) == len(set(labels)) and f"{biggest.label} (2)" in labels
    second = next(t.theme_id for t in result.themes if t.label == taken)
    rename_theme(result, second, taken)  # its own label again is fine
    other = next(t.theme_id for t in result.themes if t.theme_id != second)
    merged = merge_themes(result, [other, second], taken)  # and a merged theme's label
    assert [t.label for t in result.themes].count(taken) == 1 and result.theme(merged)


def test_corrections_improve_mapping(fake_embedder: FakeEmbedder) -> None:
    themes = (Theme("A", "money"), Theme("B", "transport"))
    result = analyse_question(topical_question(), fake_embedder, framework=Framework(themes))
    for response in result.question.responses[:6]:
        label = "A" if "parking" in response.text else "B"
        result.corrections[response.response_id] = [label]
    remap(result, fake_embedder)
    gold = [{"A"} if "parking" in t else {"B"} for t in result.texts]
    assert micro_f1(result.assignments[6:], gold[6:]) >= 0.8


def test_framework_files(tmp_path: Path, shared_data: Path) -> None:
    gold = shared_data / "consult/themefinder_synthetic/evals/data/gambling_XS/outputs/mapping"
    framework = load_framework(next(gold.glob("*/question_part_1/themes.json")))
    assert framework.themes[0].theme_id == "A" and framework.themes[-1].catch_all
    save_framework(Framework(framework.themes, True, "me"), tmp_path / "f.json")
    assert load_framework(tmp_path / "f.json").signed_off
    with pytest.raises(Exception, match="no themes"):
        parse_framework({"themes": []})


@pytest.mark.parametrize(
    ("question", "is_open"),
    [
        ("Should adverts be banned?", False),
        ("To what extent do you agree with the plan?", False),
        ("If adverts were restricted, what alternatives could be used?", True),
        ("Please explain your answer", False),
    ],
)
def test_open_questions(question: str, is_open: bool) -> None:
    assert is_open_question(question) is is_open


def test_open_question_answers_agree_unless_they_say_otherwise() -> None:
    question = "What else could the council do?"
    assert classify_position("Rather than fines, run a trial.", question) == "agree"
    assert classify_position("I disagree with the whole approach.", question) == "disagree"
    assert (
        classify_position("Rather than a ban, limit the hours.", "Should it be banned?")
        == "unclear"
    )
    assert (
        classify_position("A ban would devastate local clubs.", "Should it be banned?")
        == "disagree"
    )


def test_large_sets_seed_kmeans_on_a_sample(
    monkeypatch: pytest.MonkeyPatch, fake_embedder: FakeEmbedder
) -> None:
    from consult import discovery

    monkeypatch.setattr(discovery, "SAMPLE_FOR_SEEDING", 9)
    question = topical_question()
    texts = [r.text for r in question.responses]
    found = discovery.discover_themes(fake_embedder.embed(texts), texts, k=3)
    assert sorted(np.bincount(found.clusters).tolist()) == [6, 6, 6]


def test_edge_cases_nothing_to_theme_and_no_themes_left(fake_embedder: FakeEmbedder) -> None:
    empty = analyse_question(build_question("q", "Q?", [("1", ""), ("2", "N/A")]), fake_embedder)
    assert empty.themes == [] and empty.assignments == [] and empty.question.counts()["empty"] == 1
    same = analyse_question(
        build_question("q", "Q?", [("1", "same"), ("2", "same")]), fake_embedder
    )
    assert len(same.themes) == 1
    delete_theme(same, same.themes[0].theme_id)
    remap(same, fake_embedder)
    assert same.unmatched() == [0, 1]


def test_an_uploaded_framework_is_read_from_json_or_refused_clearly() -> None:
    themefinder = b'[{"topic_id": "A", "topic_label": "Ban support", "topic_description": "x"}]'
    framework = framework_from_json(themefinder, "themes.json")
    assert [(t.theme_id, t.label) for t in framework.themes] == [("A", "Ban support")]
    with pytest.raises(ConsultError, match="themes.json is not a theme framework"):
        framework_from_json(b"\xff not json", "themes.json")


def test_answers_that_embed_identically_do_not_crash_discovery(
        fake_embedder: FakeEmbedder) -> None:
    # the fake embedder, like MiniLM, ignores case, and emoji carry no words at all (bare
    # "Agree" and emoji are no longer themed: they give no reason)
    answers = [("r1", "Bus lanes"), ("r2", "bus lanes"), ("r3", "BUS LANES"), ("r4", "Cars 👍"),
               ("r5", "Cars 👎"), ("r6", "cars 🙏")]
    result = analyse_question(build_question("q1", "Do you agree?", answers), fake_embedder)
    assert 1 <= len(result.themes) <= 2  # two distinct vectors at most
    assert all(result.assignments[i] for i in range(3))  # "bus lanes" in any case is mapped
    discovery = discover_themes(np.zeros((4, 8), dtype=np.float32), ["a", "b", "c", "d"], k=3)
    assert len(discovery.themes) == 1  # four texts, one vector: one theme, not a crash


def test_deleting_or_splitting_a_theme_keeps_reviewers_corrections_meaningful(
        fake_embedder: FakeEmbedder) -> None:
    result = analyse_question(topical_question(), fake_embedder, k=3)
    first, second, _third = (t.theme_id for t in result.themes)
    moved = result.question.responses[0].response_id
    set_response_themes(result, moved, [second])
    set_response_themes(result, result.question.responses[1].response_id, [])  # "no theme"
    delete_theme(result, second)
    # the moved response's only theme is gone: its correction no longer binds it to nothing
    assert moved not in result.corrections
    assert result.corrections[result.question.responses[1].response_id] == []
    remap(result, fake_embedder)
    assert result.assignments[0], "a response whose corrected theme was deleted is mapped again"

    members = [r.response_id for r, ids in zip(result.question.responses, result.assignments,
                                               strict=True) if first in ids]
    pinned = members[0]
    set_response_themes(result, pinned, [first])
    parts = split_theme(result, first, 2)
    row = [r.response_id for r in result.question.responses].index(pinned)
    assert result.corrections[pinned] == [p for p in parts if p in result.assignments[row]]
    remap(result, fake_embedder)
    assert set(result.assignments[row]) & set(parts)  # still in the part it was clustered into


@pytest.mark.parametrize(("label", "catch_all"), [
    ("Other", True), ("Other (please specify)", True), ("None of the above.", True),
    ("No reason given", True), ("Other sports and clubs would lose sponsorship money", False),
    ("Otherwise fine", False),
])
def test_only_whole_catch_all_labels_are_catch_alls(label: str, catch_all: bool) -> None:
    assert Theme("T", label).catch_all is catch_all


def test_merged_split_and_renamed_themes_keep_their_responses_when_remapped(
        fake_embedder: FakeEmbedder) -> None:
    result = analyse_question(topical_question(), fake_embedder, k=3)
    first, second, third = (t.theme_id for t in result.themes)
    merged = merge_themes(result, [first, second], "Merged")  # a label sharing no answer's words
    parts = split_theme(result, third, 2)
    in_merged = [merged in ids for ids in result.assignments]
    in_parts = [bool(set(parts) & set(ids)) for ids in result.assignments]
    assert sum(in_merged) == 12 and sum(in_parts) == 6
    remap(result, fake_embedder)
    assert [merged in ids for ids in result.assignments] == in_merged
    assert [bool(set(parts) & set(ids)) for ids in result.assignments] == in_parts


def test_every_review_action_marks_the_result_reviewed(fake_embedder: FakeEmbedder) -> None:
    def fresh() -> QuestionResult:
        result = analyse_question(topical_question(2), fake_embedder, k=3)
        assert not result.reviewed
        return result

    first = fresh().question.responses[0].response_id
    actions: list[Callable[[QuestionResult], object]] = [
        lambda r: rename_theme(r, r.themes[0].theme_id, "New"),
        lambda r: add_theme(r, "New"),
        lambda r: delete_theme(r, r.themes[0].theme_id),
        lambda r: merge_themes(r, [r.themes[0].theme_id, r.themes[1].theme_id], ""),
        lambda r: split_theme(r, r.themes[0].theme_id, 2),
        lambda r: move_response(r, first, None, r.themes[1].theme_id),
        lambda r: set_position(r, first, "unclear"),
        lambda r: sign_off(r, "Pat"),
    ]
    for action in actions:
        result = fresh()
        action(result)
        assert result.reviewed
        assert load_result(json.loads(json.dumps(result_to_json(result)))).reviewed
    signed = Framework((Theme("A", "Parking cost"),), True, "Lead")
    assert not analyse_question(topical_question(2), fake_embedder, framework=signed).reviewed
    with pytest.raises(ReviewError, match="^Choose a theme first.$"):
        rename_theme(fresh(), "", "New")


def test_remapping_names_the_responses_whose_themes_changed(fake_embedder: FakeEmbedder) -> None:
    result = analyse_question(topical_question(), fake_embedder, k=3)
    mapped = [list(ids) for ids in result.assignments]
    assert remap(result, fake_embedder) == []  # nothing changed since the analysis
    for row in (0, 1, 2):
        result.assignments[row] = []  # as if shown unmapped
    expected = [r.response_id for r, ids in zip(result.question.responses[:3], mapped[:3],
                                                strict=True) if ids]
    assert expected and remap(result, fake_embedder) == expected
    assert result.assignments == mapped
