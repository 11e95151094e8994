"""Status bar: who is signed in, how many changes wait for the server, the sync state
(with progress, the last successful sync and what is wrong), the app's version and a
notice when the server announces a newer one.

The sync controller drives ``set_sync_state(state, detail)`` with one of ``SYNC_STATES``,
``set_progress``, ``set_last_sync`` and ``set_update``; ``set_pending`` says what waits.

``NoticeBanner`` (above the pages, not in the status bar: it must be read whole on the
narrowest screen) shows what the centre found that the person should act on or know, until
it no longer holds: the laptop's clock is off ("clock"), a new tariff is in force
("tariff"). Messages come bilingual from Qt-free code.

It tells the truth: "up to date" only while nothing waits to be sent; while syncing it
counts the seconds and offers "Batalkan" (``cancel_requested``); when the server wants the
person to sign in again it offers "Masuk ke server…" (``signin_requested``). Times are
Makassar time (WITA), like every record.
"""

from __future__ import annotations

import time
from datetime import datetime

from PySide6.QtCore import QEvent, QTimer, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QStatusBar

from agent_app.services.base import WITA
from agent_app.ui.operations import run
from agent_app.ui.tasks import Task
from agent_app.ui.widgets import ElidedLabel
from agent_app.version import __version__, windows_file_version
from sync.rounds import clock_warning

SYNC_STATES = ("never", "offline", "syncing", "up_to_date", "problem", "signin", "cancelled")
SHOW_SECONDS_AFTER = 5  # a quick round does not count aloud
NOTICE_KINDS = ("clock", "tariff")  # the order they are read in
USUAL_FULL_NAME = "Nurhayati Hamzah"  # a longer name gives way on a narrow screen


