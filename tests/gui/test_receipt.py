"""Receipts read back from real PDFs: A4, 80 mm and 58 mm, original, copy and void."""

from __future__ import annotations

import pypdf
import pytest
from PySide6.QtCore import Qt

from agent_app.ui import receipt
from agent_app.ui.payment_dialog import reprint
from agent_app.ui.receipt import load_receipt, qr_payload, render_receipt_html, save_receipt_pdf
from tests.helpers.gui import make_worker, pdf_text


@pytest.fixture
def paid(core, agent_user):
    worker = make_worker(core, agent_user, occupation="Ojek pangkalan",
                         programmes={"jkk": "self", "jkm": "self", "jht": "self"})
    payment = core.payments.collect(agent_user, worker, 3, "qris")
    return load_receipt(core, payment.id)


@pytest.mark.parametrize("layout, width_pt", [("a4", 595), ("80mm", 227), ("58mm", 164)])
def test_pdf_layouts_read_back(qapp, tmp_path, paid, layout, width_pt):
    path = save_receipt_pdf(tmp_path / f"r-{layout}.pdf", paid, layout=layout)
    reader = pypdf.PdfReader(str(path))
    assert len(reader.pages) == 1  # a thermal receipt is one strip, as long as it needs
    assert round(float(reader.pages[0].mediabox.width)) == width_pt
    text = pdf_text(path)
    assert "KUITANSI IURAN BPJS KETENAGAKERJAAN" in text and "Program Makassar Berjasa" in text
    assert paid.receipt_no in text
    assert "7371********0001" in text and "7371010101900001" not in text
    assert "010190" not in text  # the birth date inside the NIK never leaks
    # 3 months JKK 5.000 + JKM 3.400 (PP 50/2025) + JHT 20.000 each.
    assert "Rp 15.000" in text and "Rp 10.200" in text and "Rp 60.000" in text
    assert "Rp 85.200" in text
    assert "QRIS" in text and "2026.1" in text and "Besse Agen" in text
    assert "Nov 2026 – Jan 2027" in text
    assert "SALINAN" not in text
    assert not list(tmp_path.glob(".receipt-*")), "no temp file left behind"


def _thermal_print(pdf, tmp_path, dpi: int):
    """The receipt as a thermal printer's driver makes it: pure black and white dots at
    ``dpi`` (pdftoppm -mono, no smoothing), as a QImage."""
    import shutil
    import subprocess

    from PySide6.QtGui import QImage

    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    out = tmp_path / f"{pdf.stem}-{dpi}"
    subprocess.run(["pdftoppm", "-r", str(dpi), "-mono", "-aa", "no", "-aaVector", "no", "-singlefile",
                    str(pdf), str(out)], check=True, timeout=60)
    return QImage(str(out) + ".pbm")


@pytest.mark.parametrize("layout, dpi", [("58mm", 203), ("80mm", 203), ("58mm", 180), ("a4", 300)])
def test_the_qr_code_reads_from_a_thermal_printout(qapp, tmp_path, paid, layout, dpi):
    zxingcpp = pytest.importorskip("zxingcpp", reason="the QR decoder (zxing-cpp) is a dev dependency")
    from PySide6.QtGui import QImage

    image = _thermal_print(save_receipt_pdf(tmp_path / f"r-{layout}.pdf", paid, layout=layout), tmp_path, dpi)
    grey = image.convertToFormat(QImage.Format.Format_Grayscale8)
    found = zxingcpp.read_barcodes(grey, formats=zxingcpp.BarcodeFormat.QRCode, try_downscale=False)
    assert [b.text for b in found] == [qr_payload(paid)]


@pytest.mark.parametrize("layout, smallest_pt", [("58mm", 7.5), ("80mm", 8.5), ("a4", 9.5)])
def test_no_text_too_small_for_the_paper(qapp, tmp_path, paid, layout, smallest_pt):
    """Thermal heads print 203 dots per inch: under about 7.5 pt, letters lose their shape."""
    path = save_receipt_pdf(tmp_path / f"r-{layout}.pdf", paid, layout=layout)
    sizes = []

    def visit(text, cm, tm, _font, size):
        if text.strip():
            a, b = tm[0] * cm[0] + tm[1] * cm[2], tm[0] * cm[1] + tm[1] * cm[3]
            sizes.append(size * (a * a + b * b) ** 0.5)  # points on the page

    pypdf.PdfReader(str(path)).pages[0].extract_text(visitor_text=visit)
    assert sizes and min(sizes) >= smallest_pt, sorted(set(round(s, 2) for s in sizes))


def test_a_thermal_receipt_has_no_grey_to_dither(paid):
    for layout in ("58mm", "80mm"):
        assert "color:" not in render_receipt_html(paid, layout=layout)


