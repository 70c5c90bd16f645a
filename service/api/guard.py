"""What stands between the network and the service: the API key, the request-size limit (enforced
while the body streams in, so a 2 GB upload is refused after the limit, not after 2 GB), PDF magic
bytes, safe stored names, and errors as problem+json — never a traceback."""

from __future__ import annotations

import contextlib
import hmac
import re
import unicodedata
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from schemas.api import Problem

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

PROBLEM_JSON = "application/problem+json"
PDF_MAGIC = b"%PDF-"


class ApiError(Exception):
    """An error the client caused (or may fix); becomes a problem+json response."""

    def __init__(
        self, status: int, title: str, detail: str, problem: str | None = None, file: str | None = None
    ):
        super().__init__(detail)
        self.body = Problem(title=title, status=status, detail=detail, problem=problem, file=file)


def problem_response(body: Problem, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        body.model_dump(exclude_none=True), status_code=body.status, media_type=PROBLEM_JSON, headers=headers
    )


def authorised(request: Request, key: str | None) -> bool:
    """True when no key is configured, or the request carries it (compared in constant time)."""
    if not key:
        return True
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), key.encode())


class BodyLimit:
    """ASGI middleware: refuse a request body over ``limit`` bytes — at once when Content-Length says
    so, else as soon as the streamed bytes pass it — so nothing larger is ever buffered or spooled."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(scope, receive, send)
            return
        seen = 0
        over = False  # once past the limit, whatever the app answers (frameworks wrap the error) is a 413

        async def limited_receive() -> Message:
            nonlocal seen, over
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    over = True
                    raise _TooLarge
            return message

        answered = False

        async def guarded_send(message: Message) -> None:
            nonlocal answered
            if over:
                if not answered:
                    answered = True
                    await self._refuse(scope, receive, send)
                return
            await send(message)

        with contextlib.suppress(_TooLarge):  # answered below
            await self.app(scope, limited_receive, guarded_send)
        if over and not answered:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        mb = self.limit / 1024 / 1024
        body = Problem(
            title="上传过大",
            status=413,
            detail=f"请求超过 {mb:g} MB 的上限，未读取（too_large）；请分批上传或调整 BUDGETQA_MAX_UPLOAD_MB",
            problem="too_large",
        )
        await problem_response(body, {"connection": "close"})(scope, receive, send)


class _TooLarge(Exception):
    pass


_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]")


def safe_file_name(name: str | None) -> str:
    """The uploaded name reduced to a plain file name: no directories, no control characters, no
    leading dots, at most 120 characters. It is shown to users and is only ever the last part of a
    path under a folder named by the content hash, never a path of its own."""
    base = unicodedata.normalize("NFC", (name or "").replace("\\", "/").rsplit("/", 1)[-1])
    base = _UNSAFE.sub("_", base).strip().lstrip(".")[:120]
    return base or "upload.pdf"


def looks_like_pdf(head: bytes) -> bool:
    """PDF readers accept the header anywhere in the first 1024 bytes (ISO 32000-2 §7.5.2)."""
    return PDF_MAGIC in head[:1024]
