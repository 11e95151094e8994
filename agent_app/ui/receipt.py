"""Receipts (kuitansi): HTML rendering (no Qt), PDF export and printing (Qt, imported lazily).

A receipt goes home with the worker, so the NIK is masked (``mask_nik``: region and serial
only, "7371********0001").
Three layouts: A4 paper, and 80 mm / 58 mm thermal rolls (one continuous page as long as
the receipt). A reprint says "SALINAN / COPY"; a void says "PEMBATALAN" with its reason.

Usage from the GUI (the loading reads the database, so it runs on the database thread)::

    run(self, runner, load_receipt, core, payment_id, on_done=...)  # agent_app.ui.operations
    save_receipt_pdf(path, data, layout="80mm", lang=session.lang)
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from agent_app.domain.messages import format_rupiah
from agent_app.files import atomic_path

LAYOUTS = ("a4", "80mm", "58mm")
TITLE = "KUITANSI IURAN BPJS KETENAGAKERJAAN — Program Makassar Berjasa"
COPY_MARK = "SALINAN / COPY"
VOID_MARK = "PEMBATALAN"

# Paper width and printable margins (mm) per layout.
_PAPER = {"a4": (210.0, 15.0), "80mm": (80.0, 4.0), "58mm": (58.0, 3.0)}
# Font size (pt) per layout. Thermal rolls print at their driver's 203 dpi in pure black
# and white: no text under 7.5 pt, and no grey (it is dithered into dots).
_FONT_PT = {"a4": 11, "80mm": 9, "58mm": 8}
# The QR code is drawn as black squares (vector), never as a scaled picture: a driver that
# resamples a picture smears module edges into grey and dithers them, which no phone reads
# at 203 dpi. On A4 a fixed width (px at 96 dpi); on a thermal roll a whole number of
# printer dots per module (0.5 mm and 0.625 mm at 203 dpi).
THERMAL_DPI = 203
_QR_A4_PX = 150
_QR_DOTS_PER_MODULE = {"80mm": 5, "58mm": 4}
_QR_GAP_PX = 8

_MONTHS = {
    "id": ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}

# Qt-free code cannot use tr(): receipt labels are rendered per language here.
_TEXT = {
    "id": {
        "receipt_no": "No. kuitansi",
        "date": "Tanggal",
        "collector": "Petugas",
        "worker": "Nama peserta",
        "nik": "NIK",
        "kpj": "No. KPJ",
        "kelurahan": "Kelurahan",
        "months": "Bulan dibayar",
        "programme": "Program",
        "amount": "Jumlah",
        "total": "TOTAL",
        "method": "Cara bayar",
        "tariff": "Versi tarif",
        "void_of": "Membatalkan kuitansi",
        "reason": "Alasan",
        "month_count": "{n} bulan",
        "footer": "Simpan kuitansi ini sebagai bukti pembayaran iuran.",
        "void_footer": "Pembayaran pada kuitansi di atas dibatalkan dan tidak berlaku.",
    },
    "en": {
        "receipt_no": "Receipt no.",
        "date": "Date",
        "collector": "Collected by",
        "worker": "Participant",
        "nik": "NIK",
        "kpj": "KPJ no.",
        "kelurahan": "Kelurahan",
        "months": "Months paid",
        "programme": "Programme",
        "amount": "Amount",
        "total": "TOTAL",
        "method": "Payment method",
        "tariff": "Tariff version",
        "void_of": "Voids receipt",
        "reason": "Reason",
        "month_count": "{n} month(s)",
        "footer": "Keep this receipt as proof of your contribution payment.",
        "void_footer": "The payment on the receipt above is cancelled and no longer valid.",
    },
}

PROGRAMME_NAMES = {
    "jkk": "JKK (Jaminan Kecelakaan Kerja)",
    "jkm": "JKM (Jaminan Kematian)",
    "jht": "JHT (Jaminan Hari Tua)",
}
METHOD_NAMES = {
    "id": {"cash": "Tunai", "qris": "QRIS", "transfer": "Transfer"},
    "en": {"cash": "Cash", "qris": "QRIS", "transfer": "Transfer"},
}


# --- formatting helpers (no Qt) ----------------------------------------------------------

def format_money(amount: int, lang: str = "id") -> str:
    """"Rp 16.800" (id) / "Rp 16,800" (en); negative amounts "-Rp 16.800"."""
    return format_rupiah(int(amount), lang)


def mask_nik(nik: str | None) -> str:
    """The NIK as receipts and lists show it: "7371********0001" (the project-wide rule of
    ``agent_app.services.access.mask_nik``: the birth date in the middle never leaks)."""
    from agent_app.services.access import mask_nik as project_mask

    return project_mask(nik)


def month_label(month: str, lang: str = "id") -> str:
    """"2026-11" -> "Nov 2026"."""
    year, m = month.split("-")
    return f"{_MONTHS.get(lang, _MONTHS['id'])[int(m) - 1]} {year}"


def months_label(months: list[str], lang: str = "id") -> str:
    """"Nov 2026 – Jan 2027" for consecutive months, else the months listed."""
    if not months:
        return ""
    months = sorted(months)
    if len(months) == 1:
        return month_label(months[0], lang)

    def index(m: str) -> int:
        return int(m[:4]) * 12 + int(m[5:])

    consecutive = all(index(b) - index(a) == 1 for a, b in zip(months, months[1:], strict=False))
    if consecutive:
        return f"{month_label(months[0], lang)} – {month_label(months[-1], lang)}"
    return ", ".join(month_label(m, lang) for m in months)


def format_stamp(stamp: str) -> str:
    """UTC ISO stamp -> "24/11/2026 10:00 WITA" (Makassar time, UTC+8 all year)."""
    from agent_app.services.base import WITA

    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    return moment.astimezone(WITA).strftime("%d/%m/%Y %H:%M") + " WITA"


# --- data ------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReceiptData:
    """Everything a receipt shows, read once from the store (see ``load_receipt``)."""

    payment_id: str
    receipt_no: str
    kind: str  # "payment" | "void"
    amount: int  # negative for a void
    months: list[str]
    breakdown: Mapping[str, Mapping[str, int]]  # month -> programme -> rupiah
    method: str
    tariff_version: str
    collected_at: str  # UTC ISO stamp
    collector_name: str
    worker_name: str
    nik: str
    kpj: str | None = None
    kelurahan: str = ""
    void_reason: str | None = None
    voided_receipt_no: str | None = None  # for a void: the receipt it cancels
    mac_key: str | None = None  # the collector's receipt key (from the server at sign-in)
    mac_key_local: bool = False  # a device-made key the server cannot verify yet
    centre_url: str | None = None  # the centre whose public page checks the receipt (QR URL)
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def is_void(self) -> bool:
        return self.kind == "void"

    def by_programme(self) -> dict[str, int]:
        """Total per programme over the months, in jkk, jkm, jht order (signed like amount)."""
        sign = -1 if self.is_void else 1
        totals: dict[str, int] = {}
        for name in ("jkk", "jkm", "jht"):
            value = sum(month.get(name, 0) for month in self.breakdown.values())
            if any(name in month for month in self.breakdown.values()):
                totals[name] = sign * value
        return totals


def load_receipt(core, payment_id: str) -> ReceiptData:
    """Read a payment (or void) with its worker and collector. Touches the database:
    call it through the TaskRunner."""
    from agent_app.services.base import ServiceError

    payment = core.payments.get(payment_id)
    if payment is None:
        raise ServiceError("payment.not_found")
    detail = core.workers.detail(payment.worker_id)
    if detail is None:
        raise ServiceError("worker.not_found")
    worker = detail.worker
    names = {u.id: u.full_name for u in core.users.list_users()}
    voided_no = None
    if payment.voids_payment_id:
        voided_no = next(
            (p.receipt_no for p in detail.payments if p.id == payment.voids_payment_id), None
        )
    kel = core.ref.kelurahan_by_code.get(worker.kelurahan_code)
    from agent_app.services import centre, receipt_mac

    # Signed with the key of whoever collected it, so a reprint carries the same MAC.
    mac_key, mac_local = receipt_mac.key_for(core.db, payment.collected_by)
    return ReceiptData(
        payment_id=payment.id,
        receipt_no=payment.receipt_no,
        kind=payment.kind,
        amount=payment.amount,
        months=json.loads(payment.months),
        breakdown=json.loads(payment.breakdown),
        method=payment.method,
        tariff_version=payment.tariff_version,
        collected_at=payment.collected_at,
        collector_name=names.get(payment.collected_by, payment.collected_by),
        worker_name=worker.full_name,
        nik=worker.nik,
        kpj=worker.kpj,
        kelurahan=f"{kel.name}, {kel.kecamatan_name}" if kel else worker.kelurahan_code,
        void_reason=payment.void_reason,
        voided_receipt_no=voided_no,
        mac_key=mac_key,
        mac_key_local=mac_local,
        centre_url=centre.centre_url(core.db),
    )


def qr_payload(data: ReceiptData) -> str:
    """Text of the receipt's QR code: the centre's receipt-check URL once the collector's
    key is the server's (``receipt_mac.qr_text``), else receipt number, amount and months:
    ``PA1;R=<receipt>;A=<amount>;M=<first>..<last>;N=<count>`` with a ``;S=<mac>`` field;
    readers must ignore fields they don't know.
    """
    months = sorted(data.months)
    span = f"{months[0]}..{months[-1]}" if months else ""
    base = f"PA1;R={data.receipt_no};A={data.amount};M={span};N={len(months)}"
    if not data.mac_key:
        return base
    from agent_app.services import receipt_mac

    return receipt_mac.qr_text(base, data.mac_key, data.receipt_no, data.amount, months,
                               local_key=data.mac_key_local, centre_url=data.centre_url)


def qr_modules(payload: str) -> list[list[bool]]:
    """The QR code's modules (True: dark), with a two-module quiet zone."""
    import segno

    return [[bool(m) for m in row] for row in segno.make(payload, error="m").matrix_iter(border=2)]


