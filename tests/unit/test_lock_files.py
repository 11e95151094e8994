"""The lock files are what gets installed: every declared dependency is pinned, by hash,
at a version its range admits; the central server's lock carries nothing of the device;
and the environment running this suite is the app's lock (make install installs from it)."""

from __future__ import annotations

import importlib.util
import sys
import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[2]
LOCAL = {"perisai-agent", "perisai-protocol", "perisai-central"}
DEVICE_ONLY = {"pyside6", "pyside6-essentials", "shiboken6", "sqlcipher3", "keyring", "keyrings-alt"}


def _checker():
    spec = importlib.util.spec_from_file_location("check_windows_wheels",
                                                  REPO / "installer" / "check_windows_wheels.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


LOCKS = _checker()


def _declared(project: str, *, extras: tuple[str, ...] = ()) -> list[Requirement]:
    with open(REPO / project, "rb") as f:
        data = tomllib.load(f)["project"]
    texts = list(data["dependencies"])
    for extra in extras:
        texts += data["optional-dependencies"][extra]
    return [r for r in map(Requirement, texts) if canonicalize_name(r.name) not in LOCAL]


def _assert_pinned_within_range(requirements: list[Requirement], lock: Path) -> None:
    pins = LOCKS.read_lock(lock)
    for req in requirements:
        pin = pins.get(canonicalize_name(req.name))
        assert pin is not None, f"{req.name} is declared but not in {lock.name}: run make lock"
        assert req.specifier.contains(pin.version, prereleases=True), \
            f"{lock.name} pins {req.name}=={pin.version}, outside {req}: run make lock"


def test_app_lock_pins_every_declared_dependency_within_its_range():
    declared = (_declared("pyproject.toml", extras=("dev",)) + _declared("protocol/pyproject.toml")
                + _declared("central/pyproject.toml"))
    _assert_pinned_within_range(declared, REPO / "requirements" / "app.txt")


def test_central_lock_pins_the_server_and_nothing_of_the_device():
    lock = REPO / "requirements" / "central.txt"
    _assert_pinned_within_range(_declared("central/pyproject.toml") + _declared("protocol/pyproject.toml"), lock)
    central = LOCKS.read_lock(lock)
    assert not set(central) & DEVICE_ONLY, set(central) & DEVICE_ONLY
    # the server runs in production on the versions the suite tested
    app = LOCKS.read_lock(REPO / "requirements" / "app.txt")
    differing = {n: (p.version, app[n].version) for n, p in central.items()
                 if n in app and p.version != app[n].version}
    assert not differing, differing


@pytest.mark.parametrize("name", ["app.txt", "central.txt"])
def test_every_pin_is_exact_and_hashed(name):
    pins = LOCKS.read_lock(REPO / "requirements" / name)
    assert len(pins) > 10
    unhashed = [n for n, p in pins.items() if not p.hashes]
    assert not unhashed, unhashed
    assert all(h.startswith("sha256:") for p in pins.values() for h in p.hashes)


def test_sqlcipher_is_a_release_with_windows_wheels():
    (req,) = [r for r in _declared("pyproject.toml") if r.name == "sqlcipher3"]
    assert not req.specifier.contains("0.6.0")  # 0.6.2 is the first with Windows wheels
    assert LOCKS.read_lock(REPO / "requirements" / "app.txt")["sqlcipher3"].version >= "0.6.2"


def test_this_environment_was_installed_from_the_app_lock():
    wrong = {}
    for name, pin in LOCKS.read_lock(REPO / "requirements" / "app.txt").items():
        if pin.marker is not None and not pin.marker.evaluate():
            continue
        try:
            installed = version(name)
        except PackageNotFoundError:
            installed = None
        if installed != pin.version:
            wrong[name] = (installed, pin.version)
    assert not wrong, f"installed vs locked (run make install): {wrong}"


def test_the_windows_check_follows_the_workflow_python():
    assert LOCKS.workflow_python() == "3.11"
    env = LOCKS.windows_environment("3.11")
    keyring_on_windows = Requirement('pywin32-ctypes>=0.2.0; sys_platform=="win32"')
    secretstorage = Requirement('SecretStorage>=3.2; sys_platform=="linux"')
    assert LOCKS.applies(keyring_on_windows, env, set())
    assert not LOCKS.applies(secretstorage, env, set())
    roots = {r.name for r in LOCKS.runtime_roots()}
    assert {"sqlcipher3", "keyring", "pydantic"} <= roots
    assert not roots & {"pytest", "pyinstaller", "fastapi", "perisai-protocol"}
