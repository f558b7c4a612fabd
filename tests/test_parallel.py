from tests.parallel import _shift


def test_each_worker_has_its_own_redis_database():
    assert _shift("redis://127.0.0.1:6379/0", 0) == "redis://127.0.0.1:6379/0"
    assert _shift("redis://127.0.0.1:6379/0", 1) == "redis://127.0.0.1:6379/1"
    assert _shift("redis://127.0.0.1:6379/4", 1) == "redis://127.0.0.1:6379/5"
    assert _shift("redis://h:6379", 1) == "redis://h:6379/1"
    assert _shift("rediss://x?y=1", 1) == "rediss://x?y=1"  # not one we can shift: left alone
