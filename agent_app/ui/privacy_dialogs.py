"""A participant's rights at the counter (UU PDP 27/2022): a copy of their data as a PDF,
a correction with its reason, a deletion request.

The correction dialog is also how a record the server refused is fixed ("Perlu
perhatian"): given ``resubmit_op_id`` and the server's reason, it shows that reason and
queues the correction as a new operation instead of a correction with a reason.

Each dialog is ``Dialog(core, runner, session, worker_id, parent=None)``, opened from the
worker page; every database call goes through the runner. Keyboard: the first field has
focus, Enter triggers the default button, Esc closes.

The data copy is written where the person chooses (default: Documents), never into the
app's data directory: it is the participant's document, in plain text by design.
``pdf_path_chooser`` is injectable so tests and kiosks never open a native dialog.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QStandardPaths, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from agent_app.domain.messages import render
from agent_app.domain.phone import format_phone_local
from agent_app.files import atomic_path
from agent_app.services import privacy
from agent_app.services.access import can, mask_nik
from agent_app.services.base import WITA, ServiceError
from agent_app.ui.errors import error_text
from agent_app.ui.operations import ATTENTION, WORKERS, run
from agent_app.ui.receipt import month_label
from agent_app.ui.widgets import (
    DateEdit,
    IssueLabel,
    NikLineEdit,
    RupiahLineEdit,
    fit_to_screen,
)

COPY_CONTEXT = "ParticipantCopy"


def _t(text: str) -> str:
    return QCoreApplication.translate(COPY_CONTEXT, text)


def _local_time(stamp: str | None) -> str:
    if not stamp:
        return "-"
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp
    if moment.tzinfo is not None:
        moment = moment.astimezone(WITA)
    return moment.strftime("%d/%m/%Y %H:%M") + " WITA"


def _day(value: str | None) -> str:
    if not value:
        return "-"
    try:
        return date.fromisoformat(value[:10]).strftime("%d/%m/%Y")
    except ValueError:
        return value


def _rupiah(amount: int, lang: str) -> str:
    from agent_app.ui.widgets import format_money

    return format_money(amount, lang) if amount >= 0 else "-" + format_money(-amount, lang)


def _action_label(action: str) -> str:
    labels = {
        "worker.register": _t("Registered"),
        "worker.view": _t("Record opened"),
        "worker.correct": _t("Data corrected"),
        "worker.deletion_request": _t("Deletion requested"),
        "payment.collect": _t("Contribution received"),
        "payment.void": _t("Payment voided"),
        "export": _t("Copy of the data given"),
    }
    return labels.get(action, action)


def field_label(name: str) -> str:
    """A changed column's name as the participant reads it."""
    labels = {
        "nik": _t("NIK"), "full_name": _t("Full name"), "birth_date": _t("Birth date"),
        "sex": _t("Sex"), "phone": _t("Mobile phone"), "address": _t("Address"),
        "kelurahan_code": _t("Kelurahan / kecamatan"), "kecamatan_code": _t("Kelurahan / kecamatan"),
        "occupations": _t("Occupations"), "policy_sector": _t("Occupations"),
        "is_employer": _t("Occupations"), "declared_income": _t("Declared monthly income"),
        "programmes": _t("Programmes and who pays"), "desil": _t("Welfare decile (DTSEN)"),
        "desil_source": _t("Welfare decile (DTSEN)"), "desil_date": _t("Welfare decile (DTSEN)"),
        "disability": _t("Disability"), "disability_kind": _t("Disability"),
        "heir_name": _t("Heir"), "heir_relation": _t("Heir"),
    }
    return labels.get(name, name)


