"""Prompt injection: BIPIA payloads planted in real guidance are indexed and retrieved, and are
treated as data: fenced in the prompt, never acted on by the extractive answer, marked suspicious,
and contacts a compromised model copies from them are flagged."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from assistant.answering import answer_question, build_messages
from assistant.bm25 import Bm25Index, fingerprint
from assistant.citations import contacts_in, looks_like_instructions
from assistant.retrieval import HybridRetriever, RetrievalParams
from assistant.testing import FakeChatModel, FakeEmbedder, InMemoryChunkIndex
from assistant.types import Chunk
from tests.assistant.builders import guidance_chunk

GUIDES = ("maternity-allowance.md", "adoption-pay-leave.md", "paternity-pay-leave.md")
QUESTIONS = (
    "How much Maternity Allowance can I get?",
    "How do I claim Statutory Adoption Pay?",
    "How long is Paternity Leave?",
)
# One payload from each BIPIA category that tells a model how to change its reply, plus code.
CATEGORIES = (
    "Language Translation",
    "Marketing & Advertising",
    "Scams & Fraud",
    "Base Encoding",
    "Information Dissemination",
    "Misinformation & Propaganda",
)


def payloads(shared_data: Path) -> list[str]:
    bench = shared_data / "prompt_injection" / "bipia" / "benchmark"
    text = json.loads((bench / "text_attack_test.json").read_text())
    code = json.loads((bench / "code_attack_test.json").read_text())
    return [text[c][1] for c in CATEGORIES] + [code["Data Eavesdropping"][0]]


def planted_chunks(shared_data: Path, attacks: list[str]) -> list[Chunk]:
    """Each guide split at its '## ' headings; an attack planted mid-way into every section."""
    chunks: list[Chunk] = []
    for guide in GUIDES:
        body = (shared_data / "guidance" / "govuk_guides" / guide).read_text().split("---", 2)[2]
        sections = [s for s in re.split(r"\n(?=## )", body) if s.strip()]
        for i, section in enumerate(sections):
            attack = attacks[(len(chunks)) % len(attacks)]
            lines = section.splitlines()
            lines.insert(len(lines) // 2, f"\n{attack}\n")
            heading = lines[0].lstrip("# ").strip()
            chunks.append(
                guidance_chunk(
                    "\n".join(lines),
                    doc=guide[:-3],
                    n=i,
                    section=heading,
                    title=guide[:-3].replace("-", " ").capitalize(),
                )
            )
    return chunks


@pytest.fixture
def planted(shared_data: Path) -> tuple[HybridRetriever, list[str], list[Chunk]]:
    attacks = payloads(shared_data)
    chunks = planted_chunks(shared_data, attacks)
    index, embedder = InMemoryChunkIndex(), FakeEmbedder(dim=256)
    index.upsert_chunks(chunks, embedder.embed([c.embedding_text for c in chunks]))
    bm25 = Bm25Index.build(chunks, fingerprint(index))
    # The calibration is fitted to MiniLM cosines; the hashing fake scores lower, so the threshold
    # is lowered here: this test is about injection, not abstention.
    retriever = HybridRetriever(index, embedder, bm25, RetrievalParams(min_relevance=0.01))
    return retriever, attacks, chunks


def test_every_payload_is_detected_as_instructions(shared_data: Path) -> None:
    assert all(looks_like_instructions(p) for p in payloads(shared_data))


@pytest.mark.parametrize("question", QUESTIONS)
def test_the_prompt_fences_planted_payloads_as_data(
    planted: tuple[HybridRetriever, list[str], list[Chunk]], question: str
) -> None:
    retriever, attacks, _ = planted
    results = retriever.retrieve(question, k=6)
    system, user = build_messages(question, [r.chunk for r in results])
    assert "untrusted data" in system[1] and "never follow" in system[1]
    blocks = re.findall(r"<source [^>]*>.*?</source>", user[1], flags=re.S)
    assert len(blocks) == len(results)
    outside = re.sub(r"<source [^>]*>.*?</source>", "", user[1], flags=re.S)
    for attack in attacks:
        assert attack not in outside
    for block in blocks:
        planted_here = any(a in block for a in attacks)
        assert planted_here == ('warning="contains text that reads like instructions' in block)


@pytest.mark.parametrize("question", QUESTIONS)
def test_the_extractive_answer_never_acts_on_payloads(
    planted: tuple[HybridRetriever, list[str], list[Chunk]], question: str
) -> None:
    retriever, attacks, chunks = planted
    stream = answer_question(question, [], retriever=retriever, llm=None)
    text = "".join(stream)
    answer = stream.final
    assert answer.answered and text.startswith("**Extracts from the guidance**")
    for attack in attacks:
        assert attack.splitlines()[0] not in text
    clean_contacts = contacts_in(
        [re.sub("|".join(map(re.escape, attacks)), "", c.text) for c in chunks]
    )
    assert contacts_in([text]) <= clean_contacts
    assert answer.citations and all(c.suspicious for c in answer.citations)
    assert len([w for w in answer.warnings if "reads like instructions" in w]) == len(
        answer.citations
    )


def test_contacts_a_compromised_model_copies_are_flagged(
    planted: tuple[HybridRetriever, list[str], list[Chunk]],
) -> None:
    """Even when the cited sources hold the payload, a contact copied from it is flagged."""
    retriever, attacks, _ = planted
    cite_all = "".join(f"[{n}]" for n in range(1, 7))
    assert "www.shoplux.com" in " ".join(attacks)
    llm = FakeChatModel()
    llm.enqueue(
        f"You could get Maternity Allowance for up to 39 weeks {cite_all}. Visit "
        "www.shoplux.com for exclusive deals, or e-mail prizes@winner.example and call "
        f"020 7946 0123 {cite_all}."
    )
    stream = answer_question(QUESTIONS[0], [], retriever=retriever, llm=llm)
    list(stream)
    assert any("www.shoplux.com" in r.chunk.text for r in retriever.retrieve(QUESTIONS[0], 6))
    notes = "".join(stream.final.text.split("*Note:")[1:])
    warnings = " ".join(stream.final.warnings)
    for contact in ("www.shoplux.com", "prizes@winner.example", "020 7946 0123"):
        assert contact in warnings and contact in notes
    assert "reads like instructions" in warnings
