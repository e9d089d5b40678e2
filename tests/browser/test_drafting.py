"""End to end: draft a letter offline against a real index of the bundled sample guidance, edit a
section, see the checks follow the edit, and download the letter as Word and plain text."""

from __future__ import annotations

import io
import json
import re
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from assistant.drafting import MACHINE_NOTICE
from tests.browser.conftest import (
    CHAT,
    ROOT,
    SHOTS,
    RunningApp,
    check_accessibility,
    screenshot,
    start_app,
    stop_app,
    wait_until_idle,
)
from tests.drafting.builders import BASE_FIELDS, EXTRA_FIELDS, SAMPLE_TEMPLATES, template

pytestmark = [pytest.mark.browser, pytest.mark.integration]
COVER = "explain why the claim was refused and how to ask for a review"
EDITED = "Jane Doe, your savings of £20,000 are over the limit for this allowance [1]."


@pytest.fixture(scope="module")
def drafting_app(tmp_path_factory: pytest.TempPathFactory, browser: Any) -> Iterator[RunningApp]:
    """The app over a fresh store, with the repository's sample guidance indexed on first start."""
    data = tmp_path_factory.mktemp("drafting-data")
    app = start_app(data, env={"GA_SAMPLE_GUIDANCE_DIR": str(ROOT / "sample_guidance")})
    try:
        context = browser.new_context()
        first = context.new_page()
        first.goto(app.url)
        first.get_by_text("The sample guidance is ready.").wait_for(timeout=180_000)
        context.close()
        yield app
    finally:
        stop_app(app)


def open_draft_page(page: Any, app: RunningApp) -> None:
    """Open the app, then Draft a letter from the sidebar."""
    page.set_viewport_size({"width": 1280, "height": 1400})  # screenshots show more of a letter
    page.goto(app.url)
    page.locator(CHAT).wait_for()
    wait_until_idle(page)
    page.get_by_role("link", name="Draft a letter").click()
    page.get_by_role("heading", name="Draft a letter").wait_for()
    wait_until_idle(page)


def choose_template(page: Any, title: str) -> None:
    box = page.get_by_label("Letter template")
    box.click()
    page.keyboard.type(title)
    page.get_by_role("option", name=title, exact=True).wait_for()
    page.keyboard.press("Enter")
    wait_until_idle(page)


def fill_facts(page: Any, name: str, **overrides: str) -> None:
    """Type the builders' facts for template ``name`` into the form it generates."""
    values = {**BASE_FIELDS, **EXTRA_FIELDS[name], **overrides}
    for spec in template(name).fields:
        value = values.get(spec.name, "")
        label = spec.label if spec.required else f"{spec.label} (optional)"
        if not value:
            continue
        if spec.type == "date":
            page.get_by_role("spinbutton", name=f"day, {label}").click()
            page.keyboard.type(date.fromisoformat(value).strftime("%d%m%Y"))
            page.keyboard.press("Escape")  # close the calendar the field opened
        else:
            page.get_by_label(label, exact=True).fill(value)
    page.get_by_label("Other case facts (optional)", exact=True).fill(
        "Savings of £20,000 were declared.")
    cover = page.get_by_label("What the letter must cover", exact=True)
    cover.fill(COVER)
    cover.press("Control+Enter")
    wait_until_idle(page)


def press_draft(page: Any) -> float:
    """Press Draft; seconds until the finished draft is on screen (the script run is over)."""
    started = time.perf_counter()
    page.get_by_role("button", name="Draft the letter").click()
    page.get_by_text("The draft is ready.").wait_for(timeout=120_000)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
    elapsed = time.perf_counter() - started
    wait_until_idle(page)
    return elapsed


def edit_section(page: Any, label: str, text: str, *, shows: str = "", hides: str = "") -> None:
    """Edit a section and wait until the checks, run again on the edit, show or hide a text."""
    box = page.get_by_label(label, exact=True)
    box.fill(text)
    box.press("Control+Enter")
    if shows:
        page.get_by_text(shows).first.wait_for()
    if hides:
        page.get_by_text(hides).first.wait_for(state="detached")
    wait_until_idle(page)


def scroll_to_top(locator: Any) -> None:
    """Scroll so ``locator`` is at the top of the window (for a screenshot of what follows)."""
    locator.evaluate("e => e.scrollIntoView({block: 'start'})")


def test_draft_edit_check_and_download_a_letter(drafting_app: RunningApp, page: Any,
                                                tmp_path: Path) -> None:
    open_draft_page(page, drafting_app)
    choose_template(page, "Decision letter")
    fill_facts(page, "decision-letter")
    screenshot(page, "20-draft-form-filled")
    check_accessibility(page, "20-draft-form-filled")

    press_draft(page)
    main = page.locator("section.stMain, [data-testid='stMain']").first
    assert MACHINE_NOTICE in main.inner_text()
    assert "No language model is configured" in main.inner_text()
    reasons = page.get_by_label("Why we made this decision", exact=True)
    assert "[REWRITE:" in reasons.input_value() and re.search(r"\[\d\]", reasons.input_value())
    assert "Mandatory reconsideration" in main.inner_text()  # a cited source, by title
    scroll_to_top(page.get_by_role("heading", name="Your draft: Decision letter"))
    screenshot(page, "21-draft-shown")
    check_accessibility(page, "21-draft-shown")

    edit_section(page, "Why we made this decision",
                 "Mr Brown has savings over the limit, so we cannot pay this allowance.",
                 shows="The name 'Mr Brown' is not one of this case's names.")
    body = main.inner_text()
    assert "The name 'Mr Brown' is not one of this case's names." in body
    assert "'Why we made this decision' cites no source from the guidance." in body
    scroll_to_top(page.get_by_text("Why we made this decision").first)
    screenshot(page, "22-draft-check-flags-edit")

    edit_section(page, "Why we made this decision", EDITED,
                 hides="The name 'Mr Brown' is not one of this case's names.")
    body = main.inner_text()
    assert "Mr Brown" not in body and "'Why we made this decision' cites no source" not in body
    scroll_to_top(page.get_by_text("Your payments while we look again").first)
    screenshot(page, "23-draft-checks-and-downloads")

    with page.expect_download() as download:
        page.get_by_role("button", name="Download as Word (.docx)").click()
    # the copy to check is named apart from the copy to send (a browser review)
    assert download.value.suggested_filename.endswith(" with sources.docx")
    saved = tmp_path / "letter.docx"
    download.value.save_as(saved)
    letter = "\n".join(p.text for p in Document(io.BytesIO(saved.read_bytes())).paragraphs)
    assert "Jane Doe" in letter and "your savings of £20,000 are over the limit" in letter
    assert MACHINE_NOTICE not in letter and "Machine-drafted" not in letter
    assert "Sources" in letter and "Mandatory reconsideration" in letter

    with page.expect_download() as text_download:
        page.get_by_role("button", name="Download as plain text (.txt)").click()
    text = Path(text_download.value.path()).read_text(encoding="utf-8")
    assert EDITED in text and "Machine-drafted" not in text


def test_drafting_time_per_template(drafting_app: RunningApp, page: Any) -> None:
    """Time from pressing Draft to the finished draft on screen, offline, for each template."""
    open_draft_page(page, drafting_app)
    times: dict[str, float] = {}
    for name in SAMPLE_TEMPLATES:
        letter = template(name)
        choose_template(page, letter.title)
        fill_facts(page, name)
        times[name] = round(press_draft(page), 2)
        assert f"Your draft: {letter.title}" in page.inner_text("body")
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "drafting-times.json").write_text(json.dumps(times, indent=2))
    assert all(seconds < 30 for seconds in times.values()), times
