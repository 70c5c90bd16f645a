"""The job ledger: OUTDIR/jobs.sqlite, one row per input file and one stored result per content.

``files`` holds each input's path, content hash, state (pending, running, done, failed), reason,
attempts and timings; ``results`` holds each finished analysis once per content (hash, code
version, LLM mode), zlib-compressed JSON, so every output can be rebuilt from the ledger alone and
identical copies share one result. Every change is one SQLite transaction (WAL):
a job killed at any moment leaves each row either before or after its change, never half-way.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import time
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from service.errors import display_name

MAX_ATTEMPTS = 3  # a file whose processing was cut short this often is failed, not retried forever
CRASHED = "处理被中断 {n} 次（进程被杀死或崩溃），已跳过"

SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    path BLOB PRIMARY KEY,  -- os.fsencode: names that are not UTF-8 survive
    name TEXT NOT NULL,
    hash TEXT NOT NULL,
    size INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'running', 'done', 'failed')),
    reason TEXT,
    message TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    result_key TEXT,
    added_at REAL NOT NULL,
    started_at REAL,
    finished_at REAL,
    seconds REAL
);
CREATE INDEX IF NOT EXISTS files_result ON files (result_key);
CREATE TABLE IF NOT EXISTS results (
    key TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL,
    pages INTEGER NOT NULL,
    input_tokens INTEGER NOT NULL DEFAULT 0,
    output_tokens INTEGER NOT NULL DEFAULT 0,
    seconds REAL NOT NULL,
    summary TEXT NOT NULL,  -- JSON: the document's part of its status row
    data BLOB NOT NULL  -- zlib JSON of the Analysis (report and check): the whole result
);
CREATE TABLE IF NOT EXISTS result_rows (  -- the result's rows of each output table, Arrow IPC
    key TEXT NOT NULL,
    tbl TEXT NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (key, tbl)
);
"""


@dataclass(frozen=True)
class Entry:
    """One input file as the ledger knows it."""

    path: str
    name: str
    hash: str
    state: str
    reason: str | None
    message: str | None
    attempts: int
    result_key: str | None
    seconds: float | None


@dataclass(frozen=True)
class Stored:
    """One finished analysis (shared by every file with the same content)."""

    key: str
    doc_id: str
    pages: int
    input_tokens: int
    output_tokens: int
    seconds: float
    data: bytes  # zlib-compressed JSON of the Analysis (compressed where the file was analysed)
    summary: str = "{}"
    tables: dict[str, bytes] = field(default_factory=dict)

    @property
    def json(self) -> str:
        return zlib.decompress(self.data).decode("utf-8")


