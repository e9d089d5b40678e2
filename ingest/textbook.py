"""The textbook LangChain ingestion recipe, for the side-by-side benchmark only.

PyPDFLoader for PDFs, BSHTMLLoader for HTML, TextLoader otherwise, RecursiveCharacterTextSplitter
1000/200, ``Chroma.from_documents`` with Chroma's default embedding function (ONNXMiniLM_L6_V2)
pointed at the same local model files as our embedder instead of its download cache.
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from assistant.adapters.embedders import minilm_files
from assistant.config import Settings
from ingest.service import ingest_paths

_ONNX_FILES = ("config.json", "special_tokens_map.json", "tokenizer_config.json", "vocab.txt")


def local_default_embedding_function(model_dir: Path) -> Any:
    """Chroma's default embedding function, reading our shipped model files (no download)."""
    from chromadb.utils.embedding_functions.onnx_mini_lm_l6_v2 import ONNXMiniLM_L6_V2

    onnx_dir = model_dir / "onnx"
    onnx_dir.mkdir(parents=True, exist_ok=True)
    model, tokenizer = minilm_files()
    for name, source in (("model.onnx", model), ("tokenizer.json", tokenizer)):
        if not (onnx_dir / name).exists():
            (onnx_dir / name).symlink_to(source)
    for name in _ONNX_FILES:  # present so Chroma does not try to download; not read
        (onnx_dir / name).write_text("{}")

    class LocalONNXMiniLM(ONNXMiniLM_L6_V2):
        DOWNLOAD_PATH = model_dir

    return LocalONNXMiniLM()


class _AsLangChainEmbeddings(Embeddings):
    """Chroma's embedding function behind LangChain's Embeddings interface."""

    def __init__(self, ef: Any) -> None:
        self._ef = ef

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [list(map(float, v)) for v in self._ef(texts)]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


def _load_textbook(folder: Path) -> tuple[list[Any], int]:
    from langchain_community.document_loaders import BSHTMLLoader, PyPDFLoader, TextLoader

    docs: list[Any] = []
    failures = 0
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        suffix = path.suffix.lower()
        loader = PyPDFLoader(str(path)) if suffix == ".pdf" else \
            BSHTMLLoader(str(path)) if suffix in (".html", ".htm") else \
            TextLoader(str(path), autodetect_encoding=True)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                docs.extend(loader.load())
        except Exception:  # the textbook recipe simply skips what it cannot read
            failures += 1
    return docs, failures


def run_textbook(folder: Path, store: Path) -> dict[str, Any]:
    """Ingest ``folder`` the textbook way; returns counts and seconds."""
    import chromadb
    from langchain_chroma import Chroma
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    started = time.perf_counter()
    docs, failures = _load_textbook(folder)
    chunks = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200) \
        .split_documents(docs)
    parsed = time.perf_counter()
    default_ef = local_default_embedding_function(store / "model")
    vectorstore = Chroma.from_documents(
        chunks, embedding=_AsLangChainEmbeddings(default_ef), persist_directory=str(store / "db"),
        client_settings=chromadb.config.Settings(anonymized_telemetry=False))
    total = time.perf_counter() - started
    return {"documents": len(docs), "failed": failures, "chunks": vectorstore._collection.count(),
            "parse_s": round(parsed - started, 1), "total_s": round(total, 1)}


def compare_with_textbook(folder: Path, stores: Path) -> dict[str, Any]:
    """Textbook recipe and ours on the same folder, both from a cold cache, in one run."""
    textbook = run_textbook(folder, stores / "textbook")
    report = ingest_paths(Settings(store_dir=stores / "ours"), [folder], "side")
    ours = {"documents": report.documents, "failed": len(report.failed), "chunks": report.chunks,
            "total_s": round(report.seconds, 1)}
    return {"textbook": textbook, "ours": ours,
            "speedup": round(textbook["total_s"] / max(ours["total_s"], 1e-9), 2)}
