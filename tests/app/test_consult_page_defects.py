"""The Consult page with fake services: regressions for defects found in a browser review."""

from __future__ import annotations

import csv
import io
import json
import re

from streamlit.testing.v1 import AppTest

from app_pages import state
from app_pages.consult_results import plain
from app_pages.consult_review import moved_note
from app_pages.services import AppServices
from tests.app.test_consult_page import (
    TOPICS,
    analysed,
    button,
    consult_page,
    imported,
    responses_csv,
    submit,
    upload,
)

EVIL_HEADER = "![x](http://evil.example/h.png) [link](http://evil.example) **Q**?"
EVIL_NAME = "[Verify your account](https:evil.example) **URGENT**.csv"


def capacity_first_csv() -> bytes:
    """A survey export: a repeating "capacity" column first, the real id last."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["In what capacity are you responding?", "Comments", "Response ID"])
    for n in range(24):
        writer.writerow([["Individual", "Organisation"][n % 2], f"{TOPICS[n % 3]} {n}.",
                         f"id-{n:03}"])
    return out.getvalue().encode()


def linkable(text: str) -> str:
    """Markdown text without its code spans and escapes: what a renderer could turn into a link."""
    return re.sub(r"`[^`]*`", "", text).replace("\\", "")


def rendered_markdown(at: AppTest) -> list[str]:
    """Everything the page renders as Markdown: text, captions, alerts, labels, table cells."""
    found = [m.value for m in at.markdown] + [c.value for c in at.caption]
    found += [e.value for kind in ("error", "warning", "info", "success") for e in at.get(kind)]
    found += [e.label for e in at.expander] + [h.value for h in at.subheader]
    for table in at.table:
        found += [str(v) for column in table.value.columns for v in table.value[column]]
    return found


def test_the_default_id_column_is_the_unique_id_not_the_first_column(
        fake_app: AppServices) -> None:
    at = upload(consult_page(fake_app), capacity_first_csv(), "export.csv")
    assert at.selectbox(key=state.CONSULT_ID_COLUMN).value == "Response ID"


def test_importing_with_a_repeating_id_column_warns(fake_app: AppServices) -> None:
    at = upload(consult_page(fake_app), capacity_first_csv(), "export.csv")
    at.selectbox(key=state.CONSULT_ID_COLUMN).set_value("In what capacity are you responding?")
    at.multiselect(key=state.CONSULT_QUESTION_COLUMNS).select("Comments").run()
    button(at, "Import").click()
    at.run()
    warnings = [w.value for w in at.warning]
    assert any("22 of 24 rows" in w and "respondent-id column" in w for w in warnings)


def test_a_header_with_markdown_and_addresses_is_shown_as_typed(fake_app: AppServices) -> None:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", EVIL_HEADER])
    writer.writerows([[f"r{n}", f"{TOPICS[n % 3]} see www.evil.example/{n}"] for n in range(9)])
    at = upload(consult_page(fake_app), out.getvalue().encode(), "md.csv")
    at.multiselect(key=state.CONSULT_QUESTION_COLUMNS).select(EVIL_HEADER).run()
    button(at, "Import").click()
    at.run()
    at.number_input(key=state.CONSULT_THEMES_COUNT).set_value(3).run()
    button(at, "Analyse responses").click()
    at.run()
    assert not at.exception
    shown = rendered_markdown(at)
    assert plain(EVIL_HEADER) in shown, "the import table holds the header, escaped"
    for text in shown:
        assert "http://" not in linkable(text) and "www.evil" not in linkable(text), text


def test_a_file_name_with_markdown_is_shown_as_typed_in_errors(fake_app: AppServices) -> None:
    at = upload(consult_page(fake_app), b"\x00\x01 not a csv", EVIL_NAME)
    messages = [e.value for e in at.error]
    assert messages, "the unreadable file is explained"
    assert all("](" not in m and "**" not in m for m in messages), messages
    assert any("Verify your account" in m for m in messages)


def test_respondent_addresses_in_descriptions_are_code_not_links(fake_app: AppServices) -> None:
    extra = [[f"u{n}", "West", "Read the evidence at www.vape-facts.example/report before you "
              "decide anything at all."] for n in range(6)]
    at = analysed(fake_app, responses_csv(extra))
    assert not at.exception
    for text in rendered_markdown(at):
        assert "www.vape-facts" not in linkable(text), text


def tab_bar_ids(node: object) -> list[str]:
    """The ids of the tab bars under ``node`` ("" for an untracked bar, which the browser resets
    to its first tab whenever its place on the page shifts)."""
    found = [node.proto.tab_container.id] if getattr(node, "type", None) == "tab_container" else []
    children = getattr(node, "children", None)
    for child in children.values() if isinstance(children, dict) else []:
        found += tab_bar_ids(child)
    return found


def test_a_review_action_keeps_its_tab_and_shows_its_result(fake_app: AppServices) -> None:
    at = analysed(fake_app)
    before = tab_bar_ids(at.main)
    assert len(before) == 1 and before[0].endswith(state.consult_key("review_tab"))
    tab = state.consult_key("review_tab")
    at.session_state[tab] = "Position"
    at.run()
    at.selectbox(key=state.consult_key("position_response")).select("r2").run()
    at.radio(key=state.consult_key("position_value_r2")).set_value("disagree")
    at = submit(at, "Set position")
    assert not at.exception
    assert at.session_state[tab] == "Position", "the tab the reviewer was in stays open"
    assert tab_bar_ids(at.main) == before, "the same tab bar, not a new one reset to Rename"
    assert "Position corrected." in [s.value for s in at.success]
    # the notice is above the tabs, not inside one (a hidden tab would hide it)
    assert all("Position corrected." not in s.value for t in at.tabs for s in t.success)


def test_the_theme_chart_labels_the_count_axis_responses(fake_app: AppServices) -> None:
    at = analysed(fake_app)
    charts = at.get("vega_lite_chart")
    assert charts, "the themes chart is drawn"
    spec = json.loads(charts[0].proto.spec)
    encoding = spec.get("encoding") or spec["layer"][0]["encoding"]
    assert encoding["x"]["title"] == "Responses", "counts run across a horizontal bar chart"
    assert encoding["y"]["title"] == "", "the themes are named on the bars' own axis"


def test_answers_not_in_english_are_named_after_import(fake_app: AppServices) -> None:
    welsh = "Rwy'n cytuno â'r cynnig oherwydd bod angen mwy o fysiau yn y dref."
    at = imported(fake_app, responses_csv([["cy-**7**", "West", welsh]]))
    assert not at.exception
    warnings = [w.value for w in at.warning]
    [warning] = [w for w in warnings if "does not look like English" in w]
    assert r"cy\-\*\*7\*\*" in warning  # the respondent's id, shown as typed
    english = imported(fake_app)
    assert not any("does not look like English" in w.value for w in english.warning)


def test_the_remapping_note_lists_the_moved_responses_as_typed() -> None:
    assert moved_note([]) == "no response changed theme."
    assert moved_note(["r1"]) == "1 response now has different themes: r1."
    many = moved_note([f"**r{n}**" for n in range(12)], listed=10)
    assert many.startswith(r"12 responses now have different themes: \*\*r0\*\*, ")
    assert many.endswith(r"\*\*r9\*\* and 2 more.")
