"""Admin page: the gate (password, OIDC roles), documents, upload, replace, delete, reindex."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from app_pages.services import AppServices
from tests.app.conftest import ADMIN_PAGE, PASSWORD, ROOT, open_app, texts

CASEWORKER = {"is_logged_in": True, "email": "case@dept.gov.uk", "name": "Casey Worker"}
ADMIN = {"is_logged_in": True, "email": "Admin@dept.gov.uk", "name": "Ada Admin"}
GUIDE = b"# Sick pay\n\nStatutory sick pay is paid for up to 28 weeks when you are off work sick.\n"


def open_admin(user: dict[str, object] | None = None) -> AppTest:
    at = open_app(user)
    at.switch_page(ADMIN_PAGE).run()
    return at


def unlock(at: AppTest, password: str = PASSWORD) -> AppTest:
    at.text_input(key="ga_admin_password").input(password)
    at.button[[b.label for b in at.button].index("Open admin")].click()
    return at.run()


def admin_session() -> AppTest:
    return unlock(open_admin())


def click(at: AppTest, label: str) -> AppTest:
    return at.button[[b.label for b in at.button].index(label)].click().run()


def test_local_admin_needs_the_password(fake_app: AppServices,
                                       caplog: pytest.LogCaptureFixture) -> None:
    at = open_admin()
    assert not at.tabs and at.text_input(key="ga_admin_password").label == "Admin password"
    with caplog.at_level(logging.DEBUG):
        unlock(at, "open sesame 41")  # a near miss would give the password away
        assert "not right" in at.error[0].value and not at.tabs
        unlock(at)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "Wrong admin password (1 in the last" in logged  # the attempt is logged, not its text
    assert "open sesame" not in logged
    assert not at.exception
    assert [t.label for t in at.tabs] == ["Documents", "Upload", "Replace or delete", "Reindex",
                                          "Index health", "Templates"]


def test_wrong_passwords_pause_admin_sign_in_for_every_session(fake_app: AppServices) -> None:
    at = open_admin()
    for _ in range(3):
        unlock(at, "")  # an empty submission is not a guess
        assert "Type the admin password" in at.error[0].value
    for _ in range(10):
        unlock(at, "guess")
        assert "not right" in at.error[0].value
    unlock(at, "guess")
    assert "paused for 15 minutes" in at.error[0].value
    st.cache_resource.clear()  # what any browser can ask Streamlit to do: the count survives
    fresh = open_admin()  # a new browser session shares the process-wide count
    unlock(fresh)
    assert "paused" in fresh.error[0].value and not fresh.tabs


def test_local_admin_disabled_without_a_password(fake_app: AppServices) -> None:
    fake_app.services.settings = fake_app.settings.model_copy(update={"admin_password": None})
    at = open_admin()
    assert "Admin is disabled" in at.warning[0].value and not at.text_input
    at.session_state["ga_admin_unlocked"] = True  # even a forged flag grants nothing
    at.run()
    assert not at.tabs


def test_caseworker_never_sees_or_reaches_admin(fake_app: AppServices) -> None:
    at = open_app(CASEWORKER)
    assert "Casey Worker" in texts(at) and "caseworker" in texts(at)
    at.session_state["ga_admin_unlocked"] = True  # a crafted session
    at.run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(ADMIN_PAGE)  # Admin is not in a caseworker's navigation


def test_admin_page_refuses_a_caseworker_even_when_run_directly(fake_app: AppServices) -> None:
    at = AppTest.from_file(str(ROOT / ADMIN_PAGE), default_timeout=30)
    at.user = CASEWORKER
    at.session_state["ga_admin_unlocked"] = True
    at.run()
    assert not at.exception and not at.tabs
    assert "administrator account" in at.error[0].value


def test_oidc_admin_by_email_reaches_admin(fake_app: AppServices) -> None:
    at = open_admin(ADMIN)
    assert [t.label for t in at.tabs][0] == "Documents"
    assert "Ada Admin" in texts(at)


def test_signed_out_user_sees_only_sign_in(fake_app: AppServices) -> None:
    at = open_app({"is_logged_in": False})
    assert [b.label for b in at.button] == ["Sign in"] and not at.chat_input


def test_documents_table_and_search(fake_app: AppServices) -> None:
    at = admin_session()
    [table] = at.main.dataframe[:1]
    assert list(table.value["Title"]) == ["Annual leave and carry over"]
    assert list(table.value["Pages"]) == [""]  # not a PDF: no page count, not "None"
    at.text_input(key="ga_doc_search").input("nothing matches").run()
    assert at.main.dataframe[0].value.empty


def test_upload_indexes_good_files_and_refuses_bad_ones(fake_app: AppServices) -> None:
    at = admin_session()
    uploader = at.get("file_uploader")[0]
    uploader.upload("../../-sick pay.md", GUIDE, "text/markdown")
    uploader.upload("fake.pdf", b"not really a pdf", "application/pdf")
    at.run()
    click(at, "Add and index")
    assert not at.exception
    rows = at.main.table[0].value
    results = dict(zip(rows["File"], rows["Result"], strict=True))
    assert results == {"-sick pay.md": "indexed", "fake.pdf": "refused"}
    assert not at.success  # a part failure is not shown as a success
    assert "Added 1 of 2 file(s) to hr; 1 refused" in at.warning[0].value
    saved = fake_app.settings.library_dir / "hr" / "-sick pay.md"
    assert saved.read_bytes() == GUIDE
    assert "hr/-sick pay.md" in {r.doc_id for r in fake_app.services.index.get_documents()}


def upload_one(at: AppTest, name: str = "sick.md", data: bytes = GUIDE) -> None:
    at.get("file_uploader")[0].upload(name, data, "text/markdown")
    at.run()
    click(at, "Add and index")


def test_an_upload_with_the_same_content_as_another_file_says_so(fake_app: AppServices) -> None:
    at = admin_session()
    upload_one(at, "sick.md")
    at = admin_session()
    upload_one(at, "sick pay (copy).md")
    assert not at.exception
    rows = at.main.table[0].value
    assert list(rows["Result"]) == ["indexed"]
    assert "Same content as hr/sick.md: both are indexed" in rows["Reason"][0]


def test_replace_reembeds_the_new_version(fake_app: AppServices) -> None:
    at = admin_session()
    upload_one(at)
    at.selectbox(key="ga_replace_doc").select_index(
        [o for o in at.selectbox(key="ga_replace_doc").options].index(
            next(o for o in at.selectbox(key="ga_replace_doc").options if "sick.md" in o))).run()
    at.get("file_uploader")[1].upload("sick-v2.md", GUIDE + b"\nYou must send a fit note.\n")
    at.run()
    click(at, "Replace and reindex")
    assert not at.exception and "Replaced" in at.success[0].value
    chunks = fake_app.services.index.get_chunks()
    assert any("fit note" in c.text for c in chunks if c.doc_id == "hr/sick.md")


def test_an_unreadable_new_version_is_refused_and_the_old_one_kept(fake_app: AppServices) -> None:
    pdf = (ROOT / "sample_guidance" / "guidance" / "overpayment-recovery.pdf").read_bytes()
    at = admin_session()
    at.get("file_uploader")[0].upload("recovery.pdf", pdf, "application/pdf")
    at.run()
    click(at, "Add and index")
    box = at.selectbox(key="ga_replace_doc")
    box.select_index(next(i for i, o in enumerate(box.options) if "recovery.pdf" in o)).run()
    at.get("file_uploader")[1].upload("recovery-v2.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\n",
                                      "application/pdf")
    at.run()
    click(at, "Replace and reindex")
    assert not at.exception and not at.success
    assert "was not replaced: the previous version is kept" in at.warning[0].value
    assert at.main.table[0].value["Result"][0] == "refused"
    saved = fake_app.settings.library_dir / "hr" / "recovery.pdf"
    assert saved.read_bytes() == pdf


def test_delete_asks_for_confirmation_then_removes_index_entry_and_file(
        fake_app: AppServices) -> None:
    at = admin_session()
    upload_one(at)
    box = at.selectbox(key="ga_delete_doc")
    # nothing chosen for a destructive action until the admin chooses (a browser review)
    assert box.value is None
    assert next(b for b in at.button if b.label == "Delete document…").disabled
    box.select_index(next(i for i, o in enumerate(box.options) if "sick.md" in o)).run()
    click(at, "Delete document…")
    assert "cannot be undone" in at.warning[0].value
    click(at, "Yes, delete it")
    assert not at.exception
    assert "hr/sick.md" not in {r.doc_id for r in fake_app.services.index.get_documents()}
    assert not (fake_app.settings.library_dir / "hr" / "sick.md").exists()


@pytest.mark.parametrize("target", ["All collections", "hr"])
def test_reindex_picks_up_files_from_the_source_folders(fake_app: AppServices,
                                                        target: str) -> None:
    folder: Path = fake_app.settings.library_dir / "hr"
    folder.mkdir(parents=True)
    (folder / "dropped.md").write_bytes(GUIDE)
    at = admin_session()
    at.selectbox(key="ga_reindex_target").select(target).run()
    click(at, "Reindex now")
    assert not at.exception and "Reindexed hr" in at.success[0].value
    assert "hr/dropped.md" in {r.doc_id for r in fake_app.services.index.get_documents()}
    at.run()
    assert "Last reindex:** 20" in texts(at)


def test_reindex_counts_files_that_still_fail(fake_app: AppServices) -> None:
    folder: Path = fake_app.settings.library_dir / "hr"
    folder.mkdir(parents=True)
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 truncated")
    at = admin_session()
    at.selectbox(key="ga_reindex_target").select("hr").run()
    click(at, "Reindex now")
    assert not at.success and "1 file(s) cannot be read" in at.warning[0].value
    rows = at.main.table[0].value
    assert list(rows["Failed files in total"]) == [1] and list(rows["Seconds"])[0].count(".") == 1


def test_reindex_says_which_documents_come_from_a_folder_it_does_not_read(
        fake_app: AppServices, tmp_path: Path) -> None:
    """From an administrator's review: guidance indexed with ``python -m ingest`` from another
    folder was never refreshed by Reindex, which said a green "Reindexed nothing." and set
    "Last reindex" to that moment."""
    from assistant.library import index_files, last_reindex_time

    outside = tmp_path / "policy-share"
    outside.mkdir()
    (outside / "travel.md").write_bytes(GUIDE)
    index_files(fake_app.services, [outside], "cli")
    at = admin_session()
    at.selectbox(key="ga_reindex_target").select("cli").run()
    click(at, "Reindex now")
    assert not at.exception and not at.success
    warning = at.warning[0].value
    assert warning.startswith("Reindexed nothing.") and "1 document(s) in cli came from" in warning
    assert f"python -m ingest {outside} --collection cli" in warning
    assert last_reindex_time(fake_app.settings) == ""  # no folder was read


def test_the_documents_count_says_how_many_files_failed(fake_app: AppServices) -> None:
    # from a browser review: "448 of 448 documents" here, "Documents 445" on Index health
    from tests.app.conftest import leave_record

    broken = replace(leave_record(), doc_id="hr/broken.pdf", source="broken.pdf",
                     status="failed", reason="damaged PDF", chunks=0)
    fake_app.services.index.upsert_documents([broken])
    at = admin_session()
    assert "2 of 2 files (1 indexed, 1 failed: the reasons are on Index health)" in [
        c.value for c in at.caption][0]


def test_index_health(fake_app: AppServices) -> None:
    at = admin_session()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Documents"] == "1" and metrics["Failed files"] == "0"
    assert "fake-hash-64" in texts(at)


def test_consistency_check_finds_and_repairs_stray_passages(fake_app: AppServices) -> None:
    from tests.app.conftest import leave_chunk

    index = fake_app.services.index
    stray = replace(leave_chunk(0), chunk_id="hr/gone.md#0", doc_id="hr/gone.md")
    index.upsert_chunks([leave_chunk(0), stray],
                        fake_app.services.embedder.embed(["a", "b"]))
    at = admin_session()
    click(at, "Check the index")
    [warning] = [w.value for w in at.warning if "problem(s)" in w.value]
    assert "orphan chunk of unknown document hr/gone.md" in warning
    click(at, "Repair the index")
    assert not at.exception and "1 stray passage(s) removed" in at.success[0].value
    assert [c.chunk_id for c in index.get_chunks()] == [leave_chunk(0).chunk_id]
    click(at, "Check the index")
    assert "The index is consistent." in [s.value for s in at.success]


def test_index_health_shows_odd_file_names_as_typed(fake_app: AppServices) -> None:
    # from a code review: a backtick in a name ended the code span, the rest rendered
    from tests.app.conftest import leave_chunk

    odd = "hr/a`b[x](http://e.example).md"
    stray = replace(leave_chunk(0), chunk_id=f"{odd}#0", doc_id=odd)
    fake_app.services.index.upsert_chunks([stray], fake_app.services.embedder.embed(["b"]))
    at = admin_session()
    click(at, "Check the index")
    [warning] = [w.value for w in at.warning if "problem(s)" in w.value]
    assert "a\\`b\\[x\\]\\(`http://e.example`\\).md" in warning


def test_repair_says_a_document_that_lost_its_passages_is_read_again_by_reindex(
        fake_app: AppServices) -> None:
    at = admin_session()  # the record says 1 chunk; the index holds none
    click(at, "Check the index")
    [warning] = [w.value for w in at.warning if "problem(s)" in w.value]
    assert "record says 1 chunks, index has 0" in warning
    click(at, "Repair the index")
    assert not at.exception
    assert "1 document(s) had lost passages and will be read again" in at.success[0].value
    [record] = fake_app.services.index.get_documents()
    assert record.pipeline == ""  # so the next run re-chunks it instead of skipping it


def test_admin_says_so_when_another_app_uses_the_embedded_store(fake_app: AppServices) -> None:
    import subprocess
    import sys

    from ingest.locking import _started

    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        apps = fake_app.settings.store_dir / "apps"
        apps.mkdir(parents=True, exist_ok=True)
        (apps / str(other.pid)).write_text(f"{_started(other.pid)}\n")
        at = admin_session()
        assert any(f"Another app process ({other.pid}) is using this embedded store" in w.value
                   for w in at.warning)
        click(at, "Check the index")
        click(at, "Repair the index")
        assert any("a change made here would leave its search out of date" in e.value
                   for e in at.error)
    finally:
        other.kill()
        other.wait(timeout=15)


def test_a_browser_clearing_streamlits_caches_does_not_rebuild_the_services(
        fake_app: AppServices, monkeypatch: pytest.MonkeyPatch) -> None:
    """From a security review: any session can ask Streamlit to clear its resource caches;
    the shared services were rebuilt each time (0.7 s of server CPU)."""
    from app_pages import services as app_services

    built: list[object] = []
    monkeypatch.setattr(app_services, "build_app_services",
                        lambda _settings: built.append(1) or fake_app)
    first = app_services.get_app_services()
    st.cache_resource.clear()
    assert app_services.get_app_services() is first and len(built) == 1
