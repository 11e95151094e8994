"""A local certificate authority and a server certificate it signs, made with ``cryptography``:
what an organisation's private CA, or an antivirus that inspects HTTPS, looks like to the app.

    ca = LocalCA.create(tmp_path)               # ca.cert_path: the CA certificate (PEM)
    cert, key = ca.issue(tmp_path, "pusat.test", "127.0.0.1")
    with serve_https(Handler, cert, key) as port:  # an HTTPS server on 127.0.0.1
        ...
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _validity(builder: x509.CertificateBuilder) -> x509.CertificateBuilder:
    now = dt.datetime.now(dt.UTC)
    return builder.not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=2))


@dataclass
class LocalCA:
    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate
    cert_path: Path

    @classmethod
    def create(cls, directory: Path, name: str = "Perisai Test Root CA") -> LocalCA:
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        cert = (_validity(x509.CertificateBuilder())
                .subject_name(subject).issuer_name(subject).public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                             content_commitment=False, key_encipherment=False,
                                             data_encipherment=False, key_agreement=False,
                                             encipher_only=False, decipher_only=False), critical=True)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
                .sign(key, hashes.SHA256()))
        path = Path(directory) / "local-ca.pem"
        path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        return cls(key, cert, path)

    def issue(self, directory: Path, *names: str) -> tuple[Path, Path]:
        """A server certificate for DNS names and IP addresses; returns (cert, key) files."""
        key = ec.generate_private_key(ec.SECP256R1())
        alt: list[x509.GeneralName] = []
        for name in names:
            try:
                alt.append(x509.IPAddress(ipaddress.ip_address(name)))
            except ValueError:
                alt.append(x509.DNSName(name))
        cert = (_validity(x509.CertificateBuilder())
                .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
                .issuer_name(self.cert.subject).public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .add_extension(x509.SubjectAlternativeName(alt), critical=False)
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
                .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()),
                               critical=False)
                .sign(self.key, hashes.SHA256()))
        cert_path = Path(directory) / f"{names[0]}.pem"
        key_path = Path(directory) / f"{names[0]}.key"
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_path.write_bytes(_pem_key(key))
        return cert_path, key_path


def server_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


@contextmanager
def serve_https(handler: type[BaseHTTPRequestHandler], cert: Path, key: Path) -> Iterator[int]:
    """``handler`` over HTTPS on 127.0.0.1; yields the port."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    server.socket = server_context(cert, key).wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@contextmanager
def trusted_by_the_os(ca: LocalCA, monkeypatch) -> Iterator[None]:
    """``ca`` in the operating system's trust store for the block: on Linux OpenSSL's
    default file (SSL_CERT_FILE), which truststore reads; on Windows the machine's root
    store, only where the workflow allows it (an administrator runner), else skipped."""
    if sys.platform != "win32":
        monkeypatch.setenv("SSL_CERT_FILE", str(ca.cert_path))
        monkeypatch.delenv("SSL_CERT_DIR", raising=False)
        yield
        return
    if os.environ.get("PERISAI_TEST_MACHINE_ROOT_STORE") != "1":
        pytest.skip("adding a root CA to the Windows store needs an administrator: the workflow does it")
    subprocess.run(["certutil", "-addstore", "-f", "Root", str(ca.cert_path)], check=True,
                   capture_output=True)
    try:
        yield
    finally:
        subprocess.run(["certutil", "-delstore", "Root", format(ca.cert.serial_number, "x")],
                       capture_output=True)