def file_hash(path: Path) -> str:
    """SHA-256 of the file's bytes (its first 16 hex digits are the document id)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Ledger:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, isolation_level=None, timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode: a killed process loses no committed transaction (only a power cut
        # could lose the last few, and then the files are simply redone); FULL cost 30+ ms a result
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One transaction: all of the block's changes, or none of them."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # ------------------------------------------------------------ the run's inputs

    def sync(self, paths: Iterable[str], key_of: dict[str, str], retry_failed: bool = False) -> None:
        """Bring the ledger in line with the inputs on disk: new files pending, changed files (new
        hash) pending with their old result dropped, files a killed run left running pending again
        (or failed after MAX_ATTEMPTS), done files whose result no longer matches the code version
        or LLM mode pending; rows of files that no longer exist dropped. ``key_of`` maps each
        path to its result key (hash, code version, mode)."""
        now = time.time()
        with self._tx() as db:
            for raw in paths:
                path = os.fsencode(raw)
                key = key_of[str(raw)]
                digest = key.split(":", 1)[0]
                row = db.execute(
                    "SELECT hash, state, attempts, result_key FROM files WHERE path = ?", (path,)
                ).fetchone()
                if row is None or row[0] != digest:
                    db.execute(
                        "INSERT OR REPLACE INTO files (path, name, hash, size, state, attempts, added_at)"
                        " VALUES (?, ?, ?, ?, 'pending', 0, ?)",
                        (path, display_name(Path(raw).name), digest, _size(raw), now),
                    )
                    continue
                _, state, attempts, result_key = row
                if state == "running":
                    if attempts >= MAX_ATTEMPTS:
                        line = f"{display_name(Path(raw).name)}: {CRASHED.format(n=attempts)}（crashed）"
                        self._fail(db, [(path, line)], "crashed", None)
                    else:
                        db.execute("UPDATE files SET state = 'pending' WHERE path = ?", (path,))
                elif (state == "done" and result_key != key) or (state == "failed" and retry_failed):
                    db.execute(
                        "UPDATE files SET state = 'pending', attempts = 0, reason = NULL, message = NULL,"
                        " result_key = NULL WHERE path = ?",
                        (path,),
                    )
            for (path,) in db.execute("SELECT path FROM files").fetchall():
                if not os.path.lexists(path):
                    db.execute("DELETE FROM files WHERE path = ?", (path,))
            db.execute(
                "DELETE FROM results WHERE key NOT IN (SELECT result_key FROM files WHERE result_key IS NOT NULL)"
            )

    def pending(self) -> list[Entry]:
        return self._entries("WHERE state = 'pending'")

    def entries(self) -> list[Entry]:
        """Every file, in path order (the order of every output)."""
        return self._entries("")

    def _entries(self, where: str) -> list[Entry]:
        rows = self.db.execute(
            "SELECT path, name, hash, state, reason, message, attempts, result_key, seconds"
            f" FROM files {where} ORDER BY path"
        ).fetchall()
        return [Entry(os.fsdecode(row[0]), *row[1:]) for row in rows]

    # ------------------------------------------------------------ state changes

    def start(self, paths: list[str]) -> None:
        with self._tx() as db:
            db.executemany(
                "UPDATE files SET state = 'running', attempts = attempts + 1, started_at = ? WHERE path = ?",
                [(time.time(), os.fsencode(p)) for p in paths],
            )

    def finish(self, paths: list[str], stored: Stored) -> None:
        """The result and the files' done state in one transaction."""
        with self._tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO results"
                " (key, doc_id, pages, input_tokens, output_tokens, seconds, summary, data)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    stored.key,
                    stored.doc_id,
                    stored.pages,
                    stored.input_tokens,
                    stored.output_tokens,
                    stored.seconds,
                    stored.summary,
                    stored.data,
                ),
            )
            db.execute("DELETE FROM result_rows WHERE key = ?", (stored.key,))
            db.executemany(
                "INSERT INTO result_rows (key, tbl, data) VALUES (?, ?, ?)",
                [(stored.key, name, data) for name, data in stored.tables.items()],
            )
            now = time.time()
            db.executemany(
                "UPDATE files SET state = 'done', reason = NULL, message = NULL, result_key = ?,"
                " finished_at = ?, seconds = ? WHERE path = ?",
                [(stored.key, now, stored.seconds, os.fsencode(p)) for p in paths],
            )

    def attach(self, paths: list[str], key: str, seconds: float) -> None:
        """Files whose content already has a result here (a copy, or a file finished before)."""
        with self._tx() as db:
            db.executemany(
                "UPDATE files SET state = 'done', reason = NULL, message = NULL, result_key = ?,"
                " finished_at = ?, seconds = ? WHERE path = ?",
                [(key, time.time(), seconds, os.fsencode(p)) for p in paths],
            )

    def fail(self, failures: list[tuple[str, str]], reason: str, seconds: float | None) -> None:
        """Files that failed, each with its own one-line message (it names the file)."""
        with self._tx() as db:
            self._fail(db, [(os.fsencode(p), m) for p, m in failures], reason, seconds)

    def release(self, paths: list[str]) -> None:
        """Files an interrupted run (Ctrl-C) had started: pending again, the attempt not counted."""
        with self._tx() as db:
            db.executemany(
                "UPDATE files SET state = 'pending', attempts = MAX(attempts - 1, 0)"
                " WHERE path = ? AND state = 'running'",
                [(os.fsencode(p),) for p in paths],
            )

    @staticmethod
    def _fail(
        db: sqlite3.Connection, failures: list[tuple[bytes, str]], reason: str, seconds: float | None
    ) -> None:
        db.executemany(
            "UPDATE files SET state = 'failed', reason = ?, message = ?, result_key = NULL,"
            " finished_at = ?, seconds = ? WHERE path = ?",
            [(reason, message, time.time(), seconds, p) for p, message in failures],
        )

    # ------------------------------------------------------------ results

    def has_result(self, key: str) -> bool:
        return self.db.execute("SELECT 1 FROM results WHERE key = ?", (key,)).fetchone() is not None

    def table_rows(self, table: str) -> Iterator[tuple[str, str, bytes]]:
        """(path, name, Arrow IPC rows) of one output table for every done file, in path order."""
        cursor = self.db.execute(
            "SELECT f.path, f.name, r.data FROM files f JOIN result_rows r"
            " ON r.key = f.result_key AND r.tbl = ? WHERE f.state = 'done' ORDER BY f.path",
            (table,),
        )
        for path, name, data in cursor:
            yield os.fsdecode(path), name, data

    def summaries(self) -> dict[str, tuple[str, int, int]]:
        """Each result's status summary (JSON) and its LLM tokens, by key."""
        rows = self.db.execute("SELECT key, summary, input_tokens, output_tokens FROM results")
        return {key: (summary, tokens_in, tokens_out) for key, summary, tokens_in, tokens_out in rows}

    def result(self, key: str) -> Stored | None:
        row = self.db.execute(
            "SELECT key, doc_id, pages, input_tokens, output_tokens, seconds, summary, data"
            " FROM results WHERE key = ?",
            (key,),
        ).fetchone()
        if row is None:
            return None
        key, doc_id, pages, tokens_in, tokens_out, seconds, summary, data = row
        tables = dict(self.db.execute("SELECT tbl, data FROM result_rows WHERE key = ?", (key,)).fetchall())
        return Stored(key, doc_id, pages, tokens_in, tokens_out, seconds, data, summary, tables)


def _size(path: Path | str) -> int:
    try:
        return Path(path).stat().st_size
    except OSError:
        return 0