@pytest.mark.parametrize("layout", ["80mm", "58mm"])
def test_wide_receipt_numbers_and_long_names_never_break(qapp, tmp_path, layout):
    # W and M are the widest letters a device prefix can have.
    data = receipt.ReceiptData(
        payment_id="x", receipt_no="PA-WWWWWW-26-000002", kind="void", amount=-85_200,
        months=["2026-11", "2026-12", "2027-01"],
        breakdown={m: {"jkk": 5_000, "jkm": 3_400, "jht": 20_000}
                   for m in ("2026-11", "2026-12", "2027-01")},
        method="cash", tariff_version="2026.1", collected_at="2026-11-24T02:00:00+00:00",
        collector_name="Besse Agen Dengan Nama Yang Panjang Sekali",
        worker_name="Andi Muhammad Ridwan Syamsuddin Daeng Mangngassengi",
        nik="7371010101900001", kpj="00012345678", kelurahan="Kassi-Kassi, Rappocini",
        void_reason="Salah pilih bulan", voided_receipt_no="PA-MMMMMM-26-000001")
    text = pdf_text(save_receipt_pdf(tmp_path / "wide.pdf", data, layout=layout))
    for part in ("PA-WWWWWW-26-000002", "PA-MMMMMM-26-000001", "7371********0001",
                 "00012345678", "-Rp 85.200", "PEMBATALAN"):
        assert part in text, part


def test_reprint_is_marked_copy(qapp, tmp_path, paid):
    text = pdf_text(save_receipt_pdf(tmp_path / "copy.pdf", paid, layout="58mm", copy=True))
    assert "SALINAN / COPY" in text and paid.receipt_no in text


def test_void_receipt_shows_pembatalan_and_reason(qapp, tmp_path, core, agent_user, paid):
    void = core.payments.void(agent_user, paid.payment_id, "Salah pilih bulan")
    data = load_receipt(core, void.id)
    text = pdf_text(save_receipt_pdf(tmp_path / "void.pdf", data, layout="80mm"))
    assert "PEMBATALAN" in text and "Salah pilih bulan" in text
    assert data.receipt_no in text and paid.receipt_no in text
    assert "-Rp 85.200" in text


def test_english_receipt_and_qr_payload(paid):
    html = render_receipt_html(paid, layout="a4", lang="en")
    assert "Receipt no." in html and "Rp 85,200" in html
    payload = qr_payload(paid)
    base = f"PA1;R={paid.receipt_no};A=85200;M=2026-11..2027-01;N=3"
    # The MAC the central server checks; ";K=L" until the collector signed in online.
    from perisai_protocol import receipt_mac

    mac = receipt_mac(paid.mac_key, paid.receipt_no, 85200, paid.months)
    assert payload == f"{base};S={mac};K=L"
    with pytest.raises(ValueError):
        render_receipt_html(paid, layout="a5")


def test_receipt_rendering_needs_no_qt():
    """The HTML receipt (and its data) can be made by Qt-free code, e.g. the CLI or server."""
    import subprocess
    import sys

    code = ("import sys, agent_app.ui.receipt as r; "
            "r.qr_modules('x'); assert 'PySide6' not in sys.modules, 'Qt imported'")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr


def test_helpers():
    assert receipt.mask_nik("7371010101900001") == "7371********0001"
    assert receipt.months_label(["2026-11", "2026-12", "2027-01"]) == "Nov 2026 – Jan 2027"
    assert receipt.months_label(["2026-08", "2026-11"], "en") == "Aug 2026, Nov 2026"
    assert receipt.format_money(16800) == "Rp 16.800"
    assert receipt.format_stamp("2026-11-24T02:00:00+00:00") == "24/11/2026 10:00 WITA"


def test_reprint_dialog_outputs_a_copy(qtbot, core, runner, session, tmp_path, paid):
    dialog = reprint(core, runner, session, paid.payment_id)  # deletes itself on close
    qtbot.waitUntil(lambda: dialog.receipt is not None, timeout=5000)
    assert dialog.receipt_label.text() == paid.receipt_no
    assert dialog.print_button.isDefault()
    target = tmp_path / "copy.pdf"
    dialog.pdf_path_chooser = lambda parent, suggested: suggested.endswith("-SALINAN.pdf") and str(target)
    dialog.layout_combo.setCurrentIndex(dialog.layout_combo.findData("58mm"))
    qtbot.mouseClick(dialog.pdf_button, Qt.MouseButton.LeftButton)
    text = pdf_text(target)
    assert "SALINAN / COPY" in text and paid.receipt_no in text
    printed = []
    dialog.print_handler = lambda parent, data, layout, lang, copy: printed.append((layout, copy)) or True
    qtbot.keyClick(dialog.print_button, Qt.Key.Key_Return)
    assert printed == [("58mm", True)]
    with qtbot.waitSignal(dialog.destroyed, timeout=3000):
        dialog.close()
