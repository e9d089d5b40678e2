"""Offline theme discovery: k-means on response embeddings, labelled from their own words.

Each cluster is labelled with its most distinctive words (class-based TF-IDF: frequent in the
cluster, rare in the others) and described by those words alone: no respondent's sentence is
copied into a theme, which may be signed off and shared. A model, when configured, renames and
refines these (``refining``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.cluster import KMeans, kmeans_plusplus
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

from assistant.ports import Vectors
from consult.embedding import normalise_rows
from consult.pieces import Pieces
from consult.themes import Theme

MIN_THEMES = 3
# label words: letters only (no digits, "a0"), never a web address's parts ("http", "www") or a
# contraction's fragment ("ve" of "I've", "don" of "don't")
_LABEL_WORD = r"(?u)\b[^\W\d_]{2,}\b"
# every part is bounded or cannot overlap itself, so no answer can make the search backtrack
# without end ("a@a@a@..." took minutes with an unbounded e-mail pattern)
_NOT_LABEL_WORDS = re.compile(
    r"\b(?:https?://|www\.)\S+"
    r"|[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+"
    r"|\b\w{1,40}['\u2019]\w{1,40}\b"
    r"|\b(?:https?|www|com|org|html?)\b"
)
MAX_THEMES = 30
SAMPLE_FOR_SEEDING = 2_000
SAME_CENTRE = 0.9  # cosine similarity above which two clusters are one theme


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
    # k-means splits a big topic into near-copies: merge those with (almost) the same centre,
    # then those labelled with the same words
    labels, centres = _merged(points, labels, centres, centres @ centres.T > SAME_CENTRE)
    cleaned = [_label_text(t) for t in point_texts]  # once: the loop below recounts words
    words = _distinctive_words(cleaned, labels, len(centres), ignore=question)
    for _ in range(MAX_THEMES):  # merging changes every cluster's distinctive words
        same_words = np.array([[bool(a) and set(a) == set(b) for b in words] for a in words])
        if same_words.sum() <= len(words):
            break
        labels, centres = _merged(points, labels, centres, same_words)
        words = _distinctive_words(cleaned, labels, len(centres), ignore=question)
    themes = _unique_labels([_theme(f"D{c + 1}", words[c]) for c in range(len(centres))])
    members = _memberships(labels, owners, len(texts))
    clusters = tuple(
        _main_cluster(points, owners, row, m, centres) for row, m in enumerate(members)
    )
    return Discovery(themes, centres, clusters, members)


def _merged(
    points: Vectors, labels: np.ndarray, centres: Vectors, same: np.ndarray
) -> tuple[np.ndarray, Vectors]:
    """Clusters joined wherever ``same[a, b]`` (transitively), renumbered 0..k-1, with their
    centres recomputed from their points."""
    group = list(range(len(centres)))

    def root(c: int) -> int:
        while group[c] != c:
            c = group[c]
        return c

    for a, b in zip(*np.nonzero(np.triu(same, 1)), strict=True):
        group[root(int(b))] = root(int(a))
    if all(root(c) == c for c in range(len(group))):
        return labels, centres
    roots = np.array([root(c) for c in range(len(centres))])
    labels = np.searchsorted(np.unique(roots), roots[labels])
    merged = [np.asarray(points[labels == c]).mean(axis=0) for c in range(int(labels.max()) + 1)]
    return labels, normalise_rows(np.vstack(merged).astype(np.float32))


def _unique_labels(themes: list[Theme]) -> tuple[Theme, ...]:
    """Themes whose labels are all different: a repeated label gets " (2)", " (3)"..."""
    seen: dict[str, int] = {}
    out = []
    for theme in themes:
        seen[theme.label] = seen.get(theme.label, 0) + 1
        label = theme.label if seen[theme.label] == 1 else f"{theme.label} ({seen[theme.label]})"
        out.append(Theme(theme.theme_id, label, theme.description, theme.origin))
    return tuple(out)


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


# words that say how someone feels or talks, not what about: never a theme's label
# ("Agree, big, bit", "Yes, near, way")
_NOT_TOPICS = frozenset(ENGLISH_STOP_WORDS | {
    "yes", "yeah", "agree", "agreed", "disagree", "strongly", "totally", "definitely",
    "absolutely", "really", "just", "bit", "big", "way", "lot", "lots", "like", "know", "think",
    "thinks", "want", "make", "making", "made", "let", "rid", "sure", "ok", "okay", "idea",
    "thing", "things", "tbh", "idk", "actually", "maybe", "probably", "pretty", "quite",
    "honestly", "simply", "course", "point", "good", "bad", "great", "need", "needs", "say",
    "said", "feel", "view", "views", "opinion", "support", "oppose", "proposal", "question",
})


def distinctive_words(
    texts: Sequence[str], clusters: np.ndarray, k: int, top: int = 3, ignore: str = ""
) -> list[list[str]]:
    """The ``top`` words (or two-word phrases) most distinctive of each cluster."""
    return _distinctive_words([_label_text(t) for t in texts], clusters, k, top, ignore)


def _distinctive_words(
    cleaned: Sequence[str], clusters: np.ndarray, k: int, top: int = 3, ignore: str = ""
) -> list[list[str]]:
    """``distinctive_words`` of texts already cleaned by ``_label_text``."""
    vectoriser = CountVectorizer(stop_words=list(_NOT_TOPICS), ngram_range=(1, 2),
                                 max_features=20_000,
                                 lowercase=False, token_pattern=_LABEL_WORD)
    try:
        counts = vectoriser.fit_transform(cleaned)
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


def _label_text(text: str) -> str:
    """Text for choosing label words: lower case, without addresses and contractions."""
    return _NOT_LABEL_WORDS.sub(" ", text.lower())


def _top_terms(weights: np.ndarray, vocabulary: np.ndarray, top: int) -> list[str]:
    chosen: list[str] = []
    for index in np.argsort(-weights):
        term = str(vocabulary[index])
        if weights[index] <= 0 or len(chosen) == top:
            break
        if not any(term in c or c in term for c in chosen):
            chosen.append(term)
    return chosen


def _theme(theme_id: str, words: list[str]) -> Theme:
    label = ", ".join(words).capitalize() if words else f"Theme {theme_id}"
    about = " and ".join([", ".join(words[:-1]), words[-1]]) if len(words) > 1 else label
    # the description names the words only: a respondent's sentence in it would travel into the
    # signed-off framework and the Themes sheet (the page shows quotes beside each theme)
    return Theme(theme_id, label, f"Responses about {about}.", "discovered")
