"""Regression tests for defects a policy-team reviewer found in Consult (engine side)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from openpyxl import load_workbook

from assistant.testing import FakeEmbedder
from consult.__main__ import main as cli_main
from consult.analysis import QuestionResult, analyse_question
from consult.discovery import discover_themes, distinctive_words
from consult.evidence import evidence_signals
from consult.export import (
    MAPPING_COLUMNS,
    THEME_COLUMNS,
    XLSX_CELL_CHARS,
    export_csv,
    export_xlsx,
    mapping_rows,
    theme_rows,
)
from consult.importing import (
    MAX_ANSWER_CHARS,
    build_question,
    guess_id_column,
    is_id_like,
    load_consultation,
    repeated_id_warning,
)
from consult.positions import classify_position
from consult.review import load_result, result_to_json, set_position, sign_off
from consult.themes import framework_to_json
from tests.consult.helpers import TOPICS, topical_answers, topical_question, write_csv

QUESTION = "Do you agree with the proposal to restrict sales?"


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("Disagree", "disagree"),
        ("Strongly disagree", "disagree"),
        ("No", "disagree"),
        ("No.", "disagree"),
        ("Tend to disagree", "disagree"),
        ("Tend to agree", "agree"),
        ("Strongly agree", "agree"),
        ("Yes", "agree"),
        ("Neither agree nor disagree", "unclear"),
        ("Don't know", "unclear"),
    ],
)
def test_likert_answers_are_read_as_their_scale_point(answer: str, expected: str) -> None:
    assert classify_position(answer, QUESTION) == expected


@pytest.mark.parametrize(
    "answer",
    [
        "I am not in favour of this.",
        "We do not support this proposal.",
        "I don't agree with it.",
        "This is a terrible idea.",
        "It would be a big mistake.",
        "Honestly, not a good idea.",
    ],
)
def test_negated_support_and_bad_evaluations_are_disagreement(answer: str) -> None:
    assert classify_position(answer, QUESTION) == "disagree"


def test_plain_support_is_still_agreement() -> None:
    assert classify_position("I am in favour of this.", QUESTION) == "agree"
    assert classify_position("A sensible step.", QUESTION) == "agree"


DHSC = Path(__file__).resolve().parents[3] / "shared/data/consult/dhsc_export_layout"


def repeated_capacity_csv(path: Path) -> Path:
    """A survey export whose first column repeats (a capacity) and whose id is last."""
    rows = [[["Individual", "Organisation"][n % 2], f"Answer {n} about permits.", f"abc-{n}"]
            for n in range(20)]
    return write_csv(path, ["In what capacity are you responding?", "Comments", "Response ID"],
                     rows)


def test_id_like_headers_split_on_any_non_word_character() -> None:
    assert is_id_like("Response ID")
    assert is_id_like("respondent_id")
    assert is_id_like("RespondentID")
    assert not is_id_like("In what capacity are you responding to this survey?")
    assert not is_id_like("Is the gender you identify with the same?")


def test_the_default_id_column_is_named_like_an_id_and_unique(tmp_path: Path) -> None:
    path = repeated_capacity_csv(tmp_path / "export.csv")
    assert guess_id_column(path) == "Response ID"


@pytest.mark.parametrize("name", ["responses_2024-01-09.xlsx", "responses_all_2024_06_05.csv"])
def test_the_default_id_column_of_the_dhsc_export_is_response_id(name: str) -> None:
    if not (DHSC / name).exists():
        pytest.skip("the shared DHSC export is not present")
    assert guess_id_column(DHSC / name) == "Response ID"


def test_many_repeated_ids_warn_that_the_id_column_may_be_wrong(tmp_path: Path) -> None:
    path = repeated_capacity_csv(tmp_path / "export.csv")
    wrong = load_consultation(path, "In what capacity are you responding?", ["Comments"])
    right = load_consultation(path, "Response ID", ["Comments"])
    warning = repeated_id_warning(wrong)
    assert warning is not None and "18 of 20 rows" in warning and "id column" in warning
    assert repeated_id_warning(right) is None


def test_the_cli_prints_the_repeated_id_warning(
    tmp_path: Path, fake_embedder: FakeEmbedder, capsys: pytest.CaptureFixture[str]
) -> None:
    path = repeated_capacity_csv(tmp_path / "export.csv")
    args = [str(path), "--id", "In what capacity are you responding?", "--question", "Comments"]
    assert cli_main(args, fake_embedder) == 0
    assert "respondent-id column" in capsys.readouterr().err


@pytest.mark.parametrize(
    "invisible", ["\u200b", " \u200b\u200d ", "\ufeff", "\u2060\u00a0", "\u202e"]
)
def test_answers_of_only_invisible_characters_are_counted_as_empty(invisible: str) -> None:
    question = build_question("q1", "Any comments?", [("r1", invisible), ("r2", "Real answer.")])
    assert [r.response_id for r in question.responses] == ["r2"]
    assert [(e.response_id, e.reason) for e in question.excluded] == [("r1", "empty")]
    assert question.counts()["empty"] == 1


def test_a_position_correction_is_recorded_as_reviewed_and_saved(
    fake_embedder: FakeEmbedder,
) -> None:
    result = analyse_question(topical_question(), fake_embedder, k=3)
    target = result.question.responses[4].response_id
    set_position(result, target, "unclear")
    rows = {row[1]: row for row in mapping_rows([result])}
    reviewed = MAPPING_COLUMNS.index("reviewed")
    assert rows[target][reviewed] == "yes"
    assert rows[result.question.responses[0].response_id][reviewed] == "no"
    again = load_result(json.loads(json.dumps(result_to_json(result))))
    assert again.position_corrections == {target: "unclear"}
    assert mapping_rows([again])[4][reviewed] == "yes"


def test_discovered_themes_carry_no_respondent_sentence_into_the_framework(
    fake_embedder: FakeEmbedder,
) -> None:
    result = analyse_question(topical_question(), fake_embedder, k=3)
    framework = framework_to_json(sign_off(result, "A Reviewer"))
    described = [t["description"] for t in framework["themes"]]
    described += [str(row[THEME_COLUMNS.index("description")]) for row in theme_rows([result])]
    assert described and all(d.startswith("Responses about") for d in described)
    for description in described:
        assert "\u201c" not in description
        for sentence in TOPICS.values():
            assert " ".join(sentence.split()[:5]) not in description, description


@pytest.mark.parametrize(
    "text",
    ["As a result, prices rise.", "I was not consulted.", "The evidence is unclear.",
     "I am 45 and I think this is wrong.", "Section 12 goes too far."],
)
def test_ordinary_wording_is_not_evidence(text: str) -> None:
    assert evidence_signals(text) == []


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("As a nurse, I see the harm every week.", "experience"),
        ("I have worked in addiction services.", "experience"),
        ("Research by the Gambling Commission shows the harm.", "sources"),
        ("According to the ONS, it is rising.", "sources"),
        ("We employ 120 staff.", "figures"),
        ("Prices rose by 15% last year.", "figures"),
        ("Sponsorship is worth millions.", "figures"),
    ],
)
def test_specific_evidence_is_still_flagged(text: str, kind: str) -> None:
    assert kind in evidence_signals(text)


def long_answer_result(fake_embedder: FakeEmbedder, chars: int) -> tuple[QuestionResult, str]:
    """An analysed question with one answer of about ``chars`` characters (r-long)."""
    long = ("Bus routes to the hospital were cut. " * (chars // 37 + 1))[:chars].strip()
    question = build_question("q1", "Q?", [*topical_answers(3), ("r-long", long)])
    return analyse_question(question, fake_embedder, k=3), long


def test_long_answers_are_themed_shortened_but_exported_and_saved_whole(
    tmp_path: Path, fake_embedder: FakeEmbedder
) -> None:
    result, long = long_answer_result(fake_embedder, 25_000)
    response = next(r for r in result.question.responses if r.response_id == "r-long")
    assert response.truncated and len(response.text) <= MAX_ANSWER_CHARS + 4
    assert response.original == long
    row = next(r for r in mapping_rows([result]) if r[1] == "r-long")
    assert row[MAPPING_COLUMNS.index("response")] == long
    saved = json.loads(json.dumps(result_to_json(result)))
    again = load_result(saved)
    back = next(r for r in again.question.responses if r.response_id == "r-long")
    assert back.original == long and back.text == response.text and back.truncated
    export_xlsx([result], tmp_path / "out.xlsx")
    book = load_workbook(tmp_path / "out.xlsx")
    cells = [row[-1] for row in book["Mappings"].iter_rows(values_only=True)]
    assert long in cells, "under Excel's cell limit the workbook holds the whole answer"


def test_answers_past_excels_cell_limit_are_cut_with_a_note(
    tmp_path: Path, fake_embedder: FakeEmbedder
) -> None:
    result, long = long_answer_result(fake_embedder, 40_000)
    export_xlsx([result], tmp_path / "out.xlsx")
    book = load_workbook(tmp_path / "out.xlsx")
    cell = next(r[-1] for r in book["Mappings"].iter_rows(values_only=True) if r[1] == "r-long")
    assert len(cell) <= XLSX_CELL_CHARS and cell.startswith(long[:30_000])
    assert "CSV export holds all 40,000 characters" in cell
    _, mappings = export_csv([result], tmp_path / "out.csv")
    with mappings.open(encoding="utf-8-sig", newline="") as handle:
        assert long in [row[-1] for row in csv.reader(handle)]


def test_formula_like_text_is_a_plain_string_cell_in_the_workbook(
    tmp_path: Path, fake_embedder: FakeEmbedder
) -> None:
    typed = ["=1+2 buses are late", "+44 number", "-cuts to routes", "@council please"]
    pairs = [*topical_answers(3), *((f"f{n}", t) for n, t in enumerate(typed))]
    result = analyse_question(build_question("q1", "Q?", pairs), fake_embedder, k=3)
    export_xlsx([result], tmp_path / "out.xlsx")
    book = load_workbook(tmp_path / "out.xlsx")
    cells = {row[1].value: row[-1] for row in book["Mappings"].iter_rows()}
    for n, text in enumerate(typed):
        assert cells[f"f{n}"].value == text, "shown exactly as typed, no apostrophe in the value"
        assert cells[f"f{n}"].data_type == "s" and cells[f"f{n}"].quotePrefix
    _, mappings = export_csv([result], tmp_path / "out.csv")
    with mappings.open(encoding="utf-8-sig", newline="") as handle:
        assert "'=1+2 buses are late" in [row[-1] for row in csv.reader(handle)]


def test_near_identical_clusters_are_one_theme_with_a_unique_label() -> None:
    # four tight copies of one direction and one other: k-means with k=5 must split the copies
    rng = np.random.default_rng(0)
    base = np.eye(8, dtype=np.float32)
    vectors = np.vstack([base[0] + 0.05 * rng.standard_normal((20, 8)),
                         base[1] + 0.05 * rng.standard_normal((8, 8))]).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    texts = [f"Age checks when kids buy at the corner shop {n}." for n in range(20)]
    texts += [f"Beaches near my house are littered every weekend {n}." for n in range(8)]
    found = discover_themes(vectors, texts, k=5)
    labels = [t.label for t in found.themes]
    assert len(labels) == 2 and len(set(labels)) == 2, labels


def test_label_words_leave_out_contraction_fragments_digits_and_addresses() -> None:
    texts = ["I've worked in addiction services, see http://evil.example/a0 2023"] * 3
    texts += ["Bus routes were cut, don't ignore www.routes.example"] * 3
    words = distinctive_words(texts, np.array([0, 0, 0, 1, 1, 1]), 2)
    found = {w for ws in words for term in ws for w in term.split()}
    assert found and not found & {"ve", "don", "http", "www", "a0", "2023", "evil", "example"}