def qr_module_px(layout: str, modules: int) -> float:
    """The side of one module in layout px (96 dpi)."""
    if layout == "a4":
        return _QR_A4_PX / modules
    return _QR_DOTS_PER_MODULE[layout] * 96 / THERMAL_DPI


def render_receipt_html(
    data: ReceiptData, *, layout: str = "a4", lang: str = "id", copy: bool = False
) -> str:
    """The receipt as HTML (the subset QTextDocument renders); the QR code is drawn below it
    (``qr_modules``)."""
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}")
    t = _TEXT.get(lang, _TEXT["id"])
    esc = html.escape
    font_pt = _FONT_PT[layout]
    thermal = layout != "a4"
    def money(amount: int) -> str:
        return esc(format_money(amount, lang))

    # Thermal rolls are narrow: the acronym only.
    programme_name = (lambda n: PROGRAMME_NAMES.get(n, n.upper())) if layout == "a4" else str.upper

    def keep(text: str) -> str:
        # Receipt numbers, NIK and amounts must never break at a hyphen on narrow paper.
        return f'<span style="white-space:nowrap">{text}</span>'

    rows: list[tuple[str, str]] = [
        (t["receipt_no"], keep(f"<b>{esc(data.receipt_no)}</b>")),
        (t["date"], esc(format_stamp(data.collected_at))),
        (t["collector"], esc(data.collector_name)),
        (t["worker"], f"<b>{esc(data.worker_name)}</b>"),
        (t["nik"], keep(esc(mask_nik(data.nik)))),
    ]
    if data.kpj:
        rows.append((t["kpj"], keep(esc(data.kpj))))
    if data.kelurahan:
        rows.append((t["kelurahan"], esc(data.kelurahan)))
    rows.append(
        (t["months"], esc(months_label(data.months, lang)) + " ("
         + esc(t["month_count"].format(n=len(data.months))) + ")")
    )
    if data.is_void:
        rows.append((t["void_of"], keep(esc(data.voided_receipt_no or "-"))))
        rows.append((t["reason"], esc(data.void_reason or "")))

    cell = 'style="padding:1px 4px 1px 0"'
    info = _pairs(rows, cell, stacked=thermal)
    amounts = "".join(
        f'<tr><td {cell}>{esc(programme_name(name))}</td>'
        f'<td {cell} align="right">{money(value)}</td></tr>'
        for name, value in data.by_programme().items()
    )
    amounts += (
        f'<tr><td {cell}><b>{esc(t["total"])}</b></td>'
        f'<td {cell} align="right"><b>{money(data.amount)}</b></td></tr>'
    )
    footer_rows = [
        (t["method"], esc(METHOD_NAMES.get(lang, METHOD_NAMES["id"]).get(data.method, data.method))),
        (t["tariff"], esc(data.tariff_version)),
    ]
    footer = _pairs(footer_rows, cell, stacked=False, label_width="45%" if thermal else "32%")
    marks = ""
    if data.is_void:
        marks += f'<p align="center" style="font-size:{font_pt + 6}pt"><b>{VOID_MARK}</b></p>'
    if copy:
        marks += f'<p align="center" style="font-size:{font_pt + 3}pt"><b>{COPY_MARK}</b></p>'
    note = t["void_footer"] if data.is_void else t["footer"]
    return (
        f'<html><body style="font-family:sans-serif; font-size:{font_pt}pt">'
        f'<p align="center" style="font-size:{font_pt + 2}pt"><b>{esc(TITLE)}</b></p>'
        f"{marks}"
        f'<table width="100%" cellspacing="0">{info}</table><hr/>'
        f'<table width="100%" cellspacing="0">{amounts}</table><hr/>'
        f'<table width="100%" cellspacing="0">{footer}</table>'
        f'<p align="center" style="font-size:{font_pt if thermal else font_pt - 1}pt">{esc(note)}</p>'
        "</body></html>"
    )


