"""`python -m ingest` as a user runs it: real loaders, real model, real Chroma, real processes."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.adapters.embedders import MiniLMEmbedder
from assistant.config import Settings
from assistant.services import build_index
from ingest.indexing import find_inconsistencies
from ingest.locking import store_lock
from tests.conftest import ROOT

pytestmark = pytest.mark.integration
SAMPLE = ROOT / "sample_guidance" / "guidance"
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "GA_SECRETS_FILE": "/nonexistent"}


def ingest(*args: str | Path, network: bool = True,
           timeout: float = 600) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "ingest", *map(str, args)]
    if not network:
        command = ["unshare", "--net", *command]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          env=ENV, check=False)


def open_index(store: Path):  # type: ignore[no-untyped-def]
    return build_index(Settings(store_dir=store), MiniLMEmbedder())


def _network_can_be_disabled() -> bool:
    if shutil.which("unshare") is None:
        return False
    return subprocess.run(["unshare", "--net", "true"], capture_output=True,
                          check=False).returncode == 0


def require_network_namespaces() -> None:
    """Skip without root on a developer's machine; as root or in CI, where the test is meant to
    run, a failing `unshare --net` fails the test instead of silently skipping it."""
    if _network_can_be_disabled():
        return
    if os.geteuid() == 0 or os.environ.get("CI"):
        pytest.fail("`unshare --net true` failed, so ingestion cannot be tested offline: install "
                    "util-linux and run as root in a container allowed to create network "
                    "namespaces (docker run --cap-add SYS_ADMIN, or --privileged)")
    pytest.skip("needs root for `unshare --net`")


def test_sample_guidance_ingests_with_networking_disabled(tmp_path: Path) -> None:
    require_network_namespaces()
    first = ingest(SAMPLE, "--store", tmp_path, "--json", network=False)
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert set(report) == {"added", "updated", "unchanged", "removed", "missing", "failed",
                           "documents", "chunks", "seconds", "duplicates"}
    files = [p for p in SAMPLE.iterdir() if p.is_file()]
    assert report["added"] == len(files) and report["failed"] == []
    assert report["chunks"] > len(files)
    second = json.loads(ingest(SAMPLE, "--store", tmp_path, "--json", network=False).stdout)
    assert (second["added"], second["unchanged"]) == (0, len(files))
    index = open_index(tmp_path)
    assert find_inconsistencies(index) == []
    assert {r.collection for r in index.get_documents()} == {"guidance"}


def test_dash_file_names_summary_and_usage_errors(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "-rules.md").write_text("# Rules\n\nVisitors may stay for up to six months.\n")
    (docs / "empty.txt").write_text("")
    result = subprocess.run([sys.executable, "-m", "ingest", "--store", str(tmp_path / "s"),
                             "--collection", "rules", "--", "-rules.md", "empty.txt"],
                            cwd=docs, capture_output=True, text=True, check=False, timeout=300,
                            env=ENV)
    assert result.returncode == 0, result.stderr
    assert "added          1" in result.stdout
    assert "empty.txt" in result.stdout and "Failed files" in result.stdout
    assert ingest("--store").returncode == 2
    # usage errors exit 2 before any store is created (a code review: 3, and an empty store)
    missing = ingest(tmp_path / "nope", "--store", tmp_path / "new")
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    named = ingest(docs, "--collection", "bad name", "--store", tmp_path / "new")
    assert named.returncode == 2 and "Invalid collection name 'bad name'" in named.stderr
    assert not (tmp_path / "new").exists()


def test_a_copy_of_a_file_is_indexed_and_named_as_a_copy(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    text = "# Appeals\n\nSend the response to the tribunal within 28 days.\n"
    (docs / "appeals.md").write_text(text)
    (docs / "appeals (copy for team site).md").write_text(text)
    (docs / "other.md").write_text("# Other\n\nSomething else entirely.\n")
    result = ingest(docs, "--store", tmp_path / "s", "--collection", "hr")
    assert result.returncode == 0, result.stderr
    assert "added          3" in result.stdout
    assert "hr/appeals (copy for team site).md: same as hr/appeals.md" in result.stdout
    as_json = json.loads(ingest(docs, "--store", tmp_path / "s", "--collection", "hr",
                                "--json").stdout)
    assert as_json["duplicates"] == [{"path": "hr/appeals (copy for team site).md",
                                      "same_as": "hr/appeals.md"}]


def test_second_run_is_refused_while_the_store_is_locked(tmp_path: Path) -> None:
    with store_lock(tmp_path):
        result = ingest(SAMPLE, "--store", tmp_path)
    assert result.returncode == 3
    assert "Another ingestion run is using the store" in result.stderr


def test_ingest_is_refused_while_an_app_uses_the_embedded_store(tmp_path: Path) -> None:
    from ingest.locking import _started

    app = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:  # a live process marked as an app on this store, as register_app marks it
        (tmp_path / "apps").mkdir()
        (tmp_path / "apps" / str(app.pid)).write_text(f"{_started(app.pid)}\n")
        (tmp_path / "apps" / str(os.getppid())).write_text("1\n")  # a reused id: not the app
        result = ingest(SAMPLE, "--store", tmp_path)
        assert result.returncode == 3
        assert f"app (process {app.pid}) is using the store" in result.stderr
        assert not (tmp_path / "apps" / str(os.getppid())).exists()  # its marker was stale
        assert "Admin page" in result.stderr and not (tmp_path / "chroma").exists()
    finally:
        app.kill()
        app.wait(timeout=15)
    small = tmp_path / "one"
    small.mkdir()
    (small / "note.md").write_text("# Note\n\nStaff can claim a desk allowance.\n")
    result = ingest(small, "--store", tmp_path)  # the app has gone: its marker is stale
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "apps" / str(app.pid)).exists()


def _committed_documents(store: Path) -> int:
    return sum(1 for r in open_index(store).get_documents() if r.version and not r.pending_version)


def _wait_for_first_embeddings(cache: Path, proc: subprocess.Popen[bytes]) -> None:
    """Block until the run has written its first batch of vectors (it commits right after)."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with sqlite3.connect(f"file:{cache}?mode=ro", uri=True, timeout=1) as db:
                if db.execute("SELECT count(*) FROM vectors").fetchone()[0] > 0:
                    return
        except sqlite3.Error:
            pass
        time.sleep(0.02)


