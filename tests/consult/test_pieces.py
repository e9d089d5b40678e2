"""Pieces: sentence splitting, the embedding budget, top-two scoring, piece clustering, cap."""

from __future__ import annotations

import numpy as np

from assistant.testing import FakeEmbedder
from consult.discovery import discover_themes
from consult.mapping import CAP, MARGIN, MIN_LABELS_TO_FIT, choose_rule
from consult.pieces import Pieces, embed_pieces, split_into_pieces, top_two_mean
from consult.themes import Theme


def test_split_joins_short_sentences_and_caps() -> None:
    assert split_into_pieces("Yes. Ban them during matches now. Kids copy what they see.") == [
        "Yes. Ban them during matches now.",
        "Kids copy what they see.",
    ]
    assert len(split_into_pieces(" ".join(["One two three four."] * 9), limit=4)) == 4
    assert split_into_pieces("") == [""]


def test_embed_pieces_reuses_single_sentence_vectors(fake_embedder: FakeEmbedder) -> None:
    texts = ["Only one sentence here really.", "First point is cost. Second point is buses."]
    vectors = fake_embedder.embed(texts)
    fake_embedder.calls.clear()
    pieces = embed_pieces(texts, vectors, fake_embedder)
    assert pieces is not None
    assert fake_embedder.calls == [2]  # only the two-sentence response's pieces
    assert pieces.owners.tolist() == [0, 1, 1]
    assert np.allclose(pieces.vectors[0], vectors[0])
    assert embed_pieces(texts, vectors, fake_embedder, budget=1) is None


def test_top_two_mean() -> None:
    pieces = Pieces(np.eye(3, dtype=np.float32), np.array([0, 1, 1]))
    scores = top_two_mean(pieces, np.eye(3, dtype=np.float32), 2)
    assert scores.tolist() == [[1, 0, 0], [0, 0.5, 0.5]]


def test_discovery_on_pieces_gives_several_memberships(fake_embedder: FakeEmbedder) -> None:
    texts = ["Parking permits cost too much money.", "Buses are late every single day."] * 3
    texts.append("Parking permits cost too much money. Buses are late every single day.")
    vectors = fake_embedder.embed(texts)
    pieces = embed_pieces(texts, vectors, fake_embedder)
    found = discover_themes(vectors, texts, k=2, pieces=pieces)
    assert len(found.memberships[-1]) == 2 and found.clusters[-1] in found.memberships[-1]
    assert all(len(m) == 1 for m in found.memberships[:-1])


def test_choose_rule_learns_one_label_per_response() -> None:
    themes = [Theme("A", "a"), Theme("B", "b")]
    scores = np.array([[0.9, 0.88], [0.5, 0.49]] * 8, dtype=np.float32)
    labels = {row: {0} for row in range(MIN_LABELS_TO_FIT)}
    assert choose_rule(scores, themes, labels)[1] == 1
    assert choose_rule(scores, themes, {}) == (0.05, 3)


def test_too_few_labels_keep_the_default_rule() -> None:
    themes = [Theme("A", "a"), Theme("B", "b")]
    scores = np.array([[0.9, 0.88], [0.5, 0.49]] * 8, dtype=np.float32)
    few = {row: {0} for row in range(MIN_LABELS_TO_FIT - 1)}
    assert choose_rule(scores, themes, few) == (MARGIN, CAP)
