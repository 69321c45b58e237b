"""Lighter notebook figures: each PNG the notebooks output is re-encoded with a 256-colour palette and
stored as lossless WebP.

Matplotlib writes full-colour RGBA PNGs; a plot has few colours (lines, fills and their anti-aliased
edges), so a palette image looks the same and is about three times smaller; lossless WebP of that
palette image is another fifth smaller (every current browser shows WebP). Together they keep a
chapter's first visit within its weight budget at 150 dpi. Whichever encoding is smallest is used (the
original PNG if nothing beats it). Results are cached by the hash of the original (`.cache/figures/`):
a warm build does not encode again.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import re
from pathlib import Path

from PIL import Image

PNG_DATA_URI = re.compile(r'src="data:image/png;base64,([A-Za-z0-9+/=\s]+)"')
CACHE = Path(".cache/figures")
WEBP_METHOD = 6  # libwebp's slowest, smallest setting (cached, so paid once per figure)


def lighter_image(png: bytes) -> tuple[str, bytes]:
    """(MIME type, bytes) of the smallest of: the PNG, its 256-colour PNG, that palette as lossless WebP."""
    palette = Image.open(io.BytesIO(png)).convert("RGBA").quantize(colors=256, method=Image.Quantize.FASTOCTREE)
    candidates = [("image/png", png)]
    for mime, save in (("image/png", {"format": "PNG", "optimize": True}),
                       ("image/webp", {"format": "WEBP", "lossless": True, "method": WEBP_METHOD})):
        out = io.BytesIO()
        (palette if mime == "image/png" else palette.convert("RGBA")).save(out, **save)
        candidates.append((mime, out.getvalue()))
    return min(candidates, key=lambda candidate: len(candidate[1]))


def lighter_images(page_html: str, root: Path) -> str:
    """Every inline PNG of the page re-encoded by `lighter_image` (cached under root/.cache/figures)."""
    cache = root / CACHE

    def replace(match: re.Match) -> str:
        try:
            png = base64.b64decode(match.group(1), validate=False)
        except binascii.Error:
            return match.group(0)
        key = hashlib.sha256(png + f"webp-method-{WEBP_METHOD}".encode()).hexdigest()[:24]
        cached = next(iter(sorted(cache.glob(f"{key}.*"))), None) if cache.is_dir() else None
        if cached is not None:
            mime, data = f"image/{cached.suffix[1:]}", cached.read_bytes()
        else:
            mime, data = lighter_image(png)
            cache.mkdir(parents=True, exist_ok=True)
            (cache / f"{key}.{mime.split('/')[1]}").write_bytes(data)
        return f'src="data:{mime};base64,' + base64.b64encode(data).decode("ascii") + '"'

    return PNG_DATA_URI.sub(replace, page_html)
