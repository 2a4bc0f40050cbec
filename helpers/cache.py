"""Small caches for the widgets: what a view derives from a case, kept while that data is unchanged.

A widget redraws its whole view on every interaction, although most of the view (the real
statements beside a draft, the statements and claims tables for a given state of the timeline)
depends on the case alone, or on a few values that repeat. These parts are cached on a key made
of the *content* they are computed from: the columns of the case tables that are read, by value.
A key is never the Case object or its ``id``: ``claims.recode`` makes a new Case that shares
most tables with the old one (``dataclasses.replace``), an id can be reused once a recoded copy
is garbage-collected, and a table can be edited in place; with content keys, any change to the
data read gives a new key and a fresh computation, and nothing can be served stale.

The cached values are strings and tuples (immutable), so no caller can change a cached result.
Rendered HTML also depends on pandas' display options, which are part of the keys of HTML
(``display_options``).
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Hashable
from contextlib import contextmanager
from typing import TypeVar

import pandas as pd

T = TypeVar("T")

#: Stands for NaN in a key (NaN != NaN, and each float NaN hashes by its identity).
_NAN = object()

#: pandas options that change what ``DataFrame.to_html`` writes.
_DISPLAY_OPTIONS = ("display.precision", "display.float_format", "display.chop_threshold", "display.max_colwidth",
                    "display.max_rows", "display.max_columns", "display.max_seq_items", "display.show_dimensions",
                    "display.colheader_justify", "display.html.border", "display.html.use_mathjax",
                    "display.html.table_schema", "display.large_repr", "display.multi_sparse", "display.date_dayfirst",
                    "display.date_yearfirst")


def _plain(values: Iterable) -> tuple:
    return tuple(_NAN if isinstance(value, float) and math.isnan(value) else value for value in values)


def frame_content(frame: pd.DataFrame, columns: Iterable[str]) -> tuple:
    """The index and ``columns`` of ``frame``, by value, as one hashable key."""
    parts: list = [_plain(frame.index.tolist())]
    for column in columns:
        values = frame[column]
        if pd.api.types.is_datetime64_any_dtype(values.dtype):
            parts.append((column, str(values.dtype), values.array.asi8.tobytes()))
        else:
            parts.append((column, str(values.dtype), _plain(values.tolist())))
    return tuple(parts)


def display_options() -> tuple:
    """The pandas display options that HTML rendered by pandas depends on."""
    values = []
    for name in _DISPLAY_OPTIONS:
        try:
            values.append(pd.get_option(name))
        except (KeyError, pd.errors.OptionError):  # an option this pandas version does not have
            values.append(None)
    return tuple(values)


class ContentCache:
    """At most ``size`` results by content key, the least recently used dropped first."""

    def __init__(self, name: str, size: int = 64):
        self.name, self.size = name, size
        self.hits = self.misses = 0
        self._entries: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The result cached under ``key``, or ``compute()`` (stored unless caching is off)."""
        if not _enabled:
            return compute()
        try:
            hash(key)
        except TypeError:  # a value in the data that cannot be a key: compute every time
            return compute()
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                self.hits += 1
                return self._entries[key]  # type: ignore[return-value]
            self.misses += 1
        value = compute()
        with self._lock:
            self._entries[key] = value
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)


_enabled = True


@contextmanager
def caching(enabled: bool):
    """Turn every ContentCache on or off inside the block (off: each result is computed afresh)."""
    global _enabled
    before, _enabled = _enabled, enabled
    try:
        yield
    finally:
        _enabled = before
