"""Small shared widgets: money labels, NIK and rupiah inputs, validation messages.

Formatting helpers that need no Qt live in ``agent_app.ui.receipt`` (``format_money``,
``mask_nik``) so receipts can be rendered without Qt; they are re-exported here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from datetime import date
from typing import TypeVar

from PySide6.QtCore import QDate, QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QFontMetricsF, QGuiApplication, QPainter, QValidator
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCalendarWidget,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QSizePolicy,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from agent_app.domain.messages import Issue
from agent_app.ui.receipt import format_money, mask_nik

__all__ = [
    "ERROR_COLOR", "WARNING_COLOR", "OK_COLOR", "format_money", "mask_nik", "MoneyLabel",
    "DigitsValidator", "NikLineEdit", "RupiahValidator", "RupiahLineEdit", "IssueLabel",
    "group_thousands", "DateEdit", "ElidedLabel", "Columns", "fit_to_screen", "breakable",
    "panel", "list_table", "ask",
]

# Colours with at least AA contrast on white (outdoor screens).
ERROR_COLOR = "#b00020"
WARNING_COLOR = "#8a5300"  # amber dark enough to read
OK_COLOR = "#0b6e4f"


def group_thousands(value: int) -> str:
    """1000000 -> "1.000.000" (Indonesian grouping, the way people write rupiah)."""
    return f"{value:,}".replace(",", ".")


# What a window may take of the screen: Windows' title bar is not part of availableGeometry.
TITLE_BAR = 32


def fit_to_screen(window: QWidget, width: int, height: int) -> None:
    """Resize ``window`` to ``width`` x ``height``, or less when the screen (taskbar and title
    bar left out) is smaller: a dialog must never open partly off a small laptop screen."""
    # The laptop's own screen. Not window.screen(): PySide 6.11 takes ownership of the
    # QScreen that returns for a window not yet shown and deletes it with its wrapper.
    screen = QGuiApplication.primaryScreen()
    area = screen.availableGeometry()
    window.resize(min(width, area.width()), min(height, area.height() - TITLE_BAR))


def breakable(text: str) -> str:
    """``text`` with places to wrap inside long paths and addresses (after / \\ _ -): a
    label wraps at spaces only, and one long path would widen its window past the screen.
    For display only: the marks are zero-width spaces."""
    def split(match: re.Match[str]) -> str:
        return re.sub(r"([/\\_\-])", "\\1\u200b", match.group(0))

    return re.sub(r"\S{25,}", split, text)


class ElidedLabel(QLabel):
    """One line that never widens its window: drawn shortened with "…" when the space is
    short, the whole text in the tooltip (``text()`` stays the whole text)."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self._keep = ("", "")
        self._ask_at_most = ""
        self._short = ""
        self.setText(text)

    def set_short(self, short: str, at_most: str | None = None) -> None:
        """What to show instead when the whole text does not fit (a time without its
        caption), kept readable as long as it is no wider than ``at_most`` (default: all of
        it); "" shortens the whole text."""
        self._short = short
        self.keep_readable(short, short if at_most is None else at_most)

    def keep_readable(self, text: str, at_most: str) -> None:
        """``text`` is never elided, as long as it is no wider than ``at_most`` (measured
        with the font the label has when it is laid out)."""
        self._keep = (text, at_most)
        self.updateGeometry()

    def ask_at_most(self, sample: str) -> None:
        """Ask the layout for no more room than ``sample`` takes: the rest of a long text is
        in the tooltip, and the free space goes to the neighbours first."""
        self._ask_at_most = sample
        self.updateGeometry()

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        if self._ask_at_most:
            margins = self.contentsMargins()
            cap = (self.fontMetrics().horizontalAdvance(self._ask_at_most)
                   + margins.left() + margins.right())
            hint.setWidth(max(min(hint.width(), cap), self.minimumSizeHint().width()))
        return hint

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setToolTip(text)

    def shown_text(self) -> str:
        """What fits: the text as drawn."""
        width = max(self.contentsRect().width(), 1)
        metrics = self.fontMetrics()
        if self._short and metrics.horizontalAdvance(self.text()) > width:
            return metrics.elidedText(self._short, Qt.TextElideMode.ElideRight, width)
        return metrics.elidedText(self.text(), Qt.TextElideMode.ElideRight, width)

    def minimumSizeHint(self) -> QSize:
        metrics = self.fontMetrics()
        width = metrics.horizontalAdvance("…") * 4
        text, at_most = self._keep
        if text:
            margins = self.contentsMargins()
            # The exact advance, rounded up: the rounded one can be a fraction short, and
            # the kept text is then drawn shortened after all.
            exact = QFontMetricsF(self.font())
            width = max(width, margins.left() + margins.right() + math.ceil(min(
                exact.horizontalAdvance(text), exact.horizontalAdvance(at_most))))
        return QSize(width, super().minimumSizeHint().height())

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        self.style().drawItemText(painter, self.contentsRect(), int(self.alignment()),
                                  self.palette(), self.isEnabled(), self.shown_text(),
                                  self.foregroundRole())


