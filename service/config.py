"""Settings: the one place that reads environment variables (and an optional .env file)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[1]


class Settings(BaseSettings):
    """budgetqa configuration. Every field can be set by the environment variable named in its alias."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    data_dir: Path = Field(
        default=Path("data"),
        alias="BUDGETQA_DATA_DIR",
        description="Where the index, the document registry and caches live (default ./data).",
    )
    max_file_mb: float = Field(
        default=200.0, alias="BUDGETQA_MAX_FILE_MB", description="Refuse PDFs larger than this."
    )
    max_pages: int = Field(
        default=2000, alias="BUDGETQA_MAX_PAGES", description="Refuse PDFs with more pages."
    )

    file_timeout_s: float = Field(
        default=300.0,
        alias="BUDGETQA_FILE_TIMEOUT",
        description="Seconds one file's read + extract + check may take before it is skipped (too_slow).",
    )
    file_memory_mb: float = Field(
        default=4096.0,
        alias="BUDGETQA_FILE_MEMORY_MB",
        description="Address space one file's worker may use before it is skipped (too_big).",
    )
    isolate: bool = Field(
        default=True,
        alias="BUDGETQA_ISOLATE",
        description="Read each file in a worker process under the limits above (0 = in-process, no limits).",
    )

    # OpenAI-compatible endpoint (OpenAI, DeepSeek, Qwen/DashScope, vLLM, Ollama ...)
    openai_api_key: SecretStr | None = Field(
        default=None, alias="OPENAI_API_KEY", description="API key; none = offline."
    )
    openai_base_url: str | None = Field(
        default=None, alias="OPENAI_BASE_URL", description="Endpoint base URL (…/v1)."
    )
    chat_model: str = Field(
        default="gpt-4o-mini", alias="BUDGETQA_CHAT_MODEL", description="Chat model name."
    )
    embedding_model: str = Field(
        default="text-embedding-3-small",
        alias="BUDGETQA_EMBEDDING_MODEL",
        description="Embedding model name.",
    )
    llm_timeout_s: float = Field(
        default=60.0, alias="BUDGETQA_LLM_TIMEOUT", description="Per-request timeout."
    )
    llm_max_retries: int = Field(
        default=3, alias="BUDGETQA_LLM_MAX_RETRIES", description="Retries on 429/5xx/timeouts."
    )
    llm_concurrency: int = Field(
        default=4, alias="BUDGETQA_LLM_CONCURRENCY", description="Parallel LLM requests."
    )
    llm_token_budget: int = Field(
        default=200_000, alias="BUDGETQA_LLM_TOKEN_BUDGET", description="Max tokens one run may spend."
    )

    embedder: Literal["hashing", "openai"] = Field(
        default="hashing",
        alias="BUDGETQA_EMBEDDER",
        description="hashing = offline character n-gram vectors (default); openai = the endpoint's embeddings.",
    )
    chroma_host: str | None = Field(
        default=None,
        alias="BUDGETQA_CHROMA_HOST",
        description="Chroma server host; unset = embedded in data_dir.",
    )
    chroma_port: int = Field(default=8000, alias="BUDGETQA_CHROMA_PORT", description="Chroma server port.")

    # HTTP service (budgetqa serve)
    api_key: SecretStr | None = Field(
        default=None,
        alias="BUDGETQA_API_KEY",
        description="When set, every /v1 call needs 'Authorization: Bearer <key>'.",
    )
    max_upload_mb: float = Field(
        default=500.0,
        alias="BUDGETQA_MAX_UPLOAD_MB",
        description="Largest request body the API reads (all files of one upload); refused while streaming.",
    )
    batch_roots: list[Path] = Field(
        default_factory=list,
        alias="BUDGETQA_BATCH_ROOTS",
        description='Server folders a POST /v1/jobs may read (JSON list, e.g. ["/srv/reports"]); none = uploads only.',
    )

    # batch jobs (service/batch/)
    ray_address: str | None = Field(
        default=None,
        alias="BUDGETQA_RAY_ADDRESS",
        description="Ray cluster for `batch --engine ray` (ray://host:10001 or auto); unset = a local Ray.",
    )
    llm_prices: dict[str, tuple[float, float]] = Field(
        default={"gpt-4o-mini": (0.15, 0.60), "gpt-4o": (2.50, 10.00), "deepseek-chat": (0.27, 1.10)},
        alias="BUDGETQA_LLM_PRICES",
        description="USD per million input and output tokens by chat model (JSON), for the batch cost estimate.",
    )

    @property
    def llm_enabled(self) -> bool:
        return self.openai_api_key is not None and bool(self.openai_api_key.get_secret_value())

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def registry_path(self) -> Path:
        return self.data_dir / "documents.json"

    @property
    def lexical_path(self) -> Path:
        return self.data_dir / "lexical.sqlite"

    @property
    def reports_dir(self) -> Path:
        return self.data_dir / "reports"

    @property
    def llm_cache_dir(self) -> Path:
        return self.data_dir / "llm_cache"

    @property
    def uploads_dir(self) -> Path:
        """PDFs uploaded in the chat app or the API, kept so their pages can be shown later."""
        return self.data_dir / "uploads"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
