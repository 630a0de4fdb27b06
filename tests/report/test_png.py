"""The figures' PNG writer (evaluation.report.png): files Pillow reads back to the same pixels,
with the resolution recorded, valid chunk checksums and the same bytes for the same pixels —
and, for a drawn report figure, no larger than Pillow's own file (the reason the writer skips
Pillow's per-row filter selection)."""

from __future__ import annotations

import io
import struct
import zlib

import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image

from evaluation.report import png


def _chunks(data: bytes) -> list[tuple[bytes, bytes, int]]:
    """(type, data, stored CRC) of every chunk, read by the specification's layout."""
    assert data[:8] == png.SIGNATURE
    out, at = [], 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at:at + 4])
        kind, body = data[at + 4:at + 8], data[at + 8:at + 8 + length]
        (crc,) = struct.unpack(">I", data[at + 8 + length:at + 12 + length])
        out.append((kind, body, crc))
        at += 12 + length
    return out


def _pixels(shape, seed=1) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, size=shape, dtype=np.uint8)


@pytest.mark.parametrize("shape, mode", [((7, 5, 3), "RGB"), ((4, 9, 4), "RGBA"),
                                         ((6, 3), "L"), ((3, 2, 2), "LA")])
def test_pillow_reads_back_the_same_pixels(shape, mode):
    pixels = _pixels(shape)
    with Image.open(io.BytesIO(png.encode(pixels, 300))) as image:
        image.load()
        assert image.mode == mode and image.size == (shape[1], shape[0])
        np.testing.assert_array_equal(np.asarray(image), pixels)


def test_a_pil_image_is_written_with_its_pixels():
    image = Image.fromarray(_pixels((5, 8, 3)))
    with Image.open(io.BytesIO(png.encode(image))) as back:
        np.testing.assert_array_equal(np.asarray(back), np.asarray(image))


def test_the_resolution_is_recorded_as_pillow_records_it():
    """pHYs in pixels per metre, rounded as Pillow writes ``dpi=``: Pillow reads 300 dpi back,
    and the chunk's bytes equal those of Pillow's own file; without a resolution, no pHYs."""
    pixels = _pixels((4, 4, 3))
    ours = {kind: body for kind, body, _ in _chunks(png.encode(pixels, 300))}
    reference = io.BytesIO()
    Image.fromarray(pixels).save(reference, format="png", dpi=(300, 300))
    theirs = {kind: body for kind, body, _ in _chunks(reference.getvalue())}
    assert ours[b"pHYs"] == theirs[b"pHYs"] and ours[b"IHDR"] == theirs[b"IHDR"]
    with Image.open(io.BytesIO(png.encode(pixels, 300))) as image:
        assert round(image.info["dpi"][0]) == 300 == round(image.info["dpi"][1])
    assert b"pHYs" not in {kind for kind, _, _ in _chunks(png.encode(pixels))}


def test_every_chunk_has_its_checksum_and_no_stamp():
    data = png.encode(_pixels((8, 8, 3)), 300)
    chunks = _chunks(data)
    assert [kind for kind, _, _ in chunks] == [b"IHDR", b"pHYs", b"IDAT", b"IEND"]
    for kind, body, crc in chunks:
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF, kind
    with Image.open(io.BytesIO(data)) as image:
        image.verify()  # Pillow checks the checksums too


def test_every_row_is_unfiltered_and_the_same_pixels_give_the_same_bytes():
    pixels = _pixels((6, 5, 3))
    data = png.encode(pixels, 300)
    (idat,) = [body for kind, body, _ in _chunks(data) if kind == b"IDAT"]
    rows = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(6, 1 + 5 * 3)
    assert (rows[:, 0] == 0).all()
    np.testing.assert_array_equal(rows[:, 1:].reshape(pixels.shape), pixels)
    assert png.encode(pixels.copy(), 300) == data


@pytest.mark.parametrize("bad", [np.zeros((3, 3, 3)), np.zeros((3, 3, 5), np.uint8),
                                 np.zeros((0, 3, 3), np.uint8), np.zeros(4, np.uint8)])
def test_pixels_png_cannot_hold_are_refused(bad):
    with pytest.raises(ValueError):
        png.encode(bad)


def test_a_drawn_figure_is_not_larger_than_pillows_file():
    """Skipping the filter selection is a speed choice that must not cost file size on what the
    report draws (lines, text, flat colour on white): the file is at most Pillow's size at the
    same zlib level (on the demo's 18 design figures: 4.34 MB against 4.78 MB)."""
    from evaluation.report.figures import _drawn_pixels

    fig, ax = plt.subplots(figsize=(6.3, 3.7), layout="constrained")
    x = np.arange(60)
    ax.plot(x, np.sin(x / 6), label="Exempelstad")
    ax.fill_between(x, np.sin(x / 6) - 0.3, np.sin(x / 6) + 0.3, alpha=0.3)
    ax.axvline(40, linestyle="--")
    ax.set_title("Arbetslöshet, procentenheter")
    ax.legend()
    try:
        pixels = _drawn_pixels(fig, 300)
    finally:
        plt.close(fig)
    reference = io.BytesIO()
    pixels.save(reference, format="png", compress_level=png.LEVEL)
    ours = png.encode(pixels, 300)
    assert len(ours) <= len(reference.getvalue())
    with Image.open(io.BytesIO(ours)) as back:
        np.testing.assert_array_equal(np.asarray(back), np.asarray(pixels))
