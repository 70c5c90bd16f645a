"""Pages as pictures: a page of an ingested report rendered as PNG with the cited cells or sentences
boxed in red. The chat app uses it, and the HTTP API can serve it as
``GET /v1/documents/{id}/pages/{n}.png?highlight=x0,y0,x1,y1;...`` — plain functions, no Gradio.

Pages come from the PDF path the registry recorded at ingest. A file that has since been moved,
deleted or changed gets a clear message instead of a picture of the wrong page."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path

from service import pdf
from service.config import Settings
from service.document import BBox
from service.errors import BudgetQAError, NotFoundError, display_name
from service.registry import DocumentEntry, Registry

DEFAULT_ZOOM = 1.5  # about 900 px wide for an A4 page: cells readable, PNG around 100-200 KB
MAX_ZOOM = 4.0


class PageError(BudgetQAError):
    """A page that cannot be shown; the message names the file and what to do."""


def render_page(
    pdf_path: Path | str, page: int, boxes: Sequence[Sequence[float]] = (), zoom: float = DEFAULT_ZOOM
) -> bytes:
    """PNG bytes of ``page`` (1-based) of the PDF at ``pdf_path``, each box outlined in red."""
    path = Path(pdf_path)
    name = display_name(path.name)
    if not path.is_file():
        raise PageError(
            f"{name}: 原文件不在了（{display_name(str(path))}），无法显示页面；请把文件放回原处或重新导入"
        )
    if not 0 < zoom <= MAX_ZOOM:
        raise PageError(f"缩放比例 {zoom} 超出范围（0–{MAX_ZOOM}）")
    stat = path.stat()
    clean = tuple(_box(b) for b in boxes)
    try:
        return _render(str(path), stat.st_mtime_ns, stat.st_size, page, clean, zoom)
    except IndexError:
        raise PageError(f"{name}: 没有第 {page} 页") from None
    except Exception as exc:  # a file damaged after ingest: one line, never a traceback
        raise PageError(f"{name}: 无法显示第 {page} 页（{type(exc).__name__}），文件可能已损坏") from exc


def document_page(
    settings: Settings,
    doc_id: str,
    page: int,
    boxes: Sequence[Sequence[float]] = (),
    zoom: float = DEFAULT_ZOOM,
    quote: str | None = None,
) -> bytes:
    """A page of an ingested document, from the file its registry entry names, checked to be the
    same bytes that were ingested (else the boxes would land on someone else's numbers). Without
    boxes, a ``quote`` (a cited sentence) is found on the page and boxed line by line."""
    entry = Registry(settings.registry_path).entries.get(doc_id)
    if entry is None:
        raise NotFoundError(f"没有编号为 {doc_id} 的已导入文档；先导入该文件")
    if not 1 <= page <= entry.pages:
        raise PageError(f"{entry.file_name}: 没有第 {page} 页（共 {entry.pages} 页）")
    _require_same_file(entry)
    if not boxes and quote:
        boxes = quote_boxes(entry.path, page, quote)
    return render_page(entry.path, page, boxes, zoom)


def quote_boxes(pdf_path: Path | str, page: int, quote: str) -> list[BBox]:
    """The lines of ``page`` a quoted sentence is printed on ([] when it is not found there)."""
    path = Path(pdf_path)
    stat = path.stat()
    try:
        return list(_quote_boxes(str(path), stat.st_mtime_ns, stat.st_size, page, quote))
    except IndexError:
        raise PageError(f"{display_name(path.name)}: 没有第 {page} 页") from None


def parse_highlight(text: str | None) -> list[BBox]:
    """Boxes from ``x0,y0,x1,y1;x0,y0,x1,y1`` (the API's ``highlight`` parameter)."""
    boxes: list[BBox] = []
    for part in (text or "").split(";"):
        if not part.strip():
            continue
        try:
            numbers = [float(n) for n in part.split(",")]
        except ValueError:
            numbers = []
        if len(numbers) != 4:
            raise PageError(f"highlight 应为 x0,y0,x1,y1（以 ; 分隔多个框），而不是 “{part}”")
        boxes.append(_box(numbers))
    return boxes


def _box(box: Sequence[float]) -> BBox:
    x0, y0, x1, y1 = (float(v) for v in box)
    return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def _require_same_file(entry: DocumentEntry) -> None:
    path = Path(entry.path)
    if not path.is_file():
        raise PageError(
            f"{entry.file_name}: 原文件不在了（{entry.path}），无法显示页面；请把文件放回原处或重新导入"
        )
    stat = path.stat()
    if _content_id(str(path), stat.st_mtime_ns, stat.st_size) != entry.doc_id:
        raise PageError(f"{entry.file_name}: 原文件在导入后被修改（{entry.path}），页面已对不上；请重新导入")


@functools.lru_cache(maxsize=64)
def _content_id(path: str, mtime_ns: int, size: int) -> str:
    """The document id of a file, hashed once per version of it (mtime and size in the key)."""
    return pdf.file_id(Path(path).read_bytes())


@functools.lru_cache(maxsize=32)
def _render(path: str, mtime_ns: int, size: int, page: int, boxes: tuple[BBox, ...], zoom: float) -> bytes:
    if page < 1:
        raise IndexError(page)
    return pdf.render_png(path, page, list(boxes), zoom)


@functools.lru_cache(maxsize=64)
def _quote_boxes(path: str, mtime_ns: int, size: int, page: int, quote: str) -> tuple[BBox, ...]:
    if page < 1:
        raise IndexError(page)
    return tuple(pdf.text_boxes(path, page, quote))