TableT = TypeVar("TableT", bound=QTableView)


def list_table(table: TableT, *, fit_columns: bool = False) -> TableT:
    """A table of records to read and pick from: rows selected one at a time, nothing
    edited in place, and Tab leaves it for the next control (Qt's tables keep Tab to move
    between cells, which traps a keyboard user: the void button was out of reach).
    ``fit_columns`` sizes the columns to their contents (small tables only)."""
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setTabKeyNavigation(False)
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents if fit_columns
                                else QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    return table


def panel(*items, vertical: bool = True, stretch: bool = False) -> QWidget:
    """A plain widget holding ``items`` (widgets, or (widget, stretch) pairs) in a row or a
    column with no margins; ``stretch`` leaves the rest of the space empty at the end."""
    widget = QWidget()
    layout = QVBoxLayout(widget) if vertical else QHBoxLayout(widget)
    layout.setContentsMargins(0, 0, 0, 0)
    for item in items:
        child, factor = item if isinstance(item, tuple) else (item, 0)
        layout.addWidget(child, factor)
    if stretch:
        layout.addStretch(1)
    return widget


class Columns(QWidget):
    """Widgets side by side on a wide screen, wrapped into rows as the width shrinks, one
    under the other at the narrowest (1366x768 at 150 % leaves about 740 pixels for a page).
    A part is only put beside another when each gets the width it asks for."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self._parts: list[tuple[QWidget, int]] = []
        self.per_row = 0

    def add(self, widget: QWidget, stretch: int = 1) -> QWidget:
        self._parts.append((widget, stretch))
        self._arrange(len(self._parts))
        return widget

    def _wanted(self, widget: QWidget) -> int:
        return max(widget.sizeHint().width(), widget.minimumSizeHint().width())

    def fitting(self, width: int) -> int:
        """How many parts fit in one row of ``width`` pixels."""
        spacing = self.grid.horizontalSpacing()
        for n in range(len(self._parts), 1, -1):
            rows = [self._parts[i:i + n] for i in range(0, len(self._parts), n)]
            if all(sum(self._wanted(w) for w, _ in row) + spacing * (len(row) - 1) <= width
                   for row in rows):
                return n
        return 1

    def _arrange(self, per_row: int) -> None:
        if per_row == self.per_row:
            return
        self.per_row = per_row
        for widget, _ in self._parts:
            self.grid.removeWidget(widget)
        for column in range(self.grid.columnCount()):
            self.grid.setColumnStretch(column, 0)
        for i, (widget, stretch) in enumerate(self._parts):
            self.grid.addWidget(widget, i // per_row, i % per_row)
            self.grid.setColumnStretch(i % per_row, max(stretch, self.grid.columnStretch(i % per_row)))
        self.updateGeometry()  # more rows need more height: the parents lay out again

    def minimumSizeHint(self) -> QSize:  # at the narrowest, the widest part decides
        widest = max((w.minimumSizeHint().width() for w, _ in self._parts), default=0)
        return QSize(widest, super().minimumSizeHint().height())

    def resizeEvent(self, event) -> None:
        self._arrange(self.fitting(event.size().width()))
        super().resizeEvent(event)

    @property
    def stacked(self) -> bool:
        return self.per_row == 1 and len(self._parts) > 1


def ask(parent: QWidget, title: str, text: str, choices: list[tuple[str, str]], *,
        default: str, escape: str, answered: Callable[[str], None]) -> QMessageBox:
    """A question with its answers as buttons (``(key, label)``, left to right), modal to
    its window but not blocking: ``answered(key)`` is called with the key chosen (``escape``
    for Esc or the box's close button). Returns the box (shown)."""
    box = QMessageBox(parent)
    box.setObjectName("question")
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(title)
    box.setText(text)
    buttons = {}
    for key, label in choices:
        button = box.addButton(label, QMessageBox.ButtonRole.ActionRole)
        button.setObjectName(f"answer_{key}")
        buttons[key] = button
    box.setDefaultButton(buttons[default])
    box.setEscapeButton(buttons[escape])
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def finish() -> None:
        clicked = box.clickedButton()
        answered(next((key for key, button in buttons.items() if button is clicked), escape))

    box.finished.connect(lambda _result: finish())
    box.open()
    return box


class TaskDialog(QDialog):
    """A dialog whose work runs through ``agent_app.ui.operations.run`` (its calls are
    cancelled when it closes).

    While ``busy`` (a write under way) it cannot be closed: that would hide the outcome
    of what is being saved.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.busy = False

    def reject(self) -> None:
        if self.busy:
            return
        super().reject()


class MoneyLabel(QLabel):
    """A label showing an integer rupiah amount as "Rp 16.800"."""

    def __init__(self, amount: int | None = None, lang: str = "id", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.amount: int | None = None
        self.lang = lang
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.set_amount(amount)

    def set_amount(self, amount: int | None, lang: str | None = None) -> None:
        if lang:
            self.lang = lang
        self.amount = amount
        self.setText("" if amount is None else format_money(amount, self.lang))


class DigitsValidator(QValidator):
    """Accepts digits only, up to ``length``; pasted spaces, dots and dashes are dropped
    (people paste "7371 0101 0190 0001" from a chat message)."""

    def __init__(self, length: int, parent=None) -> None:
        super().__init__(parent)
        self.length = length

    def validate(self, text: str, pos: int):
        digits = "".join(ch for ch in text if ch.isdigit() and ch.isascii())
        if len(digits) > self.length:
            return QValidator.State.Invalid, text, pos
        if digits != text:
            # Keep the cursor after the same digit it followed.
            pos = len([ch for ch in text[:pos] if ch.isdigit() and ch.isascii()])
        state = QValidator.State.Acceptable if len(digits) == self.length else QValidator.State.Intermediate
        return state, digits, pos


class NikLineEdit(QLineEdit):
    """16-digit NIK entry: digits only, monospace so digit groups line up with a KTP."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setValidator(DigitsValidator(16, self))
        self.setMaxLength(40)  # room for pasted separators, which the validator removes
        font = self.font()
        font.setFamily("monospace")
        font.setStyleHint(font.StyleHint.Monospace)
        self.setFont(font)
        self.setPlaceholderText("7371xxxxxxxxxxxx")

    def digits(self) -> str:
        return self.text()

    def is_complete(self) -> bool:
        return len(self.text()) == 16


class RupiahValidator(QValidator):
    """Whole rupiah with dot grouping as the person types: "1000000" shows "1.000.000"."""

    MAX_DIGITS = 12  # up to 999 billion: more is a typing mistake

    def validate(self, text: str, pos: int):
        digits_before = sum(ch.isdigit() for ch in text[:pos])
        digits = "".join(ch for ch in text if ch.isdigit() and ch.isascii()).lstrip("0") or (
            "0" if any(ch.isdigit() for ch in text) else ""
        )
        if len(digits) > self.MAX_DIGITS:
            return QValidator.State.Invalid, text, pos
        if not digits:
            return QValidator.State.Intermediate, "", 0
        formatted = group_thousands(int(digits))
        # Put the cursor after the same number of digits as before the reformat.
        seen = 0
        new_pos = 0
        if digits_before:
            for i, ch in enumerate(formatted):
                if ch.isdigit():
                    seen += 1
                    if seen == digits_before:
                        new_pos = i + 1
                        break
            else:
                new_pos = len(formatted)
        return QValidator.State.Acceptable, formatted, new_pos


class RupiahLineEdit(QLineEdit):
    """Integer rupiah input; ``value()`` is the int or None when empty."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setValidator(RupiahValidator(self))
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.setPlaceholderText("1.000.000")

    def value(self) -> int | None:
        digits = "".join(ch for ch in self.text() if ch.isdigit())
        return int(digits) if digits else None

    def set_value(self, value: int | None) -> None:
        self.setText("" if value is None else group_thousands(int(value)))


class IssueLabel(QLabel):
    """Validation messages of one field, shown beside it: errors red, warnings amber.

    ``severity`` ("", "warning" or "error") is the worst issue shown, for styling and tests.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.severity = ""
        self.issues: list[Issue] = []
        self.hide()

    def set_issues(self, issues: Iterable[Issue], lang: str = "id") -> None:
        self.issues = list(issues)
        if not self.issues:
            self.severity = ""
            self.clear()
            self.hide()
            return
        errors = [i for i in self.issues if i.is_error]
        self.severity = "error" if errors else "warning"
        lines = []
        for issue in errors + [i for i in self.issues if not i.is_error]:
            colour = ERROR_COLOR if issue.is_error else WARNING_COLOR
            mark = "✖" if issue.is_error else "⚠"
            lines.append(f'<span style="color:{colour}">{mark} {_escape(issue.text(lang))}</span>')
        self.setText("<br>".join(lines))
        self.show()

    def plain_text(self) -> str:
        """What the person reads, without markup (for tests and accessibility)."""
        return _strip_tags(self.text())

    def set_message(self, text: str, severity: str = "error") -> None:
        """A message not from a domain Issue (e.g. a save failure)."""
        self.issues = []
        if not text:
            self.set_issues([])
            return
        self.severity = severity
        colour = {"error": ERROR_COLOR, "warning": WARNING_COLOR}.get(severity, OK_COLOR)
        self.setText(f'<span style="color:{colour}">{_escape(breakable(text))}</span>')
        self.show()


class DateEdit(QWidget):
    """A dd/MM/yyyy date: typed ("15081990" fills 15/08/1990) or picked from a calendar
    (the button, or Alt+Down / F4). It can be empty: ``value()`` is None until a whole,
    real date is there.

    Not a QDateEdit: that cannot be empty, and Tab moves between its sections instead of
    to the next field, which breaks the keyboard-only counter flow.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None, *, start: QDate | None = None) -> None:
        super().__init__(parent)
        self.start = start or QDate(1990, 1, 1)
        self.edit = QLineEdit(self)
        self.edit.setInputMask("99/99/9999;_")
        self.edit.setObjectName("dateText")
        self.button = QToolButton(self)
        self.button.setObjectName("dateCalendarButton")
        self.button.setText("\u25be")  # small down-pointing triangle
        self.button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.button.clicked.connect(self.show_calendar)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.edit)
        layout.addWidget(self.button)
        layout.addStretch(1)
        self.setFocusProxy(self.edit)
        self.calendar: QCalendarWidget | None = None
        self.edit.textChanged.connect(lambda _t: self.changed.emit())
        self.edit.installEventFilter(self)
        self.edit.setMaximumWidth(140)

    def eventFilter(self, obj, event) -> bool:
        if obj is self.edit and event.type() == QEvent.Type.FocusIn and not self._has_digits():
            # An empty mask: typing must start at the day, wherever the cursor was left.
            QTimer.singleShot(0, lambda: self.edit.setCursorPosition(0))
        if obj is self.edit and event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if key == Qt.Key.Key_F4 or (
                key == Qt.Key.Key_Down and event.modifiers() & Qt.KeyboardModifier.AltModifier
            ):
                self.show_calendar()
                return True
        # Not super().eventFilter(): in PySide6 6.12 that call corrupts a refcount and
        # eventually aborts the interpreter; QObject's own filter returns False anyway.
        return False

    def value(self) -> date | None:
        digits = "".join(ch for ch in self.edit.text() if ch.isdigit())
        if len(digits) != 8:
            return None
        try:
            return date(int(digits[4:]), int(digits[2:4]), int(digits[:2]))
        except ValueError:
            return None

    def _has_digits(self) -> bool:
        return any(ch.isdigit() for ch in self.edit.text())

    def is_partial(self) -> bool:
        """Something typed that is not (yet) a real date."""
        return self._has_digits() and self.value() is None

    def set_value(self, value: date | None) -> None:
        self.edit.setText("" if value is None else value.strftime("%d%m%Y"))
        if value is None:
            self.edit.setCursorPosition(0)

    def show_calendar(self) -> None:
        if self.calendar is None:
            self.calendar = QCalendarWidget(self)
            self.calendar.setWindowFlags(Qt.WindowType.Popup)
            self.calendar.setObjectName("datePopup")
            self.calendar.setGridVisible(True)
            self.calendar.clicked.connect(self._picked)
            self.calendar.activated.connect(self._picked)
        current = self.value()
        self.calendar.setSelectedDate(
            QDate(current.year, current.month, current.day) if current else self.start
        )
        self.calendar.move(self.edit.mapToGlobal(self.edit.rect().bottomLeft()))
        self.calendar.show()
        self.calendar.setFocus()

    def _picked(self, qdate: QDate) -> None:
        self.set_value(date(qdate.year(), qdate.month(), qdate.day()))
        if self.calendar is not None:
            self.calendar.hide()
        self.edit.setFocus()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _strip_tags(html: str) -> str:
    text = re.sub(r"<br\s*/?>", "\n", html)
    text = re.sub(r"<[^>]+>", "", text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return text.replace("\u200b", "")
