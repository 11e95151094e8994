"""The signed-in person and the UI language, shared by every page and dialog.

Contract (pages and dialogs code against this, keep it tiny)::

    class UiSession(QObject):
        user: User                      # the signed-in agent / clerk / supervisor
        lang: str                       # "id" (default) or "en": pass to error.text(lang)
        language_changed = Signal(str)  # emitted after the Qt translator was swapped
        def touch(self) -> None         # "the person is active" (resets auto-lock)
        def set_language(self, lang)    # swap translator + emit (the shell calls this)
        def can(self, permission) -> bool   # agent_app.services.access.can(user, ...)
        receipt_layout: str             # "a4" | "80mm" | "58mm": the paper last used
        receipt_printer: str            # "" = the system's default printer

Widgets translate their own labels in ``changeEvent(QEvent.LanguageChange)`` (Qt sends it
to every widget when the translator changes); ``language_changed`` is for text rendered
from Qt-free code (``issue.text(session.lang)``) that must be re-rendered.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QCoreApplication, QObject, Signal

from agent_app.services.access import can
from agent_app.store.models import User

LANGUAGES = ("id", "en")


class UiSession(QObject):
    language_changed = Signal(str)
    activity = Signal()  # cheap: emitted by touch(), the lock listens

    def __init__(self, user: User, lang: str = "id", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.user = user
        self.lang = lang if lang in LANGUAGES else "id"
        self.last_activity = time.monotonic()
        # The counter's receipt printer (agent_app.settings, loaded by the main window).
        self.receipt_layout = "a4"
        self.receipt_printer = ""

    def touch(self) -> None:
        self.last_activity = time.monotonic()
        self.activity.emit()

    def can(self, permission: str) -> bool:
        """What the signed-in role may do (hide or disable the rest)."""
        return can(self.user, permission)

    def set_language(self, lang: str) -> None:
        """Install the translator for ``lang`` (Qt then retranslates every widget) and tell
        listeners; a no-op when the language is already current."""
        from agent_app.ui.i18n import install_translator

        lang = lang if lang in LANGUAGES else "id"
        app = QCoreApplication.instance()
        if app is not None:
            install_translator(app, lang)
        if lang != self.lang:
            self.lang = lang
            self.language_changed.emit(lang)