def _pairs(rows: list[tuple[str, str]], cell: str, *, stacked: bool, label_width: str = "32%") -> str:
    """Label/value rows: side by side on A4; on a thermal roll the label (italic: grey would
    be dithered) above its value, so long values (receipt numbers, names) get the full
    width and never break."""
    if stacked:
        return "".join(
            f'<tr><td {cell}><i>{label}</i><br/>{value}</td></tr>'
            for label, value in rows
        )
    return "".join(  # a fixed label column, so consecutive tables line up
        f'<tr><td width="{label_width}" {cell}>{label}</td><td {cell}>{value}</td></tr>'
        for label, value in rows
    )


# --- Qt: PDF and printing ------------------------------------------------------------------

def _document(data: ReceiptData, layout: str, lang: str, copy: bool):
    from PySide6.QtGui import QTextDocument

    doc = QTextDocument()
    doc.setDocumentMargin(0)
    doc.setHtml(render_receipt_html(data, layout=layout, lang=lang, copy=copy))
    return doc


def _prepare_page(device, doc, layout: str, qr_side_px: float) -> None:
    """Page size of ``device`` for ``layout``; thermal pages are as long as the receipt."""
    from PySide6.QtCore import QMarginsF, QSizeF
    from PySide6.QtGui import QPageLayout, QPageSize

    width_mm, margin_mm = _PAPER[layout]
    text_width_px = (width_mm - 2 * margin_mm) / 25.4 * 96
    doc.setTextWidth(text_width_px)
    if layout == "a4":
        size = QPageSize(QPageSize.PageSizeId.A4)
    else:
        height_px = doc.size().height() + _QR_GAP_PX + qr_side_px
        height_mm = height_px / 96 * 25.4 + 2 * margin_mm + 2
        size = QPageSize(QSizeF(width_mm, height_mm), QPageSize.Unit.Millimeter,
                         f"Thermal {layout}", QPageSize.SizeMatchPolicy.ExactMatch)
    device.setPageLayout(
        QPageLayout(size, QPageLayout.Orientation.Portrait,
                    QMarginsF(margin_mm, margin_mm, margin_mm, margin_mm),
                    QPageLayout.Unit.Millimeter)
    )


