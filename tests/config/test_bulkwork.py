import gc

import pytest

from config.bulkwork import cyclic_gc_paused


def test_the_collector_is_paused_inside_and_restored_after_even_on_error():
    assert gc.isenabled()
    with pytest.raises(RuntimeError):
        with cyclic_gc_paused():
            assert not gc.isenabled()
            with cyclic_gc_paused():  # nested: the inner exit must not resume it early
                pass
            assert not gc.isenabled()
            raise RuntimeError
    assert gc.isenabled()


def test_a_collector_disabled_by_the_caller_stays_disabled():
    gc.disable()
    try:
        with cyclic_gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_collect_after_frees_the_cycles_made_while_paused_only_once_resumed():
    gc.collect()
    with cyclic_gc_paused(collect_after=True):
        for _ in range(1000):
            cycle = []
            cycle.append(cycle)
        del cycle
        with cyclic_gc_paused(collect_after=True):
            pass  # the inner pause neither resumes nor collects
        assert not gc.isenabled()
    assert gc.isenabled()
    assert gc.collect() == 0  # the thousand cycles were freed on the way out
