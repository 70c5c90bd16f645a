"""The index: the only module that imports chromadb and jieba.

Chunks go into a persistent Chroma collection (embedded in the data directory, or a Chroma
server) with an offline hashing embedder by default — no model download — or the configured
OpenAI-compatible embeddings. BM25 over jieba tokens sits beside it in SQLite FTS5 (one row per
chunk, so adding or replacing a document touches only its own rows); a search fuses both
rankings by reciprocal rank fusion and can be limited to some documents.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import os
import re
import shutil
import sqlite3
import tempfile
import warnings
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
# jieba 0.42 imports setuptools' deprecated pkg_resources: not the user's concern
warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)

import chromadb  # noqa: E402
import jieba  # noqa: E402
import numpy as np  # noqa: E402
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings  # noqa: E402
from chromadb.config import Settings as ChromaSettings  # noqa: E402
from chromadb.utils.embedding_functions import register_embedding_function  # noqa: E402

from service.chunking import Chunk  # noqa: E402
from service.config import Settings  # noqa: E402
from service.errors import BudgetQAError  # noqa: E402

jieba.setLogLevel(logging.ERROR)

RRF_K = 60
BATCH = 256
_PUNCT = re.compile(r"^[\W_]+$")
_SPACE = re.compile(r"\s+")
# odd 64-bit multipliers for the n-gram hash (any fixed odd constants do; these are from splitmix64)
_MIX = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB))


@register_embedding_function
class HashingEmbedder(EmbeddingFunction[Documents]):
    """Offline embeddings: character 1–3-grams hashed (fixed multipliers, stable across processes)
    into a fixed number of dimensions, sublinear tf, L2-normalised; computed with numpy, one text at
    a time. Good enough to rank Chinese text by shared terms and numbers; BM25 carries exact matching."""

    def __init__(self, dims: int = 512) -> None:
        self.dims = dims

    def __call__(self, input: Documents) -> Embeddings:
        return [self.embed(text) for text in input]

    def embed(self, text: str) -> np.ndarray:
        codes = np.frombuffer(_SPACE.sub("", text).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        grams = [codes * _MIX[0]]
        if len(codes) > 1:
            grams.append(grams[0][:-1] ^ (codes[1:] * _MIX[1]))
        if len(codes) > 2:
            grams.append(grams[1][:-1] ^ (codes[2:] * _MIX[2]))
        if not len(codes):
            return np.zeros(self.dims, dtype=np.float32)
        hashed = np.concatenate([(g ^ (g >> np.uint64(31))) * _MIX[1] for g in grams]) >> np.uint64(40)
        vec = np.log1p(np.bincount((hashed % np.uint64(self.dims)).astype(np.int64), minlength=self.dims))
        vec = vec.astype(np.float32)
        return vec / float(np.linalg.norm(vec))

    @staticmethod
    def name() -> str:
        return "budgetqa-hashing-v2"

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
    """jieba search-mode tokens, lower-cased, without spaces and punctuation. The HMM for words not
    in jieba's dictionary stays on: it costs a third more tokenising time and finds 退休费-like terms
    (eval/retrieval.py: 19/20 with it, 18/20 without)."""
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

    def _open(self) -> None:
        settings = self.settings
        # a read-only data dir (a shared or mounted corpus): search it, never write to it
        self.read_only = settings.data_dir.is_dir() and not os.access(settings.data_dir, os.W_OK)
        if not self.read_only:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=True)
        if settings.chroma_host:
            self.client = chromadb.HttpClient(
                host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
            )
        else:
            self.client = chromadb.PersistentClient(path=str(self._chroma_path()), settings=chroma_settings)
        self.embedder = self._embedder()
        name = "chunks_hashing_v2" if settings.embedder == "hashing" else "chunks_openai"
        self.collection = self.client.get_or_create_collection(
            name=name, embedding_function=cast(Any, self.embedder), metadata={"hnsw:space": "cosine"}
        )
        self.lexical = Lexical(settings.lexical_path, read_only=self.read_only)
        self._seen = self.count()

    def _reopen(self) -> None:
        """Another process (an ingest beside the app or the API) changed the collection: Chroma's
        in-process cache still holds the old vector segment, so drop it and open again."""
        from chromadb.api.shared_system_client import SharedSystemClient

        SharedSystemClient.clear_system_cache()
        self._open()

    def _chroma_path(self) -> Path:
        """The Chroma directory, or for a read-only data dir a private copy of it: Chroma writes
        to its files even to read (chroma-core/chroma#1438), so it gets a snapshot it may write."""
        if not self.read_only:
            return self.settings.chroma_dir
        snapshot = Path(tempfile.mkdtemp(prefix="budgetqa-readonly-"))
        atexit.register(shutil.rmtree, snapshot, ignore_errors=True)
        if self.settings.chroma_dir.is_dir():
            shutil.copytree(self.settings.chroma_dir, snapshot / "chroma")
        return snapshot / "chroma"

    def require_writable(self) -> None:
        if self.read_only:
            raise BudgetQAError(
                f"数据目录 {self.settings.data_dir} 只读：可以检索，不能导入；请设置 BUDGETQA_DATA_DIR 指向可写目录"
            )

    def _embedder(self) -> EmbeddingFunction[Documents]:
        if self.settings.embedder == "openai":
            from service import llm  # the LLM adapter owns openai/langchain

            return ExternalEmbedder(llm.embedder(self.settings), self.settings.embedding_model)
        return HashingEmbedder()

    # ------------------------------------------------------------ writing

    def add(self, chunks: Sequence[Chunk]) -> None:
        """Vectors in batches (Chroma keeps ids, vectors and the metadata it filters on), then the
        document's texts, metadata and BM25 rows in one SQLite transaction."""
        self.require_writable()
        self._seen += len(chunks)
        texts = [c.indexed_text() for c in chunks]
        metas = [_metadata(c) for c in chunks]
        for start in range(0, len(chunks), BATCH):
            end = start + BATCH
            self.collection.add(
                ids=[c.chunk_id for c in chunks[start:end]],
                embeddings=self.embedder(texts[start:end]),
                metadatas=[{"doc_id": m["doc_id"]} for m in metas[start:end]],
            )
        self.lexical.add(
            [
                (c.chunk_id, c.doc_id, " ".join(tokenize(text)), text, json.dumps(meta, ensure_ascii=False))
                for c, text, meta in zip(chunks, texts, metas, strict=True)
            ]
        )

    def delete_document(self, doc_id: str) -> None:
        self.require_writable()
        self.collection.delete(where={"doc_id": doc_id})
        self.lexical.delete(doc_id)
        self._seen = self.count()

    def repair(self, expected: dict[str, int]) -> list[str]:
        """Make both stores agree with the registry ({doc id: chunk count}, the source of truth):
        drop the chunks of unregistered documents (a run killed before its registry write). Cheap
        when all is well: two counts. Returns the registered documents whose chunks are missing
        (damage from outside): the caller unregisters them so that the next ingest adds them again."""
        self.require_writable()
        stored = self.lexical.doc_counts()
        for doc_id in set(stored) - set(expected):
            self.lexical.delete(doc_id)
        if self.count() != sum(expected.values()):
            metas = self.collection.get(include=["metadatas"])["metadatas"] or []
            for doc_id in {str(m["doc_id"]) for m in metas} - set(expected):
                self.collection.delete(where={"doc_id": doc_id})
        self._seen = self.count()
        return [doc_id for doc_id, n in expected.items() if stored.get(doc_id, 0) != n]

    def has_chunks(self, doc_id: str) -> bool:
        """Whether any chunk of the document is stored (cheap: one lookup by metadata, one row)."""
        return bool(self.collection.get(where={"doc_id": doc_id}, limit=1, include=[])["ids"])

    # ------------------------------------------------------------ reading

    def count(self) -> int:
        return int(self.collection.count())

    def search(
        self,
        query: str,
        k: int = 5,
        doc_ids: Sequence[str] | None = None,
        allowed: Collection[str] | None = None,
    ) -> list[Hit]:
        """Top-k chunks by reciprocal rank fusion of the vector and the BM25 rankings. ``doc_ids``
        limits the search to some documents (filtered inside both stores); ``allowed`` only drops
        hits of other documents afterwards (cheap for "every registered document")."""
        total = self.count()
        if total != self._seen:  # written by another process since this one opened it
            self._reopen()
        if total == 0:
            return []
        pool = min(total, max(50, 10 * k) * (2 if allowed is not None else 1))
        where = _doc_filter(doc_ids)
        try:
            dense = self.collection.query(query_texts=[query], n_results=pool, where=where, include=[])
        except chromadb.errors.InternalError:  # changed elsewhere without changing the count
            self._reopen()
            dense = self.collection.query(query_texts=[query], n_results=pool, where=where, include=[])
        dense_ids = dense["ids"][0]
        lexical_ids = self.lexical.search(tokenize(query), pool, doc_ids, total)
        fused: dict[str, float] = {}
        for ranking in (dense_ids, lexical_ids):
            for rank, chunk_id in enumerate(ranking):
                if allowed is not None and chunk_id.split(":", 1)[0] not in allowed:
                    continue
                fused[chunk_id] = fused.get(chunk_id, 0.0) + 1.0 / (RRF_K + rank + 1)
        top = sorted(fused, key=lambda cid: fused[cid], reverse=True)[:k]
        if not top:
            return []
        by_id = self.lexical.get(top)
        return [
            Hit(chunk_id=cid, score=fused[cid], text=by_id[cid][0], metadata=dict(by_id[cid][1]))
            for cid in top
            if cid in by_id
        ]


class Lexical:
    """Chunk texts and BM25 over their jieba tokens, in one SQLite file: a table of chunks (text
    and metadata) and an FTS5 table (space-joined tokens, the document id in an indexed column of
    its own, so that a search within some documents intersects posting lists instead of scanning).
    A document's rows go in or out in one transaction, so texts and BM25 rows always agree, an
    ingest's cost does not grow with the corpus, and concurrent writers are serialised by SQLite."""

    def __init__(self, path: Path, read_only: bool = False) -> None:
        self.path = path
        self.read_only = read_only
        if read_only:
            return  # an existing index, opened immutable below; nothing to create
        with self._connect() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS chunks (chunk_id TEXT PRIMARY KEY, doc TEXT NOT NULL, "
                "text TEXT NOT NULL, meta TEXT NOT NULL)"
            )
            db.execute("CREATE INDEX IF NOT EXISTS chunks_doc ON chunks (doc)")
            db.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS lexical USING fts5("
                "tokens, doc, chunk_id UNINDEXED, tokenize=\"unicode61 tokenchars '.%'\")"
            )
            db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS lexical_terms USING fts5vocab(lexical, 'row')")

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        if self.read_only:  # immutable: no lock or WAL files, which a read-only directory cannot hold
            db = sqlite3.connect(f"{self.path.resolve().as_uri()}?immutable=1", uri=True)
        else:
            db = sqlite3.connect(self.path, timeout=60)
        try:
            if not self.read_only:
                db.execute("PRAGMA journal_mode=WAL")
            with db:  # one transaction: committed on success, rolled back on error
                yield db
        finally:
            db.close()

    def add(self, rows: Sequence[tuple[str, str, str, str, str]]) -> None:
        """(chunk id, doc id, space-joined tokens, text, metadata JSON) rows."""
        with self._connect() as db:
            db.executemany("INSERT INTO chunks VALUES (?, ?, ?, ?)", [(r[0], r[1], r[3], r[4]) for r in rows])
            db.executemany(
                "INSERT INTO lexical (chunk_id, doc, tokens) VALUES (?, ?, ?)", [r[:3] for r in rows]
            )

    def delete(self, doc_id: str) -> None:
        with self._connect() as db:
            db.execute("DELETE FROM chunks WHERE doc = ?", (doc_id,))
            db.execute("DELETE FROM lexical WHERE lexical MATCH ?", (f'doc : "{doc_id}"',))

    def get(self, chunk_ids: Sequence[str]) -> dict[str, tuple[str, dict[str, Any]]]:
        marks = ",".join("?" * len(chunk_ids))
        with self._connect() as db:
            rows = db.execute(
                f"SELECT chunk_id, text, meta FROM chunks WHERE chunk_id IN ({marks})", chunk_ids
            )
            return {cid: (text, json.loads(meta)) for cid, text, meta in rows}

    def search(
        self, tokens: Sequence[str], k: int, doc_ids: Sequence[str] | None = None, total: int | None = None
    ) -> list[str]:
        """Chunk ids by BM25 over the tokens column (FTS5's bm25(), smaller is better), any query
        token matching. ``total``: the number of rows, if the caller knows it."""
        terms = sorted({t.replace('"', '""') for t in tokens})
        if not terms:
            return []
        with self._connect() as db:
            terms = self._informative(db, terms, self.count() if total is None else total)
            match = "tokens : (" + " OR ".join(f'"{t}"' for t in terms) + ")"
            if doc_ids:
                match = "doc : (" + " OR ".join(f'"{d}"' for d in doc_ids) + ") AND " + match
            sql = (
                "SELECT chunk_id FROM lexical WHERE lexical MATCH ? ORDER BY bm25(lexical, 1.0, 0.0) LIMIT ?"
            )
            return [row[0] for row in db.execute(sql, (match, k))]

    @staticmethod
    def _informative(db: sqlite3.Connection, terms: list[str], total: int) -> list[str]:
        """Terms found in at most half the rows. BM25's idf, log((N - n + 0.5) / (n + 0.5)), is
        negative beyond that and FTS5 floors it near zero, so the others (的, 是, 支出 …) weigh
        nothing, while their posting lists are the longest to rank. All terms if none is left."""
        marks = ",".join("?" * len(terms))
        common = {
            t
            for t, n in db.execute(f"SELECT term, doc FROM lexical_terms WHERE term IN ({marks})", terms)
            if n > total / 2
        }
        return [t for t in terms if t not in common] or terms

    def count(self) -> int:
        with self._connect() as db:
            return int(db.execute("SELECT count(*) FROM chunks").fetchone()[0])

    def doc_counts(self) -> dict[str, int]:
        with self._connect() as db:
            return dict(db.execute("SELECT doc, count(*) FROM chunks GROUP BY doc").fetchall())


def _doc_filter(doc_ids: Sequence[str] | None) -> Any:
    if not doc_ids:
        return None
    if len(doc_ids) == 1:
        return {"doc_id": doc_ids[0]}
    return {"doc_id": {"$in": list(doc_ids)}}


def _metadata(chunk: Chunk) -> dict[str, str | int]:
    return {
        "doc_id": chunk.doc_id,
        "file_name": chunk.file_name,
        "page_start": chunk.page_start,
        "page_end": chunk.page_end,
        "kind": chunk.kind,
        "section": chunk.section,
        "table_title": chunk.table_title,
    }
