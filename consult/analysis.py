"""Analyse one question: embed, position, flag evidence, discover or apply themes, map.

``QuestionResult`` is the state a reviewer works on (``review``) and exports (``export``). Vectors
and scores live in memory only; ``review.load_result`` recomputes them after loading JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from assistant.ports import ChatModel, Embedder, Vectors
from consult.discovery import Discovery, discover_themes
from consult.embedding import Progress, embed_unique, normalise_rows
from consult.evidence import evidence_signals
from consult.mapping import (
    CAP,
    MARGIN,
    MIN_LABELS_TO_FIT,
    Labels,
    Scores,
    assign,
    choose_rule,
    taught_scores,
    zero_shot_scores,
)
from consult.pieces import Pieces, embed_pieces, keep_rows
from consult.positions import Position, read_position, read_positions
from consult.responses import Question
from consult.themes import Framework, Theme


@dataclass
class QuestionResult:
    """Themes, mappings, positions and evidence flags for one question, plus review state."""

    question: Question
    themes: list[Theme]
    assignments: list[list[str]]  # theme ids per response, aligned with question.responses
    positions: list[Position]
    evidence: list[list[str]]
    corrections: dict[str, list[str]] = field(default_factory=dict)  # response id -> theme ids
    position_corrections: dict[str, Position] = field(default_factory=dict)  # by a reviewer
    signed_off: bool = False
    signed_off_by: str = ""
    reviewed: bool = False  # a reviewer changed themes, mappings or positions, or signed off
    # theme id -> the responses its vector is built from (its discovery cluster, or what a
    # merge or split gave it); recorded at the first re-map, never taken from a later mapping
    anchors: dict[str, list[str]] | None = None
    margin: float = MARGIN
    cap: int = CAP  # most themes per response
    vectors: Vectors | None = field(default=None, repr=False)
    pieces: Pieces | None = field(default=None, repr=False)
    scores: Scores | None = field(default=None, repr=False)
    # whether the wording decided each position (False: the default, "agree"); read with the
    # positions, or on first use for a result rebuilt from a saved review
    worded: list[bool] = field(default_factory=list, repr=False)

    @property
    def texts(self) -> list[str]:
        """The themed responses' texts, in order."""
        return [r.text for r in self.question.responses]

    def position_worded(self) -> list[bool]:
        """``worded``, read once from the answers if it is not known yet."""
        if len(self.worded) != len(self.question.responses):
            self.worded = [read_position(t, self.question.text)[1] for t in self.texts]
        return self.worded

    def corrected(self, response_id: str) -> bool:
        """True when a reviewer corrected this response's themes or its position."""
        return response_id in self.corrections or response_id in self.position_corrections

    def theme(self, theme_id: str) -> Theme | None:
        """The theme with this id, if any."""
        return next((t for t in self.themes if t.theme_id == theme_id), None)

    def unmatched(self) -> list[int]:
        """Rows of responses that fit no theme (or only a catch-all one); answers that give no
        reason are never themed, so never unmatched."""
        catch = {t.theme_id for t in self.themes if t.catch_all}
        return [i for i, (ids, r) in enumerate(zip(self.assignments, self.question.responses,
                                                    strict=True))
                if not set(ids) - catch and (r.themable or ids)]


def themable_rows(question: Question) -> list[int]:
    """Rows of the responses that give something to theme (not a bare "Agree" or "?")."""
    return [row for row, r in enumerate(question.responses) if r.themable]


