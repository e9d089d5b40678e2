"""parse_files: worker processes, per-file time and memory limits, crash isolation, streaming."""

from __future__ import annotations

import multiprocessing
import time
import zipfile
from collections import Counter
from concurrent.futures import Future
from pathlib import Path

import pytest
from fpdf import FPDF
from pebble import ProcessExpired

from assistant.errors import LoadError
from assistant.types import LoadedDocument
from ingest.parsing import Outcome, _outcome, parse_files

pytestmark = pytest.mark.timeout(300)


def write_text_files(folder: Path, count: int) -> list[Path]:
    paths = []
    for n in range(count):
        path = folder / f"note{n}.txt"
        path.write_text(f"Note {n}\n\nThe office opens at {n} o'clock.", encoding="utf-8")
        paths.append(path)
    return paths


def write_long_pdf(path: Path, pages: int) -> Path:
    pdf = FPDF()
    pdf.set_font("helvetica", size=9)
    line = "Claimants must report changes in circumstances promptly to the office. " * 2
    for _ in range(pages):
        pdf.add_page()
        pdf.multi_cell(w=0, text="\n".join([line] * 40))
    pdf.output(str(path))
    return path


CONTENT_TYPES = (
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.document.main+xml"/></Types>'
)
PACKAGE_RELS = (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="word/document.xml" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/officeDocument"/></Relationships>'
)


def write_docx_bomb(path: Path, inflated_mb: int) -> Path:
    """A tiny .docx whose document.xml inflates to ``inflated_mb`` megabytes."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", PACKAGE_RELS)
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            block = b" " * (1024 * 1024)
            for _ in range(inflated_mb):
                member.write(block)
    return path


def test_in_process_mode_yields_every_file(tmp_path: Path) -> None:
    paths = write_text_files(tmp_path, 3) + [tmp_path / "missing.txt"]
    (tmp_path / "empty.md").write_bytes(b"")
    results = dict(parse_files([*paths, tmp_path / "empty.md"], workers=0))
    assert set(results) == {*paths, tmp_path / "empty.md"}
    assert all(isinstance(results[p], LoadedDocument) for p in paths[:3])
    assert str(results[tmp_path / "empty.md"]).startswith("empty file: export or save it again")
    assert str(results[tmp_path / "missing.txt"]).startswith("could not open the file")


def test_workers_parse_and_stream_cheap_files_first(tmp_path: Path) -> None:
    pdf = write_long_pdf(tmp_path / "long.pdf", 4)
    notes = write_text_files(tmp_path, 4)
    order = [path for path, _ in parse_files([pdf, *notes], workers=2)]
    assert sorted(order) == sorted([pdf, *notes])
    assert order.index(pdf) >= 2  # text files were scheduled ahead of the PDF


def _repeat_pages(source: Path, target: Path, times: int) -> Path:
    """A PDF of ``times`` copies of ``source``'s pages: about 2.5 s to read here, far past 0.3 s."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    pages = PdfReader(source).pages
    for _ in range(times):
        for page in pages:
            writer.add_page(page)
    with target.open("wb") as handle:
        writer.write(handle)
    return target


def test_a_file_that_runs_too_long_is_killed_and_the_run_continues(tmp_path: Path) -> None:
    slow = [_repeat_pages(write_long_pdf(tmp_path / "base.pdf", 40), tmp_path / "slow0.pdf", 15),
            tmp_path / "slow1.pdf"]
    slow[1].write_bytes(slow[0].read_bytes() + b"\n")  # a second, slightly larger copy
    notes = write_text_files(tmp_path, 2)
    started = time.monotonic()
    results = dict(parse_files([*slow, *notes], workers=1, timeout_s=0.3))
    assert time.monotonic() - started < 20
    for path in slow:  # the second ran in a fresh worker after the first was killed
        assert str(results[path]).startswith("timed out after 0.3 s")
    assert all(isinstance(results[p], LoadedDocument) for p in notes)


def test_a_decompression_bomb_runs_out_of_memory_not_the_machine(tmp_path: Path) -> None:
    bomb = write_docx_bomb(tmp_path / "bomb.docx", 400)
    assert bomb.stat().st_size < 2 * 1024 * 1024
    notes = write_text_files(tmp_path, 1)
    results = dict(parse_files([bomb, *notes], workers=1, memory_mb=128, timeout_s=60))
    assert str(results[bomb]).startswith(("ran out of memory", "the reader crashed"))
    assert isinstance(results[notes[0]], LoadedDocument)


def test_a_crashed_worker_is_reported_for_its_file() -> None:
    future: Future[Outcome] = Future()
    future.set_exception(ProcessExpired("Abnormal termination", code=-11, pid=1))
    outcome = _outcome(future, 60.0, 1024)
    assert isinstance(outcome, LoadError)
    assert str(outcome).startswith("the reader crashed on this file (exit code -11")


