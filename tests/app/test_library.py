"""Library operations end to end on fake services (in-memory index, fake embedder, real parsers):
replacing keeps the last good version, subfolder documents stay one document, failed uploads
can be retried, badly named folders do not stop a reindex."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.errors import StoreError
from assistant.library import (
    index_files,
    index_uploads,
    indexed_files,
    last_reindex_time,
    reindex,
    replace_and_index,
)
from assistant.services import Services
from assistant.testing import FakeEmbedder, FakeRetriever, InMemoryChunkIndex
from assistant.uploads import UploadRejected, safe_file_name, save_upload
from ingest.indexing import find_inconsistencies

GOOD = b"# Sick pay\n\nStatutory Sick Pay is paid from the fourth day off work.\n"
PDF_HEADER_ONLY = b"%PDF-1.4\n1 0 obj<<>>endobj\n"  # sniffs as PDF, cannot be read


@pytest.fixture
def services(tmp_path: Path) -> Services:
    settings = Settings(store_dir=tmp_path / "store", library_dir=tmp_path / "library",
                        sample_guidance_dir=tmp_path / "sample", parse_workers=1)
    return Services(settings, FakeEmbedder(), InMemoryChunkIndex(), FakeRetriever(), None)


def record_of(services: Services, source: str):  # type: ignore[no-untyped-def]
    return next(r for r in services.index.get_documents() if r.source == source)


def test_a_new_version_that_cannot_be_read_leaves_file_and_index_as_they_were(
        services: Services, tmp_path: Path) -> None:
    good_pdf = (Path(__file__).resolve().parents[2] / "sample_guidance" / "guidance" /
                "overpayment-recovery.pdf").read_bytes()
    saved = save_upload(services.settings, "hr", "recovery.pdf", good_pdf)
    index_files(services, [saved.path], "hr")
    before = services.index.get_chunks()
    result = replace_and_index(services, record_of(services, "recovery.pdf"), "v2.pdf",
                               PDF_HEADER_ONLY)
    assert result.refused  # the reason the new version could not be read
    assert saved.path.read_bytes() == good_pdf  # the good file is back on disk
    record = record_of(services, "recovery.pdf")
    assert (record.status, record.reason) == ("ok", "")  # and the index says it is fine
    assert services.index.get_chunks() == before
    assert not list(saved.path.parent.glob(".previous-*"))  # no backup left behind
    assert find_inconsistencies(services.index) == []


def test_a_good_new_version_replaces_the_old_one(services: Services) -> None:
    saved = save_upload(services.settings, "hr", "sick.md", GOOD)
    index_files(services, [saved.path], "hr")
    result = replace_and_index(services, record_of(services, "sick.md"), "sick-v2.md",
                               GOOD + b"\nSend a fit note after 7 days.\n")
    assert result.refused == "" and result.report.updated == 1
    assert b"fit note" in saved.path.read_bytes()
    assert any("fit note" in c.text for c in services.index.get_chunks())
    assert not list(saved.path.parent.glob(".previous-*"))


def test_a_document_whose_first_version_failed_keeps_its_type(services: Services) -> None:
    saved = save_upload(services.settings, "hr", "form.pdf", PDF_HEADER_ONLY)
    index_files(services, [saved.path], "hr")
    failed = record_of(services, "form.pdf")
    assert failed.status == "failed" and failed.doc_type == ""
    with pytest.raises(UploadRejected, match="form.pdf is a pdf file"):
        replace_and_index(services, failed, "form.md", GOOD)
    assert saved.path.read_bytes() == PDF_HEADER_ONLY


def test_a_document_in_a_subfolder_stays_one_document_when_replaced(services: Services) -> None:
    folder = services.settings.sample_guidance_dir / "guidance"
    (folder / "hr").mkdir(parents=True)
    (folder / "hr" / "sickness.md").write_bytes(GOOD)
    index_files(services, [folder], "guidance")
    record = record_of(services, "hr/sickness.md")
    replace_and_index(services, record, "sickness.md", GOOD + b"\nCall your manager by 10am.\n")
    assert [r.doc_id for r in services.index.get_documents()] == ["guidance/hr/sickness.md"]
    assert any("10am" in c.text for c in services.index.get_chunks())


def test_uploads_are_removed_again_when_indexing_cannot_run(services: Services) -> None:
    saved = save_upload(services.settings, "hr", "travel.md", GOOD)

    class Unreachable(InMemoryChunkIndex):
        def get_documents(self):  # type: ignore[no-untyped-def]
            raise StoreError("The Chroma server is not answering.")

    broken = Services(services.settings, services.embedder, Unreachable(), services.retriever,
                      None)
    with pytest.raises(StoreError):
        index_uploads(broken, [saved.path], "hr")
    assert not saved.path.exists()  # so uploading it again is not refused as "already in"
    assert save_upload(services.settings, "hr", "travel.md", GOOD).path == saved.path


class LeftThePage(BaseException):
    """FAKE: what Streamlit raises in a script when its page is left or its tab closed."""


def test_an_upload_broken_off_midway_keeps_the_files_of_what_was_indexed(
        services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    """From an administrator's review: leaving the Admin page during "Add and index" deleted
    all the uploaded files while the documents already indexed stayed (Ask quoted them), and the
    next Reindex then removed those documents as deleted."""
    saved = [save_upload(services.settings, "hr", f"policy-{n}.md",
                         GOOD + f"\nPolicy number {n}.\n".encode()).path for n in range(8)]

    def leave_after_four(done: int, _total: int, _source: str) -> None:
        if done == 5:
            raise LeftThePage

    monkeypatch.setattr("ingest.pipeline.FLUSH_CHUNKS", 1)  # each document its own commit

    with pytest.raises(LeftThePage):
        index_uploads(services, saved, "hr", leave_after_four)
    committed = {r.source for r in services.index.get_documents() if r.version}
    on_disk = {p.name for p in saved if p.exists()}
    assert on_disk == committed  # every indexed document keeps its file, the rest are gone
    before = len(committed)
    assert 0 < before < len(saved)  # broken off between two documents
    reports = reindex(services, ["hr"])
    assert reports["hr"].removed == 0 and reports["hr"].added == 0
    assert {r.source for r in services.index.get_documents()} == on_disk
    assert len(services.index.get_documents()) == before
    assert find_inconsistencies(services.index) == []
    # a file that was removed can be uploaded again
    missing = next(p for p in saved if not p.exists())
    assert save_upload(services.settings, "hr", missing.name, GOOD).path == missing


def test_a_file_left_by_an_upload_the_app_never_indexed_gives_way_to_the_same_upload(
        services: Services) -> None:
    """From an administrator's review: after the app was killed mid-upload, the saved files
    stayed with no document, and uploading one again was refused as "already in ... use
    Replace", though there was no document to replace."""
    left = save_upload(services.settings, "hr", "travel.md", GOOD)  # the app died here
    with pytest.raises(UploadRejected, match="already in hr"):  # the old check alone
        save_upload(services.settings, "hr", "travel.md", GOOD)
    again = save_upload(services.settings, "hr", "travel.md", GOOD + b"\nv2\n",
                        indexed_files(services))
    assert again.path == left.path and left.path.read_bytes().endswith(b"v2\n")
    index_uploads(services, [again.path], "hr")
    # once indexed, the same name is refused: the document is there to be replaced
    with pytest.raises(UploadRejected, match="use 'Replace'"):
        save_upload(services.settings, "hr", "travel.md", GOOD, indexed_files(services))


