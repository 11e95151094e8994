"""The main window: left navigation, pages, menus/shortcuts, status bar, auto-lock.

Pages: Find worker (list -> worker page), New registration, Follow-up, My day, Cash
close-out, Reports, Needs attention, Import, Settings. The pages in ``LAZY_PAGES`` are
built on their first visit, so start-up stays light. Pages refresh themselves when data
is written (``runner.changed``, see ``agent_app.ui.operations``); the window only routes
navigation (open a worker, a new registration) and asks for a sync after a correction.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from agent_app.ui.attention import AttentionPage
from agent_app.ui.closeout_page import CloseoutPage
from agent_app.ui.dashboard_page import DashboardPage
from agent_app.ui.followup_page import FollowupPage
from agent_app.ui.import_dialog import ImportDialog
from agent_app.ui.lock import DEFAULT_MINUTES, LockController
from agent_app.ui.operations import ATTENTION, SYNCED
from agent_app.ui.registration import RegistrationPage
from agent_app.ui.reports_page import ReportsPage
from agent_app.ui.server_signin import ServerSignInDialog
from agent_app.ui.settings_dialog import SettingsPage
from agent_app.ui.status import NoticeBanner, StatusBar
from agent_app.ui.sync_controller import SyncController
from agent_app.ui.widgets import ask
from agent_app.ui.worker_list import WorkerListPage
from agent_app.ui.worker_page import WorkerPage

NAV = ("workers", "register", "followup", "dashboard", "closeout", "reports", "attention",
       "import", "settings")
NAV_PERMISSIONS = {"import": "import", "reports": "view_reports"}
# Pages built on their first visit, all constructed as Cls(core, runner, session).
LAZY_PAGES = {
    "register": RegistrationPage,
    "followup": FollowupPage,
    "dashboard": DashboardPage,
    "closeout": CloseoutPage,
    "reports": ReportsPage,
    "attention": AttentionPage,
}


class ImportPage(QWidget):
    """Explains the import and opens the import dialog."""

    def __init__(self, window, parent=None) -> None:
        super().__init__(parent)
        self.window_ = window
        self.title = QLabel()
        self.title.setProperty("role", "title")
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.button = QPushButton()
        self.button.setObjectName("openImport")
        self.button.setProperty("primary", True)
        self.button.clicked.connect(window.open_import)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.text)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)
        self.retranslateUi()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)

    def retranslateUi(self) -> None:
        self.title.setText(self.tr("Import workers"))
        self.text.setText(self.tr(
            "Add many workers at once from an Excel or CSV file (for example the city's "
            "list of vulnerable workers). You see a check of every row before anything is saved."))
        self.button.setText(self.tr("Choose a file…"))


class MainWindow(QMainWindow):
    def __init__(self, core, runner, session, parent=None) -> None:
        super().__init__(parent)
        self.core = core
        self.runner = runner
        self.session = session
        self._dialog: QWidget | None = None
        self._question: QMessageBox | None = None
        self._quitting = False
        self._after_load: Callable[[], None] | None = None
        self.sync: SyncController | None = None  # once attach_sync() is called
        self.attention_count = 0
        self.setObjectName("mainWindow")

        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        for key in NAV:
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.nav.addItem(item)
        self.nav.setFixedWidth(170)
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.nav.setTextElideMode(Qt.TextElideMode.ElideRight)
        # What the role may not do is not offered at all (services refuse it anyway).
        for key, permission in NAV_PERMISSIONS.items():
            if not session.can(permission):
                self.nav.item(NAV.index(key)).setHidden(True)

        self.pages = QStackedWidget()
        self.worker_list = WorkerListPage(core, runner, session)
        self.worker_page = WorkerPage(core, runner, session)
        self.lazy: dict[str, QWidget | None] = {key: None for key in LAZY_PAGES}  # built pages
        # A holder per lazy page, in the stack: a page taller than a small screen scrolls
        # down (Tab brings each field into view); it never scrolls sideways: every page
        # fits the width of 1366x768 at 150 %, its buttons stay in sight.
        self.slots: dict[str, QScrollArea] = {}
        for key in LAZY_PAGES:
            slot = QScrollArea()
            slot.setWidgetResizable(True)
            slot.setFrameShape(QScrollArea.Shape.NoFrame)
            slot.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            self.slots[key] = slot
        self.import_page = ImportPage(self)
        self.settings_page = SettingsPage(core, runner, session)
        for page in (self.worker_list, self.worker_page, *self.slots.values(),
                     self.import_page, self.settings_page):
            self.pages.addWidget(page)

        self.body = QWidget()
        body_layout = QHBoxLayout(self.body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        body_layout.setSpacing(0)
        body_layout.addWidget(self.nav)
        self.notice_banner = NoticeBanner(core, session)
        column = QVBoxLayout()
        column.setSpacing(0)
        column.addWidget(self.notice_banner)
        column.addWidget(self.pages, 1)
        body_layout.addLayout(column, 1)
        self.outer = QStackedWidget()
        self.outer.addWidget(self.body)
        self.setCentralWidget(self.outer)

        self.status = StatusBar(core, runner, session)
        self.setStatusBar(self.status)
        self.lock = LockController(self, core, runner, session, minutes=DEFAULT_MINUTES)
        self.outer.addWidget(self.lock.page)
        self.lock.locked_changed.connect(self._locked_changed)

        self._make_actions()
        self.nav.currentRowChanged.connect(self._nav_changed)
        self.worker_list.worker_opened.connect(self.open_worker)
        self.worker_page.back_requested.connect(self.show_list)
        self.worker_page.loaded.connect(self._worker_loaded)
        runner.changed.connect(self._data_changed)
        self.settings_page.lock_minutes_changed.connect(self.lock.set_minutes)
        app = QApplication.instance()
        if isinstance(app, QApplication):  # always: a window needs one
            app.focusChanged.connect(self._focus_into_sight)
        self.nav.setCurrentRow(0)
        self.retranslateUi()

        # Data arrives through the runner: the window is usable at once.
        self.worker_list.apply_query()
        self.status.refresh_pending()  # the settings page loads the stored settings

    def _focus_into_sight(self, _old: QWidget | None, new: QWidget | None) -> None:
        """Scroll every scroll area around the focused field to it. Qt does it only when Tab
        brings the focus in: at 150 % an Alt+letter (Kelurahan) or a page that puts the
        typing in its next field (the hand-over's "Diterima oleh") left it out of sight."""
        if new is None:
            return
        parent = new.parentWidget()
        while parent is not None:
            if isinstance(parent, QScrollArea):
                parent.ensureWidgetVisible(new)
            parent = parent.parentWidget()

    # --- actions -------------------------------------------------------------------------

    def _make_actions(self) -> None:
        def action(shortcut, slot, name):
            act = QAction(self)
            act.setObjectName(name)
            if shortcut:
                act.setShortcut(QKeySequence(shortcut))
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            act.triggered.connect(slot)
            return act

        self.act_find = action("Ctrl+F", self.focus_search, "actFind")
        self.act_new = action("Ctrl+N", self.new_registration, "actNew")
        self.act_refresh = action("F5", self.refresh, "actRefresh")
        self.act_pay = action("Ctrl+P", self.collect_payment, "actPay")
        self.act_lock = action("Ctrl+L", self.lock.lock, "actLock")
        self.act_settings = action(None, lambda: self.go("settings"), "actSettings")
        self.act_quit = action("Ctrl+Q", self.close, "actQuit")
        self.act_sync = action("Ctrl+Shift+S", self.sync_now, "actSync")
        self.act_sync.setEnabled(False)  # until a sync controller is attached
        self.act_server_signin = action(None, self.sign_in_to_server, "actServerSignIn")
        self.act_server_signin.setEnabled(False)
        menubar = self.menuBar()
        self.file_menu = menubar.addMenu("")
        self.file_menu.addAction(self.act_sync)
        self.file_menu.addAction(self.act_server_signin)
        self.file_menu.addAction(self.act_lock)
        self.file_menu.addAction(self.act_settings)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.act_quit)
        self.worker_menu = menubar.addMenu("")
        for act in (self.act_find, self.act_new, self.act_pay, self.act_refresh):
            self.worker_menu.addAction(act)
        self.act_about = action(None, self.show_about, "actAbout")
        self.help_menu = menubar.addMenu("")
        self.help_menu.addAction(self.act_about)
        # Ctrl+1 ... Ctrl+9: every page from the keyboard (the list on the left takes no focus).
        self.page_actions = []
        for number, key in enumerate(NAV, start=1):
            act = action(f"Ctrl+{number}", lambda _checked=False, key=key: self._go_by_key(key),
                         f"actPage_{key}")
            self.addAction(act)
            self.page_actions.append(act)
        self.actions_ = [self.act_find, self.act_new, self.act_refresh, self.act_pay,
                         self.act_lock, self.act_settings, self.act_quit, *self.page_actions]

    # --- language ------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)

    def retranslateUi(self) -> None:
        self.setWindowTitle(self.tr("Perisai Agent · Program Makassar Berjasa"))
        texts = {"workers": self.tr("Find worker"), "register": self.tr("New registration"),
                 "followup": self.tr("Follow-up"), "dashboard": self.tr("My day"),
                 "closeout": self.tr("Cash close-out"), "reports": self.tr("Reports"),
                 "attention": self.tr("Needs attention"),
                 "import": self.tr("Import"), "settings": self.tr("Settings")}
        if self.attention_count:
            texts["attention"] += f" ({self.attention_count})"
        for row, key in enumerate(NAV):
            self.nav.item(row).setText(texts[key])
            self.nav.item(row).setToolTip(f"Ctrl+{row + 1}")
        self.file_menu.setTitle(self.tr("&File"))
        self.worker_menu.setTitle(self.tr("&Workers"))
        self.act_find.setText(self.tr("&Find worker"))
        self.act_new.setText(self.tr("&New registration"))
        self.act_refresh.setText(self.tr("&Refresh"))
        self.act_pay.setText(self.tr("&Collect contribution"))
        self.act_lock.setText(self.tr("&Lock now"))
        self.act_settings.setText(self.tr("&Settings"))
        self.act_sync.setText(self.tr("S&ync now"))
        self.act_server_signin.setText(self.tr("Sign in to the se&rver…"))
        self.act_quit.setText(self.tr("&Quit"))
        self.help_menu.setTitle(self.tr("&Help"))
        self.act_about.setText(self.tr("&About Perisai Agent"))

    def show_about(self) -> None:
        from agent_app.ui.about import AboutDialog

        AboutDialog(self).exec()

    # --- navigation ----------------------------------------------------------------------

    def go(self, key: str) -> None:
        self.nav.setCurrentRow(NAV.index(key))
        self._nav_changed(NAV.index(key))

    def _go_by_key(self, key: str) -> None:
        if self.nav.item(NAV.index(key)).isHidden():
            return  # not for this role
        if key == "workers":
            self.focus_search()
        else:
            self.go(key)

    def _nav_changed(self, row: int) -> None:
        if row < 0:
            return
        key = NAV[row]
        if key == "workers":
            if self.pages.currentWidget() not in (self.worker_list, self.worker_page):
                self.pages.setCurrentWidget(self.worker_list)
                self.worker_list.focus_search()
        elif key in LAZY_PAGES:
            page = self.ensure_page(key)
            self.pages.setCurrentWidget(self.slots[key])
            page.setFocus()
        elif key == "import":
            self.pages.setCurrentWidget(self.import_page)
            self.import_page.button.setFocus()
        elif key == "settings":
            self.pages.setCurrentWidget(self.settings_page)
            self.settings_page.language.setFocus()
        self._update_refresh_shortcut()

    def ensure_page(self, key: str) -> QWidget:
        """Build a lazy page on its first use."""
        page = self.lazy[key]
        if page is not None:
            return page
        page = LAZY_PAGES[key](self.core, self.runner, self.session)
        if isinstance(page, RegistrationPage):
            page.worker_saved.connect(self.open_worker)
            page.open_existing.connect(self.open_worker)
        elif isinstance(page, FollowupPage):
            page.worker_opened.connect(self.open_worker)
        elif isinstance(page, AttentionPage):
            page.count_changed.connect(self.set_attention_count)
        self.lazy[key] = page
        self.slots[key].setWidget(page)
        return page

    @property
    def registration(self) -> RegistrationPage | None:
        page = self.lazy["register"]
        return page if isinstance(page, RegistrationPage) else None

    def ensure_registration(self) -> RegistrationPage:
        page = self.ensure_page("register")
        assert isinstance(page, RegistrationPage)
        return page

    def current_page(self) -> QWidget | None:
        widget = self.pages.currentWidget()
        for key, slot in self.slots.items():
            if widget is slot:
                return self.lazy[key]
        return widget

    def _update_refresh_shortcut(self) -> None:
        # Pages with their own F5 (reports, follow-up...) keep it: two active F5 shortcuts
        # in one window would be ambiguous and neither would fire.
        page = self.current_page()
        own = page is not None and any(
            sc.key() == QKeySequence("F5") for sc in page.findChildren(QShortcut))
        self.act_refresh.setEnabled(not own and not self.lock.locked)

    def show_list(self) -> None:
        self.nav.setCurrentRow(0)
        self.pages.setCurrentWidget(self.worker_list)
        self._update_refresh_shortcut()
        self.worker_list.table.setFocus()

    def focus_search(self) -> None:
        self.show_list()
        self.worker_list.focus_search()

    def new_registration(self) -> None:
        """Ctrl+N: the registration, scrolled to the top, the NIK ready for typing."""
        self.go("register")
        self.slots["register"].verticalScrollBar().setValue(0)
        self.ensure_registration().begin()

    def open_worker(self, worker_id: str) -> None:
        self.nav.blockSignals(True)
        self.nav.setCurrentRow(0)
        self.nav.blockSignals(False)
        self.pages.setCurrentWidget(self.worker_page)
        self._update_refresh_shortcut()
        self.worker_page.load(worker_id)
        self.worker_page.setFocus()

    def collect_payment(self) -> None:
        """Ctrl+P: on a worker's page, or for the worker selected in the list."""
        if self.pages.currentWidget() is self.worker_page and self.worker_page.detail is not None:
            self.worker_page.collect_payment()
            return
        if self.pages.currentWidget() is self.worker_list:
            worker_id = self.worker_list.selected_worker_id()
            if worker_id:
                self._after_load = self.worker_page.collect_payment
                self.open_worker(worker_id)

    def _worker_loaded(self, _worker_id: str) -> None:
        action, self._after_load = self._after_load, None
        if action is not None:
            action()

    def refresh(self) -> None:
        page = self.pages.currentWidget()
        if page is self.worker_page:
            self.worker_page.reload()
        self.worker_list.refresh()
        self.status.refresh_pending()

    def open_import(self) -> None:
        if not self.session.can("import"):
            return
        dialog = ImportDialog(self.core, self.runner, self.session, self)
        self._dialog = dialog
        dialog.open()

    def _data_changed(self, kind: str) -> None:
        """Something was written: the list and the counters show it; a correction of a
        refused record is sent at once."""
        self.worker_list.refresh()
        self.status.refresh_pending()
        if kind == ATTENTION and self.sync is not None:
            self.sync.request_sync()

    # --- sync ----------------------------------------------------------------------------

    def attach_sync(self, controller: SyncController) -> None:
        """Show a SyncController's state here; the caller starts it. The window shuts it
        down with itself."""
        self.sync = controller
        controller.status_changed.connect(self.status.set_sync_state)
        # Pulled records, KPJ numbers, server decisions: every page shows what arrived.
        controller.round_finished.connect(lambda _report: self.runner.announce(SYNCED))
        controller.attention_changed.connect(self.set_attention_count)
        controller.pending_changed.connect(self.status.set_pending)
        controller.last_sync_changed.connect(self.status.set_last_sync)
        controller.progress.connect(self.status.set_progress)
        controller.update_available.connect(self.status.set_update)
        controller.notice.connect(self.notice_banner.set_notice)
        self.status.cancel_requested.connect(controller.cancel)
        self.status.signin_requested.connect(self.sign_in_to_server)
        self.act_sync.setEnabled(not self.lock.locked)
        self.act_server_signin.setEnabled(not self.lock.locked)

    def sync_now(self) -> None:
        if self.sync is None:
            return
        if self.sync.state == "signin_required":
            self.sign_in_to_server()  # syncing again would only end the same way
        else:
            self.sync.sync_now()

    def sign_in_to_server(self) -> None:
        """"Masuk ke server": where the sync session ended (status bar, File menu)."""
        if self.sync is None:
            return
        dialog = ServerSignInDialog(self.sync, self.session, self)
        self._dialog = dialog
        dialog.open()

    def set_attention_count(self, count: int) -> None:
        self.attention_count = count
        self.retranslateUi()

    # --- lock ----------------------------------------------------------------------------

    def show_lock_page(self, page: QWidget) -> None:
        self.outer.setCurrentWidget(page)
        self.menuBar().setEnabled(False)

    def hide_lock_page(self, page: QWidget) -> None:
        self.outer.setCurrentWidget(self.body)
        self.menuBar().setEnabled(True)

    def _locked_changed(self, locked: bool) -> None:
        for act in self.actions_:
            act.setEnabled(not locked)
        self.act_sync.setEnabled(not locked and self.sync is not None)
        self.act_server_signin.setEnabled(not locked and self.sync is not None)
        if not locked:
            self._update_refresh_shortcut()

    # --- life ----------------------------------------------------------------------------

    def closeEvent(self, event) -> None:
        """Ctrl+Q, the close button: a half-typed registration is kept as a draft (written
        before the app exits) and the person is asked whether to keep it. A locked window
        asks nobody: the draft is simply kept."""
        page = self.registration
        if page is None or page.is_blank() or self._quitting or self.lock.locked:
            if page is not None and not page.is_blank():
                page.save_draft()  # queued on the database thread, which finishes before exit
            super().closeEvent(event)
            return
        event.ignore()  # the answer closes the window again
        self._question = ask(
            self, self.tr("Quit"), self.tr(
                "The registration you have not finished is kept as a draft and comes back "
                "when you open New registration again."),
            [("keep", self.tr("&Quit, keep the draft")),
             ("discard", self.tr("Quit and &throw it away")),
             ("stay", self.tr("&Back to the form"))],
            default="keep", escape="stay", answered=self._quit_answered)

    def _quit_answered(self, answer: str) -> None:
        if answer == "stay":
            self.go("register")
            return
        if answer == "discard" and self.registration is not None:
            self.registration.throw_away()
        self._quitting = True
        self.close()

    def shutdown(self) -> None:
        """Stop timers, the app-wide event filter and sync (before the window goes away)."""
        self.lock.stop()
        if self.sync is not None:
            self.sync.shutdown()
