"""The LLM adapter: the only module that imports langchain and openai.

Works with OpenAI and with OpenAI-compatible servers (DeepSeek, Qwen/DashScope, vLLM, Ollama):
structured output by function calling by default (the widest support), retries with backoff on
429/5xx/timeouts (the openai client's, honouring Retry-After), token usage read from the responses.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, cast

from pydantic import BaseModel

from service.config import Settings
from service.errors import LLMError

Method = Literal["function_calling", "json_schema", "json_mode"]
MISSING_KEY = (
    "没有配置 LLM：请设置 OPENAI_API_KEY（OpenAI 兼容服务另设 OPENAI_BASE_URL 与 BUDGETQA_CHAT_MODEL），"
    "或使用 --llm never 离线抽取"
)


@dataclass
class Usage:
    requests: int = 0
    cached: int = 0
    input_tokens: int = 0
    output_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    def add(self, other: Usage) -> None:
        self.requests += other.requests
        self.cached += other.cached
        self.input_tokens += other.input_tokens
        self.output_tokens += other.output_tokens


class TokenBudget:
    """Tokens one run may spend; shared by the threads of a run."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.spent = 0
        self._lock = threading.Lock()

    def spend(self, tokens: int) -> None:
        with self._lock:
            self.spent += tokens

    @property
    def exhausted(self) -> bool:
        with self._lock:
            return self.spent >= self.limit


@dataclass
class Answer:
    parsed: BaseModel | None
    usage: Usage
    error: str | None  # a response that did not parse into the schema


class LLMClient:
    def __init__(self, settings: Settings, method: Method = "function_calling") -> None:
        if not settings.llm_enabled:
            raise LLMError(MISSING_KEY)
        from langchain_openai import ChatOpenAI

        self.settings = settings
        self.method: Method = method
        self.model_name = settings.chat_model
        self.base_url = settings.openai_base_url or "https://api.openai.com/v1"
        self._chat = ChatOpenAI(
            model=settings.chat_model,
            api_key=settings.openai_api_key,
            base_url=settings.openai_base_url,
            temperature=0,
            max_retries=settings.llm_max_retries,
            timeout=settings.llm_timeout_s,
        )

    def structured(self, prompt: str, schema: type[BaseModel]) -> Answer:
        """One request for ``schema``; raises LLMError with the fix when the endpoint cannot be used."""
        import openai

        runnable = self._chat.with_structured_output(schema, method=self.method, include_raw=True)
        try:
            out = cast(dict[str, Any], runnable.invoke(prompt))
        except openai.AuthenticationError as exc:
            raise LLMError(f"LLM 服务拒绝了 API key（{self.base_url}）：请检查 OPENAI_API_KEY") from exc
        except openai.APIConnectionError as exc:  # includes timeouts, after the retries
            raise LLMError(
                f"无法连接 LLM 服务 {self.base_url}（{type(exc).__name__}）：请检查 OPENAI_BASE_URL 与网络，"
                "或使用 --llm never 离线抽取",
                retryable=True,
            ) from exc
        except openai.APIStatusError as exc:
            raise LLMError(
                f"LLM 服务返回错误 {exc.status_code}（{self.base_url}）：{exc.message}",
                retryable=exc.status_code >= 429,
            ) from exc
        raw = out.get("raw")
        meta = getattr(raw, "usage_metadata", None) or {}
        usage = Usage(
            requests=1,
            input_tokens=int(meta.get("input_tokens", 0)),
            output_tokens=int(meta.get("output_tokens", 0)),
        )
        error = out.get("parsing_error")
        return Answer(parsed=out.get("parsed"), usage=usage, error=str(error) if error else None)


def embedder(settings: Settings) -> Callable[[list[str]], list[list[float]]]:
    """Embeddings from the configured OpenAI-compatible endpoint."""
    if not settings.llm_enabled:
        raise LLMError("BUDGETQA_EMBEDDER=openai 需要 OPENAI_API_KEY（兼容服务另设 OPENAI_BASE_URL）")
    from langchain_openai import OpenAIEmbeddings

    model = OpenAIEmbeddings(
        model=settings.embedding_model,
        api_key=settings.openai_api_key,
        base_url=settings.openai_base_url,
        check_embedding_ctx_length=False,  # avoids tiktoken, which downloads its encodings
        max_retries=settings.llm_max_retries,
        timeout=settings.llm_timeout_s,
    )
    return model.embed_documents
