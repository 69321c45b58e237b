"""Lighter notebook figures: each PNG the notebooks output is re-encoded with a 256-colour palette.

Matplotlib writes full-colour RGBA PNGs; a plot has few colours (lines, fills and their anti-aliased
edges), so a palette image looks the same and is about three times smaller, which keeps a chapter's
first visit within its weight budget at 150 dpi. The re-encoded images are cached by the hash of the
original (`.cache/png/`): a warm build does not quantize again.
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
CACHE = Path(".cache/png")


def quantized_png(png: bytes) -> bytes:
    """The PNG with at most 256 colours (alpha kept), or the original when that is not smaller."""
    image = Image.open(io.BytesIO(png))
    palette = image.convert("RGBA").quantize(colors=256, method=Image.Quantize.FASTOCTREE)
    out = io.BytesIO()
    palette.save(out, format="PNG", optimize=True)
    return out.getvalue() if len(out.getvalue()) < len(png) else png


def lighter_images(page_html: str, root: Path) -> str:
    """Every inline PNG of the page re-encoded by `quantized_png` (cached under root/.cache/png)."""
    cache = root / CACHE

    def replace(match: re.Match) -> str:
        try:
            png = base64.b64decode(match.group(1), validate=False)
        except binascii.Error:
            return match.group(0)
        cached = cache / f"{hashlib.sha256(png).hexdigest()[:24]}.png"
        if cached.is_file():
            light = cached.read_bytes()
        else:
            light = quantized_png(png)
            cache.mkdir(parents=True, exist_ok=True)
            cached.write_bytes(light)
        return 'src="data:image/png;base64,' + base64.b64encode(light).decode("ascii") + '"'

    return PNG_DATA_URI.sub(replace, page_html)
