"""HTTP client of the sync protocol (v1): one keep-alive session, strict timeouts, and every
transport failure mapped to one of this module's exceptions.

No Qt. The engine (``sync.engine``) decides what to do with each exception:

=====================  =====================================================================
``Offline``            connection refused / reset / DNS / connect or read timeout / deadline
``RetryLater``         408, 425, 429, 5xx (``retry_after`` seconds from ``Retry-After``)
``NotAcknowledged``    anything that is not a well-formed answer: HTML 200 (captive portal),
                       a redirect, truncated or invalid JSON, a schema mismatch, a wrong
                       ``batch_id`` echo, an unexpected status (404 ...)
``AuthExpired``        401 (``InvalidCredentials`` for a failed sign-in)
``Forbidden``          403 (``DeviceRevoked`` when the server says ``device_revoked``)
``BatchRejected``      400 / 413 / 422 on the whole request (``status``)
``UpgradeRequired``    426
``CursorExpired``      410 on pull
``InsecureServer``     a server address that is not https:// (plain http:// only to loopback):
                       nothing is sent
=====================  =====================================================================

Redirects are never followed. TLS is always verified, against the operating system's trust
store (``truststore``: on Windows the certificate store, where IT installs a private CA or
the CA of an antivirus or proxy that inspects HTTPS), or against ``ca_bundle`` alone.
Proxies: ``proxy`` (the app's setting) when given, else the system's settings (Windows:
the Internet settings; elsewhere ``HTTPS_PROXY`` / ``NO_PROXY``), never for loopback.
Nothing else is taken from the environment (no CA bundle variable, no ``.netrc``).
Every request has a (connect, read) timeout and an overall deadline: the body is streamed
and the request abandoned once the deadline passes, so a link that trickles one byte
every few seconds cannot hang a sync.
"""

from __future__ import annotations

import email.utils
import gzip
import ipaddress
import json
import socket
import ssl
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import requests
import truststore
import urllib3.connection
import urllib3.connectionpool
from pydantic import BaseModel, ValidationError
from requests.adapters import HTTPAdapter

import perisai_protocol as protocol
from perisai_protocol import (
    API_PREFIX,
    AckResponse,
    BilingualText,
    ErrorBody,
    Health,
    PullResponse,
    PushRequest,
    PushResponse,
    ReferenceBundle,
    StreamStatus,
    TokenPair,
)

__all__ = [
    "SyncError", "Offline", "RetryLater", "NotAcknowledged", "AuthExpired",
    "InvalidCredentials", "Forbidden", "DeviceRevoked", "BatchRejected", "UpgradeRequired",
    "CursorExpired", "InsecureServer", "SyncClient", "PATHS", "parse_retry_after",
]

# Endpoint paths under the server's base URL (see docs/PROTOCOL.md).
PATHS = {
    "health": f"{API_PREFIX}/health",
    "login": f"{API_PREFIX}/auth/login",
    "refresh": f"{API_PREFIX}/auth/refresh",
    "push": f"{API_PREFIX}/push",
    "pull": f"{API_PREFIX}/pull",
    "stream": f"{API_PREFIX}/stream",
    "acks": f"{API_PREFIX}/acks",
    "reference": f"{API_PREFIX}/reference",
}

USER_AGENT = "perisai-agent-sync/1"
_CHUNK = 64 * 1024
HEAD_BYTES = 400  # what the request and answer heads add to a transfer, roughly
_M = TypeVar("_M", bound=BaseModel)


# --- exceptions ------------------------------------------------------------------------


class SyncError(Exception):
    """Base of every failure of a sync request. ``code`` is a machine code (the server's
    when it sent one), ``message`` the server's bilingual text when there was one."""

    default_code = "sync_error"

    def __init__(self, detail: str = "", *, code: str | None = None,
                 message: BilingualText | None = None, status: int | None = None) -> None:
        super().__init__(detail or code or self.default_code)
        self.detail = detail
        self.code = code or self.default_code
        self.message = message
        self.status = status

    def text(self, lang: str = "id") -> str:
        """A line for a person: the server's message in ``lang`` or the detail."""
        if self.message is not None:
            return self.message.id if lang == "id" else self.message.en
        return self.detail or self.code


