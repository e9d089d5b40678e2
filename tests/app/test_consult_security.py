"""The Consult page after a security review: zip bombs refused before unpacking, a workbook
opened once per upload, and respondents' words in theme labels and quotes shown as typed."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

import consult.importing
from app_pages import state
from app_pages.consult_upload import import_themefinder_zip
from app_pages.services import AppServices
from assistant.testing import FakeChatModel
from consult import workbooks
from consult.errors import ConsultError
from tests.app.test_consult_page import (
    TOPICS,
    button,
    consult_page,
    imported,
    responses_csv,
    results,
    submit,
    upload,
)
from tests.app.test_consult_page_defects import rendered_markdown
from tests.consult.test_security_defects import workbook

# --- a Themefinder zip is checked before anything is unpacked --------------------------------


def themefinder_zip(responses: bytes, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        archive.writestr("consultation/question_part_1/question.json",
                         json.dumps({"question_text": "Do you agree?"}))
        archive.writestr("consultation/question_part_1/responses.jsonl", responses)
    return out.getvalue()


def test_a_zip_packed_far_tighter_than_text_is_refused() -> None:
    bomb = themefinder_zip(b"{}\n" * 700_000)  # 2 MB of lines in a few KB: 190 MB took 6 GB
    assert len(bomb) < 20_000
    with pytest.raises(ConsultError, match=r"^question_part_1/responses.jsonl in bomb.zip "
                                           r"unpacks to over 200 times its zipped size"):
        import_themefinder_zip("bomb.zip", bomb)


def test_a_damaged_zip_part_is_explained() -> None:
    lines = "\n".join(json.dumps({"response_id": f"r{n}", "response": f"{TOPICS[n % 3]} {n}"})
                      for n in range(30)).encode()
    data = themefinder_zip(lines, zipfile.ZIP_STORED)
    damaged = data.replace(b"r17", b"r71", 1)  # the stored bytes no longer match their CRC
    assert import_themefinder_zip("fine.zip", data).questions[0].responses
    with pytest.raises(ConsultError, match=r"responses.jsonl in damaged.zip could not be "
                                           r"unzipped \(Bad CRC-32"):
        import_themefinder_zip("damaged.zip", damaged)


def test_the_page_refuses_a_zip_bomb_and_keeps_the_earlier_import(
        fake_app: AppServices) -> None:
    at = imported(fake_app)
    at = upload(at, themefinder_zip(b"{}\n" * 700_000), "bomb.zip")
    button(at, "Import again").click()
    at.run()
    assert not at.exception
    assert "unpacks to over 200 times its zipped size" in at.error[0].value
    assert at.session_state[state.CONSULT_DATA].rows == 27


# --- a workbook is opened once per upload ----------------------------------------------------


def two_sheet_workbook() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "About this export"  # type: ignore[union-attr]
    book.active.append(["Exported on 27 November"])  # type: ignore[union-attr]
    answers = book.create_sheet("Responses")
    answers.append(["Response ID", "answer"])
    for n in range(12):
        answers.append([f"r{n}", f"{TOPICS[n % 3]} Point {n}."])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def count_opens(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record each workbook opened (each is checked first, then parsed by openpyxl)."""
    opened: list[str] = []
    check: Callable[[Path], None] = consult.importing._check_unpacked_size

    def counted(path: Path) -> None:
        opened.append(path.name)
        check(path)

    monkeypatch.setattr(consult.importing, "_check_unpacked_size", counted)
    return opened


def upload_xlsx(at: AppTest, data: bytes, name: str = "export.xlsx") -> AppTest:
    at.file_uploader(key=state.CONSULT_UPLOAD).set_value((name, data, "application/octet-stream"))
    return at.run()


def test_a_workbook_is_opened_once_for_sheets_columns_id_guess_and_import(
        fake_app: AppServices, monkeypatch: pytest.MonkeyPatch) -> None:
    opened = count_opens(monkeypatch)
    data = two_sheet_workbook()
    at = upload_xlsx(consult_page(fake_app), data)
    at.selectbox(key=state.CONSULT_SHEET).set_value("Responses").run()
    assert at.selectbox(key=state.CONSULT_ID_COLUMN).value == "Response ID"
    at.multiselect(key=state.CONSULT_QUESTION_COLUMNS).select("answer").run()
    button(at, "Import").click()
    at.run()
    assert not at.exception
    assert len(at.session_state[state.CONSULT_DATA].questions[0].responses) == 12
    assert opened == ["export.xlsx"]  # was 4: sheets, columns, id guess and import each
    at = upload_xlsx(at, data)  # the same file again (a new upload): known by its hash
    assert opened == ["export.xlsx"]


