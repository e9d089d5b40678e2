"""Answers not in English are named at import, in the engine, the page and the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.testing import FakeEmbedder
from consult.__main__ import main
from consult.importing import build_question
from consult.language import language_warning, looks_english, not_english_ids
from consult.responses import Consultation
from tests.consult.helpers import topical_answers, write_csv

WELSH = "Rwy'n cytuno â'r cynnig oherwydd bod angen mwy o fysiau yn y dref."
FRENCH = "Je ne suis pas d'accord avec cette proposition de stationnement."


@pytest.mark.parametrize("text", [WELSH, FRENCH, "Dw i ddim yn cytuno. Mae parcio yn rhy ddrud.",
                                  "Ich bin dagegen, weil die Parkgebühren zu hoch sind."])
def test_other_languages_are_not_english(text: str) -> None:
    assert not looks_english(text)


@pytest.mark.parametrize("text", [
    "The cost of parking permits is far too high for families on low incomes.",
    "i dont think its gud idea tbh, parkin is 2 much",  # informal English is still English
    "Agree.", "lol no", "Nid yw",  # too short to tell
    "NHS waiting times in Cardiff and Swansea are too long.",
    "I'd say it's OK", "We'd rather it didn't", "They’ll say we’ve not",  # contractions
])
def test_english_and_short_answers_are_not_flagged(text: str) -> None:
    assert looks_english(text)


def consultation(extra: list[tuple[str, str]]) -> Consultation:
    question = build_question("q1", "Do you agree?", [*topical_answers(2), *extra])
    return Consultation("responses.csv", (question,), rows=6 + len(extra))


def test_the_warning_names_each_respondent_once() -> None:
    assert language_warning(consultation([])) is None
    one = consultation([("w1", WELSH)])
    assert not_english_ids(one) == ["w1"]
    assert language_warning(one) == (
        "1 respondent answered in what does not look like English (Welsh, perhaps): w1. It is "
        "themed with the rest, but the offline model reads English, so check its themes and "
        "positions yourself, or import a translation.")
    many = consultation([(f"w{n}", f"{WELSH} {n}") for n in range(12)] + [("f1", FRENCH)])
    warning = language_warning(many)
    assert warning is not None
    assert warning.startswith("13 respondents answered") and "w0, w1," in warning
    assert "w9 and 3 more." in warning and "check their themes" in warning


def test_the_cli_warns_about_answers_not_in_english(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fake_embedder: FakeEmbedder
) -> None:
    rows = [list(p) for p in topical_answers(3)] + [["w1", WELSH]]
    path = write_csv(tmp_path / "r.csv", ["id", "q"], rows)
    assert main([str(path), "--id", "id", "--question", "q", "--json"], fake_embedder) == 0
    err = capsys.readouterr().err
    assert "consult: warning: 1 respondent answered in what does not look like English" in err
    assert ": w1." in err