class Offline(SyncError):
    default_code = "offline"


class RetryLater(SyncError):
    default_code = "retry_later"

    def __init__(self, detail: str = "", *, retry_after: float | None = None, **kw: Any) -> None:
        super().__init__(detail, **kw)
        self.retry_after = retry_after


class NotAcknowledged(SyncError):
    default_code = "not_acknowledged"


class AuthExpired(SyncError):
    default_code = "auth_expired"


class InvalidCredentials(AuthExpired):
    default_code = "invalid_credentials"


class Forbidden(SyncError):
    default_code = "forbidden"


class DeviceRevoked(Forbidden):
    default_code = "device_revoked"


class BatchRejected(SyncError):
    default_code = "batch_rejected"


class UpgradeRequired(SyncError):
    default_code = "upgrade_required"


class CursorExpired(SyncError):
    default_code = "cursor_expired"


class InsecureServer(SyncError):
    """The server's address is not https:// and not on this computer: personal data would
    cross the network unencrypted, so nothing is sent."""

    default_code = "insecure_url"


_INSECURE = BilingualText(
    id="Alamat server harus diawali https:// (koneksi terenkripsi); http:// hanya untuk server di "
       "komputer ini. Periksa alamat server",
    en="The server address must start with https:// (an encrypted connection); http:// is only for a "
       "server on this computer. Check the server address",
)


def _insecure(base_url: str) -> InsecureServer | None:
    """The refusal of a base URL that is neither https:// nor plain http:// to loopback."""
    parts = urllib.parse.urlsplit(base_url)
    if parts.scheme == "https":
        return None
    host = parts.hostname or ""
    if parts.scheme == "http" and _is_loopback(host):
        return None
    return InsecureServer(f"not https: {parts.scheme}://{host}", message=_INSECURE)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    return max(0.0, (when - now).total_seconds())


# --- deadline enforcement ----------------------------------------------------------------


class OSTrustAdapter(HTTPAdapter):
    """Direct and proxied connections alike verify TLS with the OS trust store."""

    def __init__(self, **kw: Any) -> None:
        self._ssl_context = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        super().__init__(**kw)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, ssl_context=self._ssl_context, **kwargs)
        self._new_manager(self.poolmanager)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        fresh = proxy not in self.proxy_manager
        manager = super().proxy_manager_for(proxy, ssl_context=self._ssl_context, **proxy_kwargs)
        if fresh:
            self._new_manager(manager)
        return manager

    def _new_manager(self, manager: Any) -> None:
        """A pool manager was made (direct, or for a proxy)."""


