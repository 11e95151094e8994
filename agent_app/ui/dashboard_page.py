"""The agent's day at a glance: today, this month, the incentive estimate, coverage.

Figures load through the TaskRunner when the page is shown (F5 refreshes). Charts are
drawn with QPainter (``agent_app.ui.charts``) and carry their numbers as text too.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from agent_app.services.dashboard import DashboardData
from agent_app.ui.charts import BarChart, HBarChart, bold
from agent_app.ui.errors import error_text
from agent_app.ui.operations import run
from agent_app.ui.receipt import format_money
from agent_app.ui.widgets import Columns, IssueLabel, group_thousands, panel


class Tile(QFrame):
    """A big number with a caption."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.caption = QLabel()
        self.value = QLabel("–")
        self.value.setObjectName(f"{name}Value")
        bold(self.value, 6)
        self.detail = QLabel()
        layout = QVBoxLayout(self)
        layout.addWidget(self.caption)
        layout.addWidget(self.value)
        layout.addWidget(self.detail)


class DashboardPage(QWidget):
    refreshed = Signal()

    def __init__(self, core, runner, session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dashboardPage")
        self.core, self.runner, self.session = core, runner, session
        self.data: DashboardData | None = None

        self.title = QLabel()
        bold(self.title, 4)
        self.refresh_button = QPushButton()
        self.refresh_button.setObjectName("refreshButton")
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.refresh_button)

        self.tiles = {name: Tile(name) for name in
                      ("regToday", "cashToday", "regMonth", "cashMonth", "incentive")}
        tiles = Columns()  # as many in a row as the screen's width allows
        for tile in self.tiles.values():
            tiles.add(tile)
        self.incentive_note = QLabel()
        self.incentive_note.setObjectName("incentiveNote")
        self.incentive_note.setWordWrap(True)

        self.target_box = QGroupBox()
        tb = QGridLayout(self.target_box)
        self.nik_label = QLabel()
        self.nik_bar = QProgressBar()
        self.nik_bar.setObjectName("nikTarget")
        self.nik_bar.setFormat("%v / %m")
        self.jht_label = QLabel()
        self.jht_bar = QProgressBar()
        self.jht_bar.setObjectName("jhtQuota")
        self.jht_bar.setFormat("%v / %m")
        tb.addWidget(self.nik_label, 0, 0)
        tb.addWidget(self.nik_bar, 0, 1)
        tb.addWidget(self.jht_label, 1, 0)
        tb.addWidget(self.jht_bar, 1, 1)
        self.jht_note = QLabel()
        self.jht_note.setWordWrap(True)
        tb.addWidget(self.jht_note, 2, 0, 1, 2)

        self.daily_box = QGroupBox()
        db = QVBoxLayout(self.daily_box)
        self.daily_chart = BarChart()
        self.daily_chart.setObjectName("dailyChart")
        db.addWidget(self.daily_chart)

        self.coverage_box = QGroupBox()
        cb = QVBoxLayout(self.coverage_box)
        self.coverage_note = QLabel()
        self.coverage_note.setObjectName("coverageNote")
        self.coverage_note.setWordWrap(True)
        self.coverage_chart = HBarChart()
        self.coverage_chart.setObjectName("coverageChart")
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.coverage_chart)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        cb.addWidget(self.coverage_note)
        cb.addWidget(scroll, 1)
        self.message = IssueLabel()

        lower = Columns()
        lower.add(panel((self.daily_box, 1), self.target_box))
        lower.add(self.coverage_box)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(tiles)
        layout.addWidget(self.incentive_note)
        layout.addWidget(self.message)
        layout.addWidget(lower, 1)

        self.refresh_button.clicked.connect(self.refresh)
        QShortcut(QKeySequence("F5"), self, self.refresh)
        self.retranslateUi()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)

    def retranslateUi(self) -> None:
        self.title.setText(self.tr("My day"))
        self.refresh_button.setText(self.tr("Refresh (F5)"))
        captions = {"regToday": self.tr("Registered today"),
                    "cashToday": self.tr("Collected today"),
                    "regMonth": self.tr("Registered this month"),
                    "cashMonth": self.tr("Collected this month"),
                    "incentive": self.tr("Incentive this month (estimate)")}
        for name, tile in self.tiles.items():
            tile.caption.setText(captions[name])
        self.target_box.setTitle(self.tr("Targets"))
        self.nik_label.setText(self.tr("New NIKs this month"))
        self.jht_label.setText(self.tr("City JHT quota, desil 1-3"))
        self.daily_box.setTitle(self.tr("Collections per day this month"))
        self.coverage_box.setTitle(self.tr("Coverage per kelurahan of my area"))
        self._render()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.refresh()

    def refresh(self) -> None:
        self.refresh_button.setEnabled(False)
        run(self, self.runner, self.core.dashboard.summary, self.session.user,
            on_done=self._loaded, on_error=self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.refresh_button.setEnabled(True)
        self.message.set_message(error_text(exc, self.session.lang))

    def _loaded(self, data: DashboardData) -> None:
        self.refresh_button.setEnabled(True)
        self.data = data
        self._render()
        self.refreshed.emit()

    def _render(self) -> None:
        d = self.data
        if d is None:
            return
        lang = self.session.lang
        money = lambda v: format_money(int(v), lang)  # noqa: E731
        t = self.tiles
        t["regToday"].value.setText(str(d.registrations_today))
        t["cashToday"].value.setText(money(d.collected_today))
        t["cashToday"].detail.setText(self.tr("%1 receipts").replace("%1", str(d.receipts_today)))
        t["regMonth"].value.setText(str(d.registrations_month))
        t["regMonth"].detail.setText(self.tr("target %1").replace(
            "%1", str(d.incentive.target_new)))
        t["cashMonth"].value.setText(money(d.collected_month))
        t["cashMonth"].detail.setText(self.tr("%1 receipts").replace("%1", str(d.receipts_month)))
        inc = d.incentive
        t["incentive"].value.setText("± " + money(inc.total))
        t["incentive"].detail.setText(self.tr("estimate"))
        self.incentive_note.setText(self.tr(
            "Estimate (perkiraan) under the Perisai rules: %1 new participants × %2 = %3, plus "
            "%4 of %5 collected in participants' months 1-24 and %6 of %7 in months 25-60 = "
            "%8. The official amount is calculated by BPJS Ketenagakerjaan.")
            .replace("%1", str(inc.new_participants)).replace("%2", money(inc.per_participant))
            .replace("%3", money(inc.registration_part))
            .replace("%4", f"{inc.early_rate * 100:.0f} %").replace("%5", money(inc.collected_early))
            .replace("%6", f"{inc.late_rate * 100:.0f} %").replace("%7", money(inc.collected_late))
            .replace("%8", money(inc.collection_part)))
        self.nik_bar.setMaximum(max(inc.target_new, inc.new_participants, 1))
        self.nik_bar.setValue(inc.new_participants)
        self.nik_bar.setFormat(f"{inc.new_participants} / {inc.target_new}")
        self.jht_bar.setMaximum(d.jht_quota)
        self.jht_bar.setValue(min(d.jht_enrolled, d.jht_quota))
        self.jht_bar.setFormat(f"{group_thousands(d.jht_enrolled)} / {group_thousands(d.jht_quota)}")
        self.jht_note.setText(self.tr(
            "Counts the APBD-funded JHT participants (desil 1-3) known on this device."))
        today = d.today.isoformat()
        self.daily_chart.set_data(
            [(day.strftime("%d"), amount) for day, amount in d.daily],
            highlight=next((i for i, (day, _) in enumerate(d.daily)
                            if day.isoformat() == today), None), fmt=money)
        target = float(d.city_target_percent) / 100
        percent = f"{d.city_target_percent.normalize():f}"
        percent = percent.replace(".", ",") if lang == "id" else percent
        if d.has_population:
            items = [(k.name, k.active, k.population or 0,
                      f"{k.percent:.1f} % ({k.active}/{k.population})") for k in d.kelurahan]
            self.coverage_note.setText(self.tr(
                "Active participants against the worker population; the red line is the "
                "city target of %1 %.").replace("%1", percent))
            self.coverage_chart.set_data(items, target=target)
        else:
            peak = max((k.registered for k in d.kelurahan), default=0) or 1
            items = [(k.name, k.active, peak,
                      self.tr("%1 active / %2 registered").replace("%1", str(k.active))
                      .replace("%2", str(k.registered))) for k in d.kelurahan]
            self.coverage_note.setText(self.tr(
                "The reference data has no worker population per kelurahan yet, so the "
                "coverage against the city target of %1 % cannot be computed: shown are the "
                "active and registered participants on this device.")
                .replace("%1", percent))
            self.coverage_chart.set_data(items)
