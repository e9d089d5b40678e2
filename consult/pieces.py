"""Split responses into sentence-sized pieces and embed them, within a budget.

A response often raises several themes, one per sentence. Scoring themes against its pieces
(``mapping``) and clustering pieces (``discovery``) keeps one theme's sentence from being diluted
by the others. Pieces cost extra embedding, so they are embedded only while the number of pieces
stays within ``PIECE_BUDGET``; a larger consultation falls back to whole responses.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from assistant.ports import Embedder, Vectors
from consult.embedding import Progress, embed_unique

MAX_PIECES = 4  # per response; later sentences join the last piece
MIN_WORDS = 4  # a shorter sentence ("Yes.", "Ban them now.") joins its neighbour
PIECE_BUDGET = 4_000  # about 50 s of MiniLM on a quiet 2-core machine
_SENTENCE = re.compile(r"(?<=[.!?;])\s+")


@dataclass(frozen=True)
class Pieces:
    """Piece vectors and, for each piece, the row of the response it came from."""

    vectors: Vectors
    owners: npt.NDArray[np.int64]
    texts: tuple[str, ...] = ()


def split_into_pieces(text: str, limit: int = MAX_PIECES) -> list[str]:
    """A response's sentences, short ones joined to the previous one, at most ``limit``."""
    pieces: list[str] = []
    for sentence in _SENTENCE.split(text.strip()):
        if pieces and (len(sentence.split()) < MIN_WORDS or len(pieces) == limit):
            pieces[-1] = f"{pieces[-1]} {sentence}"
        elif sentence:
            pieces.append(sentence)
    if len(pieces) > 1 and len(pieces[0].split()) < MIN_WORDS:
        pieces[:2] = [f"{pieces[0]} {pieces[1]}"]
    return pieces or [text]


def embed_pieces(
    texts: Sequence[str],
    vectors: Vectors,
    embedder: Embedder,
    budget: int = PIECE_BUDGET,
    progress: Progress | None = None,
) -> Pieces | None:
    """Pieces of every response; single-piece responses reuse ``vectors``. None over budget."""
    split = [split_into_pieces(t) for t in texts]
    extra = [p for parts in split if len(parts) > 1 for p in parts]
    if len(extra) > budget:
        return None
    embedded = embed_unique(extra, embedder, progress) if extra else vectors[:0]
    rows: list[Vectors] = []
    owners: list[int] = []
    at = 0
    for row, parts in enumerate(split):
        if len(parts) == 1:
            rows.append(vectors[row : row + 1])
        else:
            rows.append(embedded[at : at + len(parts)])
            at += len(parts)
        owners.extend([row] * len(parts))
    stacked = np.asarray(np.vstack(rows) if rows else vectors[:0], dtype=np.float32)
    pieces = [
        texts[o] if len(split[o]) == 1 else p for o, p in zip(owners, _flat(split), strict=True)
    ]
    return Pieces(stacked, np.asarray(owners, dtype=np.int64), tuple(pieces))


def keep_rows(pieces: Pieces | None, rows: Sequence[int]) -> Pieces | None:
    """The pieces of the responses in ``rows`` only, their owners numbered by place in
    ``rows`` (to theme some responses and not others)."""
    if pieces is None:
        return None
    place = {row: at for at, row in enumerate(rows)}
    kept = [i for i, owner in enumerate(pieces.owners.tolist()) if owner in place]
    owners = np.asarray([place[int(pieces.owners[i])] for i in kept], dtype=np.int64)
    texts = tuple(pieces.texts[i] for i in kept) if pieces.texts else ()
    return Pieces(pieces.vectors[kept], owners, texts)


def _flat(split: list[list[str]]) -> list[str]:
    return [p for parts in split for p in parts]


def top_two_mean(pieces: Pieces, centres: Vectors, responses: int) -> npt.NDArray[np.float32]:
    """Per response and theme, the mean of the two best piece scores (the one, if one piece)."""
    sims = pieces.vectors @ centres.T
    out = np.zeros((responses, centres.shape[0]), dtype=np.float32)
    order = np.argsort(pieces.owners, kind="stable")
    starts = np.searchsorted(pieces.owners[order], np.arange(responses + 1))
    for row in range(responses):
        block = sims[order[starts[row] : starts[row + 1]]]
        if len(block) == 1:
            out[row] = block[0]
        elif len(block) > 1:
            out[row] = np.sort(block, axis=0)[-2:].mean(axis=0)
    return out
