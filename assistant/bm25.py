"""The persisted BM25 index (``bm25s``), kept in step with the chunk index.

Lives under ``<store_dir>/bm25/``: one folder per snapshot plus a ``CURRENT`` file naming the live
one. A snapshot is written to a temporary folder, renamed into place, and only then named in
``CURRENT`` (``os.replace``), so a reader never sees a half-written index. Each snapshot records
the fingerprint of the index's document records (``fingerprint``); when that differs from the chunk
index's, the snapshot is stale and is rebuilt from ``index.get_chunks()``, which is also how an
app that talks to a Chroma server builds its own.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import re
import shutil
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from filelock import FileLock

from assistant.acronyms import Acronyms
from assistant.ports import ChunkIndex
from assistant.spelling import Speller
from assistant.types import Chunk, ChunkFilter, matches

log = logging.getLogger(__name__)

ANALYSER_VERSION = "en-snowball-1"  # bump when tokenisation changes: old snapshots go stale
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_CURRENT = "CURRENT"


@lru_cache(maxsize=1)
def _analyser() -> tuple[frozenset[str], Any]:
    import Stemmer
    from bm25s.stopwords import STOPWORDS_EN_PLUS

    return frozenset(STOPWORDS_EN_PLUS), Stemmer.Stemmer("english")


def analyse(text: str) -> list[str]:
    """Lower-case words, English stopwords dropped, Snowball-stemmed."""
    stop, stemmer = _analyser()
    words = [w.replace("'", "") for w in _WORD.findall(text.lower())]
    return list(stemmer.stemWords([w for w in words if w not in stop and len(w) > 1]))


@lru_cache(maxsize=2_000)
def words_in_order(text: str) -> tuple[str, ...]:
    """The analysed words of a text in order (cached: the best chunks repeat across checks)."""
    return tuple(analyse(text))


def holds_in_order(words: Sequence[str], run: Sequence[str], gap: int = 1) -> bool:
    """Whether ``run``'s words appear in ``words`` in order, each at most ``gap`` words after
    the one before."""
    for start, word in enumerate(words):
        if word != run[0]:
            continue
        at = start
        for token in run[1:]:
            window = list(words[at + 1:at + 2 + gap])
            if token not in window:
                break
            at += 1 + window.index(token)
        else:
            return True
    return False


@lru_cache(maxsize=50_000)
def words_of(text: str) -> frozenset[str]:
    """The analysed words of a text (cached: chunk texts repeat across queries)."""
    return frozenset(analyse(text))


def fingerprint(index: ChunkIndex) -> str:
    """sha256 over the sorted ``doc_id:version:pipeline:pending_version`` of the index's documents
    and the analyser: a document re-chunked from the same file (new chunk settings or chunker)
    counts as changed too, and a snapshot taken mid-write (old and new chunks both present) never
    matches the finished state, so BM25 never keeps chunks Chroma no longer has."""
    items = sorted(f"{r.doc_id}:{r.version}:{r.pipeline}:{r.pending_version}"
                   for r in index.get_documents())
    return hashlib.sha256("\n".join([ANALYSER_VERSION, *items]).encode()).hexdigest()


@dataclass
class Bm25Index:
    """A bm25s model over chunks (title, section and text), with the chunks it covers."""

    model: Any
    chunks: list[Chunk]
    fingerprint: str
    _masks: dict[ChunkFilter, npt.NDArray[np.float32]] = field(default_factory=dict, repr=False)
    _df: npt.NDArray[np.int64] | None = field(default=None, repr=False)
    _speller: Speller | None = field(default=None, repr=False)
    _acronyms: Acronyms | None = field(default=None, repr=False)
    _by_id: dict[str, Chunk] | None = field(default=None, repr=False)
    _by_place: dict[tuple[str, str, int], Chunk] | None = field(default=None, repr=False)

    @classmethod
    def build(cls, chunks: Sequence[Chunk], fp: str) -> Bm25Index:
        """Tokenise and index ``chunks``."""
        import bm25s

        model = bm25s.BM25()
        corpus = [analyse(c.embedding_text) or [""] for c in chunks]
        if corpus:
            model.index(corpus, show_progress=False)
        return cls(model, list(chunks), fp)

    def search(self, query: str, n: int, where: ChunkFilter | None = None
               ) -> list[tuple[Chunk, float]]:
        """The ``n`` best chunks for ``query`` by BM25 (score > 0 only), best first."""
        vocab = getattr(self.model, "vocab_dict", None) or {}
        ids = [vocab[t] for t in analyse(query) if t in vocab]
        if not ids or not self.chunks:
            return []
        scores = self.model.get_scores_from_ids(ids, weight_mask=self._mask(where))
        n = min(n, len(scores))
        top = np.argpartition(-scores, n - 1)[:n]
        # equal scores in chunk-id order, as the dense hits, so that copies rank the same way
        # whatever order the chunks were indexed in
        ranked = sorted(top, key=lambda i: (-float(scores[i]), self.chunks[i].chunk_id))
        return [(self.chunks[i], float(scores[i])) for i in ranked if scores[i] > 0]

    def chunk(self, chunk_id: str) -> Chunk | None:
        """The snapshot's chunk of that id, if it has one."""
        return self.prepare_ids().get(chunk_id)

    def prepare_ids(self) -> dict[str, Chunk]:
        """The chunks by id, built on first need (``warm_up`` builds it off users' questions),
        with the map ``following`` reads."""
        if self._by_id is None:
            self._by_id = {c.chunk_id: c for c in self.chunks}
            self._places()
        return self._by_id

    def following(self, chunk: Chunk) -> Chunk | None:
        """The snapshot's chunk right after ``chunk`` in its document, of the same version: a
        snapshot taken before a reindex holds the old version's chunks."""
        return self._places().get((chunk.doc_id, chunk.doc_version, chunk.position + 1))

    def _places(self) -> dict[tuple[str, str, int], Chunk]:
        if self._by_place is None:
            self._by_place = {(c.doc_id, c.doc_version, c.position): c for c in self.chunks}
        return self._by_place

    def knows(self, word: str) -> bool:
        """Whether ``word`` (lower case) is a stopword or its stem occurs in the indexed chunks."""
        stop, stemmer = _analyser()
        vocab = getattr(self.model, "vocab_dict", None) or {}
        return word in stop or stemmer.stemWord(word) in vocab

    @property
    def speller(self) -> Speller:
        """Spelling corrections against this index's words (``assistant.spelling``)."""
        if self._speller is None:
            self._speller = Speller(self.knows, lambda: (c.embedding_text for c in self.chunks))
        return self._speller

    @property
    def acronyms(self) -> Acronyms:
        """Abbreviations and the names this index spells out (``assistant.acronyms``)."""
        if self._acronyms is None:
            self._acronyms = Acronyms(lambda: (c.embedding_text for c in self.chunks),
                                      self.texts_with)
        return self._acronyms

    def texts_with(self, word: str) -> list[str] | None:
        """The indexed texts of the chunks that use ``word`` (lower case) in any form that
        shares its stem, read from the index rather than by scanning every text; None for a
        stopword, which the index does not record."""
        stop, stemmer = _analyser()
        if word in stop or len(word) < 2:
            return None
        vocab = getattr(self.model, "vocab_dict", None) or {}
        token = vocab.get(stemmer.stemWord(word))
        if token is None or not self.chunks:
            return []
        indptr, rows = self.model.scores["indptr"], self.model.scores["indices"]
        return [self.chunks[int(i)].embedding_text for i in rows[indptr[token]:indptr[token + 1]]]

    def idf(self, tokens: Sequence[str]) -> list[float]:
        """Inverse document frequency of each token (unseen tokens get the largest)."""
        vocab = getattr(self.model, "vocab_dict", None) or {}
        if not self.chunks:
            return [1.0 for _ in tokens]
        if self._df is None:
            self._df = np.diff(self.model.scores["indptr"])
        df, n = self._df, len(self.chunks)
        return [math.log(1 + n / (max(1, int(df[vocab[t]])) if t in vocab else 0.5))
                for t in tokens]

    def _mask(self, where: ChunkFilter | None) -> npt.NDArray[np.float32] | None:
        if where is None:
            return None
        mask = self._masks.get(where)
        if mask is None:  # built and returned here: another session's thread may clear the cache
            if len(self._masks) > 32:
                self._masks.clear()
            mask = np.fromiter((matches(c, where) for c in self.chunks),
                               dtype=np.float32, count=len(self.chunks))
            self._masks[where] = mask
        return mask

    def save(self, folder: Path) -> None:
        """Write the snapshot files into ``folder`` (which must not exist yet)."""
        folder.mkdir(parents=True)
        if self.chunks:
            self.model.save(str(folder / "model"), show_progress=False)
        with (folder / "chunks.jsonl").open("w", encoding="utf-8") as out:
            for chunk in self.chunks:
                out.write(json.dumps(asdict(chunk), ensure_ascii=False) + "\n")
        meta = {"fingerprint": self.fingerprint, "chunks": len(self.chunks)}
        (folder / "meta.json").write_text(json.dumps(meta))

    @classmethod
    def load(cls, folder: Path) -> Bm25Index:
        """Read a snapshot written by ``save``."""
        import bm25s

        meta = json.loads((folder / "meta.json").read_text())
        known = {f.name for f in fields(Chunk)}
        with (folder / "chunks.jsonl").open(encoding="utf-8") as lines:
            chunks = [Chunk(**{k: v for k, v in json.loads(line).items() if k in known})
                      for line in lines]
        if len(chunks) != int(meta["chunks"]):  # cut short by a crash: rebuilt, not served
            raise ValueError(f"the snapshot holds {len(chunks)} chunks, its meta says "
                             f"{meta['chunks']}")
        model = bm25s.BM25.load(str(folder / "model"), show_progress=False) if chunks \
            else bm25s.BM25()
        return cls(model, chunks, str(meta["fingerprint"]))


