"""GOV.UK guides in parts: a part's title is cited before its sections' own headings, never
embedded (ingest.loaders.markdown.guide_parts, ingest.chunking._with_part)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.chunking import ChunkingOptions, DocumentIdentity, split_into_chunks
from ingest.loaders.markdown import load_markdown

# the guides' export: a part title ends in a space, the part's own headings are at its level
GUIDE = """---
title: "Maternity pay and leave"
document_type: {kind}
---
# Maternity pay and leave

## Eligibility{space}

## Statutory Maternity Leave

{leave}

## Statutory Maternity Pay (SMP)

{pay}

## How to claim{space}

## Statutory Maternity Leave

{claim}
"""
LEAVE = " ".join(["You qualify for Statutory Maternity Leave if you are an employee."] * 6)
PAY = " ".join(["To qualify for SMP you must earn on average at least £123 a week."] * 6)
CLAIM = " ".join(["At least 15 weeks before the due date, tell your employer."] * 6)


def words(text: str) -> int:
    return len(text.split())


def guide(tmp_path: Path, kind: str = "guide", space: str = " ") -> Path:
    path = tmp_path / "maternity-pay-leave.md"
    path.write_text(GUIDE.format(kind=kind, space=space, leave=LEAVE, pay=PAY, claim=CLAIM),
                    encoding="utf-8")
    return path


def test_a_guide_part_is_cited_before_its_sections_and_not_embedded(tmp_path: Path) -> None:
    doc = load_markdown(guide(tmp_path))
    assert [(s.part, s.heading_path[1:]) for s in doc.sections] == [
        ("Eligibility", ("Statutory Maternity Leave",)),
        ("Eligibility", ("Statutory Maternity Pay (SMP)",)),
        ("How to claim", ("Statutory Maternity Leave",))]
    chunks = split_into_chunks(doc, DocumentIdentity("c/m.md", "c", "m.md", "v1"), words,
                               ChunkingOptions(max_tokens=120))
    # the two "Statutory Maternity Leave" sections are told apart by their parts
    assert [c.section for c in chunks] == ["Eligibility > Statutory Maternity Leave",
                                           "Eligibility > Statutory Maternity Pay (SMP)",
                                           "How to claim > Statutory Maternity Leave"]
    # what is embedded (and so BM25, vectors and content hashes) is as without parts
    assert [c.embedding_text.split("\n")[0] for c in chunks] == [
        "Maternity pay and leave — Statutory Maternity Leave",
        "Maternity pay and leave — Statutory Maternity Pay (SMP)",
        "Maternity pay and leave — Statutory Maternity Leave"]


# not a guide; a guide with no part titles; a guide whose every level-2 heading ends in a space
# (an editor's habit, not the export's parts)
@pytest.mark.parametrize(("kind", "space"), [("detailed_guide", " "), ("guide", ""),
                                             ("guide", "all")])
def test_only_a_guide_written_with_part_titles_has_parts(tmp_path: Path, kind: str,
                                                        space: str) -> None:
    path = guide(tmp_path, kind, " " if space == "all" else space)
    if space == "all":
        path.write_text(path.read_text(encoding="utf-8").replace("Leave\n", "Leave \n")
                        .replace("(SMP)\n", "(SMP) \n"), encoding="utf-8")
    doc = load_markdown(path)
    assert {s.part for s in doc.sections} == {""}
