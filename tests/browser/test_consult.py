"""End to end on the Consult page: upload a CSV, analyse with the real MiniLM embedder, rename a
theme, download the workbook and open it."""

from __future__ import annotations

import csv
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.browser.conftest import (
    RunningApp,
    check_accessibility,
    screenshot,
    start_app,
    stop_app,
    wait_until_idle,
)

pytestmark = [pytest.mark.browser, pytest.mark.integration]
QUESTION = "Do you agree with the proposed town centre transport plan?"
ANSWERS = (
    "I agree: parking permits cost far too much for families on low incomes.",
    "Parking charges in the town centre are too high and hurt local shops.",
    "Yes, but the price of a residents' parking permit must come down.",
    "Bus services are unreliable and the route to the hospital was cut last year.",
    "I disagree. Buses are late every morning, so I cannot get to work on time.",
    "More frequent buses on Sundays would help older people reach the shops.",
    "Safe cycle lanes on the high street would let my children ride to school.",
    "I support cycle lanes, as long as they are separated from the traffic.",
    "Cycling is dangerous here: in 2024 there were 12 collisions on Mill Road.",
    "Not sure. The plan says little about people who cannot walk or cycle far.",
)
NEW_LABEL = "Cost of parking permits"
HOSTILE = "=cmd|' /C calc'!A0 <img src=x onerror=alert(1)> **not bold** parking costs too much"


def consultation_csv(path: Path) -> Path:
    """31 rows: three topics in varied words, empty, N/A, a repeated id, a hostile answer."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["respondent_id", "postcode area", QUESTION])
        for n in range(27):
            writer.writerow([f"R{n + 1:03d}", "AB1", f"{ANSWERS[n % len(ANSWERS)]} ({n})"])
        writer.writerows([["R028", "AB2", ""], ["R029", "AB2", "N/A"],
                          ["R001", "AB3", "The same respondent again."], ["R030", "AB4", HOSTILE]])
    return path


@pytest.fixture(scope="module")
def consult_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    app = start_app(tmp_path_factory.mktemp("consult-app"))
    yield app
    stop_app(app)


def choose(page: Any, label: str, option: str) -> None:
    """Pick ``option`` in the Streamlit selectbox or multiselect labelled ``label``."""
    page.get_by_label(label).click()
    page.get_by_role("option", name=option).first.click()
    page.keyboard.press("Escape")
    wait_until_idle(page)


def search_options(page: Any, label: str, text: str) -> Any:
    """Type ``text`` into the multiselect ``label`` and return its first matching option.

    Under load a script run can redraw the widget between the typing and the list opening,
    which empties the box; the search is then typed again (three tries), never skipped.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    box = page.get_by_label(label)
    for attempt in range(3):
        box.click()
        box.fill("")
        page.keyboard.type(text)
        option = page.get_by_role("option", name=re.compile(re.escape(text))).first
        try:
            option.wait_for(timeout=15_000)
            return option
        except PlaywrightTimeout:
            shown = page.get_by_role("listbox").all_inner_texts()
            print(f"try {attempt + 1}: no option matching {text!r}; box holds "
                  f"{box.input_value()!r}; lists shown: {shown!r}")
            page.keyboard.press("Escape")
            wait_until_idle(page)
    raise AssertionError(f"no option matching {text!r} in {label!r} after three tries")


def shot_from(page: Any, heading: str, name: str) -> None:
    """Screenshot with ``heading`` at the top (Streamlit scrolls inside its own container)."""
    page.get_by_role("heading", name=heading).scroll_into_view_if_needed()
    page.get_by_role("heading", name=heading).evaluate("h => h.scrollIntoView()")
    screenshot(page, name)


