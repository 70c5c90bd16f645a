"""The LLM adapter: the only module that imports langchain and openai."""

from __future__ import annotations

from collections.abc import Callable

from service.config import Settings
from service.errors import LLMError


def embedder(settings: Settings) -> Callable[[list[str]], list[list[float]]]:
    """Embeddings from the configured OpenAI-compatible endpoint."""
    if not settings.llm_enabled:
        raise LLMError(
            "BUDGETQA_EMBEDDER=openai needs OPENAI_API_KEY (and OPENAI_BASE_URL for a compatible server)"
        )
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
