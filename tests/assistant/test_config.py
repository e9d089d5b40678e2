"""The settings object's errors: they name the setting and never echo the value given."""

from __future__ import annotations

import pytest

from assistant.config import get_settings
from assistant.errors import ConfigError


def test_an_invalid_setting_is_named_without_its_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GA_LLM_TEMPERATURE", "sk-live-4f9a-not-a-number")
    monkeypatch.setenv("GA_ADMIN_PASSWORD", "hunter2-secret")
    get_settings.cache_clear()
    try:
        with pytest.raises(ConfigError) as caught:
            get_settings()
    finally:
        get_settings.cache_clear()
    message = str(caught.value)
    assert "llm_temperature" in message and "valid number" in message
    assert "sk-live" not in message and "hunter2" not in message
    assert caught.value.__cause__ is None  # no chained pydantic error carrying the input
