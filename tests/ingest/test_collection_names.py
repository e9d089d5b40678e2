"""Collection names: short and safe in paths and filters, with nothing after the name."""

from __future__ import annotations

import pytest

from assistant.errors import ConfigError
from ingest.pipeline import validate_collection


@pytest.mark.parametrize("name", ["guidance", "hr-policies_2026", "A" * 63])
def test_a_safe_name_is_accepted_as_given(name: str) -> None:
    assert validate_collection(name) == name


@pytest.mark.parametrize("name", ["guidance\n", "guidance\nother", "", "-guidance", "a b",
                                  "../guidance", "A" * 64])
def test_an_unsafe_name_is_refused(name: str) -> None:
    with pytest.raises(ConfigError, match="Invalid collection name"):
        validate_collection(name)