def test_upload_analyse_review_and_export(consult_app: RunningApp, page: Any,
                                          tmp_path: Path) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{consult_app.url}/consult")
    # the responses file's uploader (step 1 also has one, folded away, for a saved review)
    uploader = page.get_by_test_id("stFileUploader").filter(has_text="Responses file") \
        .locator('[data-testid="stFileUploaderDropzoneInput"]')
    uploader.wait_for(state="attached", timeout=60_000)
    wait_until_idle(page)
    screenshot(page, "20-consult-start")
    check_accessibility(page, "20-consult-start")

    uploader.set_input_files(str(consultation_csv(tmp_path / "responses.csv")))
    page.get_by_text("Respondent id column").wait_for()
    wait_until_idle(page)
    choose(page, "Question columns (one or more)", QUESTION)
    page.get_by_role("button", name="Import").click()
    page.get_by_text("Imported 31 rows").wait_for()
    wait_until_idle(page)
    counts = page.locator('[data-testid="stTable"]').first.inner_text()
    assert re.search(r"28\s+1\s+1\s+1", counts), counts  # themed, empty, N/A, repeated id
    screenshot(page, "21-consult-imported")

    started = time.monotonic()
    page.get_by_role("button", name="Analyse responses").click()
    page.get_by_role("button", name="Download Excel (.xlsx)").wait_for(timeout=180_000)
    elapsed = time.monotonic() - started
    wait_until_idle(page)
    (tmp_path / "analyse-seconds.txt").write_text(f"{elapsed:.1f}\n")
    print(f"Analysing 28 responses took {elapsed:.1f} s (click to themes on screen)")
    assert "Analysed 1 question(s)" in page.inner_text("body")
    page.set_viewport_size({"width": 1280, "height": 1600})
    shot_from(page, "3. Themes", "22-consult-themes")
    check_accessibility(page, "22-consult-themes")

    show_respondent_text_as_text(page, dialogs)
    rename_a_theme(page)
    shot_from(page, "4. Review", "23-consult-renamed")
    check_accessibility(page, "23-consult-renamed")
    download_and_open(page, tmp_path)


def show_respondent_text_as_text(page: Any, dialogs: list[str]) -> None:
    """With every list open, the hostile answer has made no image, bold text or alert."""
    for expander in page.locator('[data-testid="stExpander"] summary').all():
        expander.click()
    wait_until_idle(page)
    quotes = page.locator('[data-testid="stExpander"] [data-testid="stText"]').all_inner_texts()
    assert any(re.match(r"R\d{3}: ", quote) for quote in quotes), "quotes as plain text"
    page.get_by_role("tab", name="Move responses").click()
    wait_until_idle(page)  # under load the tab's widgets can arrive after the click returns
    option = search_options(page, "Responses to move (type to search by id or words)", "R030")
    assert "<img src=x onerror=alert(1)> **not bold**" in option.inner_text()  # shown as typed
    page.mouse.click(10, 10)  # outside the list: closes it
    page.get_by_role("tab", name="Rename").click()
    assert page.locator('img[src="x"]').count() == 0
    assert page.locator("main strong", has_text="not bold").count() == 0
    assert not dialogs
    page.get_by_role("heading", name="3. Themes").evaluate("h => h.scrollIntoView()")
    screenshot(page, "22b-consult-quotes")


def rename_a_theme(page: Any) -> None:
    themes = page.locator('[data-testid="stTable"]').nth(1)
    first_label = themes.locator("tbody tr").first.locator("td, th").first.inner_text().strip()
    page.get_by_role("tab", name="Rename").click()
    page.get_by_label("Theme to rename").click()
    page.get_by_role("option", name=first_label).first.click()
    page.get_by_label("New label").fill(NEW_LABEL)
    page.get_by_role("button", name="Rename theme").click()
    page.get_by_text("Theme renamed to").wait_for()
    page.get_by_role("button", name="Download Excel (.xlsx)").wait_for()
    wait_until_idle(page)
    assert NEW_LABEL in page.locator('[data-testid="stTable"]').nth(1).inner_text()


def download_and_open(page: Any, tmp_path: Path) -> None:
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Download Excel (.xlsx)").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(str(saved))
    assert saved.name == "consultation-themes.xlsx"
    book = load_workbook(saved, read_only=True)
    assert book.sheetnames == ["Themes", "Mappings"]
    labels = [row[2] for row in book["Themes"].iter_rows(min_row=2, values_only=True)]
    assert NEW_LABEL in labels
    mappings = list(book["Mappings"].iter_rows(min_row=2, values_only=True))
    assert len(mappings) == 31  # 28 themed + empty + N/A + repeated id, none dropped
    book.close()
    # the formula is kept as typed, in a string cell Excel never evaluates
    cells = {row[1].value: row[-1] for row in load_workbook(saved)["Mappings"].iter_rows()}
    hostile = next(c for c in cells.values() if c.value == HOSTILE)
    assert hostile.data_type == "s" and hostile.quotePrefix