def render_copy_html(data: dict[str, Any], lang: str = "id") -> str:
    """The data copy as HTML (the subset QTextDocument renders): what, why, who, when."""
    e = html.escape
    p = data["profile"]
    sex = {"M": _t("Male"), "F": _t("Female")}.get(p["sex"], p["sex"])
    programmes = "<br>".join(
        f"{e(render('programme.' + prog, lang))}: {e(render('funding.' + src, lang))}"
        for prog, src in sorted(p["programmes"].items())
    )
    rows = [
        (_t("Full name"), e(p["full_name"])),
        (_t("NIK"), e(p["nik"])),
        (_t("KPJ membership number"), e(p["kpj"] or _t("not yet assigned"))),
        (_t("Birth date"), _day(p["birth_date"])),
        (_t("Sex"), e(sex)),
        (_t("Mobile phone"), e(format_phone_local(p["phone"]) or "-")),
        (_t("Address"), e(p["address"] or "-")),
        (_t("Kelurahan / kecamatan"), f"{e(p['kelurahan'])} / {e(p['kecamatan'])}"),
        (_t("Occupations"), e(", ".join(p["occupations"]))),
        (_t("Declared monthly income"), e(_rupiah(p["declared_income"], lang))),
        (_t("Programmes and who pays"), programmes),
        (_t("Welfare decile (DTSEN)"),
         e(f"{p['desil']} ({p['desil_source'] or '-'}, {_day(p['desil_date'])})")
         if p["desil"] else "-"),
        (_t("Disability"), e(p["disability_kind"] or _t("yes")) if p["disability"] else _t("no")),
        (_t("Heir"), e(f"{p['heir_name']} ({p['heir_relation'] or '-'})") if p["heir_name"] else "-"),
        (_t("Registered"), f"{_local_time(p['registered_at'])}, {e(p['registered_by'])}"),
        (_t("Covered from"), e(p["registration_month"])),
        (_t("Paid through"), e(p["paid_through"] or "-")),
    ]
    profile = "".join(f"<tr><td width='34%'><b>{k}</b></td><td>{v}</td></tr>" for k, v in rows)
    c = data["consent"]
    consent = (
        f"<p>{_t('Version')} {e(c['version'])}, {_local_time(c['at'])}, "
        f"{_t('recorded by')} {e(c['by'])}</p>"
        + (f"<p><i>{e(c['title'])}</i></p><p>{e(c['text'])}</p>" if c["text"] else "")
    )
    if data["payments"]:
        pay_rows = "".join(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td align='right'>{}</td><td>{}</td></tr>".format(
                e(x["receipt_no"]), _local_time(x["collected_at"]),
                e(", ".join(month_label(m, lang) for m in x["months"])),
                e(_rupiah(x["amount"], lang)),
                e(_t("voided") if x["voided"] else (x["void_reason"] or "")),
            )
            for x in data["payments"]
        )
        payments = (
            f"<table width='100%' cellspacing='0' cellpadding='3' border='1'>"
            f"<tr><th>{_t('Receipt')}</th><th>{_t('Time')}</th><th>{_t('Months')}</th>"
            f"<th>{_t('Amount')}</th><th>{_t('Note')}</th></tr>{pay_rows}</table>"
        )
    else:
        payments = f"<p>{_t('No payments recorded on this device.')}</p>"
    def what(h: dict) -> str:
        fields = ", ".join(dict.fromkeys(field_label(f) for f in h["fields"]))
        return e(_action_label(h["action"])) + (f" ({e(fields)})" if fields else "")

    history = "".join(
        f"<tr><td>{_local_time(h['at'])}</td><td>{what(h)}</td><td>{e(h['by'])}</td></tr>"
        for h in data["history"]
    )
    deletion = data.get("deletion_request")
    deletion_html = (
        f"<p>{_t('A deletion request was recorded on')} {_local_time(deletion['at'])}: "
        f"{e(deletion['reason'])}</p>" if deletion else ""
    )
    intro = _t("BPJS Ketenagakerjaan participant (BPU), as held on this Perisai device. "
               "Given at the participant’s request under Law 27/2022 on Personal Data Protection.")
    rights = _t("You may ask for a correction of wrong data or for deletion. Why we hold these "
                "data: to register you in BPJS Ketenagakerjaan and record your contributions. "
                "Payments are financial records that must be kept by law.")
    return (
        "<html><body style='font-family: sans-serif; font-size: 10pt'>"
        f"<h2>{_t('Copy of personal data')}</h2>"
        f"<p>{intro}</p>"
        f"<p>{_t('Made on')} {_local_time(data['generated_at'])} {_t('by')} {e(data['generated_by'])}</p>"
        f"<h3>{_t('Personal data')}</h3><table width='100%' cellpadding='3'>{profile}</table>"
        f"<h3>{_t('Consent')}</h3>{consent}"
        f"<h3>{_t('Contributions')}</h3>{payments}"
        f"<h3>{_t('Processing history')}</h3>"
        f"<table width='100%' cellpadding='3'><tr><th align='left'>{_t('Time')}</th>"
        f"<th align='left'>{_t('What')}</th><th align='left'>{_t('Who')}</th></tr>{history}</table>"
        f"{deletion_html}"
        f"<h3>{_t('Your rights')}</h3>"
        f"<p>{rights}</p>"
        "</body></html>"
    )


