"""How pages show a failed step (app_pages/errors.py)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _fail_on_a_planted_file_name() -> None:
    from app_pages.errors import run_guarded
    from assistant.errors import LoadError

    def read() -> None:
        raise LoadError("The file is UTF-16: save it as UTF-8 and upload it again.")

    run_guarded("read [Verify your account](https://evil.example) **URGENT** "
                "![x](https://evil.example/p.png).csv", read)


def test_a_failed_steps_message_shows_names_as_typed_never_as_links() -> None:
    at = AppTest.from_function(_fail_on_a_planted_file_name).run()
    [error] = at.error
    shown = error.value
    assert "save it as UTF-8" in shown
    assert "](https://evil.example)" not in shown and "![" not in shown  # no link, no image
    assert "\\*\\*URGENT\\*\\*" in shown  # no bold
    assert "`https://evil.example`" in shown  # the address as code: readable, not live
