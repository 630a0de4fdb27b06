"""A papermill engine that runs the evaluation notebook in the command's own process.

papermill's default engine (nbclient) starts a Jupyter kernel for every run: a second Python
process that starts ipykernel and ZeroMQ (0.5 CPU-s), imports pandas, this package and the
libraries under it a second time (the command has already imported them to check the spec
and the data) and sends every output back as a message. On the demo that is 2–3 CPU-s of
the 20–25 an ``evaluation run`` cost (alternating runs of the same tree with either engine).

This engine executes the same notebook — the parameters cell papermill injects, then every
cell in order — with IPython's :class:`~IPython.core.interactiveshell.InteractiveShell`,
the shell ipykernel is built on, in the calling process:

- ``IPython.display.display`` and the value of a cell's last expression reach the notebook
  as ``display_data`` and ``execute_result`` outputs (the shell's own formatter makes their
  MIME bundles), ``print`` and warnings as ``stdout``/``stderr`` streams, in the order they
  happen, as a kernel's would; ``update_display`` and ``clear_output`` act on them;
- an exception ends the run at its cell with an ``error`` output (name, value and IPython's
  traceback), which papermill turns into ``PapermillExecutionError`` as for a kernel; a
  ``KeyboardInterrupt`` (Ctrl-C, or SIGTERM, which the command turns into one) is raised on
  in the command after its cell's outputs are kept;
- execution counts 1, 2, … and papermill's per-cell metadata and progress bar, as before.

What exists when a cell starts (the libraries its predecessors imported, the inputs, the
evaluation and what it remembers) lives on in the namespace until the run ends, so the cyclic
garbage collector stops looking at it: each cell starts with :func:`gc.freeze`, and the run
ends with :func:`gc.unfreeze` (:func:`_long_lived`). A full collection walks every tracked
object; on the demo, with the libraries' 240 000 objects walked again by each of seven full
collections, that was 0.75–0.8 CPU-s, and is 0.25 with each cell's start frozen (a garbage
cycle an earlier cell left is freed when the run ends instead; the run's peak memory grows by
20–30 MB).

Every notebook gets a new shell and namespace, dropped afterwards; the process's
``sys.stdout``/``stderr``, ``__main__`` module and warning filters are put back, so runs in
one process (``evaluation update``, the tests) do not see each other's variables. When an
IPython shell already runs in the process (``run`` called from a notebook or IPython), or the
run is not in the main thread, this engine is not used: the run starts a kernel, as papermill
does by default (:func:`engine_for`).
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import io
import platform
import sys
import warnings
from typing import Any

from papermill.engines import Engine, papermill_engines

#: The name this engine is registered under with papermill.
ENGINE = "evaluation-inprocess"

#: What ipykernel answers for ``language_info`` (papermill stores the kernel's answer in the
#: notebook's metadata; nbconvert reads the lexer from it).
LANGUAGE_INFO = {
    "name": "python",
    "version": platform.python_version(),
    "mimetype": "text/x-python",
    "codemirror_mode": {"name": "ipython", "version": 3},
    "pygments_lexer": "ipython3",
    "nbconvert_exporter": "python",
    "file_extension": ".py",
}


def engine_for(kernel: str | None) -> tuple[str | None, dict[str, Any]]:
    """papermill's ``engine_name`` and extra arguments for a run: this engine when no kernel is
    asked for, no IPython shell runs in the process and the run is in the main thread (the
    shell is one per process, and ``sys.stdout`` is the process's), else papermill's kernel
    engine with ``kernel`` (default ``python3``), its start-up log silenced."""
    import threading

    from IPython.core.interactiveshell import InteractiveShell

    if (kernel is None and not InteractiveShell.initialized()
            and threading.current_thread() is threading.main_thread()):
        register()
        return ENGINE, {}
    # no kernel chatter on the terminal: the kernel's shutdown logs a caught KeyboardInterrupt
    # at ERROR level after a successful run
    return None, {"kernel_name": kernel or "python3",
                  "extra_arguments": ["--IPKernelApp.log_level=CRITICAL"]}


def register() -> None:
    """Make the engine known to papermill under :data:`ENGINE` (again: the same entry)."""
    papermill_engines.register(ENGINE, InProcessEngine)


class _Outputs:
    """The outputs of the cell being run, as nbformat output nodes, in order."""

    def __init__(self) -> None:
        #: outputs shown under a display id, in any cell so far (a later cell may update them)
        self.by_display_id: dict[str, list[Any]] = {}
        self.reset()

    def reset(self) -> None:
        """Start a new cell."""
        self.items: list[Any] = []
        self._clear_on_next = False

    def _add(self, output: Any) -> None:
        if self._clear_on_next:
            self.items.clear()
            self._clear_on_next = False
        self.items.append(output)

    def display(self, data: dict, metadata: dict | None, transient: dict | None,
                update: bool) -> None:
        from nbformat.v4 import new_output

        display_id = (transient or {}).get("display_id")
        if update:  # update_display: change the outputs shown under that id, add none
            for output in self.by_display_id.get(display_id, []):
                output["data"], output["metadata"] = data, metadata or {}
            return
        output = new_output("display_data", data=data, metadata=metadata or {})
        if display_id is not None:
            self.by_display_id.setdefault(display_id, []).append(output)
        self._add(output)

    def result(self, count: int, data: dict, metadata: dict | None) -> None:
        from nbformat.v4 import new_output

        self._add(new_output("execute_result", data=data, metadata=metadata or {},
                             execution_count=count))

    def stream(self, name: str, text: str) -> None:
        from nbformat.v4 import new_output

        if not text:
            return
        last = self.items[-1] if self.items and not self._clear_on_next else None
        if last is not None and last["output_type"] == "stream" and last["name"] == name:
            last["text"] += text
        else:
            self._add(new_output("stream", name=name, text=text))

    def error(self, ename: str, evalue: str, traceback: list[str]) -> None:
        from nbformat.v4 import new_output

        self._add(new_output("error", ename=ename, evalue=evalue, traceback=list(traceback)))

    def clear(self, wait: bool) -> None:
        if wait:
            self._clear_on_next = True
        else:
            self.items.clear()


class _Stream(io.TextIOBase):
    """``sys.stdout`` or ``sys.stderr`` while a cell runs: text becomes a stream output."""

    def __init__(self, outputs: _Outputs, name: str) -> None:
        super().__init__()
        self._outputs, self._name = outputs, name

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._outputs.stream(self._name, text)
        return len(text)


def _show_warning(message, category, filename, lineno, file=None,  # noqa: ARG001
                  line=None) -> None:
    """``warnings.showwarning`` while the cells run: the warning on ``sys.stderr`` (the cell's
    stream), whoever recorded or redirected warnings in the process before."""
    sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))


def _shell(outputs: _Outputs) -> Any:
    """A new IPython shell whose displays, results and tracebacks go to ``outputs``."""
    from IPython.core.displayhook import DisplayHook
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    class Publisher(DisplayPublisher):
        def publish(self, data, metadata=None, source=None, *, transient=None, update=False,
                    **kwargs):  # noqa: ARG002 - the signature IPython calls
            outputs.display(data, metadata, transient, update)

        def clear_output(self, wait=False):
            outputs.clear(wait)

    class Hook(DisplayHook):
        def start_displayhook(self):
            super().start_displayhook()
            self._bundle = None

        def write_output_prompt(self):
            pass

        def write_format_data(self, format_dict, md_dict=None):
            self._bundle = (format_dict, md_dict)

        def finish_displayhook(self):
            if self._bundle is not None:
                outputs.result(self.prompt_count, *self._bundle)
            self._is_active = False

    class Shell(InteractiveShell):
        display_pub_class = Publisher
        displayhook_class = Hook

        def _showtraceback(self, etype, evalue, stb):
            outputs.error(etype.__name__, str(evalue), stb)

        def init_virtualenv(self):
            pass  # the command's own interpreter: nothing to add, no warning to print

    config = Config()
    config.HistoryManager.enabled = False  # no history database in the user's profile
    # No output cache (``_``, ``_oh``, ``_1`` …; no cell uses them): dropping the shell then
    # does not flush it, and the flush ends in a full ``gc.collect()`` of everything the
    # notebook made: 0.15 CPU-s on the demo, for memory the process's own collector frees.
    config.InteractiveShell.cache_size = 0
    return Shell.instance(config=config)


@contextlib.contextmanager
def _long_lived() -> Any:
    """Within: :func:`gc.freeze` at each call of the yielded function (a cell's start), so that
    the collector's full collections look only at what the running cell makes; afterwards
    everything is unfrozen and collectable again. Nothing is frozen when the process froze
    objects of its own before (a server that forks) or runs without the collector."""
    if gc.get_freeze_count() or not gc.isenabled():
        yield lambda: None
        return
    try:
        yield gc.freeze
    finally:
        gc.unfreeze()


def _drop(shell: Any) -> None:
    """Let go of a shell: its namespace, the process state it changed, the singleton."""
    shell.reset(new_session=False)
    shell.cleanup()  # sys.stdin/stdout/stderr, excepthook and __main__ as they were
    atexit.unregister(shell.atexit_operations)
    type(shell).clear_instance()


class InProcessEngine(Engine):
    """papermill engine: the notebook's cells in this process (the module's docstring)."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):  # noqa: ARG003
        execute_cells(nb_man)
        return nb_man.nb


def execute_cells(nb_man: Any) -> None:
    """Run the cells of papermill's managed notebook ``nb_man`` in order, in a new shell, and
    store their outputs and execution counts; stop at the first cell that raises (its error
    is its last output). A ``KeyboardInterrupt`` in a cell is raised on."""
    outputs = _Outputs()
    shell = _shell(outputs)
    interrupted = False
    try:
        with warnings.catch_warnings(), _long_lived() as freeze, \
                contextlib.redirect_stdout(_Stream(outputs, "stdout")), \
                contextlib.redirect_stderr(_Stream(outputs, "stderr")):
            warnings.showwarning = _show_warning  # to the cell's stderr, as in a kernel
            for index, cell in enumerate(nb_man.nb.cells):
                nb_man.cell_start(cell, index)
                try:
                    if cell.cell_type != "code":
                        continue
                    outputs.reset()
                    freeze()  # what earlier cells left lives on: not walked again
                    result = shell.run_cell(cell.source, store_history=True)
                    cell.execution_count = result.execution_count
                    cell.outputs = list(outputs.items)
                    error = result.error_before_exec or result.error_in_exec
                    if isinstance(error, KeyboardInterrupt):
                        interrupted = True
                        break
                    if error is not None:
                        nb_man.cell_exception(cell, cell_index=index, exception=error)
                        break
                finally:
                    nb_man.cell_complete(cell, cell_index=index)
        nb_man.nb.metadata["language_info"] = dict(LANGUAGE_INFO)
    finally:
        _drop(shell)
    if interrupted:
        raise KeyboardInterrupt
