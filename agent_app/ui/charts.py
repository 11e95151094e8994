"""Small QPainter charts (no chart library): vertical bars and labelled horizontal bars.

Each chart also exposes its data as text (``summary()``, the accessible description and
tooltips): a screen reader, a test and a person who prefers numbers all get the figures.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

BAR = QColor("#1f6f8b")
BAR_HI = QColor("#0b6e4f")
BAR_BG = QColor("#e3ecef")
TARGET = QColor("#b00020")
AXIS = QColor("#555555")


def _plain(value: float) -> str:
    return f"{int(value):,}".replace(",", ".")


def labelled(count: int, every: int, highlight: int | None) -> list[int]:
    """The bars that get a label: every ``every``-th, and the highlighted one (today), none
    closer to another than ``every`` bars (today's label once overlapped its neighbour's)."""
    chosen = [] if highlight is None else [highlight]
    for i in range(0, count, every):
        if all(abs(i - j) >= every for j in chosen):
            chosen.append(i)
    return sorted(chosen)


class BarChart(QWidget):
    """Vertical bars, e.g. collections per day of the month."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.items: list[tuple[str, float]] = []
        self.highlight: int | None = None
        self.fmt: Callable[[float], str] = _plain
        self.setMinimumHeight(150)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMouseTracking(True)

    def sizeHint(self) -> QSize:
        return QSize(480, 180)

    def set_data(self, items: list[tuple[str, float]], *, highlight: int | None = None,
                 fmt: Callable[[float], str] | None = None) -> None:
        self.items = list(items)
        self.highlight = highlight
        if fmt is not None:
            self.fmt = fmt
        self.setAccessibleDescription(self.summary())
        self.update()

    def summary(self) -> str:
        return "; ".join(f"{label}: {self.fmt(v)}" for label, v in self.items)

    def _bars(self) -> list[QRectF]:
        if not self.items:
            return []
        fm = QFontMetrics(self.font())
        top, bottom = fm.height() + 4, self.height() - fm.height() - 6
        left, width = 4.0, self.width() - 8.0
        slot = width / len(self.items)
        peak = max((v for _, v in self.items), default=0) or 1
        rects = []
        for i, (_, v) in enumerate(self.items):
            h = max(0.0, (bottom - top) * max(v, 0) / peak)
            rects.append(QRectF(left + i * slot + slot * 0.15, bottom - h, slot * 0.7, h))
        return rects

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = QFontMetrics(self.font())
        rects = self._bars()
        bottom = self.height() - fm.height() - 6
        p.setPen(QPen(AXIS, 1))
        p.drawLine(2, bottom, self.width() - 2, bottom)
        if not rects:
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "–")
            return
        slot = (self.width() - 8.0) / len(rects)
        every = max(1, int((fm.horizontalAdvance("00") + 6) // max(slot, 1)) + 1)
        peak_i = max(range(len(self.items)), key=lambda i: self.items[i][1])
        for i, rect in enumerate(rects):
            p.fillRect(rect, BAR_HI if i == self.highlight else BAR)
        p.setPen(AXIS)
        for i in labelled(len(rects), every, self.highlight):
            p.drawText(QRectF(rects[i].center().x() - slot * every / 2, bottom + 2,
                              slot * every, fm.height()),
                       Qt.AlignmentFlag.AlignHCenter, self.items[i][0])
        if self.items[peak_i][1] > 0:  # the peak carries its value: the scale's anchor
            r = rects[peak_i]
            p.setPen(AXIS)
            text = self.fmt(self.items[peak_i][1])
            w = fm.horizontalAdvance(text) + 4
            x = min(max(r.center().x() - w / 2, 0), self.width() - w)
            p.drawText(QRectF(x, r.top() - fm.height() - 2, w, fm.height()),
                       Qt.AlignmentFlag.AlignCenter, text)

    def mouseMoveEvent(self, event) -> None:
        for i, rect in enumerate(self._bars()):
            if rect.left() - 2 <= event.position().x() <= rect.right() + 2:
                label, v = self.items[i]
                QToolTip.showText(event.globalPosition().toPoint(), f"{label}: {self.fmt(v)}", self)
                return
        QToolTip.hideText()


class HBarChart(QWidget):
    """Labelled horizontal bars with an optional target marker, e.g. coverage per kelurahan.

    Each item is (label, value, maximum, text): the bar fills value/maximum of the track
    and ``text`` is printed at its right end.
    """

    ROW = 22

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.items: list[tuple[str, float, float, str]] = []
        self.target: float | None = None  # fraction of the track, e.g. 0.725
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_data(self, items: Sequence[tuple[str, float, float, str]], *,
                 target: float | None = None) -> None:
        self.items = list(items)
        self.target = target
        self.setFixedHeight(max(self.ROW, self.ROW * len(self.items)) + 4)
        self.setAccessibleDescription(self.summary())
        self.updateGeometry()
        self.update()

    def summary(self) -> str:
        return "; ".join(f"{label}: {text}" for label, _v, _m, text in self.items)

    def sizeHint(self) -> QSize:
        return QSize(480, self.height())

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        fm = QFontMetrics(self.font())
        label_w = min(self.width() * 0.32, max((fm.horizontalAdvance(i[0]) for i in self.items),
                                               default=0) + 8)
        text_w = max((fm.horizontalAdvance(i[3]) for i in self.items), default=0) + 8
        track_x = label_w
        track_w = max(10.0, self.width() - label_w - text_w)
        for row, (label, value, maximum, text) in enumerate(self.items):
            y = 2 + row * self.ROW
            p.setPen(AXIS)
            p.drawText(QRectF(0, y, label_w - 6, self.ROW), Qt.AlignmentFlag.AlignVCenter |
                       Qt.AlignmentFlag.AlignRight,
                       fm.elidedText(label, Qt.TextElideMode.ElideRight, int(label_w - 6)))
            track = QRectF(track_x, y + 4, track_w, self.ROW - 8)
            p.fillRect(track, BAR_BG)
            frac = min(1.0, value / maximum) if maximum else 0.0
            p.fillRect(QRectF(track.left(), track.top(), track.width() * frac, track.height()),
                       BAR)
            if self.target is not None:
                x = track.left() + track.width() * self.target
                p.setPen(QPen(TARGET, 2))
                p.drawLine(int(x), int(y + 1), int(x), int(y + self.ROW - 1))
            p.setPen(AXIS)
            p.drawText(QRectF(track.right() + 6, y, text_w, self.ROW),
                       Qt.AlignmentFlag.AlignVCenter, text)


def bold(widget: QWidget, size_delta: int = 0) -> None:
    font = QFont(widget.font())
    font.setBold(True)
    if size_delta:
        font.setPointSize(font.pointSize() + size_delta)
    widget.setFont(font)