def _paint(device, doc, modules: list[list[bool]], module_px: float) -> None:
    """Draw the (one-page) receipt scaled from 96 dpi layout units to the device, then its
    QR code centred below it, one filled rectangle per run of dark modules."""
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QPainter

    painter = QPainter()
    if not painter.begin(device):
        raise OSError("cannot start painting the receipt")
    try:
        scale = device.logicalDpiX() / 96
        painter.scale(scale, scale)
        doc.drawContents(painter)
        side = len(modules) * module_px
        painter.translate((doc.textWidth() - side) / 2, doc.size().height() + _QR_GAP_PX)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(Qt.GlobalColor.black)
        for y, row in enumerate(modules):
            x = 0
            while x < len(row):
                if not row[x]:
                    x += 1
                    continue
                start = x
                while x < len(row) and row[x]:
                    x += 1
                painter.drawRect(QRectF(start * module_px, y * module_px, (x - start) * module_px, module_px))
    finally:
        painter.end()


def _render(device, data: ReceiptData, layout: str, lang: str, copy: bool) -> None:
    """Page set-up and painting in one go (a PDF; printing asks for the printer between)."""
    doc = _document(data, layout, lang, copy)
    modules = qr_modules(qr_payload(data))
    module_px = qr_module_px(layout, len(modules))
    _prepare_page(device, doc, layout, len(modules) * module_px)
    _paint(device, doc, modules, module_px)


def save_receipt_pdf(
    path: str | Path, data: ReceiptData, *, layout: str = "a4", lang: str = "id", copy: bool = False
) -> Path:
    """Write the receipt as a PDF, atomically (a temp file replaced into place)."""
    from PySide6.QtGui import QPdfWriter

    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}")
    path = Path(path)
    with atomic_path(path) as tmp:
        writer = QPdfWriter(str(tmp))
        writer.setResolution(300)
        writer.setTitle(f"{TITLE} {data.receipt_no}")
        writer.setCreator("Perisai Agent")
        _render(writer, data, layout, lang, copy)
        del writer  # flushes and closes the file
    return path




def print_receipt(
    parent, data: ReceiptData, *, layout: str = "a4", lang: str = "id", copy: bool = False,
    printer_name: str = "",
) -> bool:
    """Print through QPrintDialog (``printer_name`` chosen in it: the counter's printer from
    Settings, or the system's default); False when the person cancels."""
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    if printer_name:
        printer.setPrinterName(printer_name)
    printer.setDocName(data.receipt_no)
    doc = _document(data, layout, lang, copy)
    modules = qr_modules(qr_payload(data))
    module_px = qr_module_px(layout, len(modules))
    _prepare_page(printer, doc, layout, len(modules) * module_px)
    dialog = QPrintDialog(printer, parent)
    if dialog.exec() != QPrintDialog.DialogCode.Accepted:
        return False
    _paint(printer, doc, modules, module_px)
    return True
