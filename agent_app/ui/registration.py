"""Register a new BPU participant (issue #2).

Validation runs as the person types (debounced): ``core.workers.check(form)`` is pure (no
database), so it runs on the GUI thread; the NIK look-up, the "same person?" search and
the save go through the TaskRunner. Each Issue shows beside its field (Issue.field names
the form field): errors red, warnings amber. A field's messages appear once it has been
edited (or after a save attempt), so an empty form is not a wall of red; Save is enabled
only when there is no error at all.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QStringListModel, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QCompleter,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from agent_app.domain.messages import Issue
from agent_app.domain.nik import parse_nik
from agent_app.domain.text import search_key
from agent_app.services.base import ServiceError
from agent_app.services.drafts import clear_draft, load_draft, save_draft
from agent_app.services.workers import EMPLOYER_OCCUPATION, RegistrationForm
from agent_app.ui.errors import error_text
from agent_app.ui.operations import WORKERS, run
from agent_app.ui.receipt import format_stamp
from agent_app.ui.widgets import (
    WARNING_COLOR,
    Columns,
    DateEdit,
    ElidedLabel,
    IssueLabel,
    NikLineEdit,
    RupiahLineEdit,
    ask,
    mask_nik,
)

VALIDATION_DELAY_MS = 200
DRAFT_DELAY_MS = 800  # the draft is written this long after the last keystroke
DRAFT_FORM = "registration"
FUNDING_SOURCES = ("self", "apbd", "village", "csr")
PROGRAMMES = ("jkk", "jkm", "jht")
# Stored as typed (data, not UI text); the usual answers offered first.
HEIR_RELATIONS = ("Suami", "Istri", "Anak", "Orang tua", "Saudara kandung", "Lainnya")
MAX_SUGGESTIONS = 12

# Form fields in screen order (Issue.field values).
FIELDS = (
    "nik", "full_name", "birth_date", "sex", "phone", "address", "kelurahan_code",
    "occupations", "declared_income", "programmes", "desil", "desil_source", "desil_date",
    "disability_kind", "heir_name", "heir_relation", "consent_given",
)


class KelurahanPicker(QWidget):
    """Type part of a kelurahan name (spelling variants folded by ``search_key``) and pick
    it from the suggestions; the kecamatan it belongs to shows beside it."""

    changed = Signal(str)  # kelurahan code ("" when none is chosen)

    def __init__(self, ref, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ref = ref
        self.code = ""
        self._choices: dict[str, str] = {}  # suggestion text -> code
        self.edit = QLineEdit(self)
        self.edit.setObjectName("kelurahan")
        self.model = QStringListModel(self)
        self.completer = QCompleter(self.model, self)
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setMaxVisibleItems(MAX_SUGGESTIONS)
        self.completer.activated.connect(self._activated)
        self.edit.setCompleter(self.completer)
        self.kecamatan = QLabel(self)
        self.kecamatan.setObjectName("kecamatanLabel")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.kecamatan)
        self.setFocusProxy(self.edit)
        self.edit.textEdited.connect(self._edited)
        self.edit.editingFinished.connect(self._resolve)

    @staticmethod
    def label(kel) -> str:
        return f"{kel.name} — {kel.kecamatan_name}"

    def suggestions(self, text: str) -> list[str]:
        matches = self.ref.find_kelurahan(text)[:MAX_SUGGESTIONS] if text.strip() else []
        self._choices = {self.label(k): k.code for k in matches}
        return list(self._choices)

    def _edited(self, text: str) -> None:
        self.model.setStringList(self.suggestions(text))
        if self.code and self._choices.get(text) != self.code:
            self._set_code("")
        if self.model.rowCount():
            self.completer.complete()

    def _activated(self, text: str) -> None:
        code = self._choices.get(text)
        if code:
            self._set_code(code)

    def _resolve(self) -> None:
        """Enter or leaving the field: accept the typed name when it clearly means one."""
        text = self.edit.text().strip()
        if not text or self.code:
            return
        if text in self._choices:
            self._set_code(self._choices[text])
            return
        matches = self.ref.find_kelurahan(text)
        exact = [k for k in matches if search_key(k.name) == search_key(text)]
        chosen = exact[0] if len(exact) == 1 else (matches[0] if len(matches) == 1 else None)
        if chosen is not None:
            self.set_code(chosen.code)

    def set_code(self, code: str) -> None:
        kel = self.ref.kelurahan_by_code.get(code)
        self.edit.setText(self.label(kel) if kel else "")
        self._choices = {self.label(kel): kel.code} if kel else {}
        self._set_code(kel.code if kel else "")

    def _set_code(self, code: str) -> None:
        if code == self.code:
            return
        self.code = code
        kel = self.ref.kelurahan_by_code.get(code)
        self.kecamatan.setText(
            self.tr("Kecamatan %1").replace("%1", kel.kecamatan_name) if kel else ""
        )
        self.changed.emit(code)


class OccupationPicker(QWidget):
    """Occupations grouped as in the reference list; tick at most two (Space ticks).

    The first one ticked is the main occupation (it decides the policy sector)."""

    changed = Signal()

    def __init__(self, ref, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.selected: list[str] = []
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("occupations")
        self.tree.setHeaderHidden(True)
        self.tree.setMinimumHeight(150)
        self.items: dict[str, QTreeWidgetItem] = {}
        groups: dict[str, QTreeWidgetItem] = {}
        for name in ref.occupation_names:
            group = ref.occupations[name][0]
            parent_item = groups.get(group)
            if parent_item is None:
                parent_item = QTreeWidgetItem(self.tree, [group])
                parent_item.setFlags(Qt.ItemFlag.ItemIsEnabled)
                font = parent_item.font(0)
                font.setBold(True)
                parent_item.setFont(0, font)
                groups[group] = parent_item
            item = QTreeWidgetItem(parent_item, [name])
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                          | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(0, Qt.CheckState.Unchecked)
            item.setData(0, Qt.ItemDataRole.UserRole, name)
            self.items[name] = item
        self.tree.expandAll()
        self.summary = QLabel(self)
        self.summary.setObjectName("occupationSummary")
        self.summary.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tree)
        layout.addWidget(self.summary)
        self.setFocusProxy(self.tree)
        self.tree.itemChanged.connect(self._item_changed)
        self._update_summary()

    def _item_changed(self, item: QTreeWidgetItem, _column: int) -> None:
        name = item.data(0, Qt.ItemDataRole.UserRole)
        if not name:
            return
        checked = item.checkState(0) == Qt.CheckState.Checked
        if checked and name not in self.selected:
            self.selected.append(name)
        elif not checked and name in self.selected:
            self.selected.remove(name)
        self._update_summary()
        self.changed.emit()

    def set_checked(self, name: str, checked: bool = True) -> None:
        self.items[name].setCheckState(
            0, Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
        )

    def clear(self) -> None:
        for name in list(self.selected):
            self.set_checked(name, False)

    def _update_summary(self) -> None:
        if not self.selected:
            self.summary.setText(self.tr("None chosen (tick 1 or 2 with Space)"))
            return
        parts = [self.tr("Main: %1").replace("%1", self.selected[0])]
        if len(self.selected) > 1:
            parts.append(self.tr("also: %1").replace("%1", ", ".join(self.selected[1:])))
        self.summary.setText("; ".join(parts))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._update_summary()
        super().changeEvent(event)


class RegistrationPage(QWidget):
    """The registration form. Signals: ``worker_saved(id)`` after a save,
    ``open_existing(id)`` when the person asks to open a worker already on the device."""

    worker_saved = Signal(str)
    open_existing = Signal(str)

    def __init__(self, core, runner, session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.core = core
        self.runner = runner
        self.session = session
        self.ref = core.ref
        self.touched: set[str] = set()
        self.issues: list[Issue] = []
        self.saving = False
        self.existing: tuple[str, str, str] | None = None  # (nik, worker id, name)
        self.similar: list = []
        self._looked_up_nik = ""
        self._similar_key: tuple | None = None
        self.setObjectName("registrationPage")
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(VALIDATION_DELAY_MS)
        self._timer.timeout.connect(self.validate)
        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(DRAFT_DELAY_MS)
        self._draft_timer.timeout.connect(self.save_draft)
        # The stored draft is read on the database thread, behind whatever it is busy with;
        # until it is back, only a draft this page wrote itself may be forgotten.
        self._draft_read = False  # the stored draft has come back
        self._draft_written = False  # this page has written the draft since it opened
        self._from_nik: dict = {}  # what was filled from the NIK (and may be refilled)
        self._question: QMessageBox | None = None  # the open "clear the form?" question
        self._build()
        self.retranslateUi()
        self.session.language_changed.connect(self._language_changed)
        self.setFocusProxy(self.nik_edit)  # arriving on the page, typing goes into the NIK
        self.validate()
        self._blank = self.values()  # what an empty form holds (no draft to keep)
        run(self, self.runner, load_draft, self.core.db, self.session.user.id, DRAFT_FORM,
            on_done=self._draft_loaded)

    # --- building ----------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        self.title = QLabel()
        self.title.setProperty("role", "title")
        outer.addWidget(self.title)

        # Banners: an NIK already on this device, or maybe the same person.
        self.existing_banner = QFrame()
        self.existing_banner.setObjectName("existingBanner")
        self.existing_banner.setFrameShape(QFrame.Shape.StyledPanel)
        eb = QHBoxLayout(self.existing_banner)
        self.existing_label = QLabel()
        self.existing_label.setObjectName("existingLabel")
        self.existing_label.setWordWrap(True)
        self.existing_button = QPushButton()
        self.existing_button.setObjectName("openExistingButton")
        self.existing_button.clicked.connect(self._open_existing)
        eb.addWidget(self.existing_label, 1)
        eb.addWidget(self.existing_button)
        self.existing_banner.hide()
        outer.addWidget(self.existing_banner)

        self.similar_banner = QFrame()
        self.similar_banner.setObjectName("similarBanner")
        self.similar_banner.setFrameShape(QFrame.Shape.StyledPanel)
        sb = QHBoxLayout(self.similar_banner)
        self.similar_label = QLabel()
        self.similar_label.setObjectName("similarLabel")
        self.similar_label.setWordWrap(True)
        self.similar_button = QPushButton()
        self.similar_button.setObjectName("openSimilarButton")
        self.similar_button.clicked.connect(self._open_similar)
        sb.addWidget(self.similar_label, 1)
        sb.addWidget(self.similar_button)
        self.similar_banner.hide()
        outer.addWidget(self.similar_banner)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # not a Tab stop: fields scroll into view
        self.scroll_area = scroll
        body = QWidget()
        scroll.setWidget(body)
        body_layout = QVBoxLayout(body)
        columns = Columns()  # one under the other on a narrow screen (150 %)
        body_layout.addWidget(columns)
        outer.addWidget(scroll, 1)

        self.captions: dict[str, QLabel] = {}
        self.issue_labels: dict[str, IssueLabel] = {}

        # Left column: who the person is.
        self.identity_box = QGroupBox()
        left = QFormLayout(self.identity_box)
        left.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.nik_edit = NikLineEdit()
        self.nik_edit.setObjectName("nik")
        self.nik_info = QLabel()
        self.nik_info.setObjectName("nikInfo")
        self.nik_info.setProperty("role", "muted")
        self._add_row(left, "nik", self.nik_edit, extra=self.nik_info)
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("full_name")
        self.name_edit.setMaxLength(120)
        self._add_row(left, "full_name", self.name_edit)
        self.birth_edit = DateEdit(start=None)
        self.birth_edit.setObjectName("birth_date")
        self._add_row(left, "birth_date", self.birth_edit)
        sex_row = QWidget()
        sl = QHBoxLayout(sex_row)
        sl.setContentsMargins(0, 0, 0, 0)
        self.sex_group = QButtonGroup(self)
        self.male = QRadioButton()
        self.male.setObjectName("sex_M")
        self.female = QRadioButton()
        self.female.setObjectName("sex_F")
        self.sex_group.addButton(self.male)
        self.sex_group.addButton(self.female)
        sl.addWidget(self.male)
        sl.addWidget(self.female)
        sl.addStretch(1)
        self._add_row(left, "sex", sex_row, focus=self.male)
        self.phone_edit = QLineEdit()
        self.phone_edit.setObjectName("phone")
        self.phone_edit.setPlaceholderText("0812-3456-7890")
        self._add_row(left, "phone", self.phone_edit)
        self.address_edit = QLineEdit()
        self.address_edit.setObjectName("address")
        self.address_edit.setMaxLength(200)
        self._add_row(left, "address", self.address_edit)
        self.kelurahan = KelurahanPicker(self.ref)
        self._add_row(left, "kelurahan_code", self.kelurahan)

        # Heir and consent under the identity.
        self.heir_name_edit = QLineEdit()
        self.heir_name_edit.setObjectName("heir_name")
        self._add_row(left, "heir_name", self.heir_name_edit)
        self.heir_relation_combo = QComboBox()
        self.heir_relation_combo.setObjectName("heir_relation")
        self.heir_relation_combo.setEditable(True)
        self.heir_relation_combo.addItem("")
        self.heir_relation_combo.addItems(HEIR_RELATIONS)
        self._add_row(left, "heir_relation", self.heir_relation_combo)
        columns.add(self.identity_box)

        # Right column: work, income, programmes.
        self.work_box = QGroupBox()
        right = QFormLayout(self.work_box)
        right.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.occupations = OccupationPicker(self.ref)
        self._add_row(right, "occupations", self.occupations)
        self.income_edit = RupiahLineEdit()
        self.income_edit.setObjectName("declared_income")
        self._add_row(right, "declared_income", self.income_edit)

        prog = QWidget()
        pg = QGridLayout(prog)
        pg.setContentsMargins(0, 0, 0, 0)
        self.programme_checks: dict[str, QCheckBox] = {}
        self.funding_combos: dict[str, QComboBox] = {}
        for row, name in enumerate(PROGRAMMES):
            check = QCheckBox(name.upper())
            check.setObjectName(f"programme_{name}")
            combo = QComboBox()
            combo.setObjectName(f"funding_{name}")
            for source in FUNDING_SOURCES:
                combo.addItem(source, source)
            self.programme_checks[name] = check
            self.funding_combos[name] = combo
            pg.addWidget(check, row, 0)
            pg.addWidget(combo, row, 1)
        pg.setColumnStretch(1, 1)
        for name in ("jkk", "jkm"):  # base programmes: always on
            self.programme_checks[name].setChecked(True)
            self.programme_checks[name].setEnabled(False)
        self.jht_note = QLabel()
        self.jht_note.setObjectName("jhtNote")
        self.jht_note.setWordWrap(True)
        self.jht_note.setStyleSheet(f"color:{WARNING_COLOR}")
        self.jht_note.hide()
        pg.addWidget(self.jht_note, len(PROGRAMMES), 0, 1, 2)
        self._add_row(right, "programmes", prog, focus=self.funding_combos["jkk"])

        self.desil_combo = QComboBox()
        self.desil_combo.setObjectName("desil")
        self.desil_combo.addItem("—", None)
        for n in range(1, 11):
            self.desil_combo.addItem(str(n), n)
        self._add_row(right, "desil", self.desil_combo)
        self.desil_source_edit = QLineEdit()
        self.desil_source_edit.setObjectName("desil_source")
        self._add_row(right, "desil_source", self.desil_source_edit)
        self.desil_date_edit = DateEdit()
        self.desil_date_edit.setObjectName("desil_date")
        self._add_row(right, "desil_date", self.desil_date_edit)

        dis = QWidget()
        dl = QVBoxLayout(dis)
        dl.setContentsMargins(0, 0, 0, 0)
        self.disability_check = QCheckBox()
        self.disability_check.setObjectName("disability")
        self.disability_kind_edit = QLineEdit()
        self.disability_kind_edit.setObjectName("disability_kind")
        dl.addWidget(self.disability_check)
        dl.addWidget(self.disability_kind_edit)
        self._add_row(right, "disability_kind", dis, focus=self.disability_check)
        columns.add(self.work_box)

        # Consent: full width below the columns, inside the scroll area.
        self.consent_box = QGroupBox()
        cl = QVBoxLayout(self.consent_box)
        self.consent_text = QTextBrowser()
        self.consent_text.setObjectName("consentText")
        self.consent_text.setMinimumHeight(110)
        self.consent_text.setMaximumHeight(150)
        self.consent_text.setTabChangesFocus(True)  # Tab moves on; arrows still scroll
        self.consent_check = QCheckBox()
        self.consent_check.setObjectName("consent_given")
        cl.addWidget(self.consent_text)
        cl.addWidget(self.consent_check)
        self.issue_labels["consent_given"] = IssueLabel()
        self.issue_labels["consent_given"].setObjectName("issue_consent_given")
        cl.addWidget(self.issue_labels["consent_given"])
        body_layout.addWidget(self.consent_box)

        # Bottom bar: always visible.
        bar = QHBoxLayout()
        self.general_issues = IssueLabel()
        self.general_issues.setObjectName("issue_general")
        self.status = IssueLabel()
        self.status.setObjectName("saveStatus")
        bar.addWidget(self.status, 1)
        self.hint = ElidedLabel()  # shortened on a narrow screen, whole in its tooltip
        self.hint.setObjectName("saveHint")
        self.hint.setProperty("role", "muted")
        bar.addWidget(self.hint, 1)
        self.clear_button = QPushButton()
        self.clear_button.setObjectName("clearButton")
        self.clear_button.clicked.connect(self.discard)
        self.save_button = QPushButton()
        self.save_button.setObjectName("saveButton")
        self.save_button.setProperty("primary", True)
        self.save_button.clicked.connect(self.save)
        bar.addWidget(self.clear_button)
        bar.addWidget(self.save_button)
        outer.addWidget(self.general_issues)
        outer.addLayout(bar)
        save_shortcut = QShortcut(QKeySequence("Ctrl+S"), self)
        save_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        save_shortcut.activated.connect(self.save)

        # Changes -> validation (and the look-ups), per field.
        self.nik_edit.textChanged.connect(lambda _t: self._changed("nik"))
        self.name_edit.textChanged.connect(lambda _t: self._changed("full_name"))
        self.birth_edit.changed.connect(lambda: self._changed("birth_date"))
        self.sex_group.buttonToggled.connect(lambda _b, _c: self._changed("sex"))
        self.phone_edit.textChanged.connect(lambda _t: self._changed("phone"))
        self.address_edit.textChanged.connect(lambda _t: self._changed("address"))
        self.kelurahan.changed.connect(lambda _c: self._changed("kelurahan_code"))
        self.kelurahan.edit.textEdited.connect(lambda _t: self._changed("kelurahan_code"))
        self.occupations.changed.connect(self._occupations_changed)
        self.income_edit.textChanged.connect(lambda _t: self._changed("declared_income"))
        for name in PROGRAMMES:
            self.programme_checks[name].toggled.connect(lambda _on: self._programmes_changed())
            self.funding_combos[name].currentIndexChanged.connect(
                lambda _i: self._changed("programmes"))
        self.desil_combo.currentIndexChanged.connect(self._desil_changed)
        self.desil_source_edit.textChanged.connect(lambda _t: self._changed("desil_source"))
        self.desil_date_edit.changed.connect(lambda: self._changed("desil_date"))
        self.disability_check.toggled.connect(self._disability_changed)
        self.disability_kind_edit.textChanged.connect(lambda _t: self._changed("disability_kind"))
        self.heir_name_edit.textChanged.connect(lambda _t: self._changed("heir_name"))
        self.heir_relation_combo.currentTextChanged.connect(lambda _t: self._changed("heir_relation"))
        self.consent_check.toggled.connect(lambda _on: self._changed("consent_given"))
        self._programmes_changed(touch=False)
        self._desil_changed(touch=False)
        self._disability_changed(touch=False)

    def _add_row(self, layout: QFormLayout, field: str, widget: QWidget, *,
                 focus: QWidget | None = None, extra: QWidget | None = None) -> None:
        caption = QLabel()
        # A composite field's focus proxy: a label's Alt+letter only goes to a widget that
        # takes the focus itself (Alt+U, Alt+L, Alt+J did nothing).
        caption.setBuddy(focus or widget.focusProxy() or widget)
        issue = IssueLabel()
        issue.setObjectName(f"issue_{field}")
        cell = QWidget()
        box = QVBoxLayout(cell)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addWidget(widget)
        if extra is not None:
            box.addWidget(extra)
        box.addWidget(issue)
        layout.addRow(caption, cell)
        self.captions[field] = caption
        self.issue_labels[field] = issue

    # --- language ----------------------------------------------------------------------
    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)

    def _language_changed(self, _lang: str) -> None:
        self.retranslateUi()
        self.validate()

    def retranslateUi(self) -> None:
        self.title.setText(self.tr("Register a new participant"))
        self.identity_box.setTitle(self.tr("Identity"))
        self.work_box.setTitle(self.tr("Work and programmes"))
        captions = {
            "nik": self.tr("&NIK"),
            "full_name": self.tr("Full na&me"),
            "birth_date": self.tr("&Birth date"),
            "sex": self.tr("Se&x"),
            "phone": self.tr("Mobile &phone"),
            "address": self.tr("A&ddress"),
            "kelurahan_code": self.tr("&Kelurahan"),
            "heir_name": self.tr("H&eir's name"),
            "heir_relation": self.tr("Heir's re&lationship"),
            "occupations": self.tr("&Occupations (max. 2)"),
            "declared_income": self.tr("Monthly &income (Rp)"),
            "programmes": self.tr("Pro&grammes and who pays"),
            "desil": self.tr("D&TSEN desil"),
            "desil_source": self.tr("Desil source"),
            "desil_date": self.tr("Desil date"),
            "disability_kind": self.tr("Disabilit&y"),
        }
        for field, text in captions.items():
            self.captions[field].setText(text)
        self.male.setText(self.tr("Male"))
        self.female.setText(self.tr("Female"))
        self.kelurahan.edit.setPlaceholderText(self.tr("Type to search, e.g. Bitowa"))
        funding = {
            "self": self.tr("Self-funded (Mandiri)"),
            "apbd": self.tr("City budget (APBD Kota)"),
            "village": self.tr("Village fund (Dana Desa)"),
            "csr": self.tr("CSR / donor"),
        }
        for combo in self.funding_combos.values():
            for i, source in enumerate(FUNDING_SOURCES):
                combo.setItemText(i, funding[source])
        self.jht_note.setText(self.tr("JHT is mandatory for a business owner who employs others: "
                                 "it has been switched on."))
        self.desil_source_edit.setPlaceholderText(self.tr("e.g. DTSEN list of the city"))
        self.disability_check.setText(self.tr("Has a disability"))
        self.disability_kind_edit.setPlaceholderText(self.tr("Kind (optional)"))
        consent = self.ref.consent
        lang = self.session.lang
        self.consent_box.setTitle(
            f"{consent.title.get(lang) or consent.title.get('id', '')} "
            + self.tr("(version %1)").replace("%1", consent.version)
        )
        self.consent_text.setPlainText(consent.text_for(lang))
        self.consent_check.setText(self.tr("The participant &agrees"))
        self.existing_button.setText(self.tr("Open this participant"))
        self.similar_button.setText(self.tr("Open"))
        self.clear_button.setText(self.tr("Clea&r form"))
        self.save_button.setText(self.tr("&Save (Ctrl+S)"))
        self._show_banners()
        self._update_nik_info()

    # --- keyboard -------------------------------------------------------------------------
    def begin(self) -> None:
        """Ctrl+N: the top of the form, typing goes into the NIK."""
        self.scroll_area.verticalScrollBar().setValue(0)
        self.nik_edit.setFocus()

    def keyPressEvent(self, event) -> None:
        """Enter in a field saves (as Ctrl+S); a field that uses Enter itself (the list of
        occupations, a suggestion list) keeps it and never passes it on."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers() & ~(
                Qt.KeyboardModifier.KeypadModifier):
            event.accept()
            self.save()
            return
        super().keyPressEvent(event)

    # --- the draft ------------------------------------------------------------------------
    def values(self) -> dict:
        """What is typed, as it stands (a draft: need not be valid)."""
        digits = lambda edit: "".join(ch for ch in edit.text() if ch.isdigit())  # noqa: E731
        return {
            "nik": self.nik_edit.text(), "full_name": self.name_edit.text(),
            "birth_date": digits(self.birth_edit.edit),
            "sex": "M" if self.male.isChecked() else "F" if self.female.isChecked() else "",
            "phone": self.phone_edit.text(), "address": self.address_edit.text(),
            "kelurahan_code": self.kelurahan.code, "kelurahan_text": self.kelurahan.edit.text(),
            "occupations": list(self.occupations.selected),
            "declared_income": self.income_edit.text(),
            "funding": {name: combo.currentData() for name, combo in self.funding_combos.items()},
            "jht": self.programme_checks["jht"].isChecked(),
            "desil": self.desil_combo.currentData(),
            "desil_source": self.desil_source_edit.text(),
            "desil_date": digits(self.desil_date_edit.edit),
            "disability": self.disability_check.isChecked(),
            "disability_kind": self.disability_kind_edit.text(),
            "heir_name": self.heir_name_edit.text(),
            "heir_relation": self.heir_relation_combo.currentText(),
            "consent": self.consent_check.isChecked(),
        }

    def is_blank(self) -> bool:
        return self.values() == self._blank

    def restore(self, values: dict) -> None:
        """Put a draft back into the fields (each one as if typed: checked again)."""
        for edit, key in ((self.nik_edit, "nik"), (self.name_edit, "full_name"),
                          (self.phone_edit, "phone"), (self.address_edit, "address"),
                          (self.income_edit, "declared_income"),
                          (self.desil_source_edit, "desil_source"),
                          (self.disability_kind_edit, "disability_kind"),
                          (self.heir_name_edit, "heir_name"),
                          (self.birth_edit.edit, "birth_date"),
                          (self.desil_date_edit.edit, "desil_date")):
            edit.setText(str(values.get(key) or ""))
        if values.get("sex") in ("M", "F"):
            (self.male if values["sex"] == "M" else self.female).setChecked(True)
        if values.get("kelurahan_code"):
            self.kelurahan.set_code(values["kelurahan_code"])
        else:
            self.kelurahan.edit.setText(values.get("kelurahan_text") or "")
        for name in values.get("occupations") or []:
            if name in self.occupations.items:
                self.occupations.set_checked(name)
        self.programme_checks["jht"].setChecked(bool(values.get("jht")))
        for name, source in (values.get("funding") or {}).items():
            if name in self.funding_combos:
                combo = self.funding_combos[name]
                combo.setCurrentIndex(max(combo.findData(source), 0))
        self.desil_combo.setCurrentIndex(max(self.desil_combo.findData(values.get("desil")), 0))
        self.disability_check.setChecked(bool(values.get("disability")))
        self.heir_relation_combo.setEditText(values.get("heir_relation") or "")
        self.consent_check.setChecked(bool(values.get("consent")))
        self.validate()

    def _draft_loaded(self, draft: dict | None) -> None:
        self._draft_read = True
        if draft is None or self._draft_written or not self.is_blank():
            return  # nothing kept, replaced by what this page wrote, or the person typed on
        self.restore(draft["values"])
        self.status.set_message(self.tr("The registration you had not finished is back "
                                        "(kept at %1).").replace("%1", format_stamp(draft["saved_at"])),
                                "warning")

    def save_draft(self) -> None:
        """Keep what is typed in the encrypted store now (or forget the draft of an empty
        form); the main window calls it before quitting."""
        self._draft_timer.stop()
        user_id = self.session.user.id
        if self.is_blank():
            # An empty form never wipes a draft the person has not seen yet.
            if self._draft_read or self._draft_written:
                run(self, self.runner, clear_draft, self.core.db, user_id, DRAFT_FORM)
        else:
            self._draft_written = True
            run(self, self.runner, save_draft, self.core.db, user_id, DRAFT_FORM, self.values(),
                self.core.clock.stamp())

    def discard(self) -> None:
        """"Kosongkan formulir": only after the person says so."""
        if self.is_blank():
            self.throw_away()
            return
        self._question = ask(
            self, self.tr("Clear the form"),
            self.tr("Throw away everything typed in this registration?"),
            [("clear", self.tr("&Clear the form")), ("keep", self.tr("&Keep it"))],
            default="keep", escape="keep",
            answered=self._discard_answered)

    def _discard_answered(self, answer: str) -> None:
        if answer == "clear":
            self.throw_away()

    def throw_away(self) -> None:
        """Empty the form and forget its draft (the person said so)."""
        self.clear_form()
        self.save_draft()

    # --- reading the form -----------------------------------------------------------------
    def form(self) -> RegistrationForm:
        programmes = {"jkk": self.funding_combos["jkk"].currentData(),
                      "jkm": self.funding_combos["jkm"].currentData()}
        if self.programme_checks["jht"].isChecked():
            programmes["jht"] = self.funding_combos["jht"].currentData()
        sex = "M" if self.male.isChecked() else "F" if self.female.isChecked() else ""
        desil = self.desil_combo.currentData()
        return RegistrationForm(
            nik=self.nik_edit.text(),
            full_name=self.name_edit.text(),
            birth_date=self.birth_edit.value(),
            sex=sex,
            phone=self.phone_edit.text(),
            address=self.address_edit.text(),
            kelurahan_code=self.kelurahan.code,
            occupations=list(self.occupations.selected),
            declared_income=self.income_edit.value(),  # None when empty: "required"
            programmes=programmes,
            desil=desil,
            desil_source=self.desil_source_edit.text().strip() or None if desil else None,
            desil_date=self.desil_date_edit.value() if desil else None,
            disability=self.disability_check.isChecked(),
            disability_kind=self.disability_kind_edit.text().strip() or None
            if self.disability_check.isChecked() else None,
            heir_name=self.heir_name_edit.text().strip() or None,
            heir_relation=self.heir_relation_combo.currentText().strip() or None,
            consent_given=self.consent_check.isChecked(),
        )

    # --- reacting to changes --------------------------------------------------------------
    def _changed(self, field: str) -> None:
        self.touched.add(field)
        self._draft_timer.start()
        if field == "nik":
            self._update_nik_info()
        if self.status.severity == "ok" or self.status.text():
            self.status.set_message("")
        self._timer.start()

    def _occupations_changed(self) -> None:
        employer = EMPLOYER_OCCUPATION in self.occupations.selected
        if employer and not self.programme_checks["jht"].isChecked():
            self.programme_checks["jht"].setChecked(True)  # forced on, and said so
        self.jht_note.setVisible(employer)
        self._changed("occupations")

    def _programmes_changed(self, touch: bool = True) -> None:
        self.funding_combos["jht"].setEnabled(self.programme_checks["jht"].isChecked())
        if touch:
            self._changed("programmes")

    def _desil_changed(self, _index: int = 0, touch: bool = True) -> None:
        on = self.desil_combo.currentData() is not None
        self.desil_source_edit.setEnabled(on)
        self.desil_date_edit.setEnabled(on)
        if touch:
            self._changed("desil")

    def _disability_changed(self, _on: bool = False, touch: bool = True) -> None:
        self.disability_kind_edit.setEnabled(self.disability_check.isChecked())
        if touch:
            self._changed("disability_kind")

    def _update_nik_info(self) -> None:
        info = parse_nik(self.nik_edit.text(), self.ref, today=self.core.clock.today())
        if info is None:
            self.nik_info.setText(self.tr("%1 of 16 digits").replace("%1", str(len(self.nik_edit.text()))))
            return
        self._fill_from_nik(info)
        sex = self.tr("female") if info.sex == "F" else self.tr("male")
        region = info.regency_name or info.regency
        self.nik_info.setText(
            self.tr("NIK says: born %1, %2, %3")
            .replace("%1", info.birth_date.strftime("%d/%m/%Y")).replace("%2", sex)
            .replace("%3", region)
        )

    def _fill_from_nik(self, info) -> None:
        """The NIK holds the birth date and the sex: fill them as soon as it is whole, as
        long as the person has not typed their own (they stay editable; check_nik still
        compares them with the NIK)."""
        sex = "M" if self.male.isChecked() else "F" if self.female.isChecked() else ""
        if self.birth_edit.value() in (None, self._from_nik.get("birth_date")) \
                and not self.birth_edit.is_partial():
            self.birth_edit.set_value(info.birth_date)
            self._from_nik["birth_date"] = info.birth_date
        if sex in ("", self._from_nik.get("sex")):
            (self.female if info.sex == "F" else self.male).setChecked(True)
            self._from_nik["sex"] = info.sex

    # --- validation ---------------------------------------------------------------------
    def validate(self) -> list[Issue]:
        """Check the whole form now (also called by the debounce timer)."""
        self._timer.stop()
        form = self.form()
        self.issues = self.core.workers.check(form)
        if self.birth_edit.is_partial():
            # Half-typed date: say so rather than "required".
            self.issues = [i for i in self.issues if i.field != "birth_date"]
            self.issues.append(Issue("birth_date.required", "error", "birth_date"))
        lang = self.session.lang
        by_field: dict[str, list[Issue]] = {}
        for issue in self.issues:
            field = issue.field if issue.field in self.issue_labels else "general"
            by_field.setdefault(field, []).append(issue)
        for field, label in self.issue_labels.items():
            label.set_issues(by_field.get(field, []) if field in self.touched else [], lang)
        general = by_field.get("general", [])
        self.general_issues.set_issues(general if self.touched else [], lang)
        self._maybe_lookup(form)
        self._update_save_state()
        return self.issues

    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.is_error]

    def _update_save_state(self) -> None:
        errors = self.errors()
        blocked = bool(errors) or self.saving or self.existing is not None
        self.save_button.setEnabled(not blocked)
        if self.saving:
            hint = self.tr("Saving…")
        elif errors:
            fields = len({i.field for i in errors})
            hint = self.tr("%1 field(s) to complete or fix (Ctrl+S shows them)").replace(
                "%1", str(fields))
        else:
            hint = ""
        self.hint.setText(hint)
        self.save_button.setToolTip(hint)

    # --- look-ups (database: through the runner) --------------------------------------------
    def _submit(self, fn, *args, on_done, on_error=None, changes=None, **kwargs) -> None:
        run(self, self.runner, fn, *args, on_done=on_done,
            on_error=on_error or self._lookup_failed, changes=changes, **kwargs)

    def _maybe_lookup(self, form: RegistrationForm) -> None:
        nik = self.nik_edit.text()
        if len(nik) == 16 and nik != self._looked_up_nik:
            self._looked_up_nik = nik
            self._submit(self.core.workers.find_by_nik, nik,
                         on_done=lambda worker, nik=nik: self._nik_found(nik, worker))
        elif len(nik) != 16 and (self.existing is not None or self._looked_up_nik):
            self._looked_up_nik = ""
            self.existing = None
            self._show_banners()
        name_ok = not any(i.field == "full_name" for i in self.issues)
        birth = form.birth_date
        key = (search_key(form.full_name), birth, nik) if name_ok and birth else None
        if key != self._similar_key:
            self._similar_key = key
            if key is None:
                self.similar = []
                self._show_banners()
            else:
                self._submit(self.core.workers.similar, form.full_name, birth, exclude_nik=nik,
                             on_done=lambda rows, key=key: self._similar_found(key, rows))

    def _nik_found(self, nik: str, worker) -> None:
        if nik != self.nik_edit.text():
            return  # the person typed on: a stale answer
        self.existing = (nik, worker.id, worker.full_name) if worker is not None else None
        self._show_banners()
        self._update_save_state()

    def _similar_found(self, key: tuple, rows: list) -> None:
        if key != self._similar_key:
            return
        self.similar = [(w.id, w.full_name, w.nik) for w in rows]
        self._show_banners()

    def _lookup_failed(self, exc: BaseException) -> None:
        self.status.set_message(error_text(exc, self.session.lang))

    def _show_banners(self) -> None:
        if self.existing is not None:
            nik, _wid, name = self.existing
            self.existing_label.setText(
                self.tr("NIK %1 is already registered on this device: %2. Open that "
                        "participant instead of registering them twice.")
                .replace("%1", nik).replace("%2", name)
            )
            self.existing_label.setStyleSheet(f"color:{WARNING_COLOR}; font-weight:bold")
            self.existing_banner.show()
        else:
            self.existing_banner.hide()
        if self.similar and self.existing is None:
            _wid, name, nik = self.similar[0]
            self.similar_label.setText(
                self.tr("Maybe the same person (mungkin orang yang sama): %1, NIK %2, same "
                        "name and birth date. Check the KTP before saving.")
                .replace("%1", name).replace("%2", mask_nik(nik))
            )
            self.similar_label.setStyleSheet(f"color:{WARNING_COLOR}")
            self.similar_banner.show()
        else:
            self.similar_banner.hide()

    def _open_existing(self) -> None:
        if self.existing is not None:
            self.open_existing.emit(self.existing[1])

    def _open_similar(self) -> None:
        if self.similar:
            self.open_existing.emit(self.similar[0][0])

    # --- saving -------------------------------------------------------------------------
    def save(self) -> None:
        if self.saving:
            return
        self.touched.update(FIELDS)
        self.validate()
        if self.errors() or self.existing is not None:
            self._focus_first_error()
            return
        self.saving = True
        self._update_save_state()
        self.status.set_message(self.tr("Saving…"), "warning")
        self._submit(self.core.workers.register, self.session.user, self.form(),
                     on_done=self._saved, on_error=self._save_failed, changes=WORKERS)

    def _saved(self, worker) -> None:
        self.saving = False
        name = worker.full_name
        self.clear_form()
        self.status.set_message(self.tr("Saved: %1").replace("%1", name), "ok")
        self.worker_saved.emit(worker.id)

    def _save_failed(self, exc: BaseException) -> None:
        self.saving = False
        if isinstance(exc, ServiceError) and exc.code == "worker.invalid" and exc.issues:
            self.touched.update(FIELDS)
            self.validate()
            self.status.set_message(exc.text(self.session.lang))
        elif isinstance(exc, ServiceError) and exc.code == "worker.nik_exists":
            existing_id = exc.issues[0] if exc.issues else ""
            self.existing = (self.nik_edit.text(), existing_id, self.name_edit.text())
            self._show_banners()
            self.status.set_message(exc.text(self.session.lang))
        else:
            self.status.set_message(error_text(exc, self.session.lang))
        self._update_save_state()

    def _focus_first_error(self) -> None:
        focus = {
            "nik": self.nik_edit, "full_name": self.name_edit, "birth_date": self.birth_edit,
            "sex": self.male, "phone": self.phone_edit, "address": self.address_edit,
            "kelurahan_code": self.kelurahan, "occupations": self.occupations,
            "declared_income": self.income_edit, "programmes": self.programme_checks["jht"],
            "desil": self.desil_combo, "desil_source": self.desil_source_edit,
            "desil_date": self.desil_date_edit, "heir_name": self.heir_name_edit,
            "heir_relation": self.heir_relation_combo, "consent_given": self.consent_check,
        }
        for issue in self.errors():
            widget = focus.get(issue.field)
            if widget is not None:
                widget.setFocus()
                self.scroll_area.ensureWidgetVisible(widget)
                return

    def clear_form(self) -> None:
        """Empty every field (after a save, or on request) for the next person."""
        for edit in (self.nik_edit, self.name_edit, self.phone_edit, self.address_edit,
                     self.income_edit, self.desil_source_edit, self.disability_kind_edit,
                     self.heir_name_edit):
            edit.clear()
        self.birth_edit.set_value(None)
        self.desil_date_edit.set_value(None)
        for group in (self.sex_group,):
            group.setExclusive(False)
            for b in group.buttons():
                b.setChecked(False)
            group.setExclusive(True)
        self.kelurahan.set_code("")
        self.kelurahan.edit.clear()
        self.occupations.clear()
        self.programme_checks["jht"].setChecked(False)
        for combo in self.funding_combos.values():
            combo.setCurrentIndex(0)
        self.desil_combo.setCurrentIndex(0)
        self.disability_check.setChecked(False)
        self.heir_relation_combo.setCurrentIndex(0)
        self.heir_relation_combo.setEditText("")
        self.consent_check.setChecked(False)
        self.touched.clear()
        self._from_nik = {}
        self.existing = None
        self.similar = []
        self._looked_up_nik = ""
        self._similar_key = None
        self.status.set_message("")
        self.validate()
        self._show_banners()
        self.nik_edit.setFocus()
