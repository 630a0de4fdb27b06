"""PNG files of drawn figures, encoded without per-row filter selection.

A report figure is 1 890 × 1 100-odd pixels at 300 dpi: lines, text and flat colour on white.
Pillow's PNG encoder tries up to four PNG filters on every row and keeps the one with the
smallest sum (its ``ZipEncode.c``; there is no option to turn that off), which costs more than
the compression itself: 41 ms a figure even at zlib level 0. For such pictures the filter buys
nothing — with no filter the demo's design figures come out a tenth *smaller* — so
:func:`encode` writes the file itself: every row with filter type 0, deflated by zlib at
:data:`LEVEL` (a third of Pillow's time; the measurements are beside it). The format is the PNG
specification's (W3C, 2nd edition, 2003): the signature, IHDR, pHYs when a resolution is given,
one IDAT, IEND, each chunk with its CRC-32. Reading is left to Pillow, and the tests read every
file written here with it.
"""

from __future__ import annotations

import struct
import zlib
from typing import Any

import numpy as np

#: zlib level. The demo's 18 design figures at 300 dpi (best of 3): level 1 in 0.27 CPU-s,
#: 4.34 MB; level 3 in 0.33 s, 4.11 MB; level 6 in 0.64 s, 3.63 MB (Pillow at level 1, filters
#: chosen per row: 0.70–0.86 s, 4.78 MB). The speed matters more than the last tenth of size.
#: Tried and left (2026-12-02): ISA-L's deflate (the ``isal`` package) at its level 2 took a
#: fifth of the time for the 23 figure files (0.06 against 0.29 CPU-s), but once in a test
#: suite it deflated the same pixels to other bytes (the same Adler-32, another stream), and
#: a rerun must give the same files; libdeflate was no faster here (0.24 s at its level 2).
LEVEL = 1
SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: PNG colour types by channels: grey, grey + alpha, RGB, RGBA.
_COLOUR_TYPE = {1: 0, 2: 4, 3: 2, 4: 6}
_INCH = 0.0254  # metres


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def encode(pixels: Any, dpi: float | None = None, *, level: int = LEVEL) -> bytes:
    """PNG bytes of ``pixels`` — an 8-bit image (PIL image or array, height × width ×
    channels, or height × width for grey) — with ``dpi`` recorded as pixels per metre (what
    Pillow writes for ``dpi=``) when given. No date or software stamp: the same pixels give
    the same bytes."""
    array = np.asarray(pixels)
    if array.dtype != np.uint8:
        raise ValueError(f"a PNG here holds 8-bit pixels, not {array.dtype}")
    if array.ndim == 2:
        array = array[:, :, None]
    if array.ndim != 3 or array.shape[2] not in _COLOUR_TYPE or 0 in array.shape[:2]:
        raise ValueError(f"cannot write pixels of shape {array.shape} as PNG")
    height, width, channels = array.shape
    rows = np.empty((height, 1 + width * channels), dtype=np.uint8)
    rows[:, 0] = 0  # filter type 0 (none) on every row
    rows[:, 1:] = array.reshape(height, width * channels)
    header = struct.pack(">IIBBBBB", width, height, 8, _COLOUR_TYPE[channels], 0, 0, 0)
    parts = [SIGNATURE, _chunk(b"IHDR", header)]
    if dpi is not None:
        per_metre = int(dpi / _INCH + 0.5)
        parts.append(_chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1)))
    deflate = zlib.compressobj(level)
    parts.append(_chunk(b"IDAT", deflate.compress(rows.data) + deflate.flush()))
    parts.append(_chunk(b"IEND", b""))
    return b"".join(parts)