def analyse_question(
    question: Question,
    embedder: Embedder,
    *,
    framework: Framework | None = None,
    llm: ChatModel | None = None,
    k: int | None = None,
    progress: Progress | None = None,
) -> QuestionResult:
    """Theme one question offline (discovering themes unless a framework is given)."""
    texts = [r.text for r in question.responses]
    vectors = embed_unique(texts, embedder, progress)
    pieces = embed_pieces(texts, vectors, embedder)
    rows = themable_rows(question)  # answers with no reason are not themed
    discovery = None
    if framework is not None:
        themes = list(framework.themes)
    else:
        some = [texts[i] for i in rows]
        discovery = discover_themes(vectors[rows], some, k, question=question.text,
                                    pieces=keep_rows(pieces, rows))
        themes = list(discovery.themes)
        if llm is not None and themes:
            themes = _refine(question.text, some, vectors[rows], discovery, llm)
    read = read_positions(texts, question.text)
    assignments: list[list[str]] = [[] for _ in texts]
    if discovery is not None:
        for row, ids in zip(rows, _clusters(discovery, themes), strict=True):
            assignments[row] = ids
    result = QuestionResult(
        question=question,
        themes=themes,
        assignments=assignments,
        positions=[position for position, _ in read],
        evidence=[evidence_signals(t) for t in texts],
        vectors=vectors,
        pieces=pieces,
        signed_off=framework.signed_off if framework else False,
        signed_off_by=framework.signed_off_by if framework else "",
        worded=[worded for _, worded in read],
    )
    remap(result, embedder)
    if llm is not None:
        map_by_model(result, llm)
    return result


def _refine(
    question: str, texts: list[str], vectors: Vectors, discovery: Discovery, llm: ChatModel
) -> list[Theme]:
    """The model stages, shown each theme's five most central responses."""
    from consult.refining import refine_themes

    nearest = np.argsort(-(vectors @ discovery.centres.T), axis=0)[:5]
    themes = list(discovery.themes)
    quotes = {t.theme_id: [texts[i] for i in nearest[:, c]] for c, t in enumerate(themes)}
    return refine_themes(question, themes, texts, llm, quotes)


def map_by_model(result: QuestionResult, llm: ChatModel) -> None:
    """Themefinder's map stage: the model's theme ids replace the offline ones it answered for."""
    from consult.refining import map_with_model

    pairs = [(r.response_id, r.text) for r in result.question.responses if r.themable]
    mapped = map_with_model(result.question.text, result.themes, pairs, llm)
    catch_all = [t.theme_id for t in result.themes if t.catch_all][:1]
    for row, response in enumerate(result.question.responses):
        rid = response.response_id
        if rid in mapped and rid not in result.corrections:
            result.assignments[row] = mapped[rid] or catch_all


def _clusters(discovery: Discovery | None, themes: list[Theme]) -> list[list[str]]:
    """Each response's discovered theme, where the model stages kept it."""
    assert discovery is not None
    kept = {t.theme_id for t in themes}
    members = discovery.memberships or tuple((c,) for c in discovery.clusters)
    ids = [[discovery.themes[c].theme_id for c in m] for m in members]
    return [[i for i in m if i in kept] for m in ids]


def theme_anchors(result: QuestionResult) -> dict[str, list[str]]:
    """``result.anchors``, recorded from the current mapping the first time it is needed (the
    discovery clusters, for a fresh analysis)."""
    if result.anchors is None:
        result.anchors = {t.theme_id: [r.response_id for r, ids in zip(
            result.question.responses, result.assignments, strict=True) if t.theme_id in ids]
            for t in result.themes}
    return result.anchors


ANCHOR_WEIGHT = 6  # a theme's anchor responses' mean, against its three word views


def anchor_rows(result: QuestionResult, theme: Theme) -> list[int]:
    """Rows that anchor ``theme``'s vector: its anchors, as a reviewer corrected them (a
    corrected response counts where the reviewer put it). Never the last mapping's output: a
    vector built from it fed each re-map into the next, so no two re-maps agreed."""
    held = set(theme_anchors(result).get(theme.theme_id, ()))
    rows = []
    for row, response in enumerate(result.question.responses):
        fixed = result.corrections.get(response.response_id)
        if (theme.theme_id in fixed) if fixed is not None else response.response_id in held:
            rows.append(row)
    return rows


