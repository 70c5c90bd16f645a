"""budgetqa web UI (Gradio): search the ingested reports and see the page of every hit.

Run: ``python ui.py`` then open http://127.0.0.1:7860 (set BUDGETQA_DATA_DIR to the same data
directory the CLI uses). Gradio is imported only here.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import gradio as gr  # noqa: E402

from service.config import get_settings  # noqa: E402
from service.index import Index  # noqa: E402
from service.registry import Registry  # noqa: E402

ALL = "全部文档"
COLUMNS = ["#", "文件", "页码", "章节 / 表", "内容"]


def document_choices() -> list[str]:
    registry = Registry(get_settings().registry_path)
    return [ALL] + [f"{e.file_name} ({e.doc_id})" for e in registry.entries.values()]


@functools.lru_cache(maxsize=4)
def _index(data_dir: Path) -> Index:
    """One Index per data dir for the life of the app: it reopens itself when another process
    changed the collection, and opening costs (a snapshot copy, on a read-only data dir)."""
    return Index(get_settings())


def search(query: str, document: str, k: int) -> list[list[str]]:
    """Rows for the results table: rank, file, page(s), section or table title, text."""
    if not query.strip():
        return []
    doc_ids = None if not document or document == ALL else [document.rsplit("(", 1)[1].rstrip(")")]
    registered = set(Registry(get_settings().registry_path).entries)  # a run killed mid-ingest shows nothing
    hits = _index(get_settings().data_dir).search(query, k=int(k), doc_ids=doc_ids, allowed=registered)
    return [
        [
            str(n),
            h.metadata["file_name"],
            h.pages,
            h.metadata["table_title"] or h.metadata["section"],
            " ".join(h.text.split())[:300],
        ]
        for n, h in enumerate(hits, start=1)
    ]


def build() -> gr.Blocks:
    with gr.Blocks(title="budgetqa") as demo:
        gr.Markdown("## budgetqa · 部门预算/决算公开报告检索")
        with gr.Row():
            query = gr.Textbox(label="问题", placeholder="例如：“三公”经费支出决算是多少", scale=4)
            document = gr.Dropdown(choices=document_choices(), value=ALL, label="文档", scale=2)
            k = gr.Slider(1, 20, value=5, step=1, label="条数", scale=1)
        button = gr.Button("检索", variant="primary")
        results = gr.Dataframe(headers=COLUMNS, label="结果（每条都注明页码）", wrap=True)
        button.click(search, inputs=[query, document, k], outputs=results, api_name="search")
        query.submit(search, inputs=[query, document, k], outputs=results)
        # documents ingested while the app runs appear on the next page load or when the list opens
        demo.load(refreshed_choices, outputs=document)
        document.focus(refreshed_choices, outputs=document)
    return demo


def refreshed_choices() -> gr.Dropdown:
    return gr.Dropdown(choices=document_choices())


if __name__ == "__main__":
    build().launch(server_name="127.0.0.1")
