"""The textbook baseline: simple loading, 1000/200 character chunks, a resumable cached build."""

from __future__ import annotations

from pathlib import Path

from assistant.baseline import BaselineRetriever, build_baseline, load_plain_text, split_baseline
from assistant.testing import FakeEmbedder, InMemoryChunkIndex


def write_guides(folder: Path) -> list[Path]:
    folder.mkdir()
    long_md = folder / "long.md"
    long_md.write_text("# Long\n\n" + "\n\n".join(f"Paragraph {i} about tax credits " * 3
                                                   for i in range(60)))
    page = folder / "page.html"
    page.write_text("<html><body><h1>Fishing</h1><p>Rod licence rules.</p></body></html>")
    (folder / "notes.pdf").write_bytes(b"%PDF-1.4 not a baseline file")
    return sorted(folder.iterdir())


def test_html_is_read_as_text_and_markdown_as_is(tmp_path: Path) -> None:
    md, page = [p for p in write_guides(tmp_path / "g") if p.suffix != ".pdf"]
    assert "<p>" not in load_plain_text(page) and "Rod licence rules." in load_plain_text(page)
    assert load_plain_text(md).startswith("# Long")


def test_chunks_are_at_most_1000_characters_and_overlap(tmp_path: Path) -> None:
    md = write_guides(tmp_path / "g")[0]
    chunks = split_baseline(md, load_plain_text(md))
    assert len(chunks) > 3
    assert all(len(c.text) <= 1000 for c in chunks)
    assert chunks[1].text[:40] in chunks[0].text  # 200-character overlap
    assert {c.source for c in chunks} == {"long.md"}


def test_build_skips_other_files_is_cached_and_resumes(tmp_path: Path) -> None:
    files = write_guides(tmp_path / "g")
    index, embedder = InMemoryChunkIndex(), FakeEmbedder()
    marker = tmp_path / "built.json"
    total = build_baseline(index, embedder, files, marker)
    assert total == index.count_chunks() > 3
    assert {c.source for c in index.get_chunks()} == {"long.md", "page.html"}
    calls = len(embedder.calls)
    assert build_baseline(index, embedder, files, marker) == total
    assert len(embedder.calls) == calls  # cached: nothing embedded again
    marker.unlink()
    dropped = next(iter(index.chunks))
    del index.chunks[dropped], index.vectors[dropped]
    assert build_baseline(index, embedder, files, marker) == total
    assert embedder.calls[-1] == 1  # only the missing chunk was embedded


def test_baseline_retriever_returns_nearest_chunks(tmp_path: Path) -> None:
    files = write_guides(tmp_path / "g")
    index, embedder = InMemoryChunkIndex(), FakeEmbedder()
    build_baseline(index, embedder, files, tmp_path / "built.json")
    results = BaselineRetriever(index, embedder).retrieve("rod licence fishing", k=2)
    assert results[0].chunk.source == "page.html"
    assert len(results) == 2