def theme_vectors(result: QuestionResult, embedder: Embedder, *, taught: bool = False) -> Vectors:
    """Each theme's vector: label, description and both together, plus its anchor responses
    (for discovered and reviewer-made themes). A framework's themes are mapped on their words,
    plus, until there are enough corrections to be ``taught``, the responses a reviewer put in
    them, each counting once (up to the weight anchors have)."""
    assert result.vectors is not None
    if not result.themes:
        return np.zeros((0, result.vectors.shape[1]), dtype=np.float32)
    themes = result.themes
    views = (
        [t.text for t in themes]
        + [t.label for t in themes]
        + [t.description or t.label for t in themes]
    )
    base = embedder.embed(views).reshape(3, len(themes), -1).sum(axis=0)
    for column, theme in enumerate(themes):
        # a discovered theme, or one a reviewer made from them (renamed, merged, split), is
        # anchored by its responses: its new label alone would lose most of them on re-mapping
        if theme.origin in ("discovered", "reviewer"):
            members, weight = anchor_rows(result, theme), ANCHOR_WEIGHT
        else:
            members = [] if taught else placed_rows(result, theme)
            weight = min(len(members), ANCHOR_WEIGHT)
        if members:
            base[column] = base[column] + weight * result.vectors[members].mean(axis=0)
    return normalise_rows(base)


def placed_rows(result: QuestionResult, theme: Theme) -> list[int]:
    """Rows of the responses a reviewer put in ``theme``."""
    return [row for row, r in enumerate(result.question.responses)
            if theme.theme_id in result.corrections.get(r.response_id, ())]


def remap(result: QuestionResult, embedder: Embedder) -> list[str]:
    """Map every response not corrected by a reviewer, learning from the corrections; returns
    the ids of the responses whose themes changed.

    The same themes, anchors and corrections always give the same mapping. Until there are
    MIN_LABELS_TO_FIT corrections they act only through the vectors of the themes they put
    responses in: scoring stays zero-shot on sentence pieces, as at analysis, and the margin and
    cap keep their defaults (taught by four corrections, every theme the corrected responses
    held moved half-way to them, the margin and cap were fitted to noise, and 94 of 116
    responses changed themes)."""
    before = [set(ids) for ids in result.assignments]
    if result.vectors is None:
        result.vectors = embed_unique(result.texts, embedder)
    if result.pieces is None:
        result.pieces = embed_pieces(result.texts, result.vectors, embedder)
    theme_anchors(result)
    rows = themable_rows(result.question)
    labels = _relabel(correction_labels(result), rows)
    fit = len(labels) >= MIN_LABELS_TO_FIT
    centres = theme_vectors(result, embedder, taught=fit)
    scores = _scores(result, centres, rows, labels if fit else {}, fit)
    result.margin, result.cap = choose_rule(scores, result.themes, labels) if fit \
        else (MARGIN, CAP)
    columns = dict(zip(rows, assign(scores, result.themes, result.margin, cap=result.cap),
                       strict=True))
    result.scores = np.full((len(result.texts), len(result.themes)), -np.inf, dtype=np.float32)
    result.scores[rows] = scores
    for row, response in enumerate(result.question.responses):
        corrected = result.corrections.get(response.response_id)
        mapped = [result.themes[c].theme_id for c in columns.get(row, [])]
        result.assignments[row] = list(corrected if corrected is not None else mapped)
    return [response.response_id for response, ids, old in zip(
        result.question.responses, result.assignments, before, strict=False) if set(ids) != old]


def _scores(result: QuestionResult, centres: Vectors, rows: list[int], labels: Labels,
            fit: bool) -> Scores:
    """Scores of the responses in ``rows``: taught on whole responses once there are enough
    labels to fit the rule, else zero-shot on pieces, as at analysis."""
    assert result.vectors is not None
    every = result.texts  # built afresh on each use: once here, not once per row
    vectors, texts = result.vectors[rows], [every[i] for i in rows]
    if fit:
        return taught_scores(vectors, texts, result.themes, centres, labels)
    return zero_shot_scores(vectors, texts, result.themes, centres,
                            pieces=keep_rows(result.pieces, rows))


def _relabel(labels: Labels, rows: list[int]) -> Labels:
    """``labels`` by place in ``rows`` (a correction of an unthemed answer teaches nothing)."""
    place = {row: at for at, row in enumerate(rows)}
    return {place[row]: cols for row, cols in labels.items() if row in place}


def correction_labels(result: QuestionResult) -> Labels:
    """The reviewer's corrections as response rows -> theme columns."""
    column = {t.theme_id: c for c, t in enumerate(result.themes)}
    row = {r.response_id: i for i, r in enumerate(result.question.responses)}
    return {
        row[rid]: {column[t] for t in ids if t in column}
        for rid, ids in result.corrections.items()
        if rid in row
    }
