"""The report layer: numbers, text, figures, tables and HTML export, apart from estimation.

Modules (import the one you need; this package imports nothing eagerly so that formatting does
not pull in matplotlib or nbconvert):

* :mod:`evaluation.report.format` — Swedish/English number, percent, period, interval and p-value
  formatting via babel ("−1 234,5", "95 % KI: −1,5 till −0,4");
* :mod:`evaluation.report.text` — every heading and sentence (:func:`~evaluation.report.text.t`),
  the headline, result, method, conclusion, truth and data-box texts built from result values;
* :mod:`evaluation.report.figures` — observed vs counterfactual, effect path, decomposition
  waterfall, watermark for simulated data, deterministic PNG + SVG saving;
* :mod:`evaluation.report.tables` — results and per-period tables, XLSX + CSV writing;
* :mod:`evaluation.report.html` — self-contained HTML export of an executed notebook, no code.
"""

__all__ = ["figures", "format", "html", "tables", "text"]
