"""A scripted OpenAI-compatible server on 127.0.0.1 for tests: answers /v1/chat/completions with
tool calls (or JSON content), can fail with a status, sleep past the client's timeout, or send
malformed JSON. It records every request it receives."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = dict[str, Any]  # {"status": 429} | {"delay": 2.0} | {"arguments": "<json text>"} ; + "usage"


class FakeOpenAI:
    def __init__(self, responder: Callable[[dict[str, Any]], Reply]) -> None:
        self.responder = responder
        self.requests: list[dict[str, Any]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def prompts(self) -> list[str]:
        return [m["content"] for r in self.requests for m in r["messages"] if m["role"] == "user"]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append(body)
                if self.path.endswith("/embeddings"):
                    self._embeddings(body)
                    return
                reply = fake.responder(body)
                if reply.get("delay"):
                    time.sleep(reply["delay"])
                status = reply.get("status", 200)
                if status != 200:
                    payload = json.dumps({"error": {"message": "scripted", "type": "rate_limit"}}).encode()
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("retry-after-ms", "10")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                usage = reply.get("usage", {"prompt_tokens": 100, "completion_tokens": 20})
                usage = {**usage, "total_tokens": usage["prompt_tokens"] + usage["completion_tokens"]}
                message: dict[str, Any] = {"role": "assistant", "content": None}
                if body.get("tools"):
                    name = body["tools"][0]["function"]["name"]
                    message["tool_calls"] = [
                        {
                            "id": "call_1",
                            "type": "function",
                            "function": {"name": name, "arguments": reply["arguments"]},
                        }
                    ]
                else:
                    message["content"] = reply["arguments"]
                payload = json.dumps(
                    {
                        "id": "chatcmpl-fake",
                        "object": "chat.completion",
                        "created": int(time.time()),
                        "model": body.get("model", "fake"),
                        "usage": usage,
                        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                    }
                ).encode()
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (the timeout test)

            def _embeddings(self, body: dict[str, Any]) -> None:
                texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
                data = [
                    {"object": "embedding", "index": n, "embedding": _vector(str(t))}
                    for n, t in enumerate(texts)
                ]
                payload = json.dumps(
                    {
                        "object": "list",
                        "data": data,
                        "model": body.get("model", "fake"),
                        "usage": {"prompt_tokens": len(texts), "total_tokens": len(texts)},
                    }
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        return Handler


def _vector(text: str, dims: int = 16) -> list[float]:
    """A deterministic toy embedding: character counts folded into a few dimensions."""
    vec = [0.0] * dims
    for ch in text:
        vec[ord(ch) % dims] += 1.0
    norm = sum(v * v for v in vec) ** 0.5 or 1.0
    return [v / norm for v in vec]


def tool_name(body: dict[str, Any]) -> str:
    return str(body["tools"][0]["function"]["name"]) if body.get("tools") else ""