def save_copy_pdf(path: str | Path, data: dict[str, Any], lang: str = "id") -> Path:
    """Write the data copy as an A4 PDF (any number of pages), atomically."""
    from PySide6.QtCore import QMarginsF
    from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument

    path = Path(path)
    with atomic_path(path) as tmp:
        writer = QPdfWriter(str(tmp))
        writer.setResolution(300)
        writer.setTitle(_t("Copy of personal data"))
        writer.setCreator("Perisai Agent")
        writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4),
                                         QPageLayout.Orientation.Portrait,
                                         QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter))
        doc = QTextDocument()
        doc.setHtml(render_copy_html(data, lang))
        doc.print_(writer)  # paginates
        del writer  # flushes and closes the file
    return path


class _PrivacyDialog(QDialog):
    """Shared plumbing: runner calls that die with the dialog, language changes."""

    def __init__(self, core, runner, session, worker_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.core = core
        self.runner = runner
        self.session = session
        self.worker_id = worker_id
        self.busy = False
        self.setModal(True)

    def _submit(self, fn, *args, on_done, on_error, changes: str | None = None) -> None:
        run(self, self.runner, fn, *args, on_done=on_done, on_error=on_error, changes=changes)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)

    def retranslateUi(self) -> None:  # pragma: no cover - overridden
        pass

    def _button_row(self, layout, ok: QPushButton) -> None:
        row = QHBoxLayout()
        row.addStretch(1)
        self.cancel_button = QPushButton()
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        ok.setProperty("primary", True)
        ok.setDefault(True)
        row.addWidget(self.cancel_button)
        row.addWidget(ok)
        layout.addLayout(row)


# --- data copy -------------------------------------------------------------------------


