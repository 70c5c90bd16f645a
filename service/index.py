"""The index: the only module that imports chromadb, bm25s and jieba.

Chunks go into a persistent Chroma collection (embedded in the data directory, or a Chroma
server) with an offline hashing embedder by default — no model download — or the configured
OpenAI-compatible embeddings. BM25 over jieba tokens sits beside it; a search fuses both
rankings by reciprocal rank fusion and can be limited to some documents.
"""

from __future__ import annotations

import json
import logging
import os
import re
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import bm25s  # noqa: E402
import chromadb  # noqa: E402
import jieba  # noqa: E402
import numpy as np  # noqa: E402
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings  # noqa: E402
from chromadb.config import Settings as ChromaSettings  # noqa: E402
from chromadb.utils.embedding_functions import register_embedding_function  # noqa: E402

from service import files  # noqa: E402
from service.chunking import Chunk  # noqa: E402
from service.config import Settings  # noqa: E402
from service.errors import BudgetQAError  # noqa: E402

jieba.setLogLevel(logging.ERROR)
logging.getLogger("bm25s").setLevel(logging.ERROR)

RRF_K = 60
BATCH = 256
_PUNCT = re.compile(r"^[\W_]+$")


@register_embedding_function
class HashingEmbedder(EmbeddingFunction[Documents]):
    """Offline embeddings: character 1–3-grams hashed (crc32, stable across processes) into a
    fixed number of dimensions, sublinear tf, L2-normalised. Good enough to rank Chinese text
    by shared terms and numbers; the BM25 side carries exact matching."""

    def __init__(self, dims: int = 512) -> None:
        self.dims = dims

    def __call__(self, input: Documents) -> Embeddings:
        return [self.embed(text) for text in input]

    def embed(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dims, dtype=np.float32)
        compact = re.sub(r"\s+", "", text)
        for n in (1, 2, 3):
            for i in range(len(compact) - n + 1):
                vec[zlib.crc32(compact[i : i + n].encode("utf-8")) % self.dims] += 1.0
        vec = np.log1p(vec)
        norm = float(np.linalg.norm(vec))
        return vec / norm if norm else vec

    @staticmethod
    def name() -> str:
        return "budgetqa-hashing"

    def get_config(self) -> dict[str, Any]:
        return {"dims": self.dims}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> HashingEmbedder:
        return HashingEmbedder(dims=int(config.get("dims", 512)))

    def default_space(self) -> str:  # type: ignore[override]
        return "cosine"

    def supported_spaces(self) -> list[str]:  # type: ignore[override]
        return ["cosine"]


@register_embedding_function
class ExternalEmbedder(EmbeddingFunction[Documents]):
    """Embeddings from the configured OpenAI-compatible endpoint (via service.llm)."""

    def __init__(self, embed: Callable[[list[str]], list[list[float]]], model: str) -> None:
        self._embed = embed
        self.model = model

    def __call__(self, input: Documents) -> Embeddings:
        return [np.asarray(v, dtype=np.float32) for v in self._embed(list(input))]

    @staticmethod
    def name() -> str:
        return "budgetqa-openai"

    def get_config(self) -> dict[str, Any]:
        return {"model": self.model}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> ExternalEmbedder:
        """Chroma rebuilds embedders from a collection's config; this one needs the endpoint, which only
        the settings know, so the rebuilt one says so instead of embedding."""

        def unavailable(texts: list[str]) -> list[list[float]]:
            raise RuntimeError("open this collection through service.index.Index, which passes the endpoint")

        return ExternalEmbedder(unavailable, str(config.get("model", "")))


def tokenize(text: str) -> list[str]:
    """jieba search-mode tokens, lower-cased, without whitespace and punctuation."""
    return [t.lower() for t in jieba.cut_for_search(text) if t.strip() and not _PUNCT.match(t)]


@dataclass(frozen=True)
class Hit:
    chunk_id: str
    score: float
    text: str
    metadata: dict[str, Any]

    @property
    def pages(self) -> str:
        start, end = self.metadata["page_start"], self.metadata["page_end"]
        return str(start) if start == end else f"{start}-{end}"


