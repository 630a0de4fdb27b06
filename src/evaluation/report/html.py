"""Export an executed report notebook to one self-contained HTML file without code.

The HTML is made for readers of the report, not for programmers:

* no code cells, no prompts, no stderr streams (warnings, progress bars), no bare Python reprs
  such as ``<Figure size 640x480 with 1 Axes>``;
* images get an ``alt`` text (the output's ``alt`` metadata, else "Figur"/"Figure"; the
  report's own figures are HTML ``<figure>`` elements with their alt text and caption, see
  :func:`evaluation.report.show.figure_html`);
* an output whose metadata is ``{"evaluation": {"details": "<summary>"}}`` is shown collapsed
  in a ``<details>`` element with that summary (no script);
* nothing fetched from the internet: the JupyterLab template's require.js, MathJax, mermaid and
  widget loaders are removed (a report must open offline and must not leak that it was opened),
  stylesheets are inlined and images embedded as base64;
* ``<html lang="sv">`` (or ``"en"``) and the given ``<title>``;
* written atomically, so a failed export never leaves half a file behind.

Markdown cells may use HTML (e.g. :func:`evaluation.report.text.data_box`). LaTeX is not rendered
(there is no MathJax): write formulas in words.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import nbformat
from jinja2 import DictLoader
from nbconvert import HTMLExporter
from nbformat import NotebookNode

from evaluation.data.store import write_bytes
from evaluation.report.format import Language, check_language

_TEMPLATE_NAME = "evaluation_report.html.j2"
_TEMPLATE = r"""{%- extends 'index.html.j2' -%}
{#- Self-contained report: no script or stylesheet is loaded from elsewhere. -#}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block data_png scoped -%}
{%- set alt = output | get_metadata('alt', 'image/png') -%}
<div class="jp-RenderedImage jp-OutputArea-output {{ extra_class }}">
<img src="data:image/png;base64,{{ output.data['image/png'] | escape_html }}"
 alt="{{ (alt or ('Figur' if resources.language_code == 'sv' else 'Figure')) | escape_html }}"
{%- set width = output | get_metadata('width', 'image/png') -%}
{%- if width is not none %} width={{ width | escape_html }}{%- endif -%}
{%- set height = output | get_metadata('height', 'image/png') -%}
{%- if height is not none %} height={{ height | escape_html }}{%- endif -%}
>
</div>
{%- endblock data_png -%}
{#- An output whose metadata says {"evaluation": {"details": summary}} is shown collapsed. -#}
{%- block output -%}
{%- set details = ((output.get('metadata') or {}).get('evaluation') or {}).get('details') -%}
{%- if details -%}
<details class="output-details"><summary>{{ details | escape_html }}</summary>
{{ super() }}
</details>
{%- else -%}
{{ super() }}
{%- endif -%}
{%- endblock output -%}
{%- block extra_css -%}
<style type="text/css">
  /* the jupyter stylesheet comes after this one: equal selectors lose, hence "body …" */
  body.jp-Notebook { max-width: 62em; margin: 0 auto; padding: 1.5em 1em 3em 1em; }
  body.jp-Notebook .jp-Cell { padding: 1px 0; }
  .jp-OutputArea-output img { max-width: 100%; height: auto; }
  .jp-RenderedHTMLCommon table { font-size: 0.95em; }
  body .jp-RenderedHTMLCommon h2 { margin-top: 0.8em; margin-bottom: 0.3em; }
  body .jp-RenderedHTMLCommon h3 { margin-top: 0.8em; margin-bottom: 0.3em; }
  /* first screen: verdicts, the estimates table */
  p.verdict { margin: 0.5em 0; line-height: 1.45; }
  .verdict-category { display: inline-block; padding: 0 0.5em; margin-right: 0.3em;
    border-radius: 3px; font-weight: bold; font-size: 0.9em; background: #e8e8e8; }
  .verdict-clear_effect .verdict-category { background: #d6ecd2; }
  .verdict-method_dependent .verdict-category { background: #fbe6b9; }
  .verdict-no_effect .verdict-category { background: #dbe6f3; }
  .verdict-insufficient .verdict-category { background: #e8e8e8; }
  .plan-note, .glossary-pointer { font-size: 0.9em; color: #444; }
  .jp-RenderedHTMLCommon table.estimates { width: 100%; table-layout: auto; }
  .jp-RenderedHTMLCommon table.estimates td, .jp-RenderedHTMLCommon table.estimates th {
    text-align: left; vertical-align: top; }
  /* table of contents: one paragraph of links */
  nav.toc { border-left: 3px solid #999; padding: 0.2em 1em; margin: 1em 0; }
  nav.toc .toc-title { display: inline; margin: 0; }
  body .jp-RenderedHTMLCommon nav.toc ol { display: inline; margin: 0; padding: 0;
    list-style: none; }
  nav.toc li { display: inline; }
  nav.toc > ol > li:not(:last-child)::after { content: " · "; }
  nav.toc li li:first-child::before { content: " ("; }
  nav.toc li li:not(:last-child)::after { content: ", "; }
  nav.toc li li:last-child::after { content: ")"; }
  /* collapsed parts */
  details { margin: 0.35em 0; padding: 0.2em 0.8em; border: 1px solid #ccc;
    border-radius: 4px; background: #fafafa; }
  details > summary { cursor: pointer; font-weight: bold; }
  details[open] > summary { margin-bottom: 0.5em; }
  details.output-details { font-family: var(--jp-content-font-family);
    font-size: var(--jp-content-font-size1); margin-right: 20px; }
  .outcome-more { display: flex; flex-wrap: wrap; gap: 0 0.6em; align-items: flex-start; }
  .outcome-more > details { flex: 0 1 auto; }
  .outcome-more > details[open] { flex-basis: 100%; }
  /* figures with captions */
  figure.report-figure { margin: 0.8em 0 1.2em 0; }
  figure.report-figure img { max-width: min(100%, 600px); height: auto; display: block; }
  figure.report-figure figcaption { font-size: 0.9em; color: #333; margin-top: 0.3em; }
  /* glossary: term | explanation */
  .jp-RenderedHTMLCommon dl.glossary { display: grid; grid-template-columns: 13em 1fr;
    gap: 0.5em 1em; }
  .jp-RenderedHTMLCommon dl.glossary dt { font-weight: bold; float: none; width: auto;
    margin: 0; padding: 0; text-align: left; }
  .jp-RenderedHTMLCommon dl.glossary dd { margin: 0; padding: 0; float: none; width: auto; }
  @media print { body.jp-Notebook { max-width: none; padding: 0; } }
</style>
{%- endblock extra_css -%}
"""

#: Cell tags that remove a whole cell from the report.
REMOVE_TAGS = frozenset({"remove-cell", "remove_cell", "hide-cell", "hide_cell"})
#: Output mimetypes that run code in the browser (and may load it from elsewhere): dropped.
SCRIPT_MIMETYPES = frozenset({
    "application/javascript",
    "text/javascript",
    "application/vnd.jupyter.widget-view+json",
    "application/vnd.jupyter.widget-state+json",
})

_REPR_LINE = re.compile(
    r"""^\s*\[?\s*(?:
        <[A-Za-z_][\w.]*:?(?:\s[^\n]*)?>      # <Figure size ...>, <matplotlib...>, <Axes: ...>
      | (?:Text|Annotation)\(.*\)              # matplotlib Text(...) returned by set_title etc.
    )\s*,?\s*\]?\s*$""",
    re.VERBOSE,
)
_EXTERNAL = [
    re.compile(r"""<script\b[^>]*\bsrc\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE),
    re.compile(r"""<link\b[^>]*\bhref\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE),
    re.compile(r"""@import\s+(?:url\()?\s*["']?\s*(?:https?:)?//""", re.IGNORECASE),
    re.compile(r"""\bimport\s*\(\s*["'](?:https?:)?//""", re.IGNORECASE),
]


def is_bare_repr(text: str) -> bool:
    """True when ``text`` is only Python object reprs (``<Figure size …>``, ``[<matplotlib…>]``,
    ``Text(0.5, 1.0, '…')``), which mean nothing to a reader."""
    lines = [line for line in str(text).splitlines() if line.strip()]
    return bool(lines) and all(_REPR_LINE.match(line) for line in lines)


def strip_reprs(nb: NotebookNode) -> NotebookNode:
    """Drop outputs whose only content is a bare Python repr in ``text/plain``.

    Outputs with a richer representation (an image, HTML) are kept: the HTML shows that one.
    Changes ``nb`` in place and returns it.
    """
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        kept = []
        for output in cell.get("outputs", []):
            data = output.get("data") if output.get("output_type") in (
                "execute_result", "display_data") else None
            if data is not None and set(data) <= {"text/plain"}:
                text = data.get("text/plain", "")
                text = "".join(text) if isinstance(text, list) else text
                if is_bare_repr(text):
                    continue
            kept.append(output)
        cell["outputs"] = kept
    return nb


def clean_notebook(nb: NotebookNode) -> NotebookNode:
    """A copy of ``nb`` ready for readers.

    Removes cells tagged ``remove-cell``, stderr streams (warnings, progress bars), bare reprs
    (:func:`strip_reprs`), script and widget outputs, widget state, and code cells left without
    output. Error outputs are kept: a failed step must stay visible in the report.
    """
    nb = copy.deepcopy(nb)
    nb.metadata.pop("widgets", None)
    cells = []
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & REMOVE_TAGS:
            continue
        if cell.get("cell_type") == "code":
            outputs = []
            for output in cell.get("outputs", []):
                if output.get("output_type") == "stream" and output.get("name") == "stderr":
                    continue
                if "data" in output:
                    for mime in SCRIPT_MIMETYPES & set(output["data"]):
                        del output["data"][mime]
                    if not output["data"]:
                        continue
                outputs.append(output)
            cell["outputs"] = outputs
        cells.append(cell)
    nb.cells = cells
    strip_reprs(nb)
    nb.cells = [c for c in nb.cells if c.get("cell_type") != "code" or c.get("outputs")]
    return nb


def external_resources(html_text: str) -> list[str]:
    """Snippets of ``html_text`` that load a script or stylesheet from another site."""
    found = []
    for pattern in _EXTERNAL:
        found += [m.group(0) for m in pattern.finditer(html_text)]
    return found


def notebook_to_html(
    nb: NotebookNode, *, title: str, language: Language = "sv", base_dir: str | Path = "."
) -> str:
    """Render a notebook node as self-contained report HTML (see :func:`export_html`)."""
    check_language(language)
    nb = clean_notebook(nb)
    nb.metadata["title"] = title
    exporter = HTMLExporter(
        template_name="lab",
        extra_loaders=[DictLoader({_TEMPLATE_NAME: _TEMPLATE})],
        template_file=_TEMPLATE_NAME,
    )
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.embed_images = True
    exporter.language_code = language
    # the notebook is validated once, after all preprocessors, not after each of the twelve
    # (nbconvert's option; the page is the same)
    exporter.optimistic_validation = True
    resources: dict[str, Any] = {"metadata": {"name": title, "path": str(Path(base_dir))}}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    external = external_resources(body)
    if external:
        raise ValueError(
            "The report HTML would load scripts or stylesheets from the internet "
            f"({external[0]!r}); remove the output that adds them."
        )
    return body


def export_html(
    notebook_path: str | Path,
    html_path: str | Path,
    *,
    title: str,
    language: Language = "sv",
) -> Path:
    """Export an executed notebook as a self-contained HTML report without code.

    Parameters
    ----------
    notebook_path
        The executed notebook (``.ipynb``); relative image paths in markdown are resolved
        against its folder and embedded.
    html_path
        Where to write the HTML; the folder is created. Written atomically (temporary file in
        the same folder, then :func:`os.replace`).
    title
        The page ``<title>``.
    language
        ``"sv"`` or ``"en"``: the page's ``<html lang>``.

    Returns
    -------
    Path
        ``html_path``.

    Raises
    ------
    ValueError
        If the result would still load a script or stylesheet from the internet.
    """
    notebook_path = Path(notebook_path)
    html_path = Path(html_path)
    nb = nbformat.read(notebook_path, as_version=4)
    body = notebook_to_html(nb, title=title, language=language, base_dir=notebook_path.parent)
    return write_bytes(html_path, body.encode("utf-8"))
