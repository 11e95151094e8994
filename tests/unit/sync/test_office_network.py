"""Office networks: a server certificate from a private CA (or an antivirus that inspects
HTTPS) trusted through the operating system's store, an HTTP CONNECT proxy from the app's
setting or the system's settings, with a password, and never for loopback.

The OS trust store on Linux is OpenSSL's default verify locations, which ``SSL_CERT_FILE``
names: the tests point it at a file holding the local CA, the way an administrator adds a
CA to the system. On Windows the store is the certificate store: the Windows workflow adds
the CA to it (PERISAI_TEST_MACHINE_ROOT_STORE=1, an administrator runner) and sets the
proxy in the Internet settings (PERISAI_TEST_WINDOWS_PROXY_REGISTRY=1).
"""

from __future__ import annotations

import json
import os
import ssl
import sys
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import pytest

from agent_app.settings import get_setting, set_setting
from sync.client import NotAcknowledged, Offline, SyncClient, proxies_for
from sync.headless import client_for
from tests.helpers.connect_proxy import ConnectProxy
from tests.helpers.tls import LocalCA, serve_https, trusted_by_the_os

HEALTH = {"status": "ok", "service": "perisai-central", "protocol": 1, "min_app_version": "0.1.0"}
PROXY_VARS = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy",
              "NO_PROXY", "no_proxy")


class _Health(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        body = json.dumps(HEALTH).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def ca(tmp_path) -> LocalCA:
    return LocalCA.create(tmp_path)


@pytest.fixture
def https_port(tmp_path, ca) -> Iterator[int]:
    """The central server's health answer over HTTPS on loopback, signed by the local CA."""
    cert, key = ca.issue(tmp_path, "pusat.test", "localhost", "127.0.0.1")
    with serve_https(_Health, cert, key) as port:
        yield port


@pytest.fixture(autouse=True)
def no_proxy_settings(monkeypatch):
    for name in PROXY_VARS:
        monkeypatch.delenv(name, raising=False)


def _client(url: str, **kw) -> SyncClient:
    return SyncClient(url, connect_timeout=2, read_timeout=5, deadline=10, app_version="0.1.0", **kw)


def test_a_private_ca_the_os_trusts_is_trusted(ca, https_port, monkeypatch):
    with trusted_by_the_os(ca, monkeypatch):
        assert _client(f"https://localhost:{https_port}").health().status == "ok"


def test_a_ca_the_os_does_not_trust_is_refused_whatever_the_environment_says(ca, https_port, tmp_path,
                                                                          monkeypatch):
    if sys.platform != "win32":
        (tmp_path / "other").mkdir()
        other = LocalCA.create(tmp_path / "other", "Some Other CA")
        monkeypatch.setenv("SSL_CERT_FILE", str(other.cert_path))
    # requests would take these from the environment; the client never does
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca.cert_path))
    monkeypatch.setenv("CURL_CA_BUNDLE", str(ca.cert_path))
    with pytest.raises(NotAcknowledged) as info:
        _client(f"https://localhost:{https_port}").health()
    assert info.value.code == "tls"


def test_a_ca_bundle_given_to_the_client_is_trusted(ca, https_port):
    assert _client(f"https://127.0.0.1:{https_port}", ca_bundle=str(ca.cert_path)).health().status == "ok"


def test_the_proxy_in_the_settings_carries_the_sync(ca, https_port):
    # pusat.test resolves only at the proxy, as on an office network that only the proxy leaves
    with ConnectProxy(hosts={"pusat.test": "127.0.0.1"}) as proxy:
        client = _client(f"https://pusat.test:{https_port}", ca_bundle=str(ca.cert_path), proxy=proxy.url)
        assert client.health().status == "ok"
        assert proxy.tunnels == [f"pusat.test:{https_port}"]


def test_the_system_proxy_settings_carry_the_sync(ca, https_port, monkeypatch):
    with ConnectProxy(hosts={"pusat.test": "127.0.0.1"}) as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        client = _client(f"https://pusat.test:{https_port}", ca_bundle=str(ca.cert_path))
        assert client.health().status == "ok"
        assert proxy.tunnels == [f"pusat.test:{https_port}"]


def test_a_proxy_password_in_the_setting_is_sent_and_a_missing_one_is_offline_not_a_crash(ca, https_port):
    with ConnectProxy(hosts={"pusat.test": "127.0.0.1"}, password=("kantor", "rahasia 1")) as proxy:
        port = proxy.url.rsplit(":", 1)[1]
        url = f"https://pusat.test:{https_port}"
        with pytest.raises(Offline) as info:
            _client(url, ca_bundle=str(ca.cert_path), proxy=proxy.url).health()
        assert info.value.code == "proxy" and "407" in info.value.detail
        assert proxy.refused == [f"pusat.test:{https_port}"]
        with_password = f"http://kantor:rahasia%201@127.0.0.1:{port}"
        assert _client(url, ca_bundle=str(ca.cert_path), proxy=with_password).health().status == "ok"
        assert proxy.tunnels == [f"pusat.test:{https_port}"]


