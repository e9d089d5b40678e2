"""Uploads: size limit, type by content, safe names, saving into the library."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.types import DocumentRecord
from assistant.uploads import (
    UploadRejected,
    check_upload,
    delete_file,
    safe_file_name,
    save_replacement,
    save_upload,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(library_dir=tmp_path / "library", sample_guidance_dir=tmp_path / "sample",
                    max_upload_mb=1)


@pytest.mark.parametrize(("name", "safe"), [
    ("../../etc/passwd.md", "passwd.md"),
    ("..\\..\\windows\\evil.TXT", "evil.txt"),
    ("-rf leave.md", "-rf leave.md"),
    (".hidden.md", "hidden.md"),
    ("a\x00b\nc.md", "abc.md"),
    ("..", "upload"),
    ("résumé <script>.md", "résumé _script.md"),
    # Welsh letters, dashes and apostrophes are kept as typed
    ("Canllaw Absenoldeb – fersiwn 2 ŵ.docx", "Canllaw Absenoldeb – fersiwn 2 ŵ.docx"),
    ("Manager’s guide — leave.pdf", "Manager’s guide — leave.pdf"),
])
def test_safe_file_names(name: str, safe: str) -> None:
    assert safe_file_name(name) == safe


def test_long_names_keep_their_suffix() -> None:
    name = safe_file_name("x" * 500 + ".docx")
    assert len(name) <= 120 and name.endswith(".docx")


def test_type_is_checked_by_content(settings: Settings) -> None:
    assert check_upload("a.pdf", PDF, settings) == ("a.pdf", "pdf")
    assert check_upload("notes.md", b"# Leave\n\nText", settings)[1] == "markdown"
    with pytest.raises(UploadRejected, match="content is not"):
        check_upload("fake.pdf", b"just text", settings)
    with pytest.raises(UploadRejected, match="only PDF"):
        check_upload("tool.exe", b"MZ\x90\x00", settings)
    with pytest.raises(UploadRejected, match="content is not"):
        check_upload("binary.txt", bytes(range(256)) * 4, settings)


def test_size_limit_and_empty_files(settings: Settings) -> None:
    limit = 1024 * 1024
    assert check_upload("exactly.txt", b"a" * limit, settings) == ("exactly.txt", "text")
    with pytest.raises(UploadRejected, match="limit is 1 MB"):
        check_upload("big.txt", b"a" * (limit + 1), settings)
    with pytest.raises(UploadRejected, match="empty"):
        check_upload("none.txt", b"", settings)


def test_save_upload_stays_inside_the_collection_folder(settings: Settings) -> None:
    saved = save_upload(settings, "hr", "../../escape.md", b"# Hi\n\nText")
    assert saved.path == settings.library_dir / "hr" / "escape.md"
    assert saved.path.read_bytes() == b"# Hi\n\nText"
    with pytest.raises(UploadRejected, match="already in hr"):
        save_upload(settings, "hr", "escape.md", b"# Again")
    with pytest.raises(ValueError, match="Invalid collection"):
        save_upload(settings, "../x", "a.md", b"# A")


def test_an_upload_cannot_hide_a_sample_document_of_the_same_name(settings: Settings) -> None:
    sample = settings.sample_guidance_dir / "hr" / "leave.md"
    sample.parent.mkdir(parents=True)
    sample.write_bytes(b"# Sample")
    with pytest.raises(UploadRejected, match="leave.md is already in hr"):
        save_upload(settings, "hr", "leave.md", b"# Mine")
    assert not (settings.library_dir / "hr" / "leave.md").exists()
    assert save_upload(settings, "other", "leave.md", b"# Mine").collection == "other"
    with pytest.raises(UploadRejected, match="leave.md is already in hr"):  # it is indexed
        save_upload(settings, "hr", "leave.md", b"# Mine", indexed={sample.resolve()})
    # a sample file the index was never seeded with hides nothing (Reindex does not read it;
    # a code review: the refusal sent the admin to Replace a document that did not exist)
    assert save_upload(settings, "hr", "leave.md", b"# Mine", indexed=set()).path.exists()


def test_replace_and_delete_only_managed_files(settings: Settings, tmp_path: Path) -> None:
    saved = save_upload(settings, "hr", "leave.md", b"# V1")
    record = DocumentRecord("hr/leave.md", "hr", "leave.md", "Leave", "markdown", "v1",
                            source_path=str(saved.path))
    save_replacement(settings, record, "leave-v2.md", b"# V2")
    assert saved.path.read_bytes() == b"# V2"
    with pytest.raises(UploadRejected, match="new document instead"):
        save_replacement(settings, record, "leave.pdf", PDF)
    outside = tmp_path / "elsewhere.md"
    outside.write_text("# Keep")
    foreign = DocumentRecord("hr/x.md", "hr", "x.md", "X", "markdown", "v",
                             source_path=str(outside))
    # says where, and how to refresh it (an administrator's review: "reindex" did nothing)
    where = re.escape(str(tmp_path))
    with pytest.raises(UploadRejected, match=f"indexed from {where}, which this app does not "
                       f"manage.*python -m ingest {where} --collection hr"):
        save_replacement(settings, foreign, "x.md", b"# New")
    assert not delete_file(settings, foreign) and outside.exists()
    assert delete_file(settings, record) and not saved.path.exists()


def test_saved_files_are_readable_like_other_guidance(settings: Settings) -> None:
    saved = save_upload(settings, "hr", "leave.md", b"# Leave")
    assert saved.path.stat().st_mode & 0o777 == 0o644
    saved.path.chmod(0o640)
    record = DocumentRecord("hr/leave.md", "hr", "leave.md", "Leave", "markdown", "v1",
                            source_path=str(saved.path))
    save_replacement(settings, record, "leave.md", b"# Leave v2")
    assert saved.path.stat().st_mode & 0o777 == 0o640  # a replacement keeps the file's mode