class Index:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        try:
            self._open()
        except Exception as exc:  # a read-only, full or damaged data dir: say which and what to do
            raise BudgetQAError(
                f"无法打开索引 {settings.data_dir}（{type(exc).__name__}: {exc}），"
                "请检查该目录可写、磁盘未满，或设置 BUDGETQA_DATA_DIR 指向另一个目录"
            ) from exc
        self._bm25: bm25s.BM25 | None = None
        self._bm25_ids: list[str] = []

    def _open(self) -> None:
        settings = self.settings
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=True)
        if settings.chroma_host:
            self.client = chromadb.HttpClient(
                host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
            )
        else:
            self.client = chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)
        self.embedder = self._embedder()
        name = "chunks_hashing" if settings.embedder == "hashing" else "chunks_openai"
        self.collection = self.client.get_or_create_collection(
            name=name, embedding_function=cast(Any, self.embedder), metadata={"hnsw:space": "cosine"}
        )

    def _embedder(self) -> EmbeddingFunction[Documents]:
        if self.settings.embedder == "openai":
            from service import llm  # the LLM adapter owns openai/langchain

            return ExternalEmbedder(llm.embedder(self.settings), self.settings.embedding_model)
        return HashingEmbedder()

    # ------------------------------------------------------------ writing

    def add(self, chunks: Sequence[Chunk]) -> None:
        for start in range(0, len(chunks), BATCH):
            batch = chunks[start : start + BATCH]
            self.collection.add(
                ids=[c.chunk_id for c in batch],
                documents=[c.indexed_text() for c in batch],
                metadatas=[_metadata(c) for c in batch],
            )

    def delete_document(self, doc_id: str) -> None:
        self.collection.delete(where={"doc_id": doc_id})

    def rebuild_lexical(self) -> None:
        """Re-index BM25 over every chunk (tokens are cached in the chunk metadata). Runs under a lock
        so that, of concurrent ingests, the last rebuild reads every chunk the others added."""
        with files.locked(self.settings.data_dir / "bm25.lock"):
            self._rebuild_lexical()

    def _rebuild_lexical(self) -> None:
        got = self.collection.get(include=["metadatas"])
        ids = list(got["ids"])
        metas = got["metadatas"] or []
        corpus = [str(m.get("tokens", "")).split(" ") for m in metas]
        path = self.settings.bm25_dir
        path.mkdir(parents=True, exist_ok=True)
        (path / "ids.json").write_text(json.dumps(ids), encoding="utf-8")
        if not ids:
            self._bm25, self._bm25_ids = None, []
            return
        model = bm25s.BM25()
        model.index(corpus, show_progress=False)
        model.save(str(path / "model"), show_progress=False)
        self._bm25, self._bm25_ids = model, ids

    def lexical_stale(self) -> bool:
        """Whether BM25 misses chunks the vector store has (e.g. a run killed before its rebuild)."""
        ids_file = self.settings.bm25_dir / "ids.json"
        if not ids_file.exists():
            return True
        return len(json.loads(ids_file.read_text(encoding="utf-8"))) != self.count()

    # ------------------------------------------------------------ reading

    def count(self) -> int:
        return int(self.collection.count())

    def search(self, query: str, k: int = 5, doc_ids: Sequence[str] | None = None) -> list[Hit]:
        """Top-k chunks by reciprocal rank fusion of the vector and the BM25 rankings."""
        total = self.count()
        if total == 0:
            return []
        pool = min(total, max(50, 10 * k))
        where = _doc_filter(doc_ids)
        dense = self.collection.query(query_texts=[query], n_results=pool, where=where, include=[])
        dense_ids = dense["ids"][0]
        lexical_ids = self._lexical(query, pool, doc_ids)
        fused: dict[str, float] = {}
        for ranking in (dense_ids, lexical_ids):
            for rank, chunk_id in enumerate(ranking):
                fused[chunk_id] = fused.get(chunk_id, 0.0) + 1.0 / (RRF_K + rank + 1)
        top = sorted(fused, key=lambda cid: fused[cid], reverse=True)[:k]
        if not top:
            return []
        got = self.collection.get(ids=top, include=["documents", "metadatas"])
        by_id = {
            cid: (doc, meta)
            for cid, doc, meta in zip(
                got["ids"], got["documents"] or [], got["metadatas"] or [], strict=False
            )
        }
        return [
            Hit(chunk_id=cid, score=fused[cid], text=by_id[cid][0], metadata=dict(by_id[cid][1]))
            for cid in top
            if cid in by_id
        ]

    def _lexical(self, query: str, pool: int, doc_ids: Sequence[str] | None) -> list[str]:
        model, ids = self._load_bm25()
        tokens = tokenize(query)
        if model is None or not tokens:
            return []
        mask = None
        if doc_ids:
            wanted = set(doc_ids)
            mask = np.array([cid.split(":", 1)[0] in wanted for cid in ids], dtype=np.float32)
            if not mask.any():
                return []
        k = min(pool, len(ids))
        docs, scores = model.retrieve([tokens], k=k, show_progress=False, weight_mask=mask)
        return [ids[int(i)] for i, s in zip(docs[0], scores[0], strict=False) if s > 0]

    def _load_bm25(self) -> tuple[bm25s.BM25 | None, list[str]]:
        if self._bm25 is None:
            path = self.settings.bm25_dir
            if (path / "ids.json").exists() and (path / "model").exists():
                self._bm25 = bm25s.BM25.load(str(path / "model"))
                self._bm25_ids = json.loads((path / "ids.json").read_text(encoding="utf-8"))
        return self._bm25, self._bm25_ids


def _doc_filter(doc_ids: Sequence[str] | None) -> Any:
    if not doc_ids:
        return None
    if len(doc_ids) == 1:
        return {"doc_id": doc_ids[0]}
    return {"doc_id": {"$in": list(doc_ids)}}


def _metadata(chunk: Chunk) -> dict[str, str | int]:
    return cast(
        dict[str, str | int],
        {
            "doc_id": chunk.doc_id,
            "file_name": chunk.file_name,
            "page_start": chunk.page_start,
            "page_end": chunk.page_end,
            "kind": chunk.kind,
            "section": chunk.section,
            "table_title": chunk.table_title,
            "tokens": " ".join(tokenize(chunk.indexed_text())),
        },
    )