def test_loopback_never_goes_through_a_proxy(ca, https_port, monkeypatch):
    with ConnectProxy() as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        for host in ("127.0.0.1", "localhost"):
            client = _client(f"https://{host}:{https_port}", ca_bundle=str(ca.cert_path), proxy=proxy.url)
            assert client.health().status == "ok"
        assert proxy.tunnels == []


def test_the_sync_commands_use_the_proxy_setting(core, ca, https_port, monkeypatch):
    with ConnectProxy(hosts={"pusat.test": "127.0.0.1"}) as proxy, trusted_by_the_os(ca, monkeypatch):
        set_setting(core.db, "proxy_url", " " + proxy.url.removeprefix("http://") + " ")
        assert get_setting(core.db, "proxy_url") == proxy.url
        assert client_for(core, f"https://pusat.test:{https_port}").health().status == "ok"
        assert proxy.tunnels == [f"pusat.test:{https_port}"]
        set_setting(core.db, "proxy_url", "")
        assert client_for(core, "https://pusat.test").proxy is None


@pytest.mark.parametrize("text, stored", [
    ("", ""), ("proxy.kantor:8080", "http://proxy.kantor:8080"),
    ("http://kantor:rahasia@10.1.2.3:3128/", "http://kantor:rahasia@10.1.2.3:3128"),
    ("https://proxy.kantor:443", "https://proxy.kantor:443"),
    ("proxy.kantor", None), ("socks5://proxy:1080", None), ("http://proxy:80/pac.js", None),
    ("http://proxy:port", None), ("proxy kantor:8080", None),
])
def test_the_proxy_setting_takes_an_address_and_port_or_nothing(core, text, stored):
    if stored is None:
        with pytest.raises(ValueError):
            set_setting(core.db, "proxy_url", text)
        assert get_setting(core.db, "proxy_url") == ""
    else:
        set_setting(core.db, "proxy_url", text)
        assert get_setting(core.db, "proxy_url") == stored


def test_a_proxy_that_is_down_means_offline(ca, https_port):
    client = _client(f"https://pusat.test:{https_port}", ca_bundle=str(ca.cert_path),
                     proxy="http://127.0.0.1:9")
    with pytest.raises(Offline):
        client.health()


def test_proxies_for_follows_the_system_exceptions(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.kantor:8080")
    monkeypatch.setenv("NO_PROXY", "intranet.makassar.go.id")
    assert proxies_for("https://pusat.example/v1/health") == {"https": "http://proxy.kantor:8080"}
    assert proxies_for("https://intranet.makassar.go.id/v1") == {}
    assert proxies_for("https://[::1]:8443/v1") == {}
    explicit = "http://10.0.0.1:3128"
    assert proxies_for("https://intranet.makassar.go.id/v1", explicit) == {"http": explicit, "https": explicit}


@pytest.mark.skipif(sys.platform != "win32", reason="the Internet settings are in the Windows registry")
def test_the_windows_internet_settings_proxy_carries_the_sync(ca, https_port):
    if os.environ.get("PERISAI_TEST_WINDOWS_PROXY_REGISTRY") != "1":
        pytest.skip("changes this user's proxy settings for a moment: the Windows workflow runs it")
    import winreg

    key_path = r"Software\Microsoft\Windows\CurrentVersion\Internet Settings"
    names = ("ProxyEnable", "ProxyServer", "ProxyOverride")
    with winreg.OpenKey(winreg.HKEY_CURRENT_USER, key_path, 0, winreg.KEY_ALL_ACCESS) as key:
        saved = {}
        for name in names:
            try:
                saved[name] = winreg.QueryValueEx(key, name)
            except FileNotFoundError:
                saved[name] = None
        with ConnectProxy(hosts={"pusat.test": "127.0.0.1"}) as proxy:
            try:
                winreg.SetValueEx(key, "ProxyEnable", 0, winreg.REG_DWORD, 1)
                winreg.SetValueEx(key, "ProxyServer", 0, winreg.REG_SZ, proxy.url.removeprefix("http://"))
                winreg.SetValueEx(key, "ProxyOverride", 0, winreg.REG_SZ, "<local>")
                client = _client(f"https://pusat.test:{https_port}", ca_bundle=str(ca.cert_path))
                assert client.health().status == "ok"
                assert proxy.tunnels == [f"pusat.test:{https_port}"]
            finally:
                for name, value in saved.items():
                    if value is None:
                        try:
                            winreg.DeleteValue(key, name)
                        except FileNotFoundError:
                            pass
                    else:
                        winreg.SetValueEx(key, name, 0, value[1], value[0])


def test_tls_context_is_the_os_trust_store():
    import truststore

    adapter = SyncClient("https://pusat.example").session.get_adapter("https://pusat.example")
    assert isinstance(adapter.poolmanager.connection_pool_kw["ssl_context"], truststore.SSLContext)
    assert adapter.poolmanager.connection_pool_kw["ssl_context"].verify_mode == ssl.CERT_REQUIRED
