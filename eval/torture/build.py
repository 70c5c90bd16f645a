"""A corpus of bad inputs, generated (never committed): what users bring besides good reports.

Truncations, seeded byte flips, broken xref, encrypted with and without a user password, zero
pages, a huge page count, a content-stream bomb, a damaged font, odd and non-UTF-8 names, a
directory named .pdf, a symlink, and non-PDF files with a .pdf name. Every file's expected
outcome is in ``EXPECTED`` (a status, or a set of acceptable ones where byte flips may land
anywhere).

Run: ``python -m eval.torture.build OUT_DIR``.
"""

from __future__ import annotations

import os
import random
import sys
import zlib
from pathlib import Path

import pymupdf

ROOT = Path(__file__).resolve().parents[2]
GOOD = ROOT / "eval" / "fixtures" / "zhumadian_2024_budget.pdf"
# what a run may say about each file: "ok" (ingested, maybe with a damage warning) or a problem code
ANY_DAMAGE = {"ok", "corrupt"}  # "not a report" is said only of files that read cleanly


def build(out: Path, seed: int = 7) -> dict[str, set[str]]:
    """Write the corpus into ``out``; returns {file name: acceptable outcomes}."""
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    data = GOOD.read_bytes()
    expected: dict[str, set[str]] = {}

    def write(name: str, content: bytes, outcomes: set[str]) -> None:
        (out / name).write_bytes(content)
        expected[name] = outcomes

    for share in (0.3, 0.6, 0.9, 0.99):
        write(f"truncated-{int(share * 100)}.pdf", data[: int(len(data) * share)], ANY_DAMAGE)
    for n in range(6):
        flipped = bytearray(data)
        for _ in range(rng.randint(1, 40)):
            i = rng.randrange(1024, len(flipped))
            flipped[i] ^= 1 << rng.randrange(8)
        write(f"flipped-{n}.pdf", bytes(flipped), ANY_DAMAGE)
    start = data.rfind(b"startxref")
    write("xref-damaged.pdf", data[:start] + b"startxref\n999999999\n%%EOF\n", {"ok"})
    write("no-xref.pdf", data[:start].replace(b"xref", b"xxxx"), {"ok"})

    src = pymupdf.open(GOOD)
    aes = getattr(pymupdf, "PDF_ENCRYPT_AES_256")  # noqa: B009
    expected["encrypted-user-password.pdf"] = {"encrypted"}
    src.save(out / "encrypted-user-password.pdf", encryption=aes, owner_pw="o", user_pw="secret")
    # an owner password only: opens without a password, printing and copying "restricted"
    expected["encrypted-owner-only.pdf"] = {"ok", "encrypted"}
    src.save(out / "encrypted-owner-only.pdf", encryption=aes, owner_pw="owner", permissions=0)

    write("zero-pages.pdf", _zero_pages(), {"corrupt"})
    big = pymupdf.open()
    for _ in range(2100):
        big.new_page(width=100, height=100)
    expected["huge-page-count.pdf"] = {"too_large"}
    big.save(out / "huge-page-count.pdf", garbage=4, deflate=True)

    expected["content-bomb.pdf"] = {"too_big", "too_slow"}
    _content_bomb(out / "content-bomb.pdf")
    expected["damaged-font.pdf"] = ANY_DAMAGE
    _damaged_font(data, out / "damaged-font.pdf")

    write("html-named.pdf", "<html><body>部门决算</body></html>".encode(), {"not_pdf"})
    write("empty.pdf", b"", {"empty"})
    # the symlink below points here: a run given the folder reads the file once, under one name
    write("空格 和 中文（2023）#1.pdf", data + b"\n% copy\n", {"ok", "skip"})
    name = os.fsdecode(b"latin1-\xe9t\xe9.pdf")  # not valid UTF-8
    (out / name).write_bytes(data + b"\n% latin1\n")
    expected[name] = {"ok"}
    (out / "folder.pdf").mkdir(exist_ok=True)
    (out / "folder.pdf" / "inside.txt").write_text("not a pdf", encoding="utf-8")
    expected["folder.pdf"] = {"skip"}  # a folder is searched for PDFs, not read as one
    link = out / "link-to-good.pdf"
    if not link.exists():
        link.symlink_to(out / "空格 和 中文（2023）#1.pdf")
    expected["link-to-good.pdf"] = {"ok", "skip"}
    dangling = out / "dangling-link.pdf"
    if not dangling.is_symlink():
        dangling.symlink_to(out / "does-not-exist.pdf")
    expected["dangling-link.pdf"] = {"missing"}
    return expected


def _zero_pages() -> bytes:
    return (
        b"%PDF-1.7\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


def _content_bomb(path: Path) -> None:
    """One page whose content stream decompresses to 31 MB of tiny rectangles (about 4 MB on disk
    after deflate): cheap to send, ruinous to render or to list drawings from."""
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), "部门决算", fontname="china-s")
    ops = b"".join(b"%d %d 1 1 re f\n" % (i % 500, (i // 500) % 800) for i in range(40_000))
    stream = ops * 50
    xref = doc.get_new_xref()
    doc.update_object(xref, "<<>>")
    # level 6: level 9 takes 40 s on this stream and comes out larger
    doc.update_stream(xref, zlib.compress(stream, 6), compress=False)
    doc.xref_set_key(xref, "Filter", "/FlateDecode")
    page_xref = page.xref
    contents = doc.xref_get_key(page_xref, "Contents")
    doc.xref_set_key(
        page_xref, "Contents", f"[{contents[1]} {xref} 0 R]" if contents[0] == "xref" else f"{xref} 0 R"
    )
    doc.save(path)


def _damaged_font(data: bytes, path: Path) -> None:
    """The embedded font program's bytes scrambled: glyphs may map to lone surrogates or nothing."""
    doc = pymupdf.open(stream=data, filetype="pdf")
    rng = random.Random(3)
    for xref in range(1, doc.xref_length()):
        if (
            doc.xref_get_key(xref, "Length1")[0] != "null"
            or doc.xref_get_key(xref, "Subtype")[1] == "/CIDFontType0C"
        ):
            raw = bytearray(doc.xref_stream(xref) or b"")
            for _ in range(len(raw) // 50):
                raw[rng.randrange(len(raw))] = rng.randrange(256)
            doc.update_stream(xref, bytes(raw))
        if (
            doc.xref_get_key(xref, "Type")[1] == "/CMap"
            or b"beginbfchar" in (doc.xref_stream(xref) or b"")[:4096]
        ):
            cmap = (doc.xref_stream(xref) or b"").replace(b"<4e", b"<d8").replace(b"<5", b"<dc")
            doc.update_stream(xref, cmap)
    doc.save(path)


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "torture")
    expected = build(out)
    for name, outcomes in sorted(expected.items()):
        print(f"{name!a}: {' | '.join(sorted(outcomes))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
