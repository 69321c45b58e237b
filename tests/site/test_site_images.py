"""tools/site_images.py: notebook figures re-encoded smaller and alike to the eye."""

from __future__ import annotations

import io
import sys

from site_scratch import TREE

sys.path.insert(0, str(TREE / "tools"))
import site_images  # noqa: E402


def figure_png() -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    fig, ax = plt.subplots(figsize=(6.4, 4.0), dpi=150)
    x = np.linspace(-6, 6, 601)
    ax.plot(x, np.tanh(x), lw=2, label="tanh")
    ax.plot(x, 1 / (1 + np.exp(-x)), lw=2, label="sigmoid")
    ax.fill_between(x, 0, np.tanh(x), alpha=0.2)
    ax.legend()
    out = io.BytesIO()
    fig.savefig(out, format="png", transparent=True)
    plt.close(fig)
    return out.getvalue()


def test_a_figure_gets_much_smaller_and_looks_the_same():
    from PIL import Image, ImageChops

    png = figure_png()
    mime, data = site_images.lighter_image(png)
    assert mime in ("image/png", "image/webp")
    assert len(data) < len(png) / 2, f"{len(png)} -> {len(data)} bytes"
    def seen(image_bytes: bytes, background) -> Image.Image:  # as shown on a page of that colour
        image = Image.open(io.BytesIO(image_bytes)).convert("RGBA")
        return Image.alpha_composite(Image.new("RGBA", image.size, background), image).convert("RGB")

    for background in ((255, 255, 255, 255), (30, 33, 41, 255)):
        before, after = seen(png, background), seen(data, background)
        assert after.size == before.size
        difference = ImageChops.difference(before, after).convert("L")
        mean = sum(difference.get_flattened_data()) / (difference.width * difference.height)
        assert mean < 2.0, f"mean difference {mean:.2f} of 255 on {background}"


def test_pages_get_their_figures_replaced_and_cached(tmp_path):
    import base64

    png = figure_png()
    page = f'<img alt="a figure" src="data:image/png;base64,{base64.b64encode(png).decode()}">'
    first = site_images.lighter_images(page, tmp_path)
    assert 'alt="a figure"' in first and len(first) < len(page) / 2
    assert len(list((tmp_path / site_images.CACHE).iterdir())) == 1
    assert site_images.lighter_images(page, tmp_path) == first
