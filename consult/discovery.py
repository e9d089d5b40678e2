"""Offline theme discovery: k-means on response embeddings, labelled from their own words.

Each cluster is labelled with its most distinctive words (class-based TF-IDF: frequent in the
cluster, rare in the others) and described by its most representative sentence (the one nearest
the cluster's centre). A model, when configured, renames and refines these (``refining``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.cluster import KMeans, kmeans_plusplus
from sklearn.feature_extraction.text import CountVectorizer

from assistant.ports import Vectors
from consult.embedding import normalise_rows
from consult.pieces import Pieces
from consult.themes import Theme

MIN_THEMES = 3
MAX_THEMES = 30
SAMPLE_FOR_SEEDING = 2_000
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class Discovery:
    """Discovered themes and their centres (unit vectors, one row per theme)."""

    themes: tuple[Theme, ...]
    centres: Vectors
    clusters: tuple[int, ...] = ()  # each response's cluster (index into themes)
    memberships: tuple[tuple[int, ...], ...] = ()  # every cluster one of its pieces fell in


def suggested_theme_count(n: int) -> int:
    """About the square root of the number of responses, between 3 and 30."""
    return int(max(1, min(n, max(MIN_THEMES, min(MAX_THEMES, round(n**0.5))))))


def discover_themes(
    vectors: Vectors,
    texts: Sequence[str],
    k: int | None = None,
    seed: int = 0,
    question: str = "",
    *,
    pieces: Pieces | None = None,
) -> Discovery:
    """Cluster ``vectors`` (or, if given, the responses' ``pieces``) into ``k`` themes.

    ``k`` defaults to ``suggested_theme_count``. With pieces, a response belongs to every cluster
    one of its pieces fell in. Words of ``question`` are left out of labels: every answer tends
    to repeat them.
    """
    if len(texts) == 0:
        return Discovery((), np.zeros((0, vectors.shape[1]), dtype=np.float32))
    points, owners = (
        (vectors, np.arange(len(texts))) if pieces is None else (pieces.vectors, pieces.owners)
    )
    point_texts = list(texts) if pieces is None else list(pieces.texts)
    # different texts can embed identically ("Agree" / "agree", emoji): count distinct vectors
    distinct = len(np.unique(np.round(np.asarray(points, dtype=np.float32), 5), axis=0))
    k = max(1, min(k or suggested_theme_count(len(texts)), len(set(point_texts)), distinct))
    model = _kmeans(points, k, seed)
    labels = np.asarray(model.labels_)
    centres = normalise_rows(np.asarray(model.cluster_centers_, dtype=np.float32))
    used = np.unique(labels)
    if len(used) < k:  # a cluster k-means left empty is no theme
        labels = np.searchsorted(used, labels)
        centres, k = centres[used], len(used)
    words = distinctive_words(point_texts, labels, k, ignore=question)
    themes = tuple(
        _theme(
            f"D{c + 1}", words[c], _representative_sentence(points, point_texts, labels, c, centres)
        )
        for c in range(k)
    )
    members = _memberships(labels, owners, len(texts))
    clusters = tuple(
        _main_cluster(points, owners, row, m, centres) for row, m in enumerate(members)
    )
    return Discovery(themes, centres, clusters, members)


def _memberships(
    labels: np.ndarray, owners: np.ndarray, responses: int
) -> tuple[tuple[int, ...], ...]:
    found: list[set[int]] = [set() for _ in range(responses)]
    for label, owner in zip(labels, owners, strict=True):
        found[int(owner)].add(int(label))
    return tuple(tuple(sorted(f)) for f in found)


def _main_cluster(
    points: Vectors, owners: np.ndarray, row: int, members: tuple[int, ...], centres: Vectors
) -> int:
    """The response's cluster whose centre one of its pieces lies nearest."""
    if len(members) == 1:
        return members[0]
    sims = points[owners == row] @ centres[list(members)].T
    return members[int(np.argmax(sims.max(axis=0)))]


def _kmeans(vectors: Vectors, k: int, seed: int) -> KMeans:
    """k-means; for large sets, seeded by k-means++ on a sample (the full seeding is slow)."""
    if len(vectors) <= SAMPLE_FOR_SEEDING:
        return KMeans(n_clusters=k, n_init=3, random_state=seed).fit(vectors)
    rows = np.random.default_rng(seed).choice(len(vectors), SAMPLE_FOR_SEEDING, replace=False)
    seeds, _ = kmeans_plusplus(vectors[rows], k, random_state=seed)
    return KMeans(n_clusters=k, init=seeds, n_init=1, random_state=seed).fit(vectors)


def distinctive_words(
    texts: Sequence[str], clusters: np.ndarray, k: int, top: int = 3, ignore: str = ""
) -> list[list[str]]:
    """The ``top`` words (or two-word phrases) most distinctive of each cluster."""
    vectoriser = CountVectorizer(stop_words="english", ngram_range=(1, 2), max_features=20_000)
    try:
        counts = vectoriser.fit_transform(texts)
    except ValueError:
        return [[] for _ in range(k)]
    vocabulary = np.asarray(vectoriser.get_feature_names_out())
    per_cluster = np.vstack(
        [np.asarray(counts[clusters == c].sum(axis=0)).ravel() for c in range(k)]
    )
    tf = per_cluster / np.clip(per_cluster.sum(axis=1, keepdims=True), 1, None)
    idf = np.log(1 + per_cluster.sum() / np.clip(per_cluster.sum(axis=0), 1, None))
    weights = tf * idf
    ignored = {w[:5] for w in re.findall(r"[a-z]+", ignore.lower())}
    weights[:, [any(w[:5] in ignored for w in str(t).split()) for t in vocabulary]] = 0
    return [_top_terms(weights[c], vocabulary, top) for c in range(k)]


def _top_terms(weights: np.ndarray, vocabulary: np.ndarray, top: int) -> list[str]:
    chosen: list[str] = []
    for index in np.argsort(-weights):
        term = str(vocabulary[index])
        if weights[index] <= 0 or len(chosen) == top:
            break
        if not any(term in c or c in term for c in chosen):
            chosen.append(term)
    return chosen


def _representative_sentence(
    vectors: Vectors, texts: Sequence[str], clusters: np.ndarray, c: int, centres: Vectors
) -> str:
    members = np.flatnonzero(clusters == c)
    best = members[int(np.argmax(vectors[members] @ centres[c]))]
    sentences = [s for s in _SENTENCE.split(texts[best].strip()) if s]
    sentence = next((s for s in sentences if len(s.split()) >= 6), texts[best])
    words = sentence.split()
    return " ".join(words[:25]) + (" …" if len(words) > 25 else "")


def _theme(theme_id: str, words: list[str], sentence: str) -> Theme:
    label = ", ".join(words).capitalize() if words else f"Theme {theme_id}"
    about = " and ".join([", ".join(words[:-1]), words[-1]]) if len(words) > 1 else label
    description = f"Responses about {about}, typically: \u201c{sentence}\u201d"
    return Theme(theme_id, label, description, "discovered")