def test_a_file_another_run_is_indexing_or_a_document_outside_the_library_is_never_overwritten(
        services: Services, tmp_path: Path) -> None:
    """From a code review of the change above: (1) a second admin's same-named upload took the
    file of an upload still being indexed for a left-behind one, overwrote it, and its failed
    run then deleted it; (2) a collection folder linked to a shared drive made an indexed
    document's file look left behind, and the upload overwrote the original."""
    from ingest.locking import store_lock

    first = save_upload(services.settings, "hr", "travel.md", GOOD)  # not yet committed
    with store_lock(services.settings.store_dir):  # the first upload's run is going on
        assert indexed_files(services) is None
        with pytest.raises(UploadRejected, match="already in hr"):
            save_upload(services.settings, "hr", "travel.md", b"# Other\n\nOther text.\n",
                        indexed_files(services))
    assert first.path.read_bytes() == GOOD
    shared = tmp_path / "shared-drive" / "team"
    shared.mkdir(parents=True)
    (shared / "policy.md").write_bytes(GOOD)
    index_files(services, [shared], "team")
    (services.settings.library_dir / "team").symlink_to(shared)
    with pytest.raises(UploadRejected, match="already in team"):
        save_upload(services.settings, "team", "policy.md", b"# New\n\nNew text.\n",
                    indexed_files(services))
    assert (shared / "policy.md").read_bytes() == GOOD
    # two files of one name in one batch: the second is refused, not written over the first
    batch = save_upload(services.settings, "hr", "leave.md", GOOD, indexed_files(services))
    taken = (indexed_files(services) or set()) | {batch.path.resolve()}
    with pytest.raises(UploadRejected, match="already in hr"):
        save_upload(services.settings, "hr", "leave.md", b"# Leave\n\nOther.\n", taken)