def test_killed_run_leaves_a_consistent_index_after_rerun(shared_data: Path,
                                                          tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for path in sorted((shared_data / "guidance" / "govuk_guides").glob("*.md"))[:30]:
        shutil.copy(path, docs / path.name)
    partial_seen = False
    for attempt, delay in enumerate((0.0, 0.05, 0.2, 0.5, 1.0)):
        store = tmp_path / f"store{attempt}"  # a new path: Chroma caches clients per path
        proc = subprocess.Popen([sys.executable, "-m", "ingest", str(docs), "--store", str(store)],
                                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                env=ENV)
        _wait_for_first_embeddings(store / "embeddings.sqlite3", proc)
        time.sleep(delay)
        finished = proc.poll() is not None
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        committed = _committed_documents(store)
        partial_seen |= not finished and 0 < committed < 30
        if partial_seen:
            break
    assert partial_seen, "no kill landed mid-run; the timings above need adjusting"
    rerun = ingest(docs, "--store", store, "--json")
    assert rerun.returncode == 0, rerun.stderr
    index = open_index(store)
    assert find_inconsistencies(index) == []
    records = index.get_documents()
    assert sorted(r.source for r in records) == sorted(p.name for p in docs.iterdir())
    assert len(index.get_chunks()) == sum(r.chunks for r in records)


def test_an_app_process_cannot_write_under_another_app_on_the_embedded_store(
        tmp_path: Path) -> None:
    # from a code review: a second app on one embedded store added a document that the first
    # app's dense search then never found
    from assistant.errors import StoreLockedError
    from ingest.locking import _started

    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        (tmp_path / "apps").mkdir()
        (tmp_path / "apps" / str(other.pid)).write_text(f"{_started(other.pid)}\n")
        with pytest.raises(StoreLockedError, match=f"app \\(process {other.pid}\\) is using"), \
                store_lock(tmp_path):
            pass
    finally:
        other.kill()
        other.wait(timeout=15)
    with store_lock(tmp_path):  # the other app has gone
        assert not (tmp_path / "apps" / str(other.pid)).exists()
