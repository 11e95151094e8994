"""What a person reads when something fails: one sentence in their language, never a code.

Errors split in two. Refusals and environmental problems (a rule of the use case, the
database file busy or the disk full, the server unreachable, a file that cannot be
written) are expected: their own sentence is shown. Anything else is a bug: the person is
told that something went wrong and where the log is, and the traceback goes to the log
(``TaskRunner`` logs the failures of its calls; ``log_unexpected`` the others).

``error_text`` never renders an exception's ``code`` attribute by itself: third-party
exceptions carry codes too (SQLAlchemy's ``IntegrityError.code`` is ``"gkpj"``), and a
code is not a message.
"""

from __future__ import annotations

import logging
import traceback

from PySide6.QtCore import QCoreApplication

from agent_app.logs import current_log_path

log = logging.getLogger(__name__)

# The sign-in window imports this module before the store and sync layers are loaded
# (they load behind it, on the database thread), so their exceptions are imported where
# they are tested: by then they are loaded.


def is_expected(exc: BaseException) -> bool:
    """A refusal or an environmental problem (its own message), not a bug."""
    from sqlalchemy.exc import OperationalError

    from agent_app.services.base import ServiceError
    from agent_app.store.db import StoreError
    from sync.client import SyncError
    from sync.credentials import CredentialStoreUnavailable

    if isinstance(exc, (ServiceError, StoreError, SyncError, CredentialStoreUnavailable)):
        return True
    if isinstance(exc, OperationalError):
        return _database_trouble(exc) is not None
    return isinstance(exc, OSError)


def error_text(exc: BaseException, lang: str = "id") -> str:
    """One sentence for the person, in ``lang`` (Qt strings follow the installed translator)."""
    from sqlalchemy.exc import OperationalError

    from agent_app.domain.messages import render
    from agent_app.services.base import ServiceError
    from agent_app.store.db import StoreError
    from sync.client import InvalidCredentials, Offline, RetryLater, SyncError
    from sync.credentials import CredentialStoreUnavailable

    translate = QCoreApplication.translate
    if isinstance(exc, (ServiceError, CredentialStoreUnavailable)):
        return exc.text(lang)
    if isinstance(exc, SyncError):
        if exc.message is not None:
            return exc.text(lang)
        if isinstance(exc, InvalidCredentials):
            return render("auth.invalid", lang)
        if isinstance(exc, (Offline, RetryLater)):
            return translate("Errors", "The server cannot be reached now. Nothing is lost: the "
                                       "data stays on this laptop.")
        return translate("Errors", "The server gave an answer this app does not understand. "
                                   "Nothing is lost: the data stays on this laptop.")
    if isinstance(exc, StoreError):
        return _store_text(exc.code)
    trouble = _database_trouble(exc) if isinstance(exc, OperationalError) else None
    if trouble == "busy":
        return translate("Errors", "The database is busy. Wait a moment and try again; nothing "
                                   "was saved.")
    if trouble == "disk":
        return translate("Errors", "The disk is full or cannot be written. Free some space and "
                                   "try again; nothing was saved.")
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        reason = exc.strerror or type(exc).__name__
        return translate("Errors", "The file could not be written%1: %2") \
            .replace("%1", where).replace("%2", reason)
    return unexpected_text()


def _store_text(code: str) -> str:
    """Why the database cannot be opened (``agent_app.store``'s codes), and what to do."""
    translate = QCoreApplication.translate
    texts = {
        "keyring_unavailable": translate(
            "Errors", "The database key is kept in this computer's credential store "
                      "(Windows Credential Manager), which cannot be used now. Nothing was "
                      "changed. Ask your supervisor."),
        "key_missing": translate(
            "Errors", "The key of this laptop's database is missing from the credential "
                      "store. Nothing was changed or deleted: your supervisor can restore the "
                      "key (perisai-agent recover-key)."),
        "wrong_key": translate(
            "Errors", "This laptop's key does not open its database. Nothing was changed or "
                      "deleted: your supervisor can restore the key (perisai-agent recover-key)."),
        "too_new": translate(
            "Errors", "This database was written by a newer Perisai Agent. Install the newest "
                      "version; nothing was changed."),
        "locked": translate(
            "Errors", "Perisai Agent is already open on this laptop, or another program is "
                      "using its database. Close it and start again; nothing was changed."),
    }
    return texts.get(code) or translate("Errors", "The database cannot be opened. Nothing "
                                                  "was changed.")


def unexpected_text() -> str:
    """A bug: say so calmly and say where the details are."""
    translate = QCoreApplication.translate
    text = translate("Errors", "Something went wrong and this could not be finished. Your "
                               "saved data is safe on this laptop.")
    path = current_log_path()
    if path is not None:
        text += " " + translate("Errors", "The details are in the log file %1; if this happens "
                                          "again, send that file to your supervisor.") \
            .replace("%1", str(path))
    return text


def log_unexpected(exc: BaseException, what: str = "") -> None:
    """Log a bug's traceback (the runner does this for its own calls)."""
    if not is_expected(exc):
        log.error("%s failed:\n%s", what or "operation", "".join(traceback.format_exception(exc)))


def _database_trouble(exc) -> str | None:
    """"busy" or "disk" for a SQLAlchemy OperationalError that says so, else None."""
    text = str(exc.orig if exc.orig is not None else exc).lower()
    if "locked" in text or "busy" in text:
        return "busy"
    if "disk" in text or "full" in text or "readonly" in text or "read-only" in text:
        return "disk"
    return None
