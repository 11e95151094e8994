"""The main window: left navigation, pages, menus/shortcuts, status bar, auto-lock.

Pages: Find worker (list -> worker page), New registration, Follow-up, My day, Cash
close-out, Reports, Import, Settings. Other engineers' pages and dialogs (``LAZY_PAGES``,
payment, void, receipt, import, privacy) are imported lazily, pages on their first visit:
if a module is missing, a placeholder says so and the rest keeps working.
"""

from __future__ import annotations

import importlib
import logging

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from agent_app.settings import get_setting
from agent_app.ui.lock import DEFAULT_MINUTES, LockController
from agent_app.ui.settings_dialog import SettingsPage
from agent_app.ui.status import StatusBar
from agent_app.ui.worker_list import WorkerListPage
from agent_app.ui.worker_page import WorkerPage

log = logging.getLogger(__name__)

NAV = ("workers", "register", "followup", "dashboard", "closeout", "reports", "attention",
       "import", "settings")
NAV_PERMISSIONS = {"import": "import", "reports": "view_reports"}
# Pages other engineers build: (module, class), all constructed as Cls(core, runner, session),
# imported and built on the first visit so start-up stays light; a missing module shows a
# placeholder instead.
LAZY_PAGES = {
    "register": ("registration", "RegistrationPage"),
    "followup": ("followup_page", "FollowupPage"),
    "dashboard": ("dashboard_page", "DashboardPage"),
    "closeout": ("closeout_page", "CloseoutPage"),
    "reports": ("reports_page", "ReportsPage"),
    "attention": ("attention", "AttentionPage"),
}


