"""Admin: titles taken from documents and templates are shown as typed, never as Markdown (an
image would be fetched by the admin's browser, a directive would restyle the message)."""

from __future__ import annotations

import shutil
from pathlib import Path

from streamlit.testing.v1 import AppTest

from app_pages.services import AppServices
from app_pages.sources import escape_markdown
from tests.app.test_admin_page import GUIDE, admin_session, click
from tests.app.test_admin_templates import TINY
from tests.drafting.builders import TEMPLATES_DIR

PLANTED = "Sick pay ![x](https://attacker.test/p.png) :red[URGENT]"


def shown_literally(message: str) -> bool:
    return escape_markdown(PLANTED) in message and "![x](" not in message \
        and ":red[" not in message


def select(at: AppTest, key: str, source: str) -> AppTest:
    box = at.selectbox(key=key)
    return box.select_index(next(i for i, o in enumerate(box.options) if source in o)).run()


def upload_planted(at: AppTest) -> AppTest:
    """Upload a guide whose front matter declares the planted title."""
    page = f"---\ntitle: \"{PLANTED}\"\n---\n".encode() + GUIDE
    at.get("file_uploader")[0].upload("planted.md", page, "text/markdown")
    return click(at.run(), "Add and index")


def test_a_planted_title_is_shown_literally_when_deleting(fake_app: AppServices) -> None:
    at = upload_planted(admin_session())
    assert PLANTED in {r.title for r in fake_app.services.index.get_documents()}
    click(select(at, "ga_delete_doc", "planted.md"), "Delete document…")
    assert shown_literally(at.warning[0].value)
    click(at, "Yes, delete it")
    assert not at.exception and shown_literally(at.success[0].value)


def test_a_planted_title_is_shown_literally_when_replacing(fake_app: AppServices) -> None:
    at = select(upload_planted(admin_session()), "ga_replace_doc", "planted.md")
    at.get("file_uploader")[1].upload("planted-v2.md", GUIDE, "text/markdown")
    click(at.run(), "Replace and reindex")
    assert not at.exception and shown_literally(at.success[0].value)


def test_a_planted_template_title_is_shown_literally(fake_app: AppServices,
                                                     tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    shutil.copytree(TEMPLATES_DIR, folder)
    fake_app.services.settings = fake_app.settings.model_copy(update={"templates_dir": folder})
    at = admin_session()
    planted = TINY.replace("title: Tiny letter", f"title: \"{PLANTED}\"")
    at.get("file_uploader")[-1].upload("tiny.yaml", planted.encode(), "application/yaml")
    click(at.run(), "Add template")
    assert not at.exception and shown_literally(at.success[0].value)


def test_a_failure_reason_naming_a_planted_part_is_shown_literally(fake_app: AppServices) -> None:
    """From a security review: a Word file whose relationship names a part
    "![](https://evil.example/b.png)" failed with that name in its reason, and the result
    table (``st.table`` renders Markdown) drew it as an image."""
    import io
    import zipfile

    import docx

    document = docx.Document()
    document.add_paragraph("Statutory sick pay is paid for up to 28 weeks.")
    plain, planted = io.BytesIO(), io.BytesIO()
    document.save(plain)
    evil = b"![](https://evil.example/b.png)"
    with zipfile.ZipFile(plain) as zin, zipfile.ZipFile(planted, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "word/_rels/document.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rId99" Type="http://'
                                    b'schemas.openxmlformats.org/officeDocument/2006/'
                                    b'relationships/image" Target="' + evil + b'"/>'
                                    b"</Relationships>")
            zout.writestr(item, data)
    at = admin_session()
    at.get("file_uploader")[0].upload("leave-policy.docx", planted.getvalue(),
                                      "application/vnd.openxmlformats-officedocument."
                                      "wordprocessingml.document")
    click(at.run(), "Add and index")
    assert not at.exception
    reasons = [str(cell) for table in at.main.table for cell in table.value.get("Reason", [])]
    assert reasons and all("![](" not in r for r in reasons), reasons
    assert any("\\!\\[\\]" in r or "evil.example" in r for r in reasons), reasons