def _synced(path: Path, with_contents: bool = False) -> None:
    """Flush ``path`` (a file or a folder's entries) to disk; ``with_contents``: and every
    file and folder under it first."""
    for item in [*sorted(path.rglob("*")), path] if with_contents else [path]:
        if item.is_dir() and os.name != "posix":  # only POSIX can open a folder to sync it
            continue
        descriptor = os.open(item, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _root(store_dir: Path) -> Path:
    return store_dir / "bm25"


def read_snapshot(store_dir: Path) -> Bm25Index | None:
    """The live snapshot under ``store_dir``, or None when missing or unreadable."""
    root = _root(store_dir)
    try:
        name = (root / _CURRENT).read_text().strip()
        return Bm25Index.load(root / name)
    except (OSError, ValueError, KeyError) as exc:
        log.info("No usable BM25 snapshot in %s (%s)", root, exc)
        return None


_SAVING = threading.Lock()  # one save at a time per process (a refresh thread and an ingest)
SAVE_WAIT_S = 120.0  # longest wait for another process's save (then OSError: filelock.Timeout)


def write_snapshot(bm25: Bm25Index, store_dir: Path) -> Path:
    """Save ``bm25`` atomically as the live snapshot; older snapshots are removed (never the one
    ``CURRENT`` names at that moment, which another process may just have saved).

    A lock file beside the snapshots makes saves one at a time across processes too (an app and
    an ingest run): otherwise one save's cleanup could remove the folder another had renamed into
    place but not yet named in ``CURRENT``."""
    root = _root(store_dir)
    root.mkdir(parents=True, exist_ok=True)
    with _SAVING, FileLock(str(root / "save.lock"), timeout=SAVE_WAIT_S):
        return _write_snapshot(bm25, root)


def _write_snapshot(bm25: Bm25Index, root: Path) -> Path:
    tmp = root / f"tmp-{uuid.uuid4().hex}"
    bm25.save(tmp)
    _synced(tmp, with_contents=True)  # on disk before CURRENT names it: a power cut must not
    # leave a snapshot CURRENT names short (the load's count check catches one if it does)
    final = root / f"snap-{bm25.fingerprint[:16]}-{uuid.uuid4().hex[:8]}"
    tmp.rename(final)
    pointer = root / f"{_CURRENT}.{uuid.uuid4().hex}"
    pointer.write_text(final.name)
    _synced(pointer)
    os.replace(pointer, root / _CURRENT)
    _synced(root)
    try:
        live = (root / _CURRENT).read_text().strip()
    except OSError:
        live = final.name
    for old in root.iterdir():
        if old.is_dir() and old.name not in (final.name, live) and \
                not old.name.startswith("tmp-"):
            shutil.rmtree(old, ignore_errors=True)
        elif _abandoned(old):  # a save killed midway: another run's may still be in progress
            if old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
            else:
                old.unlink(missing_ok=True)
    return final


ABANDONED_AFTER_S = 3600


def _abandoned(path: Path) -> bool:
    """A half-written snapshot or pointer left by a killed save (over an hour old)."""
    if not (path.name.startswith("tmp-") or path.name.startswith(f"{_CURRENT}.")):
        return False
    try:
        return time.time() - path.stat().st_mtime > ABANDONED_AFTER_S
    except OSError:
        return False


def refresh_bm25(index: ChunkIndex, store_dir: Path) -> None:
    """Rebuild and persist the BM25 snapshot if the index's documents changed since it was made."""
    load_bm25(index, store_dir)


def load_bm25(index: ChunkIndex, store_dir: Path) -> Bm25Index:
    """The up-to-date BM25 index: the persisted snapshot, rebuilt first if missing or stale."""
    fp = fingerprint(index)
    current = read_snapshot(store_dir)
    if current is not None and current.fingerprint == fp:
        return current
    bm25 = Bm25Index.build(index.get_chunks(), fp)
    try:
        write_snapshot(bm25, store_dir)
    except OSError as exc:  # a read-only store still gets a working in-memory index
        log.warning("Could not save the BM25 index under %s: %s", store_dir, exc)
    return bm25