class DataCopyDialog(_PrivacyDialog):
    """"Salinan data peserta": everything held about the participant, as a PDF."""

    exported = Signal(str)  # path of the PDF written

    def __init__(self, core, runner, session, worker_id: str, parent: QWidget | None = None) -> None:
        super().__init__(core, runner, session, worker_id, parent)
        # Injectable: (parent, suggested path) -> chosen path or None (cancelled).
        self.pdf_path_chooser: Callable[[QWidget, str], str | None] | None = None
        self.saved_path: str | None = None
        self.setObjectName("dataCopyDialog")
        layout = QVBoxLayout(self)
        self.title = QLabel()
        self.title.setProperty("role", "title")
        self.explanation = QLabel()
        self.explanation.setWordWrap(True)
        self.message = IssueLabel()
        self.message.setObjectName("copyMessage")
        layout.addWidget(self.title)
        layout.addWidget(self.explanation)
        layout.addWidget(self.message)
        layout.addStretch(1)
        self.save_button = QPushButton()
        self.save_button.setObjectName("saveCopyButton")
        self.save_button.clicked.connect(self.save)
        self._button_row(layout, self.save_button)
        self.retranslateUi()
        fit_to_screen(self, 560, 260)

    def retranslateUi(self) -> None:
        self.setWindowTitle(self.tr("Copy of participant data"))
        self.title.setText(self.tr("Copy of participant data"))
        self.explanation.setText(self.tr(
            "A PDF with everything this device holds about the participant: personal data, "
            "consent, contributions and who processed the data. Give it to the participant "
            "only; the full NIK is printed on it. Making the copy is recorded in the audit log."))
        self.save_button.setText(self.tr("&Save PDF…"))
        self.cancel_button.setText(self.tr("Close") if self.saved_path else self.tr("Cancel"))

    def _suggested_path(self) -> str:
        documents = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())
        stamp = self.core.clock.now().astimezone(WITA).strftime("%Y%m%d-%H%M")
        return str(Path(documents) / f"salinan-data-peserta-{stamp}.pdf")

    def _choose_path(self) -> str | None:
        suggested = self._suggested_path()
        if self.pdf_path_chooser is not None:
            return self.pdf_path_chooser(self, suggested)
        path, _filter = QFileDialog.getSaveFileName(
            self, self.tr("Save the copy as"), suggested, self.tr("PDF files (*.pdf)"))
        return path or None

    def save(self) -> None:
        if self.busy:
            return
        path = self._choose_path()
        if not path:
            return
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        self.busy = True
        self.save_button.setEnabled(False)
        self.message.set_message(self.tr("Preparing the copy…"), "info")
        self._submit(privacy.export_participant_data, self.core, self.session.user,
                     self.worker_id, self.session.lang,
                     on_done=lambda data: self._write(path, data), on_error=self._failed)

    def _write(self, path: str, data: dict) -> None:
        # QTextDocument lays out on the GUI thread; a few pages take milliseconds.
        try:
            save_copy_pdf(path, data, self.session.lang)
        except OSError as exc:
            self._failed(exc)
            return
        self.busy = False
        self.saved_path = path
        self.save_button.setEnabled(True)
        self.message.set_message(self.tr("Saved: %1").replace("%1", path), "ok")
        self.retranslateUi()
        self.cancel_button.setDefault(True)
        self.cancel_button.setFocus()
        self.exported.emit(path)

    def _failed(self, exc: BaseException) -> None:
        self.busy = False
        self.save_button.setEnabled(True)
        self.message.set_message(error_text(exc, self.session.lang))


# --- correction ------------------------------------------------------------------------