def test_an_interrupted_upload_keeps_no_unreadable_file_and_a_failed_reindex_is_no_reindex(
        services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    """From a code review: a 'failed' record (it has a version too) counted as committed, so an
    unreadable upload stayed and its fixed file was refused; a reindex of badly named folders
    alone was recorded as the last reindex."""
    saved = [save_upload(services.settings, "hr", "form.pdf", PDF_HEADER_ONLY).path,
             *(save_upload(services.settings, "hr", f"p{n}.md", GOOD).path for n in range(3))]

    def leave(done: int, _total: int, _source: str) -> None:
        if done == 3:
            raise LeftThePage

    monkeypatch.setattr("ingest.pipeline.FLUSH_CHUNKS", 1)
    with pytest.raises(LeftThePage):
        index_uploads(services, saved, "hr", leave)
    assert not saved[0].exists()
    assert "form.pdf" not in {r.source for r in services.index.get_documents()}
    fixed = (Path(__file__).resolve().parents[2] / "sample_guidance" / "guidance" /
             "overpayment-recovery.pdf").read_bytes()
    assert save_upload(services.settings, "hr", "form.pdf", fixed,
                       indexed_files(services)).path == saved[0]
    (services.settings.sample_guidance_dir / "HR guidance").mkdir(parents=True)
    (services.settings.sample_guidance_dir / "HR guidance" / "a.md").write_bytes(GOOD)
    reindex(services, ["HR guidance"])
    assert last_reindex_time(services.settings) == ""


def test_a_new_upload_that_cannot_be_read_is_not_kept_so_the_fixed_file_can_be_uploaded(
        services: Services) -> None:
    """From a browser review: a damaged PDF was saved and listed as a failed document, and
    uploading the fixed file, as the message said, was refused as 'already in'."""
    good = save_upload(services.settings, "hr", "sick.md", GOOD)
    saved = save_upload(services.settings, "hr", "form.pdf", PDF_HEADER_ONLY)
    report = index_uploads(services, [good.path, saved.path], "hr")
    assert [Path(path).name for path, _ in report.failed] == ["form.pdf"]  # the reason is kept
    assert not saved.path.exists() and good.path.exists()
    assert [r.source for r in services.index.get_documents()] == ["sick.md"]
    assert find_inconsistencies(services.index) == []
    fixed = (Path(__file__).resolve().parents[2] / "sample_guidance" / "guidance" /
             "overpayment-recovery.pdf").read_bytes()
    again = save_upload(services.settings, "hr", "form.pdf", fixed)
    assert index_uploads(services, [again.path], "hr").failed == []
    assert record_of(services, "form.pdf").status == "ok"
    # a document still indexed under the name (its file gone from disk) is not removed with
    # a damaged upload of the same name (from a code review)
    chunks = len(services.index.get_chunks())
    again.path.unlink()
    damaged = save_upload(services.settings, "hr", "form.pdf", PDF_HEADER_ONLY)
    assert index_uploads(services, [damaged.path], "hr").failed
    assert record_of(services, "form.pdf") and len(services.index.get_chunks()) == chunks


def test_long_unicode_names_fit_the_file_system(services: Services) -> None:
    name = safe_file_name("政策" * 80 + ".md")
    assert name.endswith(".md") and len(name.encode()) <= 200
    assert save_upload(services.settings, "hr", "政策" * 80 + ".md", GOOD).path.exists()


def test_an_empty_library_folder_is_no_collection(services: Services) -> None:
    """From an administrator's review: folders left empty by cancelled uploads were listed for
    upload and reindexed as collections with all-zero rows."""
    from assistant.library import known_collections

    (services.settings.library_dir / "cancelled").mkdir(parents=True)
    (services.settings.library_dir / "nested" / "empty").mkdir(parents=True)
    save_upload(services.settings, "hr", "sick.md", GOOD)
    assert known_collections(services) == ["hr"]


def test_a_badly_named_folder_is_reported_and_the_others_are_reindexed(
        services: Services) -> None:
    for name in ("HR guidance", "zeta"):
        folder = services.settings.library_dir / name
        folder.mkdir(parents=True)
        (folder / "a.md").write_bytes(GOOD)
    reports = reindex(services, ["HR guidance", "zeta"])
    assert "Invalid collection name" in reports["HR guidance"].failed[0][1]
    assert reports["zeta"].added == 1


def test_search_is_refreshed_even_when_the_file_cannot_be_deleted(
        services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    import assistant.library as library

    saved = save_upload(services.settings, "hr", "sick.md", GOOD)
    index_files(services, [saved.path], "hr")

    class Refreshing(FakeRetriever):
        """FAKE: a retriever that counts how often search is refreshed."""

        refreshed = 0

        def refresh(self) -> None:
            self.refreshed += 1

    retriever = Refreshing()
    services.retriever = retriever

    def read_only(*_args: object) -> bool:
        """FAKE: delete_file on a read-only file system."""
        raise PermissionError("read-only file system")

    monkeypatch.setattr(library, "delete_file", read_only)
    with pytest.raises(PermissionError):
        library.delete_document(services, record_of(services, "sick.md"))
    assert retriever.refreshed == 1 and services.index.get_documents() == []


def test_a_run_that_takes_the_store_midway_is_reported_per_collection(
        services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    import ingest.service
    from assistant.errors import StoreLockedError
    from ingest.pipeline import IngestReport

    for name in ("alpha", "beta"):
        folder = services.settings.library_dir / name
        folder.mkdir(parents=True)
        (folder / "a.md").write_bytes(GOOD)

    calls: list[tuple[str, list[Path], dict[str, object]]] = []

    def ingest_paths(_settings, folders, collection, **kw):  # type: ignore[no-untyped-def]
        """FAKE: ingest_paths whose store is taken by another run before "beta"."""
        calls.append((collection, folders, kw))
        if collection == "beta":
            raise StoreLockedError("Another ingestion run is using the store.")
        return IngestReport(added=1, seconds=0.5)

    monkeypatch.setattr(ingest.service, "ingest_paths", ingest_paths)
    reports = reindex(services, ["alpha", "beta"])
    library = services.settings.library_dir
    assert [(c, f) for c, f, _ in calls] == [("alpha", [library / "alpha"]),
                                              ("beta", [library / "beta"])]
    assert all(kw["sync"] is True and kw["index"] is services.index for _, _, kw in calls)
    assert "not reindexed: Another ingestion run" in reports["beta"].failed[0][1]
    assert last_reindex_time(services.settings) == ""  # a part-done reindex is not recorded
    with pytest.raises(StoreLockedError):  # locked from the start: one plain message
        reindex(services, ["beta"])


def test_reindex_reads_the_sample_guidance_only_for_a_collection_seeded_from_it(
        services: Services) -> None:
    """From a browser review: Reindex of all collections added the bundled fictional sample
    guidance to a department's real index, and caseworkers were answered from it."""
    from assistant.library import known_collections

    sample = services.settings.sample_guidance_dir / "guidance"
    sample.mkdir(parents=True)
    (sample / "fictional.md").write_bytes(GOOD)
    saved = save_upload(services.settings, "guidance", "real.md", GOOD.replace(b"Sick", b"Leave"))
    index_files(services, [saved.path], "guidance")
    assert known_collections(services) == ["guidance"]
    reports = reindex(services, ["guidance"])
    assert reports["guidance"].added == 0
    assert [r.source for r in services.index.get_documents()] == ["real.md"]
    # an index the sample seeded (first start, or make run) keeps it in step
    index_files(services, [sample / "fictional.md"], "guidance")
    (sample / "more.md").write_bytes(GOOD.replace(b"Sick", b"Holiday"))
    assert reindex(services, ["guidance"])["guidance"].added == 1
    assert sorted(r.source for r in services.index.get_documents()) == [
        "fictional.md", "more.md", "real.md"]


def test_replacements_run_one_at_a_time_so_the_kept_version_is_never_lost(
        services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    """From a code review: two overlapping replacements of one document shared the kept copy;
    the second's put-back left the first's unreadable file on disk and the original nowhere."""
    import threading

    import assistant.library as library
    from assistant.errors import StoreLockedError

    saved = save_upload(services.settings, "hr", "sick.md", GOOD)
    index_files(services, [saved.path], "hr")
    record = record_of(services, "sick.md")
    inside, release = threading.Event(), threading.Event()
    real = library._replace_and_index

    def slow(*args, **kwargs):  # type: ignore[no-untyped-def]
        """FAKE pause: the first replacement holds its place while a second one is tried."""
        inside.set()
        release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(library, "_replace_and_index", slow)
    first = threading.Thread(target=library.replace_and_index,
                             args=(services, record, "sick.md", b"   \n\n   \n"))
    first.start()
    assert inside.wait(10)
    monkeypatch.setattr(library, "REPLACE_WAIT_S", 0.2)
    monkeypatch.setattr(library, "_replace_and_index", real)
    with pytest.raises(StoreLockedError, match="Another new version is still being indexed"):
        library.replace_and_index(services, record, "sick.md", GOOD + b"\nSecond.\n")
    release.set()
    first.join(10)
    assert saved.path.read_bytes() == GOOD  # the blank first version was refused and put back
    assert not list(saved.path.parent.glob(".previous-*"))


def test_a_seeded_collection_is_still_reindexed_after_its_sample_folder_moved(
        services: Services) -> None:
    """From a code review: a release folder switch (or a symlinked file) made Reindex of the
    seeded collection silently read nothing."""
    from dataclasses import replace

    sample = services.settings.sample_guidance_dir / "guidance"
    sample.mkdir(parents=True)
    (sample / "kept.md").write_bytes(GOOD)
    index_files(services, [sample / "kept.md"], "guidance")
    [record] = services.index.get_documents()
    moved = replace(record, source_path="/old/release/sample_guidance/guidance/kept.md")
    services.index.upsert_documents([moved])  # indexed from where the folder used to be
    (sample / "new.md").write_bytes(GOOD.replace(b"Sick", b"Holiday"))
    assert reindex(services, ["guidance"])["guidance"].added == 1
    # a file in the sample folder that links to the indexed file counts too
    elsewhere = services.settings.library_dir.parent / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "linked.md").write_bytes(GOOD.replace(b"Sick", b"Jury"))
    for path in sample.iterdir():
        path.unlink()
    (sample / "linked.md").symlink_to(elsewhere / "linked.md")
    services.index.delete_documents([r.doc_id for r in services.index.get_documents()])
    index_files(services, [sample / "linked.md"], "guidance")
    from assistant.library import reindexed_folders
    assert reindexed_folders(services, "guidance") == [sample]
