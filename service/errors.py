"""One root exception; every error names the file (and page) and says what to do."""

from __future__ import annotations

from pathlib import Path


def display_name(text: str) -> str:
    """A file name or path that is not valid UTF-8 (undecodable bytes arrive as surrogates),
    escaped so it can be printed, stored as JSON and written into Chroma metadata."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


class BudgetQAError(Exception):
    """Root of every error budgetqa raises on purpose."""


class InputError(BudgetQAError):
    """A file that cannot be read as a report. ``problem`` is a short code for machines."""

    def __init__(self, path: Path | str, problem: str, message: str, hint: str) -> None:
        self.path = Path(path)
        self.problem = problem
        self.message = message
        self.hint = hint
        super().__init__(f"{display_name(self.path.name)}: {message}，{hint}（{problem}）")

    def __reduce__(self) -> tuple:  # crosses the worker process boundary whole
        return (InputError, (self.path, self.problem, self.message, self.hint))


class NotFoundError(BudgetQAError):
    """A document id or file name that is not in the index."""


class LLMError(BudgetQAError):
    """The LLM endpoint could not be used; the message says how to fix it."""

    def __init__(self, message: str, retryable: bool = False) -> None:
        self.retryable = retryable
        super().__init__(message)