class NoticeBanner(QLabel):
    """A strip above the pages with what the centre found, in the person's language, whole
    (wrapped) on any screen; hidden while nothing holds."""

    def __init__(self, core, session, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.setObjectName("noticeBanner")
        self.setWordWrap(True)
        self.notices: dict[str, dict[str, str]] = {}  # kind -> {"id": ..., "en": ...}
        session.language_changed.connect(lambda _lang: self._show())
        self.hide()
        # What the last contact with the centre left: a clock found off, a tariff that
        # came into force at this start. Each round says it again (SyncController.notice).
        self.set_notice("clock", clock_warning(core.clock))
        self.set_notice("tariff", core.tariff_notice)

    def set_notice(self, kind: str, message: dict[str, str] | None) -> None:
        """``message`` for ``kind`` (one of ``NOTICE_KINDS``) from now on; None: it no
        longer holds."""
        if message:
            self.notices[kind] = message
        else:
            self.notices.pop(kind, None)
        self._show()

    def _show(self) -> None:
        lang = self.session.lang
        self.setText("\n".join(self.notices[kind].get(lang) or self.notices[kind].get("id", "")
                               for kind in NOTICE_KINDS if kind in self.notices))
        self.setVisible(bool(self.notices))


class StatusBar(QStatusBar):
    cancel_requested = Signal()
    signin_requested = Signal()

    def __init__(self, core, runner, session, parent=None) -> None:
        super().__init__(parent)
        self.core = core
        self.runner = runner
        self.session = session
        self.pending: int | None = None
        self.sync_state = "never"
        self.sync_detail = ""
        self.progress: tuple[int, int] | None = None
        self.last_sync: str | None = None
        self.newer: tuple[str, str] | None = None  # newer version announced, its link
        self.syncing_since: float | None = None
        self._task: Task | None = None
        self.user_label = ElidedLabel()
        self.pending_label = QLabel()
        self.pending_label.setObjectName("pendingCount")
        self.sync_label = ElidedLabel()  # a server's long message must not widen the window
        self.sync_label.setObjectName("syncState")
        # nor crowd out who is signed in and the last sync: its detail is in the tooltip,
        # what to do is the button beside it
        self.sync_label.ask_at_most("Masalah sinkron: Sesi sinkronisasi berakhir; masuk lagi")
        self.cancel_button = QPushButton()
        self.cancel_button.setObjectName("cancelSyncButton")
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.signin_button = QPushButton()
        self.signin_button.setObjectName("serverSignInButton")
        self.signin_button.setProperty("primary", True)
        self.signin_button.clicked.connect(self.signin_requested)
        self.last_sync_label = ElidedLabel()
        self.last_sync_label.setObjectName("lastSync")
        self.update_label = QLabel()
        self.update_label.setObjectName("updateLink")
        self.update_label.linkActivated.connect(self._update_clicked)
        self.update_label.hide()
        self.version_label = QLabel(f"v{__version__}")
        for widget in (self.user_label, self.pending_label, self.sync_label, self.cancel_button,
                       self.signin_button, self.last_sync_label, self.update_label,
                       self.version_label):
            if isinstance(widget, QLabel):
                widget.setContentsMargins(8, 0, 8, 0)
            self.addPermanentWidget(widget)
        self._clock = QTimer(self)  # the seconds of a long round
        self._clock.setInterval(1000)
        self._clock.timeout.connect(self._show_sync)
        self.retranslateUi()
        self._show_actions()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)

    def retranslateUi(self) -> None:
        user = self.session.user
        self.user_label.setText(self.tr("Signed in: %1 (%2)").replace("%1", user.full_name)
                                .replace("%2", user.username))
        # a narrow screen: the person's name, read whole (up to a usual length), not "Ma…"
        self.user_label.set_short(user.full_name, at_most=USUAL_FULL_NAME)
        if self.pending is None:
            self.pending_label.setText(self.tr("Pending: …"))
        else:
            self.pending_label.setText(
                self.tr("Waiting to send: %1").replace(
                    "%1", f"{self.pending:,}".replace(",", "." if self.session.lang == "id" else ","))
            )
        self.cancel_button.setText(self.tr("Cancel"))
        self.cancel_button.setToolTip(self.tr("Stop this sync; nothing is lost."))
        self.signin_button.setText(self.tr("Sign in to the server…"))
        self._show_sync()
        if self.last_sync:
            when = datetime.fromisoformat(self.last_sync).astimezone(WITA)
            when_text = when.strftime("%d/%m %H:%M") + " WITA"
            self.last_sync_label.setText(self.tr("Last sync: %1").replace("%1", when_text))
            self.last_sync_label.set_short(when_text)  # a narrow screen: the time, not its caption
        else:
            self.last_sync_label.setText("")
        if self.newer:
            version, url = self.newer
            self.update_label.setText('<a href="{}">{}</a>'.format(
                url, self.tr("Version %1 is available").replace("%1", version)))

    def _sync_text(self) -> str:
        texts = {
            "never": self.tr("Never synced"),
            "offline": self.tr("Offline"),
            "syncing": self.tr("Syncing…"),
            "up_to_date": self.tr("Up to date"),
            "problem": self.tr("Sync problem"),
            "signin": self.tr("Sync problem"),
            "cancelled": self.tr("Sync cancelled"),
        }
        state = self.sync_state
        if state == "up_to_date" and self.pending:
            # Something was saved after the last round: not up to date until it is sent.
            return self.tr("Changes wait for the next sync")
        text = texts.get(state, state)
        if state == "syncing":
            if self.progress and self.progress[1]:
                text += f" {self.progress[0]}/{self.progress[1]}"
            seconds = self._seconds_syncing()
            if seconds >= SHOW_SECONDS_AFTER:
                text += " " + self.tr("(%1 s)").replace("%1", str(seconds))
        elif state in ("problem", "signin") and self.sync_detail:
            # What to do (sign in again, update...), not just "problem"; shortened to the
            # space there is, the whole of it in the tooltip.
            text += f": {self.sync_detail}"
        return text

    def _seconds_syncing(self) -> int:
        return int(time.monotonic() - self.syncing_since) if self.syncing_since else 0

    def _show_sync(self) -> None:
        text = self._sync_text()
        self.sync_label.setText(text)
        # On a narrow screen the sync state keeps room for its words, up to a running
        # round's: a problem's name (its detail is in the tooltip, what to do is the button
        # beside it), any other state whole. Who is signed in and the last sync give way
        # first (their whole text stays in the tooltip).
        must = text.split(": ", 1)[0] + ": …" if self.sync_state in ("problem", "signin") else text
        self.sync_label.keep_readable(must, "Sedang sinkron… 88/88 (888 dtk)")

    def _show_actions(self) -> None:
        self.cancel_button.setVisible(self.sync_state == "syncing")
        self.signin_button.setVisible(self.sync_state == "signin")

    def set_sync_state(self, state: str, detail: str = "") -> None:
        if state == "syncing" and self.sync_state != "syncing":
            self.syncing_since = time.monotonic()
            self._clock.start()
        elif state != "syncing":
            self.syncing_since = None
            self._clock.stop()
            self.progress = None
        self.sync_state = state
        self.sync_detail = detail
        self._show_sync()
        self._show_actions()

    def set_progress(self, done: int, total: int) -> None:
        self.progress = (done, total)
        self._show_sync()

    def set_last_sync(self, stamp: str) -> None:
        self.last_sync = stamp
        self.retranslateUi()

    def _update_clicked(self, url: str) -> None:
        from agent_app.ui.update_dialog import offer_update

        offer_update(self.core, self.session, self.newer[0] if self.newer else "", url, self.window())

    def set_update(self, version: str, url: str) -> None:
        """Show the server's announcement only when it names a newer version than this one."""
        if windows_file_version(version) <= windows_file_version(__version__):
            return
        self.newer = (version, url)
        self.update_label.show()
        self.retranslateUi()

    def refresh_pending(self) -> None:
        if self._task is not None:
            self._task.cancel()
        self._task = run(self, self.runner,
                         self.core.pending_operations, self.session.user.id,
                         on_done=self._pending_loaded, on_error=lambda exc: None)

    def _pending_loaded(self, count: int) -> None:
        self._task = None
        self.set_pending(count)

    def set_pending(self, count: int) -> None:
        """The number of changes waiting for the server (also pushed by the sync engine)."""
        self.pending = count
        self.retranslateUi()
