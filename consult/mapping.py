"""Map responses to themes: zero-shot scores, reviewer-taught scores, and the assignment rule.

Zero-shot, a theme's score for a response is the cosine between their vectors, after each theme
vector has been moved towards its ten nearest responses (pseudo-relevance feedback), plus a small
TF-IDF word-overlap term. A response takes its best theme and any other within ``margin`` of it.
Reviewer labels add each theme's labelled responses to its vector and choose the margin.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping, Sequence

import numpy as np
import numpy.typing as npt
from sklearn.feature_extraction.text import TfidfVectorizer

from assistant.ports import Vectors
from consult.embedding import normalise_rows
from consult.pieces import Pieces, top_two_mean
from consult.themes import Theme

Scores = npt.NDArray[np.float32]
Labels = Mapping[int, set[int]]  # response row -> theme columns a reviewer confirmed

MARGIN = 0.05
FLOOR = 0.1
CAP = 3
LEXICAL_WEIGHT = 0.3
FEEDBACK_K = 10
# corrections needed before the margin and cap are fitted to them: with fewer, the search over
# 123 (margin, cap) pairs fits noise (four labels chose cap 3 and a wide margin)
MIN_LABELS_TO_FIT = 15


def zero_shot_scores(
    vectors: Vectors,
    texts: Sequence[str],
    themes: Sequence[Theme],
    theme_vectors: Vectors,
    *,
    pieces: Pieces | None = None,
) -> Scores:
    """Scores (responses x themes); catch-all themes score -inf (they take the leftovers).

    With ``pieces``, a response's similarity to a theme is the mean of its two best pieces'.
    """
    centres = _feedback(vectors, theme_vectors)
    return _finish(_similarity(vectors, centres, pieces), texts, themes)


def taught_scores(
    vectors: Vectors,
    texts: Sequence[str],
    themes: Sequence[Theme],
    theme_vectors: Vectors,
    labels: Labels,
    *,
    pieces: Pieces | None = None,
) -> Scores:
    """Scores after a reviewer's labels: theme vectors plus the mean of their labelled responses."""
    centres = _feedback(vectors, theme_vectors).copy()
    for column in range(len(themes)):
        rows = [row for row, cols in labels.items() if column in cols]
        if rows:
            centres[column] = centres[column] + vectors[rows].mean(axis=0)
    return _finish(_similarity(vectors, normalise_rows(centres), pieces), texts, themes)


def _similarity(vectors: Vectors, centres: Vectors, pieces: Pieces | None) -> Scores:
    if pieces is None:
        return np.asarray(vectors @ centres.T, dtype=np.float32)
    return top_two_mean(pieces, centres, len(vectors))


def _feedback(vectors: Vectors, theme_vectors: Vectors) -> Vectors:
    centres = theme_vectors.copy()
    if len(vectors) == 0:
        return centres
    k = min(FEEDBACK_K, len(vectors))
    for _ in range(2):
        sims = vectors @ centres.T
        top = np.argpartition(-sims, k - 1, axis=0)[:k]  # (k, themes)
        centres = normalise_rows(theme_vectors + vectors[top].mean(axis=0))
    return centres


def _finish(sims: Scores, texts: Sequence[str], themes: Sequence[Theme]) -> Scores:
    scores = (sims + LEXICAL_WEIGHT * lexical_overlap(texts, [t.text for t in themes])).astype(
        np.float32
    )
    for column, theme in enumerate(themes):
        if theme.catch_all:
            scores[:, column] = -np.inf
    return scores


def lexical_overlap(texts: Sequence[str], theme_texts: Sequence[str]) -> Scores:
    """TF-IDF cosine between each response and each theme text (English stop words removed)."""
    if not texts or not theme_texts:
        return np.zeros((len(texts), len(theme_texts)), dtype=np.float32)
    vectoriser = TfidfVectorizer(stop_words="english", sublinear_tf=True, dtype=np.float32)
    try:
        vectoriser.fit([*texts, *theme_texts])
    except ValueError:  # every word was a stop word
        return np.zeros((len(texts), len(theme_texts)), dtype=np.float32)
    product = vectoriser.transform(texts) @ vectoriser.transform(theme_texts).T
    return np.asarray(product.toarray(), dtype=np.float32)


def assign(
    scores: Scores,
    themes: Sequence[Theme],
    margin: float = MARGIN,
    floor: float = FLOOR,
    *,
    cap: int = CAP,
) -> list[list[int]]:
    """Theme columns per response: the best and any within ``margin``; leftovers to a catch-all."""
    catch_all = next((c for c, t in enumerate(themes) if t.catch_all), None)
    out: list[list[int]] = []
    for row in scores:
        best = float(np.max(row)) if row.size else -np.inf
        if best < floor:
            out.append([] if catch_all is None else [catch_all])
            continue
        order = np.argsort(-row)[:cap]
        out.append([int(c) for c in order if row[c] >= best - margin])
    return out


def choose_rule(scores: Scores, themes: Sequence[Theme], labels: Labels) -> tuple[float, int]:
    """The margin and cap that best reproduce the reviewer's labels; the defaults with fewer
    than MIN_LABELS_TO_FIT.

    Ties go to the smaller margin and cap (fewer labels per response).
    """
    if len(labels) < MIN_LABELS_TO_FIT:
        return MARGIN, CAP
    rows = sorted(labels)
    gold = [labels[r] for r in rows]
    candidates = [(round(float(m), 3), c) for c in (1, 2, 3) for m in np.linspace(0.0, 0.2, 41)]
    return max(
        candidates,
        key=lambda mc: (micro_f1(assign(scores[rows], themes, mc[0], cap=mc[1]), gold), -mc[0]),
    )


def micro_f1(
    predicted: Sequence[Collection[Hashable]], gold: Sequence[Collection[Hashable]]
) -> float:
    """Micro-averaged F1 of multi-label predictions."""
    hits = sum(len(set(p) & set(g)) for p, g in zip(predicted, gold, strict=True))
    made = sum(len(p) for p in predicted)
    wanted = sum(len(g) for g in gold)
    if hits == 0:
        return 0.0
    precision, recall = hits / made, hits / wanted
    return 2 * precision * recall / (precision + recall)
