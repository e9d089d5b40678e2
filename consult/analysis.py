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
    Labels,
    Scores,
    assign,
    choose_rule,
    taught_scores,
    zero_shot_scores,
)
from consult.pieces import Pieces, embed_pieces
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
    margin: float = 0.05
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
        """Rows of responses that fit no theme (or only a catch-all one)."""
        catch = {t.theme_id for t in self.themes if t.catch_all}
        return [i for i, ids in enumerate(self.assignments) if not set(ids) - catch]


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
    discovery = None
    if framework is not None:
        themes = list(framework.themes)
    else:
        discovery = discover_themes(vectors, texts, k, question=question.text, pieces=pieces)
        themes = list(discovery.themes)
        if llm is not None and themes:
            themes = _refine(question.text, texts, vectors, discovery, llm)
    read = read_positions(texts, question.text)
    result = QuestionResult(
        question=question,
        themes=themes,
        assignments=[[] for _ in texts] if framework else _clusters(discovery, themes),
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

    pairs = [(r.response_id, r.text) for r in result.question.responses]
    mapped = map_with_model(result.question.text, result.themes, pairs, llm)
    catch_all = [t.theme_id for t in result.themes if t.catch_all][:1]
    for row, (rid, _) in enumerate(pairs):
        if rid in mapped and rid not in result.corrections:
            result.assignments[row] = mapped[rid] or catch_all


def _clusters(discovery: Discovery | None, themes: list[Theme]) -> list[list[str]]:
    """Each response's discovered theme, where the model stages kept it."""
    assert discovery is not None
    kept = {t.theme_id for t in themes}
    members = discovery.memberships or tuple((c,) for c in discovery.clusters)
    ids = [[discovery.themes[c].theme_id for c in m] for m in members]
    return [[i for i in m if i in kept] for m in ids]


def theme_vectors(result: QuestionResult, embedder: Embedder) -> Vectors:
    """Each theme's vector: label, description and both together, plus its current members
    (for discovered and reviewer-made themes; a framework's themes are mapped on their words)."""
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
        members = [i for i, ids in enumerate(result.assignments) if theme.theme_id in ids]
        # a discovered theme, or one a reviewer made from them (renamed, merged, split), is
        # anchored by its responses: its new label alone would lose most of them on re-mapping
        if theme.origin in ("discovered", "reviewer") and members:
            base[column] = base[column] + 6 * result.vectors[members].mean(axis=0)
    return normalise_rows(base)


def remap(result: QuestionResult, embedder: Embedder) -> list[str]:
    """Map every response not corrected by a reviewer, learning from the corrections; returns
    the ids of the responses whose themes changed."""
    before = [set(ids) for ids in result.assignments]
    if result.vectors is None:
        result.vectors = embed_unique(result.texts, embedder)
    if result.pieces is None:
        result.pieces = embed_pieces(result.texts, result.vectors, embedder)
    centres = theme_vectors(result, embedder)
    labels = correction_labels(result)
    texts, themes, pieces = result.texts, result.themes, result.pieces
    if labels:
        result.scores = taught_scores(result.vectors, texts, themes, centres, labels)
    else:
        result.scores = zero_shot_scores(result.vectors, texts, themes, centres, pieces=pieces)
    result.margin, result.cap = choose_rule(result.scores, themes, labels)
    columns = assign(result.scores, themes, result.margin, cap=result.cap)
    for row, response in enumerate(result.question.responses):
        corrected = result.corrections.get(response.response_id)
        chosen = corrected if corrected is not None else [themes[c].theme_id for c in columns[row]]
        result.assignments[row] = list(chosen)
    return [response.response_id for response, ids, old in zip(
        result.question.responses, result.assignments, before, strict=False) if set(ids) != old]


def correction_labels(result: QuestionResult) -> Labels:
    """The reviewer's corrections as response rows -> theme columns."""
    column = {t.theme_id: c for c, t in enumerate(result.themes)}
    row = {r.response_id: i for i, r in enumerate(result.question.responses)}
    return {
        row[rid]: {column[t] for t in ids if t in column}
        for rid, ids in result.corrections.items()
        if rid in row
    }
