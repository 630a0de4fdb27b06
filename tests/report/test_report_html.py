"""HTML export: self-contained, no code, no stderr, no bare reprs, language and title set.

The notebook is built with nbformat (outputs written by hand, nothing executed).
"""

from __future__ import annotations

import base64
import re
import struct
import zlib

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from evaluation.report import html as H


def _png() -> bytes:
    """A valid 1×1 white PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff")) + chunk(b"IEND", b""))


def _notebook(tmp_path):
    (tmp_path / "figur.png").write_bytes(_png())
    png64 = base64.b64encode(_png()).decode()
    nb = new_notebook()
    nb.cells = [
        new_markdown_cell("# Sammanfattning\n\nEfter förändringen i Exempelstad …\n\n"
                          "![Figur 1](figur.png)"),
        new_code_cell("import warnings\nSECRET_CODE = 1", outputs=[
            new_output("stream", name="stderr", text="UserWarning: detta är en varning\n"),
            new_output("stream", name="stdout", text="Synlig text\n"),
        ]),
        new_code_cell("fig", outputs=[new_output(
            "execute_result", data={"text/plain": "<Figure size 640x480 with 1 Axes>"},
            execution_count=2)]),
        new_code_cell("ax.plot(x)", outputs=[new_output(
            "execute_result",
            data={"text/plain": "[<matplotlib.lines.Line2D at 0x7f00deadbeef>]"},
            execution_count=3)]),
        new_code_cell("display(fig)", outputs=[new_output(
            "display_data",
            data={"image/png": png64, "text/plain": "<Figure size 640x480 with 1 Axes>"})]),
        new_code_cell("table", outputs=[new_output(
            "execute_result",
            data={"text/html": "<table><tr><td>−0,9</td></tr></table>", "text/plain": "x"},
            execution_count=5)]),
        new_code_cell("x = 1", outputs=[]),
    ]
    path = tmp_path / "report.ipynb"
    nbformat.write(nb, path)
    return path


def test_export_html_is_self_contained_and_without_code(tmp_path):
    out = H.export_html(_notebook(tmp_path), tmp_path / "out" / "rapport.html",
                        title="Utvärdering – Exempelstad")
    html = out.read_text(encoding="utf-8")
    assert '<html lang="sv">' in html
    assert "<title>Utvärdering – Exempelstad</title>" in html
    # no code, prompts, stderr or reprs
    assert "SECRET_CODE" not in html and "import warnings" not in html
    assert "UserWarning" not in html
    assert "<Figure size" not in html and "&lt;Figure size" not in html
    assert "Line2D" not in html
    body = html[html.index("<body"):]
    assert "jp-InputPrompt" not in body and "jp-OutputPrompt" not in body
    assert "jp-InputArea-editor" not in body
    assert "Synlig text" in html and "−0,9" in html
    # nothing loaded from elsewhere; images embedded
    assert not re.search(r"""<script[^>]*src=["']?https?:""", html)
    assert not re.search(r"""<link[^>]*href=["']?https?:""", html)
    assert 'src="http' not in html
    assert "<script" not in html  # no require.js, MathJax or mermaid loader at all
    assert body.count("data:image/png;base64,") == 2  # output image and markdown image
    assert 'alt="Figur"' in html
    assert [p.name for p in out.parent.iterdir()] == ["rapport.html"]  # atomic, no temp file


def test_export_html_english(tmp_path):
    out = H.export_html(_notebook(tmp_path), tmp_path / "report.html", title="Evaluation",
                        language="en")
    html = out.read_text(encoding="utf-8")
    assert '<html lang="en">' in html and "<title>Evaluation</title>" in html


def test_external_scripts_in_outputs_are_refused(tmp_path):
    nb = new_notebook(cells=[new_code_cell("x", outputs=[new_output(
        "display_data",
        data={"text/html": '<script src="https://cdn.example.org/lib.js"></script>'})])])
    with pytest.raises(ValueError, match="internet"):
        H.notebook_to_html(nb, title="x")
    assert H.external_resources('<link rel="stylesheet" href="https://x.org/a.css">')
    assert not H.external_resources('<a href="https://www.socialstyrelsen.se">källa</a>')


def test_strip_reprs_and_clean_notebook():
    assert H.is_bare_repr("<Figure size 640x480 with 1 Axes>")
    assert H.is_bare_repr("<matplotlib.axes._axes.Axes at 0x7f1>")
    assert H.is_bare_repr("<Axes: title={'center': 'x'}>")
    assert H.is_bare_repr("Text(0.5, 1.0, 'Arbetslöshet')")
    assert not H.is_bare_repr("42")
    assert not H.is_bare_repr("Arbetslösheten låg <0,9> lägre")
    nb = new_notebook(cells=[
        new_code_cell("a", outputs=[new_output("execute_result", data={"text/plain": "42"},
                                               execution_count=1)]),
        new_code_cell("b", outputs=[new_output("execute_result",
                                               data={"text/plain": "<Figure size 1x1>"},
                                               execution_count=2)]),
        new_code_cell("c", outputs=[new_output("display_data",
                                               data={"application/javascript": "alert(1)"})]),
        new_markdown_cell("dold", metadata={"tags": ["remove-cell"]}),
    ])
    cleaned = H.clean_notebook(nb)
    assert len(cleaned.cells) == 1 and cleaned.cells[0].outputs[0].data["text/plain"] == "42"
    assert len(nb.cells) == 4  # the input notebook is not changed