class PlaceholderPage(QWidget):
    """Stands in for a page whose module is not part of this build."""

    def __init__(self, name: str, parent=None) -> None:
        super().__init__(parent)
        self.name = name
        self.label = QLabel()
        self.label.setObjectName("placeholder")
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        QVBoxLayout(self).addWidget(self.label)
        self.retranslateUi()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)

    def retranslateUi(self) -> None:
        self.label.setText(self.tr("This function is not available in this version."))


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
        self._dialog = None
        self._after_load = None
        self.sync = None  # a SyncController once attach_sync() is called
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
        # A holder per lazy page, in the stack. A scroll area, so a page wider than a
        # 1366x768 screen at 150 % scrolls instead of pushing the window off the screen.
        self.slots: dict[str, QScrollArea] = {}
        for key in LAZY_PAGES:
            slot = QScrollArea()
            slot.setWidgetResizable(True)
            slot.setFrameShape(QScrollArea.Shape.NoFrame)
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
        body_layout.addWidget(self.pages, 1)
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
        self.worker_page.changed.connect(self._data_changed)
        self.worker_page.loaded.connect(self._worker_loaded)
        self.settings_page.lock_minutes_changed.connect(self.lock.set_minutes)
        self.nav.setCurrentRow(0)
        self.retranslateUi()

        # Data arrives through the runner: the window is usable at once.
        self.worker_list.apply_query()
        self.status.refresh_pending()
        runner.submit(get_setting, core.db, "lock_minutes", on_done=self.lock.set_minutes,
                      on_error=lambda exc: None)

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
        menubar = self.menuBar()
        self.file_menu = menubar.addMenu("")
        self.file_menu.addAction(self.act_sync)
        self.file_menu.addAction(self.act_lock)
        self.file_menu.addAction(self.act_settings)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.act_quit)
        self.worker_menu = menubar.addMenu("")
        for act in (self.act_find, self.act_new, self.act_pay, self.act_refresh):
            self.worker_menu.addAction(act)
        self.actions_ = [self.act_find, self.act_new, self.act_refresh, self.act_pay,
                         self.act_lock, self.act_settings, self.act_quit]

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
        self.file_menu.setTitle(self.tr("&File"))
        self.worker_menu.setTitle(self.tr("&Workers"))
        self.act_find.setText(self.tr("&Find worker"))
        self.act_new.setText(self.tr("&New registration"))
        self.act_refresh.setText(self.tr("&Refresh"))
        self.act_pay.setText(self.tr("&Collect contribution"))
        self.act_lock.setText(self.tr("&Lock now"))
        self.act_settings.setText(self.tr("&Settings"))
        self.act_sync.setText(self.tr("S&ync now"))
        self.act_quit.setText(self.tr("&Quit"))

    # --- navigation ----------------------------------------------------------------------

    def go(self, key: str) -> None:
        self.nav.setCurrentRow(NAV.index(key))
        self._nav_changed(NAV.index(key))

    def _nav_changed(self, row: int) -> None:
        if row < 0:
            return
        key = NAV[row]
        if key == "workers":
            if self.pages.currentWidget() not in (self.worker_list, self.worker_page):
                self.pages.setCurrentWidget(self.worker_list)
        elif key in LAZY_PAGES:
            page = self.ensure_page(key)
            self.pages.setCurrentWidget(self.slots[key])
            page.setFocus()
        elif key == "import":
            self.pages.setCurrentWidget(self.import_page)
        elif key == "settings":
            self.pages.setCurrentWidget(self.settings_page)
        self._update_refresh_shortcut()

    def ensure_page(self, key: str) -> QWidget:
        """Build a lazy page on first use (or a placeholder if its module is missing)."""
        page = self.lazy[key]
        if page is not None:
            return page
        module_name, class_name = LAZY_PAGES[key]
        try:
            module = importlib.import_module(f"agent_app.ui.{module_name}")
            page = getattr(module, class_name)(self.core, self.runner, self.session)
        except (ImportError, AttributeError) as exc:
            log.info("page %s not available: %s", key, exc)
            page = PlaceholderPage(key)
        self._connect_page(page)
        self.lazy[key] = page
        self.slots[key].setWidget(page)
        return page

    def _connect_page(self, page: QWidget) -> None:
        """Hook up the signals a page may have: saved workers, opened workers, money."""
        for name, slot in (("worker_saved", self._worker_registered),
                           ("open_existing", self.open_worker),
                           ("worker_opened", self.open_worker),
                           ("closed", lambda *_: self._data_changed()),
                           ("changed", lambda *_: self._attention_acted()),
                           ("count_changed", self.set_attention_count),
                           ("handed_over", lambda *_: self._data_changed())):
            signal = getattr(page, name, None)
            if signal is not None and hasattr(signal, "connect"):
                signal.connect(slot)

    @property
    def registration(self) -> QWidget | None:
        return self.lazy["register"]

    def ensure_registration(self) -> QWidget:
        return self.ensure_page("register")

    def current_page(self) -> QWidget:
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
        self.go("register")

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
        try:
            module = importlib.import_module("agent_app.ui.import_dialog")
        except ImportError:
            self.statusBar().showMessage(self.tr("This function is not available in this version."), 5000)
            return
        dialog = module.ImportDialog(self.core, self.runner, self.session, self)
        dialog.imported.connect(lambda _n: self._data_changed())
        self._dialog = dialog
        dialog.open()

    def _worker_registered(self, worker_id: str) -> None:
        self._data_changed()
        self.open_worker(worker_id)

    def _data_changed(self) -> None:
        self.worker_list.refresh()
        self.status.refresh_pending()

    # --- sync ----------------------------------------------------------------------------

    def attach_sync(self, controller) -> None:
        """Show a SyncController's state here (agent_app.ui.sync_controller); the caller
        starts it. The window shuts it down with itself."""
        self.sync = controller
        controller.status_changed.connect(self.status.set_sync_state)
        controller.round_finished.connect(lambda _report: self._synced())
        if hasattr(controller, "attention_changed"):
            controller.attention_changed.connect(self.set_attention_count)
        if hasattr(controller, "pending_changed"):
            controller.pending_changed.connect(self.status.set_pending)
        if hasattr(controller, "last_sync_changed"):
            controller.last_sync_changed.connect(self.status.set_last_sync)
            controller.progress.connect(self.status.set_progress)
            controller.update_available.connect(self.status.set_update)
        self.act_sync.setEnabled(not self.lock.locked)

    def sync_now(self) -> None:
        if self.sync is not None:
            self.sync.sync_now()

    def _synced(self) -> None:
        self._data_changed()
        if self.pages.currentWidget() is self.worker_page:
            self.worker_page.reload()  # a KPJ or a server decision may have arrived
        page = self.lazy.get("attention")
        if page is not None and hasattr(page, "refresh"):
            page.refresh()

    def _attention_acted(self) -> None:
        self._data_changed()
        if self.sync is not None:
            self.sync.request_sync()

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
        if not locked:
            self._update_refresh_shortcut()

    # --- life ----------------------------------------------------------------------------

    def shutdown(self) -> None:
        """Stop timers, the app-wide event filter and sync (before the window goes away)."""
        self.lock.stop()
        if self.sync is not None:
            self.sync.shutdown()
