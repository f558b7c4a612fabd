"""Helpers for the few code paths that build a national month in memory (imports, rankings)."""

import contextlib
import gc


@contextlib.contextmanager
def cyclic_gc_paused():
    """Pause Python's cyclic garbage collector around bulk work.

    A national month is some 100k small objects (parsed cells, figures, result rows), none of them
    in a reference cycle. Every few hundred allocations the collector walks the young ones again,
    and now and then all of them: measured, that cost a quarter of an import's validation and as
    much as the ranking itself. Reference counting still frees everything as usual; the collector
    resumes (and catches up) afterwards. Nests safely.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
