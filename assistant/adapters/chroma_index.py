"""ChunkIndex on Chroma: embedded on disk (``PersistentClient``) or a server (``HttpClient``).

Two Chroma collections per embedding space: ``<name>-<model>-<dim>`` holds chunks with vectors,
``<name>-<model>-<dim>-docs`` holds one record per document (the commit point of atomic
reindexing, see ``ingest.indexing``). Naming both after the model means vectors of two embedders are
never mixed. Our embedding function is registered with Chroma and always passed, so a reopened
store answers text queries too.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any, ParamSpec, TypeVar, cast

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function

from assistant.errors import StoreError
from assistant.ports import Embedder, Vectors
from assistant.types import Chunk, ChunkFilter, DocumentRecord, ScoredChunk

log = logging.getLogger(__name__)
_PAGE = 2000  # rows per get() page; well under Chroma's max batch size
# HNSW candidates examined per query. With Chroma's default (100) the true nearest chunk was missed
# for 1.4-2% of dev queries, some entirely (none of the true top 10 returned), and which ones varied
# between processes: a store reopened with writes still in Chroma's log is rebuilt a little
# differently each time. At 500, recall@50 against exact search is 0.998 (docs/retrieval.md).
EF_SEARCH = 500
# Embedders seen in this process, by model id, so Chroma can rebuild our function from its config.
_EMBEDDERS: dict[str, Embedder] = {}
P = ParamSpec("P")
R = TypeVar("R")


def _store_failures(action: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Turn anything Chroma raises while ``action`` into a StoreError that says what to do.

    A server that went away, a full disk or a damaged store then reaches the CLIs and pages as
    advice instead of a traceback; the original exception stays chained for the log.
    """
    def wrap(method: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(method)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                try:
                    return method(*args, **kwargs)
                except Exception as exc:
                    owner = args[0] if args else None
                    if not (_collection_gone(exc) and isinstance(owner, ChromaChunkIndex)):
                        raise
                    # the server was restarted on other data, or the collection was dropped
                    # and made again: open it afresh (once) instead of failing until a restart
                    owner.reopen()
                    return method(*args, **kwargs)
            except StoreError:
                raise
            except Exception as exc:
                detail = " ".join(str(exc).split())[:200] or type(exc).__name__
                raise StoreError(
                    f"The index store failed while {action} ({detail}). If it is a Chroma "
                    "server, check that it is running and reachable; if it is on disk, check "
                    "free space and permissions. Then try again: an interrupted ingestion is "
                    "safe to rerun."
                ) from exc
        return guarded
    return wrap


def _collection_gone(exc: Exception) -> bool:
    """Whether Chroma says the collection this handle points to no longer exists."""
    from chromadb.errors import NotFoundError

    return isinstance(exc, NotFoundError) or "does not exist" in str(exc)


@register_embedding_function
class GuidanceEmbeddingFunction(EmbeddingFunction[Documents]):
    """Adapts our ``Embedder`` to Chroma's EmbeddingFunction interface (for ``query_texts``)."""

    def __init__(self, embedder: Embedder | None = None, model_id: str = "") -> None:
        if embedder is None:
            from assistant.adapters.embedders import MiniLMEmbedder

            embedder = MiniLMEmbedder()
        self._embedder = embedder
        self._model_id = model_id or embedder.model_id
        _EMBEDDERS.setdefault(self._model_id, embedder)

    def __call__(self, input: Documents) -> Embeddings:  # noqa: A002 - Chroma's signature
        return cast(Embeddings, list(self._embedder.embed(list(input))))

    @staticmethod
    def name() -> str:
        return "guidance-assistant"

    def default_space(self) -> Any:
        return "cosine"

    def get_config(self) -> dict[str, Any]:
        return {"model_id": self._model_id}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> GuidanceEmbeddingFunction:
        from assistant.adapters.embedders import MiniLMEmbedder

        model_id = str(config.get("model_id", ""))
        if model_id in _EMBEDDERS:
            return GuidanceEmbeddingFunction(_EMBEDDERS[model_id])
        if model_id == MiniLMEmbedder.model_id:
            return GuidanceEmbeddingFunction(MiniLMEmbedder())
        raise StoreError(f"This store was built with embedder {model_id!r}, which is not "
                         "configured here. Set GA_EMBEDDER to match the store.")


def collection_name(base: str, embedder: Embedder) -> str:
    """A valid Chroma collection name recording the embedding model and dimension."""
    raw = f"{base}-{embedder.model_id}-{embedder.dim}"
    return re.sub(r"[^A-Za-z0-9._-]", "-", raw)[:60].strip("-._")


def open_client(store_dir: Path, host: str | None, port: int = 8000, ssl: bool = False) -> Any:
    """A Chroma client: a server when ``host`` is set, else embedded under ``store_dir``."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    try:
        if host:
            return chromadb.HttpClient(host=host, port=port, ssl=ssl, settings=chroma_settings)
        store_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(store_dir / "chroma"), settings=chroma_settings)
    except Exception as exc:  # chromadb raises ValueError, ConnectionError, RuntimeError...
        detail = _detail(exc)
        if host:
            raise StoreError(
                f"Could not reach the Chroma server at {host}:{port} ({detail}). Check that "
                "`chroma run` is running there and reachable from this machine, and the "
                "GA_CHROMA_HOST, GA_CHROMA_PORT and GA_CHROMA_SSL settings.") from exc
        raise StoreError(
            f"Could not open the store at {store_dir} ({detail}). Check that the folder exists "
            "and is writable (GA_STORE_DIR).") from exc


def _detail(exc: Exception) -> str:
    """An exception's message in one short line (an HTML error page named as such)."""
    text = " ".join(str(exc).split())
    if "<html" in text.lower() or "<!doctype" in text.lower():
        return "it answered with a web page, not Chroma's API: is another service on that port?"
    return text[:200].rstrip(" .?!:;") or type(exc).__name__


def _search_wide_enough(collection: Any) -> None:
    """Raise an existing collection's ``ef_search`` to ``EF_SEARCH`` (a store made before it).

    Best effort: a read-only store or a server token without write rights keeps its width (with a
    warning) rather than failing to open; a collection without HNSW (SPANN) is left alone. A
    running ``chroma run`` server applies the new width only after it restarts.
    """
    hnsw = (getattr(collection, "configuration_json", None) or {}).get("hnsw")
    if not isinstance(hnsw, dict) or int(hnsw.get("ef_search") or 0) >= EF_SEARCH:
        return
    try:
        collection.modify(configuration={"hnsw": {"ef_search": EF_SEARCH}})
    except Exception as exc:  # noqa: BLE001 - any refusal leaves the store usable as it was
        log.warning("Could not raise the search width of %s to %d (%s); dense search may miss "
                    "some nearest chunks until it is raised.", collection.name, EF_SEARCH, exc)


def _where(f: ChunkFilter | None) -> dict[str, Any] | None:
    if f is None:
        return None
    terms: list[dict[str, Any]] = []
    for key, values in (("collection", f.collections), ("doc_type", f.doc_types),
                        ("doc_id", f.doc_ids)):
        if values is not None:
            terms.append({key: {"$in": list(values)}})
    if f.not_doc_version is not None:
        terms.append({"doc_version": {"$ne": f.not_doc_version}})
    if f.from_position is not None:
        terms.append({"position": {"$gte": f.from_position}})
    if not terms:
        return None
    return terms[0] if len(terms) == 1 else {"$and": terms}


def _chunk_metadata(chunk: Chunk) -> dict[str, Any]:
    """Every field but id and text. None values are kept: Chroma's upsert merges metadata into an
    existing record, and a None is what removes a key a re-chunked chunk no longer has."""
    data = asdict(chunk)
    data.pop("chunk_id")
    data.pop("text")
    return data


def _chunk_from(chunk_id: str, text: str | None, meta: dict[str, Any]) -> Chunk:
    known = {f.name for f in fields(Chunk)}
    values = {k: v for k, v in meta.items() if k in known}
    return Chunk(chunk_id=chunk_id, text=text or "", **values)


def _record_from(meta: dict[str, Any]) -> DocumentRecord:
    known = {f.name for f in fields(DocumentRecord)}
    return DocumentRecord(**{k: v for k, v in meta.items() if k in known})


class ChromaChunkIndex:
    """ChunkIndex backed by a Chroma client (embedded or HTTP); see module docstring."""

    def __init__(self, client: Any, embedder: Embedder, base_name: str = "chunks") -> None:
        self._client = client
        self._embedder = embedder
        self.name = collection_name(base_name, embedder)
        self.reopen()

    def reopen(self) -> None:
        """Open (or create) the chunk and document collections; also after the server lost them."""
        ef = GuidanceEmbeddingFunction(self._embedder)
        meta = {"embedding_model": self._embedder.model_id, "dim": self._embedder.dim}
        try:
            self._chunks = self._client.get_or_create_collection(
                self.name, embedding_function=ef, metadata=meta,
                configuration={"hnsw": {"space": "cosine", "ef_search": EF_SEARCH}},
            )
            self._docs = self._client.get_or_create_collection(
                self.name + "-docs", embedding_function=None, metadata={"kind": "documents"}
            )
        except Exception as exc:
            raise StoreError(f"Could not open the Chroma collection {self.name}: {exc}") from exc
        _search_wide_enough(self._chunks)

    @_store_failures("writing chunks")
    def upsert_chunks(self, chunks: Sequence[Chunk], vectors: Vectors) -> None:
        step = max(1, min(_PAGE, int(self._client.get_max_batch_size())))
        for start in range(0, len(chunks), step):
            part = chunks[start : start + step]
            self._chunks.upsert(
                ids=[c.chunk_id for c in part],
                embeddings=np.asarray(vectors[start : start + step], dtype=np.float32),
                documents=[c.text for c in part],
                metadatas=[_chunk_metadata(c) for c in part],
            )

    @_store_failures("deleting chunks")
    def delete_chunks(self, where: ChunkFilter) -> None:
        condition = _where(where)
        if condition is None:
            raise StoreError("Refusing to delete chunks without a filter.")
        self._chunks.delete(where=condition)

    @_store_failures("searching")
    def query(self, vector: Vectors, k: int, where: ChunkFilter | None = None) -> list[ScoredChunk]:
        if k <= 0:
            return []
        result = self._chunks.query(
            query_embeddings=np.asarray(vector, dtype=np.float32).reshape(1, -1),
            n_results=k, where=_where(where),
            include=["documents", "metadatas", "distances"],
        )
        ids, docs = result["ids"][0], result["documents"][0]
        metas, dists = result["metadatas"][0], result["distances"][0]
        return [ScoredChunk(_chunk_from(i, d, dict(m)), 1.0 - float(dist))
                for i, d, m, dist in zip(ids, docs, metas, dists, strict=True)]

    @_store_failures("searching")
    def query_ids(self, vector: Vectors, k: int, where: ChunkFilter | None = None
                  ) -> list[tuple[str, float]]:
        if k <= 0:
            return []
        result = self._chunks.query(
            query_embeddings=np.asarray(vector, dtype=np.float32).reshape(1, -1),
            n_results=k, where=_where(where), include=["distances"],
        )
        return [(i, 1.0 - float(dist))
                for i, dist in zip(result["ids"][0], result["distances"][0], strict=True)]

    @_store_failures("searching")
    def query_text(self, text: str, k: int) -> list[ScoredChunk]:
        """Query by text through the registered embedding function (a reopened store's check)."""
        result = self._chunks.query(query_texts=[text], n_results=k,
                                    include=["documents", "metadatas", "distances"])
        return [ScoredChunk(_chunk_from(i, d, dict(m)), 1.0 - float(dist))
                for i, d, m, dist in zip(result["ids"][0], result["documents"][0],
                                         result["metadatas"][0], result["distances"][0],
                                         strict=True)]

    @_store_failures("reading chunks")
    def get_chunks(self, where: ChunkFilter | None = None) -> list[Chunk]:
        out: list[Chunk] = []
        offset = 0
        while True:
            page = self._chunks.get(where=_where(where), limit=_PAGE, offset=offset,
                                    include=["documents", "metadatas"])
            out.extend(_chunk_from(i, d, dict(m)) for i, d, m in
                       zip(page["ids"], page["documents"], page["metadatas"], strict=True))
            if len(page["ids"]) < _PAGE:
                return out
            offset += _PAGE

    @_store_failures("reading chunks")
    def get_chunks_by_id(self, chunk_ids: Sequence[str]) -> dict[str, Chunk]:
        if not chunk_ids:
            return {}
        got = self._chunks.get(ids=list(dict.fromkeys(chunk_ids)),
                               include=["documents", "metadatas"])
        return {i: _chunk_from(i, d, dict(m)) for i, d, m in
                zip(got["ids"], got["documents"], got["metadatas"], strict=True)}

    @_store_failures("reading chunks")
    def stored_ids(self, chunk_ids: Sequence[str]) -> set[str]:
        if not chunk_ids:
            return set()
        return set(self._chunks.get(ids=list(dict.fromkeys(chunk_ids)), include=[])["ids"])

    @_store_failures("reading vectors")
    def get_vectors(self, chunk_ids: Sequence[str]) -> Vectors:
        out = np.zeros((len(chunk_ids), self._embedder.dim), dtype=np.float32)
        if not chunk_ids:
            return out
        got = self._chunks.get(ids=list(dict.fromkeys(chunk_ids)), include=["embeddings"])
        rows = dict(zip(got["ids"], got["embeddings"], strict=True))
        for row, cid in enumerate(chunk_ids):
            if cid not in rows:
                raise StoreError(f"No stored vector for chunk {cid}: it was removed while the "
                                 "search ran (a reindex?). Try again.")
            out[row] = rows[cid]
        return out

    @_store_failures("counting chunks")
    def count_chunks(self) -> int:
        return int(self._chunks.count())

    @_store_failures("writing document records")
    def upsert_documents(self, records: Sequence[DocumentRecord]) -> None:
        if not records:
            return
        self._docs.upsert(
            ids=[r.doc_id for r in records],
            embeddings=np.zeros((len(records), 1), dtype=np.float32),
            # None values kept, as for chunks: a None is what removes a url or date a new
            # version no longer declares (Chroma merges metadata into the existing record)
            metadatas=[asdict(r) for r in records],
        )

    @_store_failures("reading document records")
    def get_documents(self) -> list[DocumentRecord]:
        out: list[DocumentRecord] = []
        offset = 0
        while True:
            page = self._docs.get(limit=_PAGE, offset=offset, include=["metadatas"])
            out.extend(_record_from(dict(m)) for m in page["metadatas"])
            if len(page["ids"]) < _PAGE:
                return out
            offset += _PAGE

    @_store_failures("deleting document records")
    def delete_documents(self, doc_ids: Sequence[str]) -> None:
        if doc_ids:
            self._docs.delete(ids=list(doc_ids))
