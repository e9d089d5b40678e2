"""End to end in local mode (no identity provider): ask, cite, open a source; admin by password."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import (
    ADMIN_PASSWORD,
    CHAT,
    UPLOAD,
    RunningApp,
    check_accessibility,
    screenshot,
    send,
    start_app,
    stop_app,
    wait_until_idle,
)

pytestmark = [pytest.mark.browser, pytest.mark.integration]
QUESTION = "How much can I be fined for not having employers' liability insurance?"


@pytest.fixture(scope="module")
def local_app(guidance: Path) -> Iterator[RunningApp]:
    app = start_app(guidance, env={"GA_ADMIN_PASSWORD": ADMIN_PASSWORD})
    yield app
    stop_app(app)


def open_ask(page: Any, app: RunningApp) -> None:
    """The Ask page, ready for a question."""
    page.goto(app.url)
    page.locator(CHAT).wait_for()
    wait_until_idle(page)


def ask(page: Any, question: str) -> None:
    send(page, question)
    page.locator("span[id^=src-]").first.wait_for(state="attached", timeout=60_000)
    wait_until_idle(page)


def test_first_start_indexes_then_a_caseworker_asks_and_opens_a_source(
        local_app: RunningApp, page: Any) -> None:
    page.goto(local_app.url)
    page.locator(CHAT).wait_for(timeout=120_000)  # first start indexes the sample guidance
    wait_until_idle(page)
    assert "no language model is configured" in page.inner_text("body")
    screenshot(page, "01-local-ask-ready")
    check_accessibility(page, "01-local-ask-ready")

    ask(page, QUESTION)
    answer = page.locator('[data-testid="stChatMessage"]').nth(1)
    assert "£2,500" in answer.inner_text()
    assert re.search(r"\[1\] Employers.? liability insurance", answer.inner_text())
    screenshot(page, "02-local-answer-with-sources")
    check_accessibility(page, "02-local-answer-with-sources")

    answer.get_by_role("link", name="[1]").first.click()  # [n] in the answer shows source n
    page.wait_for_timeout(800)
    assert "#src-" in page.url
    source = page.locator("span[id^=src-]").first
    box = source.bounding_box()
    assert box is not None and 0 <= box["y"] < 900, "source [1] should be scrolled into view"
    screenshot(page, "03-local-source-opened")
    gov_uk = answer.get_by_role("link", name=re.compile("Open on GOV.UK"))
    assert gov_uk.get_attribute("href") == "https://www.gov.uk/employers-liability-insurance"
    with page.expect_download() as download:
        answer.get_by_role("button", name=re.compile("Download source file")).click()
    assert download.value.suggested_filename == "employers-liability-insurance.md"

    page.get_by_role("button", name="thumbs down").or_(page.locator(
        '[data-testid="stFeedback"] button').first).first.click()
    wait_until_idle(page)
    assert page.get_by_label("Comment on this answer (optional)").is_visible()


def test_conversation_survives_a_reload(local_app: RunningApp, page: Any) -> None:
    open_ask(page, local_app)
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_role("button", name=QUESTION).first.click()
    wait_until_idle(page)
    assert "£2,500" in page.inner_text("body")
    screenshot(page, "04-local-conversation-reloaded")


def test_a_misspelt_question_says_what_was_also_searched(local_app: RunningApp,
                                                         page: Any) -> None:
    open_ask(page, local_app)
    ask(page, "How much can I be fined for not having employers' liabilty insurance?")
    answer = page.locator('[data-testid="stChatMessage"]').nth(1)
    assert 'Also searched for "liability" (typed "liabilty").' in answer.inner_text()
    assert "£2,500" in answer.inner_text()


def test_a_question_the_guidance_does_not_cover_keeps_its_leads_folded(local_app: RunningApp,
                                                                       page: Any) -> None:
    open_ask(page, local_app)
    send(page, "How do I renew my passport from abroad?")
    answer = page.locator('[data-testid="stChatMessage"]').nth(1)
    answer.get_by_text("does not cover this question").wait_for(timeout=60_000)
    wait_until_idle(page)
    leads = answer.locator('[data-testid="stExpander"]').filter(
        has_text="What the closest documents say (not an answer to your question)")
    assert leads.count() == 1
    assert not leads.get_by_text("[1]").first.is_visible()  # folded until asked for
    leads.locator("summary").click()
    leads.get_by_text("[1]").first.wait_for()
    assert "read them as leads, not as guidance on your question" in leads.inner_text()
    assert leads.locator("blockquote").count() >= 1  # each lead's passage, quoted
    screenshot(page, "04b-local-not-covered-leads")
    check_accessibility(page, "04b-local-not-covered-leads")


def test_local_admin_by_password_uploads_a_file(local_app: RunningApp, page: Any,
                                                guidance: Path) -> None:
    page.goto(f"{local_app.url}/admin")
    password = page.get_by_label("Admin password")
    password.wait_for()
    screenshot(page, "05-local-admin-password")
    check_accessibility(page, "05-local-admin-password")
    password.fill("not the password")
    page.get_by_role("button", name="Open admin").click()
    wait_until_idle(page)
    assert "not right" in page.inner_text("body")
    page.get_by_label("Admin password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Open admin").click()
    page.get_by_role("tab", name="Documents").wait_for()
    wait_until_idle(page)
    screenshot(page, "06-local-admin-documents")
    check_accessibility(page, "06-local-admin-documents")
    upload_and_check(page, guidance / UPLOAD, "07-local-admin-uploaded")


def upload_and_check(page: Any, file: Path, shot: str) -> None:
    """Upload a guide in the Upload tab and see it indexed (per-file result and table)."""
    page.get_by_role("tab", name="Upload").click()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(str(file))
    page.get_by_role("button", name="Add and index").wait_for()
    page.wait_for_function("() => [...document.querySelectorAll('button')].some("
                           "b => b.innerText.includes('Add and index') && !b.disabled)")
    page.get_by_role("button", name="Add and index").click()
    page.get_by_text(re.compile(r"Added 1 file")).wait_for(timeout=120_000)
    wait_until_idle(page)
    screenshot(page, shot)
    check_accessibility(page, shot)
    result = page.locator('[data-testid="stTable"]').first.inner_text()
    assert file.name in result and "indexed" in result
    # the tab in use stays selected when the next action reruns the page under the result
    # banner (choosing another file went back to the Documents tab)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(str(file))
    wait_until_idle(page)
    assert page.locator('[role="tab"][aria-selected="true"]').inner_text().strip() == "Upload"
