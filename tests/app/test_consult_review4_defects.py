"""The Consult page with fake services: regressions for a policy analyst's browser review
(pavement parking consultation)."""

from __future__ import annotations

import csv
import io
import re

from app_pages import state
from app_pages.consult_results import csv_bytes, plain
from app_pages.consult_review import sizes_note
from app_pages.services import AppServices
from consult import review
from tests.app.conftest import texts
from tests.app.test_consult_page import (
    TOPICS,
    analysed,
    button,
    consult_page,
    responses_csv,
    results,
    submit,
    upload,
)

LONG_NO = ("I disagree with this completely, because the buses to the hospital are already "
           "unreliable and this plan makes the routes longer for everyone who has no car.")

# --- 1. adding a theme, updating the mapping and signing off ----------------------------------


def test_adding_a_theme_moves_no_response(fake_app: AppServices) -> None:
    at = analysed(fake_app)
    before = [list(ids) for ids in results(at)["q1"].assignments]
    at.text_input(key=state.consult_key("add_label")).input("Bus services")
    at.text_area(key=state.consult_key("add_description")).input(TOPICS[1])
    at = submit(at, "Add theme")
    assert not at.exception
    assert results(at)["q1"].assignments == before
    assert "added, with no responses yet" in texts(at)


def test_update_mapping_says_what_moved_and_sign_off_records_the_screen(
        fake_app: AppServices) -> None:
    at = analysed(fake_app)
    result = results(at)["q1"]
    target = result.themes[-1].theme_id
    at.multiselect(key=state.consult_key("move_responses")).select("r1")
    at.selectbox(key=state.consult_key("move_to")).select(target)
    at = submit(at, "Move responses")
    button(at, "Update mapping from my corrections").click()
    at.run()
    assert "Mapping updated from your corrections:" in texts(at)
    result = results(at)["q1"]
    result.assignments[4] = []  # as a deleted theme leaves a response, before any re-map
    shown = [list(ids) for ids in result.assignments]
    at.text_input(key=state.consult_key("sign_off_name")).input("Pat Reviewer")
    at = submit(at, "Sign off framework")
    assert not at.exception
    assert results(at)["q1"].assignments == shown
    assert "no response was re-mapped" in texts(at)
    assert "with the mapping as it stood" in texts(at)


# --- 6. correcting a position ----------------------------------------------------------------


def test_the_position_choice_starts_at_the_current_position_with_the_whole_answer(
        fake_app: AppServices) -> None:
    at = analysed(fake_app, responses_csv([["long1", "West", LONG_NO]]))
    at.session_state[state.consult_key("review_tab")] = "Position"
    at.selectbox(key=state.consult_key("position_response")).select("long1").run()
    assert not at.exception
    assert at.radio(key=state.consult_key("position_value_long1")).value == "disagree"
    assert LONG_NO in [t.value for t in at.text], "the whole answer, not an 80-character preview"
    assert "Current position: disagree (wording)" in texts(at)
    at.radio(key=state.consult_key("position_value_long1")).set_value("unclear")
    at = submit(at, "Set position")
    assert results(at)["q1"].positions[-1] == "unclear"
    at.selectbox(key=state.consult_key("position_response")).select("long1").run()
    assert at.radio(key=state.consult_key("position_value_long1")).value == "unclear"


# --- 3, 4, 5: answers with no reason, quotes, repeated texts --------------------------------

BARE = [["b1", "West", "Agree"], ["b2", "West", "?"], ["b3", "West", "ok"]]
CAMPAIGN = "Stop the war on motorists and keep our streets open for the families who live here."


def test_answers_with_no_reason_are_listed_positioned_and_not_themed(
        fake_app: AppServices) -> None:
    at = analysed(fake_app, responses_csv(BARE))
    assert not at.exception
    assert at.table[0].value.iloc[0]["No reason given"] == 3
    assert at.table[0].value.iloc[0]["To theme"] == 24
    aside = at.dataframe[0].value
    assert sorted(aside[aside["Reason"] == "no reason given"]["Respondent"]) == ["b1", "b2", "b3"]
    every = at.dataframe[-1].value.set_index("Respondent")
    assert set(every.loc[["b1", "b2", "b3"], "Themes"]) == {"no reason given"}
    assert list(every.loc[["b1", "b2", "b3"], "Position"]) == ["agree", "unclear", "unclear"]
    assert "3 more gave a position but no reason" in texts(at)
    assert not [t.value for t in at.text if re.match(r"^b\d: ", t.value)]  # never quoted


