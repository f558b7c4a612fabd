"""Helpers for the few code paths that build a lot in memory at once (imports, rankings, PDFs)."""

import contextlib
import gc


@contextlib.contextmanager
def cyclic_gc_paused(*, collect_after: bool = False):
    """Pause Python's cyclic garbage collector around bulk work.

    A national month is some 100k small objects (parsed cells, figures, result rows); a dispatch
    PDF, tens of objects per table cell. Every few hundred allocations the collector walks the
    young ones again, and now and then all of them: measured, that cost a quarter of an import's
    validation, as much as the ranking itself and a third of a 500-row PDF. Reference counting
    still frees what holds no cycle; the collector resumes afterwards.

    Work whose objects do sit in reference cycles (WeasyPrint's) asks for `collect_after`: one
    young-generation collection once the collector is back frees them at once, rather than leaving
    them to whatever runs next (all of them are still young: nothing was collected meanwhile).
    Nests safely: only the outermost pause resumes the collector, and collects.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
            if collect_after:
                gc.collect(0)
