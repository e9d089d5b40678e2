"""Read each font's character map once per PDF, not once per page.

pypdf builds a page's fonts afresh for every page it extracts text from, parsing each font's
``/ToUnicode`` map again. A 75-page report whose pages share four subset fonts with large maps
spent 11 of its 18 s of text extraction re-parsing the same maps (``dg_191634.pdf`` in
``../shared/data/guidance/directgov_2012``; `docs/benchmarks.md`). Inside ``fonts_read_once()``
the map of a font dictionary is parsed the first time and copied after that; outside it, pypdf
runs unchanged.

This wraps ``get_encoding`` as pypdf's font module imports it (``pypdf.generic._font``). Should
a pypdf release move it, nothing is wrapped and extraction is as slow as before; a call with
more arguments than the pinned version's one goes straight to pypdf. pypdf is pinned, and
``tests/ingest/test_pdf_fonts.py`` checks the wrapper is in place and the text unchanged.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

_Maps = tuple[Any, Any]
# the font dictionary itself is kept beside its maps, so its id cannot be reused while cached
_CACHE: contextvars.ContextVar[dict[int, tuple[object, _Maps]] | None] = contextvars.ContextVar(
    "pdf_font_maps", default=None)


def _install() -> bool:
    try:
        from pypdf.generic import _font as font_module
    except ImportError:  # pragma: no cover - pypdf reorganised
        return False
    original: Callable[[Any], _Maps] | None = getattr(font_module, "get_encoding", None)
    if original is None or getattr(original, "_reads_once", False):
        return original is not None

    def get_encoding(font: Any, *args: Any, **kwargs: Any) -> _Maps:
        cache = _CACHE.get()
        if cache is None or args or kwargs:  # outside a document, or a call this was not made for
            return original(font, *args, **kwargs)
        hit = cache.get(id(font))
        if hit is None or hit[0] is not font:
            hit = (font, original(font))
            cache[id(font)] = hit
        encoding, character_map = hit[1]
        # copies: the caller may add to them, and each page's fonts must start alike
        return (dict(encoding) if isinstance(encoding, dict) else encoding), dict(character_map)

    get_encoding._reads_once = True  # type: ignore[attr-defined]
    setattr(font_module, "get_encoding", get_encoding)  # noqa: B010 (not exported by pypdf)
    return True


INSTALLED = _install()


@contextmanager
def fonts_read_once() -> Iterator[None]:
    """Within this block (one PDF), each font dictionary's maps are parsed once."""
    token = _CACHE.set({})
    try:
        yield
    finally:
        _CACHE.reset(token)