def test_quotes_name_the_position_and_repeated_texts_are_marked(fake_app: AppServices) -> None:
    at = analysed(fake_app, responses_csv([[f"c{n}", "West", CAMPAIGN] for n in range(3)]))
    assert not at.exception
    quotes = [t.value for t in at.text]
    assert quotes and all(re.match(r"^\w+: \[(agree|disagree|unclear)\] ", q) for q in quotes)
    assert sum(CAMPAIGN in q for q in quotes) <= 1  # one copy of a campaign text at most
    every = at.dataframe[-1].value.set_index("Respondent")
    assert list(every.loc[["c0", "c1", "c2"], "Repeated text"]) == ["3 responses"] * 3
    assert every.loc["r2", "Repeated text"] == ""
    assert at.table[1].value["Repeated text"].sum() == 2  # copies after the first
    mappings = list(csv.DictReader(io.StringIO(
        csv_bytes(list(results(at).values()), 1).decode("utf-8-sig"))))
    assert {row["response_id"]: row["repeated_text"] for row in mappings}["c1"] == "3"


# --- 8. uploads ----------------------------------------------------------------------------


def test_a_header_only_file_is_refused_not_imported(fake_app: AppServices) -> None:
    at = upload(consult_page(fake_app), b"respondent_id,Do you agree with the plan?\n")
    at.multiselect(key=state.CONSULT_QUESTION_COLUMNS).select("Do you agree with the plan?")
    at.run()
    button(at, "Import").click()
    at.run()
    assert not at.exception
    assert "has a header row but no responses" in " ".join(e.value for e in at.error)
    assert "Imported 0 rows" not in texts(at) and not at.success
    assert state.CONSULT_DATA not in at.session_state


def test_a_csv_renamed_to_xlsx_is_named_as_such(fake_app: AppServices) -> None:
    at = consult_page(fake_app)
    at.file_uploader(key=state.CONSULT_UPLOAD).set_value(
        ("responses.xlsx", responses_csv(), "application/octet-stream"))
    at.run()
    [error] = at.error
    assert "perhaps a CSV file" in error.value and "zip" not in error.value


def test_a_semicolon_csv_with_a_comma_in_its_header_is_split_on_semicolons(
        fake_app: AppServices) -> None:
    rows = ["respondent_id;region;Do you agree, or not, with the plan?"]
    rows += [f"r{n};North;{TOPICS[n % 3]} Point {n}, really." for n in range(12)]
    at = upload(consult_page(fake_app), "\n".join(rows).encode())
    assert at.selectbox(key=state.CONSULT_ID_COLUMN).options == [
        "respondent_id", "region", "Do you agree, or not, with the plan?"]


def test_a_new_file_starts_with_its_own_column_choices(fake_app: AppServices) -> None:
    at = upload(consult_page(fake_app), responses_csv())
    at.selectbox(key=state.CONSULT_ID_COLUMN).set_value("region").run()
    at.multiselect(key=state.CONSULT_QUESTION_COLUMNS).select("Do you agree with the plan?").run()
    other = b"region,respondent_id,Do you agree with the plan?\n" + b"".join(
        f"North,x{n},{TOPICS[n % 3]}\n".encode() for n in range(12))
    at = upload(at, other, "other.csv")
    assert not at.exception
    assert at.selectbox(key=state.CONSULT_ID_COLUMN).value == "respondent_id"
    assert at.multiselect(key=state.CONSULT_QUESTION_COLUMNS).value == []


def test_the_update_note_says_how_theme_sizes_changed(fake_app: AppServices) -> None:
    result = results(analysed(fake_app))["q1"]
    before = review.theme_sizes(result)
    assert sizes_note(result, before) == ""
    gone = result.assignments[0][0]
    target = next(t for t in result.themes if t.theme_id not in result.assignments[0])
    result.assignments[0] = [target.theme_id]  # as if re-mapping moved r1
    note = sizes_note(result, before)
    assert f"{plain(target.label)} {before[target.theme_id]} → {before[target.theme_id] + 1}" \
        in note
    assert f"{before[gone]} → {before[gone] - 1}" in note