def test_a_workbook_with_too_many_texts_is_refused_once(
        fake_app: AppServices, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(workbooks, "MAX_SHARED_STRINGS", 10)
    opened = count_opens(monkeypatch)
    data = workbook(tmp_path / "many.xlsx", 20).read_bytes()
    at = upload_xlsx(consult_page(fake_app), data, "many.xlsx")
    assert not at.exception
    [error] = at.error
    assert "many.xlsx holds more than 10 different texts" in error.value
    assert "'CSV UTF-8'" in error.value and not at.selectbox
    at.run()
    assert at.error and opened == ["many.xlsx"]  # the refusal is remembered, not re-checked


# --- respondents' words in labels, descriptions and quotes are shown as typed ----------------

EVIL = "![x](https://evil.example/p.png) :red[URGENT] [click](https://evil.example)"
_MD = MarkdownIt("commonmark")


def live_markup(text: str) -> list[str]:
    """What ``text``, rendered as Streamlit renders Markdown, would make live: images, links,
    colour directives and bare addresses outside code spans (which Streamlit links)."""
    html = _MD.renderInline(text)
    found = [tag for tag in ("<img", "<a ") if tag in html]
    found += re.findall(r"(?<!\\):[a-z-]+\[", text)  # an unescaped directive
    outside_code = re.sub(r"`[^`]*`", "", text)
    found += re.findall(r"https?://\S+|www\.\S+", outside_code)
    return found


def named_by_model(fake_app: AppServices, chat_model: FakeChatModel) -> AppTest:
    """Themes analysed with a model that names every theme with a respondent's words (what a
    model does when it quotes an answer), and answers that hold the same words."""
    named = [{"theme_id": f"D{n}", "label": EVIL, "description": f"{EVIL} ({n})"}
             for n in range(1, 11)]
    for _ in range(3):  # generate, condense, refine
        chat_model.enqueue(json.dumps(named))
    for _ in range(5):  # map, a batch at a time: nothing mapped (offline themes kept)
        chat_model.enqueue("{}")
    extra = [[f"x{n}", "West", f"{TOPICS[n % 3]} {EVIL}"] for n in range(6)]
    at = imported(fake_app, responses_csv(extra))
    at.number_input(key=state.CONSULT_THEMES_COUNT).set_value(3).run()
    button(at, "Analyse responses").click()
    return at.run()


def test_theme_labels_and_quotes_from_respondents_never_render_as_markup(
        fake_app: AppServices, chat_model: FakeChatModel) -> None:
    at = named_by_model(fake_app, chat_model)
    assert not at.exception
    [result] = results(at).values()
    assert {t.label for t in result.themes} == {EVIL}, "the model's labels reached the page"
    shown: list[Any] = rendered_markdown(at)
    shown += [h.value for h in at.header] + [t.label for t in at.tabs]
    shown += [w.label for kind in ("selectbox", "multiselect", "text_input", "text_area",
                                   "checkbox", "button", "radio") for w in at.get(kind)]
    assert sum("URGENT" in str(s) for s in shown) >= 2 * len(result.themes)  # table, expander
    assert {str(s): live_markup(str(s)) for s in shown if live_markup(str(s))} == {}
    assert any(EVIL in t.value for t in at.text), "quotes are st.text: exactly as written"
    chart = json.dumps(at.get("vega_lite_chart")[0].proto.spec)
    assert "href" not in chart and "image" not in chart  # labels are plain text marks


def test_review_notices_show_labels_and_names_as_typed(
        fake_app: AppServices, chat_model: FakeChatModel) -> None:
    at = named_by_model(fake_app, chat_model)
    [result] = results(at).values()
    at.selectbox(key=state.consult_key("rename_theme")).select(result.themes[0].theme_id)
    at.text_input(key=state.consult_key("rename_label")).input(EVIL[:60] + " renamed")
    at = submit(at, "Rename theme")
    shown = [str(s) for s in rendered_markdown(at)]
    at.multiselect(key=state.consult_key("move_responses")).select("x0")
    at.selectbox(key=state.consult_key("move_to")).select(result.themes[-1].theme_id)
    at = submit(at, "Move responses")
    button(at, "Update mapping from my corrections").click()
    at.run()
    shown += [str(s) for s in rendered_markdown(at)]
    at.text_input(key=state.consult_key("sign_off_name")).input(EVIL[:100])
    at = submit(at, "Sign off framework")
    assert not at.exception
    shown += [str(s) for s in rendered_markdown(at)]
    for notice in ("Theme renamed to", "Mapping updated", "Framework signed off by"):
        assert any(notice in s and "URGENT" in s for s in shown), notice
    assert {s: live_markup(s) for s in shown if live_markup(s)} == {}
