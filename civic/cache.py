"""A Redis cache that tolerates Redis being down: pages still serve, without the cache."""

import logging

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

log = logging.getLogger(__name__)


def _tolerant(name: str, fallback):
    def method(self, *args, **kwargs):
        try:
            return getattr(RedisCache, name)(self, *args, **kwargs)
        except RedisError as exc:
            log.warning("cache %s failed: %s", name, exc)
            return fallback(*args, **kwargs) if callable(fallback) else fallback

    method.__name__ = name
    return method


def _default(key, default=None, **kwargs):
    return default


class ReusingRedisCacheClient(RedisCacheClient):
    """Django's client builds a new redis.Redis object (hundreds of response callbacks) for
    every operation; a redis.Redis object is thread-safe, so keep one per pool."""

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]  # (private: not in the stubs)
        clients = self.__dict__.setdefault("_clients", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class TolerantRedisCache(RedisCache):
    """RedisCache whose reads miss and whose writes are dropped while Redis is unreachable."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient

    get = _tolerant("get", _default)
    set = _tolerant("set", None)
    add = _tolerant("add", False)
    delete = _tolerant("delete", False)
    get_many = _tolerant("get_many", {})
    set_many = _tolerant("set_many", [])
    delete_many = _tolerant("delete_many", None)
    touch = _tolerant("touch", False)
    has_key = _tolerant("has_key", False)
    clear = _tolerant("clear", None)
