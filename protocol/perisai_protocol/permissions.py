"""Who may do what: the permission table of the roles, one for both ends.

The agent app reads it to show, hide and refuse actions (``agent_app.services.access``);
the central server applies it to every operation a device pushes, whatever client sent it
(``central_server.authz``), together with the areas: a user works in their kecamatan, or
only in their kelurahan when they have one; a supervisor without a kecamatan works
city-wide. docs/PRIVACY.md ("Roles") explains the decisions.

An ``admin`` account of the central server administers it (users, devices, review cases);
it does no field work, so it holds none of these permissions.
"""

from __future__ import annotations

ROLES = ("agent", "clerk", "supervisor")

# role -> (Indonesian, English) label, for messages
ROLE_LABELS: dict[str, tuple[str, str]] = {
    "agent": ("agen", "agent"),
    "clerk": ("petugas loket", "counter clerk"),
    "supervisor": ("supervisor", "supervisor"),
    "admin": ("admin pusat", "central administrator"),
}

# permission -> (Indonesian, English) label used in refusal messages and in docs.
PERMISSIONS: dict[str, tuple[str, str]] = {
    "register": ("mendaftarkan peserta", "register participants"),
    "collect": ("menerima iuran", "collect contributions"),
    "void": ("membatalkan pembayaran", "void payments"),
    "void_any": ("membatalkan pembayaran orang lain atau hari lain",
                 "void other people's or older payments"),
    "correct": ("mengoreksi data peserta", "correct participant data"),
    "correct_identity": ("mengoreksi NIK, tanggal lahir atau jenis kelamin",
                         "correct NIK, birth date or sex"),
    "participant_copy": ("memberi salinan data kepada peserta",
                         "give a participant a copy of their data"),
    "request_deletion": ("mencatat permintaan penghapusan data",
                         "record a data deletion request"),
    "view_full_nik": ("melihat NIK lengkap di daftar", "see full NIKs in lists"),
    "export": ("mengekspor daftar peserta", "export participant lists"),
    "import": ("mengimpor daftar peserta", "import participant lists"),
    "manage_users": ("mengelola pengguna", "manage users"),
    "view_reports": ("melihat laporan", "view reports"),
    "view_audit": ("melihat log audit", "view the audit log"),
    "purge": ("menghapus data lama dari perangkat", "purge old data from the device"),
    "close_out": ("menutup kas dan mengirim log audit perangkat",
                  "close out cash and send the device's audit log"),
}

_DAILY_WORK = frozenset({
    "register", "collect", "void", "correct", "participant_copy", "request_deletion",
    "view_reports", "close_out",
})

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "agent": _DAILY_WORK,
    # The city hands its lists of APBD-funded workers to the cooperatives' counters.
    "clerk": _DAILY_WORK | {"import"},
    "supervisor": frozenset(PERMISSIONS),
}

# operation kind -> the permission its sender needs (protocol.OP_SCHEMAS lists the kinds).
# A void of another user's payment, or of an older one, needs "void_any" besides.
OP_PERMISSIONS: dict[str, str] = {
    "worker.register": "register",
    "worker.update": "correct",
    "worker.deletion_request": "request_deletion",
    "payment.collect": "collect",
    "payment.void": "void",
    "closeout.create": "close_out",
    "closeout.handover": "close_out",
    "audit.batch": "close_out",
}


def uses_the_app(role: str | None) -> bool:
    """Whether an account of ``role`` works through the agent app and the centre's device
    API: only the roles that hold field permissions. The centre's administrators and
    viewers work in its web console (and command line); none of their work needs
    participants' personal data on a laptop, so no device receives any for them."""
    return bool(ROLE_PERMISSIONS.get(role or ""))


def role_can(role: str | None, permission: str) -> bool:
    """True when ``role`` holds ``permission`` (an unknown role holds none)."""
    if permission not in PERMISSIONS:
        raise KeyError(f"undeclared permission {permission!r}")
    return permission in ROLE_PERMISSIONS.get(role or "", frozenset())


def _check_table() -> None:
    for role, granted in ROLE_PERMISSIONS.items():
        unknown = granted - set(PERMISSIONS)
        assert not unknown, (role, unknown)
    assert set(OP_PERMISSIONS.values()) <= set(PERMISSIONS)


_check_table()