class CorrectionDialog(_PrivacyDialog):
    """"Koreksi data": change what is wrong, say why; only changed fields are sent.

    Identity fields (NIK, birth date, sex) appear for supervisors only. Occupations and
    programmes are changed through the registration form's own widgets (not here).

    With ``resubmit_op_id`` (an operation the server refused or put in review) the
    dialog is "Perbaiki dan kirim ulang": it shows ``server_reason``, asks for no reason of
    its own, and queues the correction as a new operation (the refused one is never
    rewritten); identity fields cannot be resubmitted.
    """

    corrected = Signal(str)  # worker id

    FIELDS = ("full_name", "phone", "address", "kelurahan_code", "declared_income",
              "heir_name", "heir_relation")
    IDENTITY = ("nik", "birth_date", "sex")

    def __init__(self, core, runner, session, worker_id: str, parent: QWidget | None = None, *,
                 resubmit_op_id: str | None = None, server_reason: str = "") -> None:
        super().__init__(core, runner, session, worker_id, parent)
        self.setObjectName("correctionDialog")
        self.original: dict[str, Any] | None = None
        self.resubmit_op_id = resubmit_op_id
        self.identity = can(session.user, "correct_identity") and resubmit_op_id is None
        layout = QVBoxLayout(self)
        self.title = QLabel()
        self.title.setProperty("role", "title")
        self.subtitle = QLabel()
        self.subtitle.setObjectName("correctionWorker")
        self.server_reason = IssueLabel()
        self.server_reason.setObjectName("serverReason")
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.server_reason)
        self._server_reason_text = server_reason

        body = QWidget()
        self.form = QFormLayout(body)
        self.inputs: dict[str, QWidget] = {}
        self.issue_labels: dict[str, IssueLabel] = {}
        self.captions: dict[str, QLabel] = {}
        names = (self.IDENTITY if self.identity else ()) + self.FIELDS
        for name in names:
            widget = self._make_input(name)
            widget.setObjectName(f"fix_{name}")
            self.inputs[name] = widget
            caption = QLabel()
            caption.setBuddy(widget.focusProxy() or widget)
            self.captions[name] = caption
            issue = IssueLabel()
            issue.setObjectName(f"issue_{name}")
            self.issue_labels[name] = issue
            box = QVBoxLayout()
            box.setContentsMargins(0, 0, 0, 0)
            box.setSpacing(2)
            box.addWidget(widget)
            box.addWidget(issue)
            self.form.addRow(caption, box)
        self.identity_note = QLabel()
        self.identity_note.setObjectName("identityNote")
        self.identity_note.setProperty("role", "muted")
        self.identity_note.setWordWrap(True)
        if self.identity:  # said before saving: the app's "saved" is not the centre's yes
            self.form.insertRow(len(self.IDENTITY), self.identity_note)
        self.reason = QLineEdit()
        self.reason.setObjectName("fix_reason")
        self.reason.setMaxLength(privacy.MAX_REASON)
        self.reason_caption = QLabel()
        self.reason_caption.setBuddy(self.reason)
        if resubmit_op_id is None:
            self.form.addRow(self.reason_caption, self.reason)
        else:  # the server's reason is the reason; nothing to type
            self.reason.hide()
            self.reason_caption.hide()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        layout.addWidget(scroll, 1)
        self.message = IssueLabel()
        self.message.setObjectName("correctionMessage")
        layout.addWidget(self.message)
        self.save_button = QPushButton()
        self.save_button.setObjectName("saveCorrectionButton")
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(self.save)
        self._button_row(layout, self.save_button)
        self.retranslateUi()
        fit_to_screen(self, 640, 520)
        self._submit(self._load_worker, on_done=self._loaded, on_error=self._load_failed)

    def _make_input(self, name: str) -> QWidget:
        if name == "nik":
            return NikLineEdit()
        if name == "birth_date":
            return DateEdit()
        if name == "sex":
            combo = QComboBox()
            combo.addItem("", "M")
            combo.addItem("", "F")
            return combo
        if name == "kelurahan_code":
            combo = QComboBox()
            names = dict(self.core.ref.kecamatan)
            for kel in sorted(self.core.ref.kelurahan, key=lambda k: k.name):
                combo.addItem(f"{kel.name} ({names.get(kel.kecamatan_code, '')})", kel.code)
            return combo
        if name == "declared_income":
            return RupiahLineEdit()
        return QLineEdit()

    def _load_worker(self):
        detail = self.core.workers.detail(self.worker_id)
        if detail is None or detail.worker.deleted:
            raise ServiceError("worker.not_found")
        return privacy.form_values(detail.worker)

    def _loaded(self, values: dict[str, Any]) -> None:
        self.original = values
        self.subtitle.setText(f"{values['full_name']} · NIK {mask_nik(values['nik'])}")
        for name, widget in self.inputs.items():
            self._set_value(widget, name, values[name])
        self.save_button.setEnabled(True)
        first = next(iter(self.inputs.values()))
        first.setFocus()

    def _load_failed(self, exc: BaseException) -> None:
        self.message.set_message(error_text(exc, self.session.lang))

    @staticmethod
    def _set_value(widget: QWidget, name: str, value: Any) -> None:
        if isinstance(widget, RupiahLineEdit):
            widget.set_value(value)
        elif isinstance(widget, DateEdit):
            widget.set_value(value)
        elif isinstance(widget, QComboBox):
            widget.setCurrentIndex(max(0, widget.findData(value)))
        elif isinstance(widget, QLineEdit) and name == "phone":
            widget.setText(format_phone_local(value) if value else "")
        elif isinstance(widget, QLineEdit):
            widget.setText(value or "")

    @staticmethod
    def _value(widget: QWidget) -> Any:
        if isinstance(widget, RupiahLineEdit):
            return widget.value() or 0
        if isinstance(widget, DateEdit):
            return widget.value()
        if isinstance(widget, QComboBox):
            return widget.currentData()
        assert isinstance(widget, QLineEdit), "every other input is a line edit"
        return widget.text()

    def changes(self) -> dict[str, Any]:
        """The fields whose value differs from the stored record (as the service compares)."""
        if self.original is None:
            return {}
        out = {}
        for name, widget in self.inputs.items():
            value = self._value(widget)
            if privacy._normalise(name, value) != self.original[name]:
                out[name] = value
        return out

    def retranslateUi(self) -> None:
        if self.resubmit_op_id is None:
            self.setWindowTitle(self.tr("Correct participant data"))
            self.title.setText(self.tr("Correct participant data"))
            self.save_button.setText(self.tr("&Save correction"))
        else:
            self.setWindowTitle(self.tr("Fix and resubmit"))
            self.title.setText(self.tr("Fix and resubmit"))
            self.save_button.setText(self.tr("&Save and resubmit"))
            self.server_reason.set_message(
                self.tr("The server's reason: %1").replace("%1", self._server_reason_text),
                "warning")
        labels = {
            "nik": self.tr("&NIK"), "birth_date": self.tr("&Birth date"), "sex": self.tr("Se&x"),
            "full_name": self.tr("&Full name"), "phone": self.tr("&Mobile phone"),
            "address": self.tr("&Address"), "kelurahan_code": self.tr("&Kelurahan"),
            "declared_income": self.tr("Monthly &income (Rp)"),
            "heir_name": self.tr("&Heir"), "heir_relation": self.tr("Heir's &relation"),
        }
        for name, caption in self.captions.items():
            caption.setText(labels[name])
        sex = self.inputs.get("sex")
        if isinstance(sex, QComboBox):
            sex.setItemText(0, self.tr("Male"))
            sex.setItemText(1, self.tr("Female"))
        # One line: the dialog must still fit 1280x720 at 125 %.
        self.identity_note.setText(self.tr(
            "NIK, birth date and sex: the centre decides after sync (see Needs attention)."))
        self.reason_caption.setText(self.tr("R&eason for the correction"))
        self.reason.setPlaceholderText(self.tr("e.g. the participant showed their KTP"))
        self.cancel_button.setText(self.tr("Cancel"))

    def save(self) -> None:
        if self.busy or self.original is None:
            return
        for label in self.issue_labels.values():
            label.set_issues([])
        changes = self.changes()
        if not changes:
            self.message.set_message(render("privacy.no_change", self.session.lang))
            return
        self.busy = True
        self.save_button.setEnabled(False)
        self.message.set_message("")
        if self.resubmit_op_id is None:
            self._submit(privacy.correct_worker, self.core, self.session.user, self.worker_id,
                         changes, self.reason.text(), on_done=self._saved, on_error=self._failed,
                         changes=WORKERS)
        else:
            resubmit = partial(self.core.attention.resubmit, self.session.user, self.worker_id,
                               changes, op_id=self.resubmit_op_id)
            self._submit(resubmit, on_done=self._saved, on_error=self._failed, changes=ATTENTION)

    def _saved(self, _result) -> None:
        self.busy = False
        self.corrected.emit(self.worker_id)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.busy = False
        self.save_button.setEnabled(True)
        lang = self.session.lang
        shown = False
        if isinstance(exc, ServiceError) and exc.issues:
            for name, label in self.issue_labels.items():
                mine = [i for i in exc.issues if getattr(i, "field", None) == name]
                if mine:
                    label.set_issues(mine, lang)
                    shown = True
            elsewhere = [i for i in exc.issues if getattr(i, "field", None) not in self.issue_labels]
            if elsewhere:
                self.message.set_issues(elsewhere, lang)
                return
        self.message.set_message(error_text(exc, lang))
        if isinstance(exc, ServiceError) and exc.code.startswith("privacy.reason"):
            self.reason.setFocus()
        elif shown:
            first = next(n for n, label in self.issue_labels.items() if label.issues)
            self.inputs[first].setFocus()