def os_trust_session() -> requests.Session:
    """A session that trusts what the OS trusts and takes nothing from the environment
    (pass ``proxies=proxies_for(url, proxy)`` with each request)."""
    session = requests.Session()
    session.trust_env = False
    session.headers["User-Agent"] = USER_AGENT
    adapter = OSTrustAdapter(max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


class _DeadlineAdapter(OSTrustAdapter):
    """Pools whose connections report themselves when a request starts, so a watchdog can
    shut the socket down when the overall deadline passes (even while headers trickle in
    or the upload stalls: requests' read timeout is only the gap between bytes)."""

    def __init__(self, tracker: Callable[[Any], None], **kw: Any) -> None:
        self._tracker = tracker
        super().__init__(**kw)

    def _new_manager(self, manager: Any) -> None:
        tracker = self._tracker

        def tracked(base: type[urllib3.connection.HTTPConnection]) -> type:
            def request(conn: Any, *a: Any, **k: Any) -> None:
                tracker(conn)
                base.request(conn, *a, **k)

            return type(f"Tracked{base.__name__}", (base,), {"request": request})

        http_conn = tracked(urllib3.connection.HTTPConnection)
        https_conn = tracked(urllib3.connection.HTTPSConnection)
        manager.pool_classes_by_scheme = {
            "http": type("TrackedHTTPPool", (urllib3.connectionpool.HTTPConnectionPool,),
                         {"ConnectionCls": http_conn}),
            "https": type("TrackedHTTPSPool", (urllib3.connectionpool.HTTPSConnectionPool,),
                          {"ConnectionCls": https_conn}),
        }


# --- proxies ---------------------------------------------------------------------------


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def proxies_for(url: str, proxy: str | None = None) -> dict[str, str]:
    """The proxy a request to ``url`` goes through: none for loopback, else ``proxy`` (the
    app's setting), else the system's (urllib reads the Windows Internet settings, or the
    ``*_PROXY`` variables, and their exceptions)."""
    host = urllib.parse.urlsplit(url).hostname or ""
    if _is_loopback(host):
        return {}
    if proxy:
        return {"http": proxy, "https": proxy}
    if urllib.request.proxy_bypass(host):
        return {}
    system = urllib.request.getproxies()
    return {scheme: system[scheme] for scheme in ("http", "https") if system.get(scheme)}


# --- client ----------------------------------------------------------------------------


class SyncClient:
    """The protocol's HTTP calls. Thread-compatible (one caller at a time)."""

    def __init__(
        self,
        base_url: str,
        *,
        session: requests.Session | None = None,
        connect_timeout: float = 10,
        read_timeout: float = 30,
        deadline: float = 120,
        ca_bundle: str | None = None,
        proxy: str | None = None,
        app_version: str = "",
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = session or requests.Session()
        self.session.headers.setdefault("User-Agent", USER_AGENT)
        # requests would also take a CA bundle and .netrc passwords from the environment:
        # the proxies are chosen by proxies_for() instead.
        self.session.trust_env = False
        self.proxy = (proxy or "").strip() or None
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.deadline = deadline
        self.verify: bool | str = ca_bundle or True
        if not app_version:
            try:
                from agent_app.version import __version__ as app_version
            except Exception:  # pragma: no cover - version module optional
                app_version = ""
        self.app_version = app_version
        self._monotonic = monotonic
        self.monotonic = monotonic  # the clock of ``centre_time``
        self._conn_lock = threading.Lock()
        self._active_conn: Any = None
        self._aborted = False
        self._cancelled = threading.Event()  # set from another thread: see cancel()
        adapter = _DeadlineAdapter(self._track, pool_connections=1, pool_maxsize=1, max_retries=0)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        # The centre's clock as an answer said it (X-Perisai-Time), this client's monotonic
        # time at the middle of that request, and the request's duration (the sample's
        # uncertainty): the shortest request since the caller last cleared it.
        self.centre_time: tuple[datetime, float, float] | None = None
        # The link's pace in bytes/s when known (``sync.link``): a request waits for its
        # answer the read timeout plus the time its body takes to go out at that pace (the
        # server answers only once the whole body arrived).
        self.pace: float | None = None
        # (bytes moved, seconds, answered) of each request, for the pace estimate.
        self.transfers: list[tuple[int, float, bool]] = []
        self._wire_in = 0  # the last answer's body as it came over the link
        # Counters for the status bar / benchmarks.
        self.requests_sent = 0
        self.bytes_sent = 0
        self.bytes_received = 0

    def close(self) -> None:
        self.session.close()

    def _track(self, conn: Any) -> None:
        with self._conn_lock:
            self._active_conn = conn
        if self._cancelled.is_set():  # cancelled while the request was being prepared
            raise ConnectionAbortedError("cancelled")

    def cancel(self) -> None:
        """From another thread (a person pressed Cancel): the waiting request ends at once
        with ``Offline(code="cancelled")``, and so does every request until ``resume()``."""
        self._cancelled.set()
        self._abort()

    def resume(self) -> None:
        self._cancelled.clear()

    def _abort(self) -> None:
        """Watchdog: the deadline passed; cut the connection under the waiting request."""
        with self._conn_lock:
            conn = self._active_conn
            self._aborted = True
        sock = getattr(conn, "sock", None)
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    # --- the protocol ---------------------------------------------------------------

    def health(self) -> Health:
        return self._call("GET", PATHS["health"], Health)

    def login(self, username: str, password: str, device_id: str, device_name: str = "") -> TokenPair:
        body = protocol.LoginRequest(
            username=username, password=password, device_id=device_id,
            device_name=device_name[:128], app_version=self.app_version[:32],
        )
        return self._call("POST", PATHS["login"], TokenPair, json_body=body.model_dump(),
                          login=True)

    def refresh(self, refresh_token: str, device_id: str) -> TokenPair:
        body = protocol.RefreshRequest(refresh_token=refresh_token, device_id=device_id)
        return self._call("POST", PATHS["refresh"], TokenPair, json_body=body.model_dump())

    @staticmethod
    def encode_push(batch: PushRequest) -> bytes:
        """The gzip body ``push`` sends (its size is what the link must carry)."""
        # Optional keys left out when empty: an older centre refuses keys it does not know.
        data = {k: v for k, v in batch.model_dump(mode="json").items() if v is not None}
        raw = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        return gzip.compress(raw, 6)

    def push(self, batch: PushRequest, access_token: str, body: bytes | None = None) -> PushResponse:
        response = self._call(
            "POST", PATHS["push"], PushResponse, body=body or self.encode_push(batch),
            headers={"Content-Encoding": "gzip"}, token=access_token,
        )
        if response.batch_id != batch.batch_id:
            raise NotAcknowledged(f"batch id echo {response.batch_id!r} != {batch.batch_id!r}",
                                  code="batch_mismatch")
        sent = {op.op_id for op in batch.ops}
        got = [r.op_id for r in response.results]
        if set(got) != sent or len(got) != len(sent):
            raise NotAcknowledged("the results do not match the operations sent",
                                  code="results_mismatch")
        return response

    def pull(self, cursor: int, limit: int, access_token: str,
             epoch: str | None = None) -> PullResponse:
        """A page of changes after ``cursor`` in the log of ``epoch`` (None: any, for a
        pull from the start)."""
        params: dict[str, Any] = {"cursor": int(cursor), "limit": int(limit)}
        if epoch:
            params["epoch"] = epoch
        return self._call("GET", PATHS["pull"], PullResponse, token=access_token, params=params)

    def acks(self, op_ids: list[str], access_token: str) -> list[protocol.OpResult]:
        """The first answers of those of ``op_ids`` the centre applied (the others it never
        applied): what a push whose answer was lost did, without sending it again."""
        body = protocol.AckRequest(op_ids=op_ids).model_dump()
        return self._call("POST", PATHS["acks"], AckResponse, json_body=body,
                          token=access_token).results

    def stream(self, access_token: str) -> StreamStatus:
        """What the server received from this (device, user) stream (reconciliation)."""
        return self._call("GET", PATHS["stream"], StreamStatus, token=access_token)

    def reference(self, access_token: str, have: str | None = None) -> ReferenceBundle | None:
        """The centre's reference bundle; None when it is ``have`` (the version held)."""
        headers = {"If-None-Match": f'"{have}"'} if have else None
        try:
            return self._call("GET", PATHS["reference"], ReferenceBundle, token=access_token,
                              headers=headers)
        except NotAcknowledged as exc:
            if exc.status == 304:  # not modified
                return None
            raise

    # --- transport ------------------------------------------------------------------

    def _call(self, method: str, path: str, model: type[_M], *, json_body: Any = None,
              body: bytes | None = None, headers: dict[str, str] | None = None,
              token: str | None = None, params: dict | None = None, login: bool = False) -> _M:
        hdrs = {"Accept": "application/json", "Accept-Encoding": "gzip"}
        if headers:
            hdrs.update(headers)
        if json_body is not None:
            body = json.dumps(json_body, separators=(",", ":")).encode("utf-8")
        if body is not None:
            hdrs["Content-Type"] = "application/json"
        if token:
            hdrs["Authorization"] = f"Bearer {token}"
        if self.app_version:
            hdrs["X-Perisai-App-Version"] = self.app_version
        status, resp_headers, content = self._send(method, path, hdrs, body, params)
        if status == 200 or status == 201:
            return self._parse_ok(resp_headers, content, model)
        raise self._map_error(status, resp_headers, content, login=login)

    def _send(self, method: str, path: str, headers: dict, body: bytes | None,
              params: dict | None) -> tuple[int, Any, bytes]:
        refusal = _insecure(self.base_url)
        if refusal is not None:
            raise refusal
        url = self.base_url + path
        if self._cancelled.is_set():
            raise Offline("cancelled before sending", code="cancelled")
        self.requests_sent += 1
        self.bytes_sent += len(body or b"")
        with self._conn_lock:
            self._active_conn = None
            self._aborted = self._cancelled.is_set()
        watchdog = threading.Timer(self.deadline, self._abort)
        watchdog.daemon = True
        watchdog.start()
        started = self._monotonic()
        try:
            answer = self._exchange(method, url, headers, body, params)
            ended = self._monotonic()
            self._note_centre_time(answer[1], started, ended)
            self.transfers.append((2 * HEAD_BYTES + len(body or b"") + self._wire_in,
                                   ended - started, True))
            return answer
        except SyncError as exc:
            self.transfers.append((HEAD_BYTES + len(body or b""), self._monotonic() - started, False))
            if self._cancelled.is_set():
                raise Offline("cancelled", code="cancelled") from exc
            if self._aborted and not isinstance(exc, Offline):
                raise Offline(f"no complete answer within {self.deadline:g} s",
                              code="deadline") from exc
            raise
        finally:
            watchdog.cancel()

    def _exchange(self, method: str, url: str, headers: dict, body: bytes | None,
                  params: dict | None) -> tuple[int, Any, bytes]:
        start = self._monotonic()

        def deadline_error() -> Offline:
            return Offline(f"no complete answer within {self.deadline:g} s", code="deadline")

        read_timeout = self.read_timeout
        if self.pace:  # the answer comes once the body went out
            read_timeout += (HEAD_BYTES + len(body or b"")) / self.pace
        try:
            resp = self.session.request(
                method, url, data=body, headers=headers, params=params,
                timeout=(self.connect_timeout, read_timeout), stream=True,
                allow_redirects=False, verify=self.verify, proxies=proxies_for(url, self.proxy),
            )
        except requests.exceptions.SSLError as exc:
            if self._aborted:
                raise deadline_error() from exc
            # A certificate that does not verify is not "offline": someone is in between.
            raise NotAcknowledged(f"TLS verification failed: {exc}", code="tls") from exc
        except requests.exceptions.ProxyError as exc:
            if self._aborted:
                raise deadline_error() from exc
            raise Offline(f"proxy: {exc}", code="proxy") from exc
        except (requests.exceptions.RequestException, OSError) as exc:
            if self._aborted:
                raise deadline_error() from exc
            raise Offline(f"{type(exc).__name__}: {exc}") from exc
        try:
            chunks: list[bytes] = []
            raw = resp.raw
            reader = getattr(raw, "read1", None)
            while True:
                if self._aborted or self._monotonic() - start > self.deadline:
                    raise deadline_error()
                if reader is not None:
                    chunk = reader(_CHUNK, decode_content=True)
                else:  # pragma: no cover - urllib3 < 2.3
                    chunk = raw.read(_CHUNK, decode_content=True)
                if not chunk:
                    break
                chunks.append(chunk)
                self.bytes_received += len(chunk)
            content = b"".join(chunks)
            try:
                self._wire_in = int(raw.tell())  # as it came over the link (gzip)
            except (AttributeError, TypeError, ValueError):
                self._wire_in = len(content)
        except SyncError:
            resp.close()
            raise
        except Exception as exc:  # urllib3 ProtocolError / ReadTimeout / IncompleteRead / decode
            resp.close()
            if self._aborted:
                raise deadline_error() from exc
            text = f"{type(exc).__name__}: {exc}"
            lowered = text.lower()
            if isinstance(exc, (socket.timeout, TimeoutError)) or "timed out" in lowered \
                    or "reset" in lowered or "broken" in lowered or "aborted" in lowered:
                raise Offline(text) from exc
            raise NotAcknowledged(f"answer cut short: {text}", code="truncated") from exc
        if self._aborted:
            resp.close()
            raise deadline_error()
        expected = resp.headers.get("Content-Length")
        if expected is not None and resp.headers.get("Content-Encoding", "identity") == "identity":
            try:
                short = int(expected) != len(content)
            except ValueError:
                short = False
            if short:
                resp.close()
                raise NotAcknowledged("answer cut short", code="truncated")
        resp.close()
        return resp.status_code, resp.headers, content

    def _note_centre_time(self, headers: Any, started: float, ended: float) -> None:
        """Every answer of the centre says its time (a captive portal's does not); the
        shortest request tells it best."""
        try:
            when = datetime.fromisoformat(headers.get(protocol.TIME_HEADER) or "")
        except ValueError:
            return
        spread = ended - started
        if when.tzinfo is not None and (self.centre_time is None or spread <= self.centre_time[2]):
            self.centre_time = (when, (started + ended) / 2, spread)

    @staticmethod
    def _parse_ok(headers: Any, content: bytes, model: type[_M]) -> _M:
        ctype = (headers.get("Content-Type") or "").lower()
        if "application/json" not in ctype:
            raise NotAcknowledged(f"answer is {ctype or 'untyped'}, not JSON "
                                  "(captive portal?)", code="not_json")
        try:
            data = json.loads(content.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise NotAcknowledged(f"invalid or truncated JSON: {exc}", code="bad_json") from exc
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            raise NotAcknowledged(f"answer does not match {model.__name__}: "
                                  f"{exc.error_count()} errors", code="schema") from exc

    @staticmethod
    def _map_error(status: int, headers: Any, content: bytes, *, login: bool) -> SyncError:
        code: str | None = None
        message: BilingualText | None = None
        try:
            err = ErrorBody.model_validate(json.loads(content.decode("utf-8")))
            code, message = err.code, err.message
        except Exception:
            pass
        detail = f"HTTP {status}" + (f" {code}" if code else "")
        kw: dict[str, Any] = {"code": code, "message": message, "status": status}
        if 300 <= status < 400:
            return NotAcknowledged(f"redirect to {headers.get('Location', '?')} (captive portal?)",
                                   code="redirect", status=status)
        if status == 401:
            if login or code == "invalid_credentials":
                return InvalidCredentials(detail, **kw)
            return AuthExpired(detail, **kw)
        if status == 403:
            if code == "device_revoked":
                return DeviceRevoked(detail, **kw)
            return Forbidden(detail, **kw)
        if status == 410:
            return CursorExpired(detail, **kw)
        if status == 426:
            return UpgradeRequired(detail, **kw)
        if status in (408, 425, 429) or 500 <= status < 600:
            return RetryLater(detail, retry_after=parse_retry_after(headers.get("Retry-After")), **kw)
        if status in (400, 413, 422):
            return BatchRejected(detail, **kw)
        return NotAcknowledged(detail, **kw)
