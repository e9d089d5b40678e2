"""Admin, Templates tab: list templates (and broken ones, with the reason), upload a new one,
refuse invalid ones with the reason, replace only after confirmation; admins only."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app_pages import state
from app_pages.services import AppServices
from app_pages.sources import escape_markdown
from tests.app.conftest import ADMIN_PAGE, ROOT, open_app, texts
from tests.app.test_admin_page import CASEWORKER, admin_session, click
from tests.drafting.builders import TEMPLATES_DIR

TINY = """\
name: tiny
title: Tiny letter
fields:
  - {name: recipient_name, label: Recipient's name, type: name}
parts:
  - fixed: "Dear {recipient_name},"
  - section: {id: body, heading: What happens next, query: what happens next, guidance: Explain.}
"""


@pytest.fixture
def templates_dir(fake_app: AppServices, tmp_path: Path) -> Path:
    """A copy of the sample templates, set as the app's templates folder."""
    folder = tmp_path / "templates"
    shutil.copytree(TEMPLATES_DIR, folder)
    fake_app.services.settings = fake_app.settings.model_copy(update={"templates_dir": folder})
    return folder


def upload_template(at: AppTest, text: str | bytes, name: str = "tiny.yaml") -> AppTest:
    data = text.encode() if isinstance(text, str) else text
    uploader = at.get("file_uploader")[-1]  # the Templates tab comes last
    assert uploader.label == "Letter template (.yaml)"
    uploader.upload(name, data, "application/yaml")
    return at.run()


def template_names(at: AppTest) -> list[str]:
    return list(at.main.table[-1].value["Name"])


def test_templates_tab_lists_the_templates(templates_dir: Path) -> None:
    at = admin_session()
    assert [t.label for t in at.tabs][-1] == "Templates"
    assert template_names(at) == ["acknowledgement", "complaint-response", "decision-letter",
                                  "request-for-information"]
    assert "Recipient's full name" in at.main.table[-1].value["Fields"][2]


def test_a_valid_upload_is_saved_and_offered_for_drafting(templates_dir: Path) -> None:
    at = upload_template(admin_session(), TINY)
    click(at, "Add template")
    assert not at.exception
    assert "Added the template Tiny letter (tiny)." in at.success[0].value
    assert "tiny" in template_names(at)
    assert (templates_dir / "tiny.yaml").read_text() == TINY
    at.switch_page("app_pages/draft.py").run()
    assert "Tiny letter" in at.selectbox(key=state.DRAFT_TEMPLATE).options


@pytest.mark.parametrize(("text", "reason"), [
    (TINY.replace("Dear {recipient_name}", "Dear {name_of_customer}"),
     "uses the placeholder {name_of_customer}, which is not a declared field"),
    (TINY.replace("  - {name: recipient_name", "  - {colour: red, name: recipient_name"),
     "Extra inputs are not permitted"),
    ("!!python/object/apply:os.system ['echo hacked']\n", "is not valid YAML"),
    (TINY + "# padding\n" * 8000, "limited to 64 KB"),
    (b"\xff\xfe not utf-8", "not UTF-8"),
])
def test_an_invalid_upload_shows_the_reason_and_is_not_saved(
        templates_dir: Path, text: str | bytes, reason: str) -> None:
    at = upload_template(admin_session(), text)
    assert not at.exception
    shown = at.error[0].value  # shown as typed: Markdown characters escaped
    assert escape_markdown(reason) in shown and shown.startswith("Could not check")
    assert "Add template" not in [b.label for b in at.button]
    assert not (templates_dir / "tiny.yaml").exists()


def test_replacing_a_template_needs_confirmation(templates_dir: Path) -> None:
    original = (templates_dir / "acknowledgement.yaml").read_text()
    changed = original.replace("title: Acknowledgement", "title: Acknowledgement (2027)")
    at = upload_template(admin_session(), changed, "acknowledgement.yaml")
    assert "already exists" in texts(at)
    click(at, "Replace it…")
    assert "Replace the template **acknowledgement**" in at.warning[0].value
    assert (templates_dir / "acknowledgement.yaml").read_text() == original
    click(at, "Yes, replace it")
    assert not at.exception
    assert escape_markdown("Replaced the template Acknowledgement (2027)") in at.success[0].value
    assert (templates_dir / "acknowledgement.yaml").read_text() == changed


def test_cancelling_a_replacement_keeps_the_old_template(templates_dir: Path) -> None:
    original = (templates_dir / "acknowledgement.yaml").read_text()
    at = upload_template(admin_session(), original.replace("Acknowledgement", "Changed"),
                         "acknowledgement.yaml")
    click(at, "Replace it…")
    click(at, "Cancel")
    assert not at.exception and "Replace the template" not in texts(at)
    assert (templates_dir / "acknowledgement.yaml").read_text() == original


def test_a_broken_template_file_is_listed_with_the_reason(templates_dir: Path) -> None:
    (templates_dir / "broken.yaml").write_text(TINY.replace("name: tiny", "name: broken")
                                               .replace("{recipient_name}", "{who}"))
    at = admin_session()
    assert "broken" not in template_names(at)
    problems = [e.value for e in at.error]
    assert any("broken.yaml" in p and "{who}" in p and "not offered" in p for p in problems)


def test_a_caseworker_cannot_reach_the_templates_tab(templates_dir: Path) -> None:
    at = open_app(CASEWORKER)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(ADMIN_PAGE)
    direct = AppTest.from_file(str(ROOT / ADMIN_PAGE), default_timeout=30)
    direct.user = CASEWORKER
    direct.session_state["ga_admin_unlocked"] = True  # a forged flag grants nothing
    direct.run()
    assert not direct.exception and not direct.tabs and not direct.get("file_uploader")
    assert "administrator account" in direct.error[0].value


def test_local_mode_without_the_password_shows_no_templates(templates_dir: Path) -> None:
    at = open_app()
    at.switch_page(ADMIN_PAGE).run()
    assert not at.tabs and not at.get("file_uploader")
