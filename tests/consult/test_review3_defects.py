"""Regression tests for the third review of Consult's engine: a label-cleaning pattern that
backtracked for minutes, strong agreement read as disagreement, id-column guesses that chose a
question, and evidence rules that were slow or read "such as a ban" as experience."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from assistant.testing import FakeEmbedder
from consult.analysis import analyse_question
from consult.discovery import _label_text
from consult.evidence import evidence_signals
from consult.importing import build_question, guess_id_column, is_id_like
from consult.positions import classify_position
from tests.consult.helpers import topical_answers, write_csv

QUESTION = "Do you agree that the proposal should go ahead?"


@pytest.mark.parametrize("unit", ["a@", "a'", "a.", "a@a.", "-@", "a@a-", "www."])
def test_label_cleaning_is_quick_on_adversarial_text(unit: str) -> None:
    text = unit * (100_000 // len(unit))
    started = time.perf_counter()
    _label_text(text)
    assert time.perf_counter() - started < 1.0  # a generous bound: "a@" * 2000 took 8 s


def test_label_cleaning_still_removes_addresses_and_contractions() -> None:
    cleaned = _label_text("Write to J.Smith+x@mail.example.co.uk or https://gov.uk/x; I've done")
    assert cleaned.split() == ["write", "to", "or", "done"]


def test_a_question_with_an_adversarial_answer_is_analysed_quickly(
    fake_embedder: FakeEmbedder,
) -> None:
    question = build_question("q1", QUESTION, [*topical_answers(12), ("evil", "a@" * 5_000)])
    started = time.perf_counter()
    analyse_question(question, fake_embedder, k=3)
    assert time.perf_counter() - started < 5.0  # was about two minutes


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("I could not agree more", "agree"),
        ("I couldn't agree more!", "agree"),
        ("I couldn\u2019t agree more.", "agree"),
        ("Couldn't support it more", "agree"),
        ("Not a bad idea", "agree"),
        ("It's not a bad idea at all.", "agree"),
        ("I wouldn't say it is a bad idea", "agree"),
        ("Don't think it's a bad idea.", "agree"),
        ("Never a bad move to protect children", "agree"),
        ("It would be a mistake not to do this", "agree"),
        ("A mistake to delay", "agree"),
        ("No objection.", "agree"),
        ("No objections from us.", "agree"),
        ("No problem with this", "agree"),
        ("No doubt about it, this is needed.", "agree"),
        ("Absolutely not", "disagree"),
        ("Absolutely not, this goes too far.", "disagree"),
        ("Of course not", "disagree"),
        ("Not really", "disagree"),
        ("I wouldn't be in favour.", "disagree"),
        ("I don't think it is a good idea.", "disagree"),
        ("It would be a mistake to do this.", "disagree"),
        # read rightly before, kept
        ("No doubt this is a good idea", "agree"),
        ("I don't disagree", "agree"),
        ("Not sure it goes far enough", "unclear"),
        ("Yes, but only if costs are covered.", "agree"),
        ("Disagree", "disagree"),
        ("I am not in favour of this.", "disagree"),
        ("This is a terrible idea.", "disagree"),
        ("It would be a big mistake.", "disagree"),
        ("Honestly, not a good idea.", "disagree"),
        ("I am in favour of this.", "agree"),
        ("No-brainer", "agree"),
        ("No", "disagree"),
    ],
)
def test_positions_read_negative_words_that_state_agreement(answer: str, expected: str) -> None:
    assert classify_position(answer, QUESTION) == expected


def id_layout(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    """A CSV export with ``header`` (40 rows built by the caller)."""
    return write_csv(path, header, rows)


def test_a_question_mentioning_an_id_is_not_the_id_column(tmp_path: Path) -> None:
    rows = [[str(i), "Yes" if i % 3 else "No", f"comment {i}"] for i in range(40)]
    path = id_layout(tmp_path / "a.csv",
                     ["Respondent number", "Do you currently hold a photo ID?", "Comments"], rows)
    assert guess_id_column(path) == "Respondent number"


def test_a_question_of_all_different_answers_is_not_the_id_column(tmp_path: Path) -> None:
    rows = [[f"S{i}", f"My view number {i} on this."] for i in range(40)]
    path = id_layout(tmp_path / "a.csv",
                     ["Submission", "Do you agree with the terms of reference?"], rows)
    assert guess_id_column(path) == "Submission"


def test_an_id_column_missing_one_id_beats_a_column_merely_named_like_one(
    tmp_path: Path,
) -> None:
    rows = [[f"e{i}@x", f"R{i}" if i < 39 else "", f"answer {i}"] for i in range(40)]
    path = id_layout(tmp_path / "a.csv", ["Email reference", "Response ID", "Q1"], rows)
    assert guess_id_column(path) == "Response ID"


def test_plural_ids_header_is_recognised(tmp_path: Path) -> None:
    rows = [[f"answer {i}", f"R{i}"] for i in range(40)]
    path = id_layout(tmp_path / "a.csv", ["Q1", "Response IDs"], rows)
    assert is_id_like("Response IDs")
    assert guess_id_column(path) == "Response IDs"


def test_a_repeating_id_named_column_falls_back_to_the_first_column(tmp_path: Path) -> None:
    rows = [[f"answer {i}", ["ORG1", "ORG2"][i % 2]] for i in range(40)]
    path = id_layout(tmp_path / "a.csv", ["Q1", "Organisation ID"], rows)
    assert guess_id_column(path) == "Q1"


def test_questions_are_not_id_like() -> None:
    assert not is_id_like("Do you currently hold a photo ID?")
    assert not is_id_like("Do you agree with the terms of reference?")
    assert is_id_like("Respondent number")
    assert is_id_like("Ref.")


@pytest.mark.parametrize(
    "text",
    ["Such as a ban on sales.", "I see this as a tax.", "Seen as a threat.",
     "I was a bit surprised.", "I was made to feel stupid.", "Under rule 500 the fee applies."],
)
def test_ordinary_wording_is_not_experience_or_figures(text: str) -> None:
    assert evidence_signals(text) == []


@pytest.mark.parametrize(
    "text",
    ["I lost my job.", "My son was targeted.", "When I worked as a nurse, I saw it.",
     "I have been a carer for 10 years.", "Speaking as a GP, it is harmful.",
     "We have run the club for over twenty years."],
)
def test_first_hand_experience_is_flagged(text: str) -> None:
    assert "experience" in evidence_signals(text)


@pytest.mark.parametrize(
    ("text", "figures"),
    [("Section 12 affects 500 people.", True), ("Section 12 goes too far.", False),
     ("I am 45.", False), ("It happened 3 times.", True), ("In 2019 it changed.", True),
     ("See paragraph 300.", False), ("THE FEE IS £40.", True)],
)
def test_figures_skip_references_and_ages_only(text: str, figures: bool) -> None:
    assert ("figures" in evidence_signals(text)) is figures


def test_discovered_labels_name_topics_not_how_people_talk() -> None:
    import numpy as np

    from consult.discovery import distinctive_words

    texts = ["Yes I agree, a big bit of the parking is a problem.",
             "Yeah totally agree, parking is a big bit of a mess.",
             "I think the bus timetable is a good idea really.",
             "Honestly the bus timetable needs a lot of work, I think."]
    words = distinctive_words(texts, np.array([0, 0, 1, 1]), 2)
    chosen = {w for label in words for term in label for w in term.split()}
    assert "parking" in chosen and ("bus" in chosen or "timetable" in chosen)
    assert not chosen & {"yes", "yeah", "agree", "big", "bit", "think", "good", "idea",
                         "really", "honestly", "lot"}