# --- deletion request ------------------------------------------------------------------


class DeletionRequestDialog(_PrivacyDialog):
    """"Permintaan penghapusan": record the participant's request, with their reason."""

    requested = Signal(str)  # worker id

    def __init__(self, core, runner, session, worker_id: str, parent: QWidget | None = None) -> None:
        super().__init__(core, runner, session, worker_id, parent)
        self.setObjectName("deletionRequestDialog")
        self.existing: dict | None = None
        self.loaded = False
        layout = QVBoxLayout(self)
        self.title = QLabel()
        self.title.setProperty("role", "title")
        self.explanation = QLabel()
        self.explanation.setWordWrap(True)
        self.reason_caption = QLabel()
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("deletionReason")
        self.reason.setTabChangesFocus(True)
        self.reason.setMaximumHeight(90)
        self.reason_caption.setBuddy(self.reason)
        self.confirm = QCheckBox()
        self.confirm.setObjectName("deletionConfirm")
        self.message = IssueLabel()
        self.message.setObjectName("deletionMessage")
        for widget in (self.title, self.explanation, self.reason_caption, self.reason,
                       self.confirm, self.message):
            layout.addWidget(widget)
        layout.addStretch(1)
        self.send_button = QPushButton()
        self.send_button.setObjectName("sendDeletionButton")
        self.send_button.clicked.connect(self.send)
        self._button_row(layout, self.send_button)
        self.reason.textChanged.connect(self._update)
        self.confirm.toggled.connect(self._update)
        self.retranslateUi()
        self._update()
        fit_to_screen(self, 600, 380)
        self.reason.setFocus()
        self._submit(privacy.deletion_request, self.core, self.worker_id,
                     on_done=self._loaded, on_error=self._failed)

    def retranslateUi(self) -> None:
        self.setWindowTitle(self.tr("Deletion request"))
        self.title.setText(self.tr("Deletion request"))
        self.explanation.setText(self.tr(
            "The participant asks that their personal data be deleted. The request is sent "
            "to the central office, which decides and carries it out; until then the record "
            "stays. Payments are financial records the law requires to be kept."))
        self.reason_caption.setText(self.tr("&Reason given by the participant"))
        self.confirm.setText(self.tr("The &participant asked for this in person"))
        self.send_button.setText(self.tr("Rec&ord request"))
        self.cancel_button.setText(self.tr("Cancel"))
        self._show_existing()

    def _reason_ok(self) -> bool:
        return len(" ".join(self.reason.toPlainText().split())) >= privacy.MIN_REASON

    def _update(self, *_args) -> None:
        # Enabled even before the form is complete: a keyboard user pressing Enter is told
        # what is missing instead of nothing happening.
        self.send_button.setEnabled(self.loaded and self.existing is None and not self.busy)

    def _loaded(self, existing: dict | None) -> None:
        self.loaded = True
        self.existing = existing
        self._show_existing()
        self._update()

    def _show_existing(self) -> None:
        if self.existing is None:
            return
        self.message.set_message(
            render("privacy.deletion_exists", self.session.lang, at=_local_time(self.existing["at"])),
            "warning")
        self.reason.setPlainText(self.existing.get("reason", ""))
        self.reason.setReadOnly(True)
        self.confirm.setEnabled(False)

    def send(self) -> None:
        if not self.send_button.isEnabled():
            return
        if not self._reason_ok():
            self.message.set_message(render("privacy.reason_required", self.session.lang,
                                            min=privacy.MIN_REASON))
            self.reason.setFocus()
            return
        if not self.confirm.isChecked():
            self.message.set_message(self.tr("Tick the box: only the participant may ask."))
            self.confirm.setFocus()
            return
        self.busy = True
        self._update()
        self._submit(privacy.request_deletion, self.core, self.session.user, self.worker_id,
                     self.reason.toPlainText(), on_done=self._sent, on_error=self._failed,
                     changes=WORKERS)

    def _sent(self, _record) -> None:
        self.busy = False
        self.requested.emit(self.worker_id)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.busy = False
        self.message.set_message(error_text(exc, self.session.lang))
        self._update()
