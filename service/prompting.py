"""Prompt files (prompts/*.vN.md): a front matter naming the prompt, its version and variables,
then a template with $variables. Rendering with a missing variable is an error."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from string import Template

import prompts
from service.errors import BudgetQAError

PROMPTS = Path(prompts.__file__).parent  # the repo's prompts/, or the installed package's


class PromptError(BudgetQAError):
    pass


@dataclass(frozen=True)
class Prompt:
    name: str
    version: int
    variables: tuple[str, ...]
    template: str

    @property
    def key(self) -> str:
        return f"{self.name}.v{self.version}"

    def render(self, **values: object) -> str:
        missing = [v for v in self.variables if v not in values]
        if missing:
            raise PromptError(f"prompt {self.key}: missing variable(s) {', '.join(missing)}")
        unknown = [k for k in values if k not in self.variables]
        if unknown:
            raise PromptError(f"prompt {self.key}: unexpected variable(s) {', '.join(unknown)}")
        return Template(self.template).substitute({k: str(v) for k, v in values.items()})


def _version(path: Path) -> int:
    m = re.search(r"\.v(\d+)\.md$", path.name)
    return int(m.group(1)) if m else 0


def load(name: str, version: int | None = None, directory: Path = PROMPTS) -> Prompt:
    """The named prompt, at the given version or the newest one on disk."""
    files = sorted(directory.glob(f"{name}.v*.md"), key=_version)
    if version is not None:
        files = [p for p in files if p.name == f"{name}.v{version}.md"]
    if not files:
        raise PromptError(f"no prompt file {name}.v{version or '*'}.md in {directory}")
    text = files[-1].read_text(encoding="utf-8")
    m = re.match(r"^---\n(.*?)\n---\n(.*)$", text, re.S)
    if not m:
        raise PromptError(f"{files[-1].name}: missing front matter")
    meta = dict(line.split(":", 1) for line in m.group(1).splitlines() if ":" in line)
    variables = tuple(v.strip() for v in meta.get("variables", "").strip(" []").split(",") if v.strip())
    template = m.group(2)
    used = set(re.findall(r"\$(\w+)", template))
    if used != set(variables):
        raise PromptError(f"{files[-1].name}: template uses {sorted(used)} but declares {sorted(variables)}")
    return Prompt(meta["name"].strip(), int(meta["version"]), variables, template)