def test_stopping_early_shuts_the_pool_down(tmp_path: Path) -> None:
    notes = write_text_files(tmp_path, 6)
    before = set(multiprocessing.active_children())
    results = parse_files(notes, workers=2)
    first = next(results)
    workers = set(multiprocessing.active_children()) - before
    assert first[0] in notes and workers  # the pool's worker processes are running
    results.close()  # runs the generator's finally: the pool is stopped and joined
    assert [w for w in workers if w.is_alive()] == []  # joined at once, not left to exit
    assert set(multiprocessing.active_children()) <= before


def _reason(outcome: Outcome) -> str:
    if isinstance(outcome, LoadedDocument):
        return "ok"
    return str(outcome).split(":")[0].split("(")[0].strip()


def _check_and_count(results: dict[Path, Outcome]) -> Counter[str]:
    for path, outcome in results.items():
        if isinstance(outcome, LoadedDocument):
            assert sum(len(s.text) for s in outcome.sections) > 0, path
            assert outcome.pages and all(s.page_start for s in outcome.sections), path
        else:
            assert len(str(outcome)) > 10 and "Traceback" not in str(outcome), path
    return Counter(_reason(outcome) for outcome in results.values())


WORKERS_CANNOT_START = """
import sys, types
from pathlib import Path
from ingest import parsing
# each worker re-imports the parent's __main__: a script deleted since (as AppTest.from_function
# leaves it) kills every worker as it starts
main = types.ModuleType("__main__")
main.__file__ = "/nonexistent/deleted_script.py"
sys.modules["__main__"] = main
folder = Path(sys.argv[1])
for path, outcome in parsing.parse_files([folder / "a.txt", folder / "b.txt"], workers=1,
                                         timeout_s=2.0, memory_mb=256):
    print(path.name, type(outcome).__name__, outcome)
"""


def test_workers_that_cannot_start_fail_each_file_with_advice_never_hang(tmp_path: Path) -> None:
    import subprocess
    import sys

    (tmp_path / "a.txt").write_text("First file.")
    (tmp_path / "b.txt").write_text("Second file.")
    run = subprocess.run([sys.executable, "-c", WORKERS_CANNOT_START, str(tmp_path)],
                         capture_output=True, text=True, timeout=120,
                         cwd=Path(__file__).resolve().parents[2])
    lines = sorted(run.stdout.splitlines())
    assert [line.split(" ")[:2] for line in lines] == [["a.txt", "LoadError"],
                                                       ["b.txt", "LoadError"]], run.stderr
    assert all("run the indexing again" in line for line in lines)


@pytest.mark.integration
def test_bad_pdfs_each_yield_a_document_or_a_specific_reason(shared_data: Path) -> None:
    paths = sorted((shared_data / "bad_pdfs").glob("*.pdf"))
    assert len(paths) == 30
    results = dict(parse_files(paths, workers=2, timeout_s=30))
    assert set(results) == set(paths)
    counts = _check_and_count(results)
    print("bad_pdfs:", dict(counts))
    assert counts["ok"] >= 5 and counts["encrypted"] == 3
    assert "could not be read" not in counts  # every failure has a specific reason
    # ... and says what to do (from an administrator's review: "damaged PDF: its page tree is
    # broken" and "a decoder is missing" named no action)
    actions = ("save or print it as a new PDF", "run OCR", "upload a copy", "re-export",
               "export or save it again", "ask an administrator")
    reasons = [str(r) for r in results.values() if isinstance(r, LoadError)]
    assert reasons and all(any(a in r for a in actions) for r in reasons), reasons
    locked = shared_data / "bad_pdfs" / "py-pdf__sample-files__libreoffice-writer-password.pdf"
    assert str(results[locked]).startswith("encrypted: needs a password")


@pytest.mark.integration
def test_directgov_2012_all_parse_with_two_workers(shared_data: Path) -> None:
    folder = shared_data / "guidance" / "directgov_2012"
    paths = sorted(p for p in folder.iterdir() if p.suffix in (".pdf", ".rtf"))
    assert len(paths) == 127
    started = time.monotonic()
    results = dict(parse_files(paths, workers=2, timeout_s=120))
    elapsed = time.monotonic() - started
    counts = Counter(_reason(outcome) for outcome in results.values())
    print(f"directgov_2012: {dict(counts)} in {elapsed:.1f} s")
    assert set(results) == set(paths)
    assert counts["ok"] >= 110
    assert set(counts) <= {"ok", "no extractable text", "unreadable text",
                           "timed out after 120 s"}
    # leaflets whose fonts have no character map (text like "Brson9is9against9the9lawR")
    unreadable = {p.name for p, o in results.items() if _reason(o) == "unreadable text"}
    assert unreadable == {"dg_078480.pdf", "dg_175249.pdf", "dg_181023.pdf", "dg_201517.pdf",
                          "dg_201709.pdf", "dg_201775.pdf"}
    rtf = [o for p, o in results.items() if p.suffix == ".rtf"]
    assert all(isinstance(o, LoadedDocument) and o.updated for o in rtf)
    dated = [o for o in results.values() if isinstance(o, LoadedDocument) and o.updated]
    assert len(dated) >= 100
