"""Keyboard focus after an event: where a person using only the keyboard continues."""

from __future__ import annotations

import reflex as rx

# After a failed "Next" or submit: move keyboard focus to the first field with an error (its error
# text has the id "<field id>-error"), or to the first alert when the error belongs to no field.
# Runs after the page has re-rendered with the errors.
_FOCUS_FIRST_ERROR_JS = """
(() => {
  let tries = 0;
  const attempt = () => {
    const message = document.querySelector('main [id$="-error"][role=alert]')
      || document.querySelector('main [role=alert]');
    if (!message) { if (++tries < 20) setTimeout(attempt, 50); return; }
    const field = message.id ? document.getElementById(message.id.slice(0, -'-error'.length)) : null;
    const target = field || message;
    if (!field) target.setAttribute('tabindex', '-1');
    target.focus();
  };
  setTimeout(attempt, 0);
})();
"""


def focus_first_error():
    """An event that moves keyboard focus to the first error on the page."""
    return rx.call_script(_FOCUS_FIRST_ERROR_JS)
