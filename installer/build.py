"""Build Perisai Agent: translations, the PyInstaller bundle, the NSIS installer.

    python installer/build.py --recovery-public-key ORG.pem    # a release: everything, in dist/
    python installer/build.py --demo              # a demo/development build (the demo key)
    python installer/build.py ... --skip-installer    # bundle only
    python installer/build.py ... --compressor zlib   # quicker installer (check builds)
    python installer/build.py ... --skip-bundle       # installer from the bundle in dist/

The app seals each device's database key to a recovery public key it ships. A release
needs the organisation's own (``--recovery-public-key FILE`` or $PERISAI_RECOVERY_PUBLIC_KEY,
docs/KEY_RECOVERY.md); the build refuses without one, and refuses the repository's demo key,
whose private half is public. ``--demo`` builds with the demo key on purpose, and the app
then says "demo build" in its About dialog and its self-test. The bundle's key is checked
after it is built (and before an installer is made from an existing bundle).

PERISAI_SIGN_COMMAND (optional): a command that signs the file named as its last argument
(signtool sign ...); when set, the uninstaller and the installer are signed while NSIS
builds them. Sign dist/perisai-agent/perisai-agent.exe before packing (see README).

Runs unchanged on Windows (the release) and on Linux (a check: the Linux bundle is used
as the installer's payload to prove the NSIS script compiles; that installer is not
shippable). Prints what it made and how big it is; writes dist/build-info.json (read by
benchmarks/bundle.py). Exits non-zero on any failure.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # agent_app, for the recovery key's id

from agent_app.store.recovery import DEMO_KEY_ID, key_id  # noqa: E402

SPEC = ROOT / "installer" / "perisai_agent.spec"
DEMO_KEY = ROOT / "resources" / "reference" / "recovery_public_key.pem"
MIN_KEY_BITS = 2048
NSI = ROOT / "installer" / "perisai_agent.nsi"
APP_NAME = "perisai-agent"
CLI_NAME = "perisai-agent-cli"  # the console companion, beside the windowed executable
IS_WINDOWS = sys.platform == "win32"


class BuildError(Exception):
    pass


def project_version() -> str:
    """pyproject.toml's version; PERISAI_BUILD_VERSION (tests only, as in the spec) builds a
    "newer" release to test upgrades with."""
    with open(ROOT / "pyproject.toml", "rb") as f:
        return os.environ.get("PERISAI_BUILD_VERSION") or tomllib.load(f)["project"]["version"]


def version_quad(version: str) -> str:
    parts = []
    for piece in version.split(".")[:4]:
        digits = ""
        for ch in piece:
            if not ch.isdigit():
                break
            digits += ch
        parts.append(digits or "0")
    parts += ["0"] * (4 - len(parts))
    return ".".join(parts)


def tree_size(path: Path) -> tuple[int, int]:
    total = count = 0
    for p in path.rglob("*"):
        if p.is_file() and not p.is_symlink():
            total += p.stat().st_size
            count += 1
    return total, count


def mb(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB"


def _tool(name: str, extra_dirs: list[Path] = ()) -> str | None:
    """A tool next to this Python (the venv's Scripts/ or bin/), then on PATH, then extras."""
    exe_dir = Path(sys.executable).parent
    for d in (exe_dir, exe_dir / "Scripts"):
        for candidate in (d / name, d / f"{name}.exe"):
            if candidate.is_file():
                return str(candidate)
    found = shutil.which(name)
    if found:
        return found
    for d in extra_dirs:
        for candidate in (d / name, d / f"{name}.exe"):
            if candidate.is_file():
                return str(candidate)
    return None


def run(cmd: list[str], **kwargs) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    result = subprocess.run(cmd, **kwargs)
    if result.returncode != 0:
        raise BuildError(f"{Path(cmd[0]).name} failed with exit status {result.returncode}")


def choose_recovery_key(key_file: Path | None, demo: bool) -> Path:
    """The recovery public key this build ships: the organisation's for a release, the
    demo key only for a build that says it is a demo (refusing everything else)."""
    if demo:
        if key_file is not None:
            raise BuildError("--demo and --recovery-public-key exclude each other")
        return DEMO_KEY
    if key_file is None:
        raise BuildError("a release build needs the organisation's recovery public key: --recovery-public-key "
                         "FILE (or PERISAI_RECOVERY_PUBLIC_KEY); docs/KEY_RECOVERY.md says how to make one. "
                         "For a demo or development build, say so: --demo")
    try:
        pem = Path(key_file).read_bytes()
        public = serialization.load_pem_public_key(pem)
    except (OSError, ValueError) as exc:
        raise BuildError(f"the recovery public key {key_file} cannot be read: {exc}") from None
    if not isinstance(public, rsa.RSAPublicKey) or public.key_size < MIN_KEY_BITS:
        raise BuildError(f"the recovery public key must be RSA of at least {MIN_KEY_BITS} bits")
    if key_id(pem) == DEMO_KEY_ID:
        raise BuildError(f"{key_file} is the demo recovery key, whose private half is public in this "
                         "repository: a release build needs the organisation's own key (or --demo)")
    return Path(key_file)


def check_bundle_key(bundle: Path, expected: Path) -> str:
    """The bundle must carry the chosen key (an installer made from an older bundle might
    not); returns its key_id."""
    shipped = bundle / "_internal" / "resources" / "reference" / "recovery_public_key.pem"
    if not shipped.is_file():
        raise BuildError(f"the bundle carries no recovery public key ({shipped})")
    found, wanted = key_id(shipped.read_bytes()), key_id(expected.read_bytes())
    if found != wanted:
        raise BuildError(f"the bundle carries recovery key {found}, this build wants {wanted}: rebuild the bundle")
    return found


def compile_translations() -> int:
    sources = sorted((ROOT / "resources" / "translations").glob("*.ts"))
    if not sources:
        print("translations: no .ts files")
        return 0
    lrelease = _tool("pyside6-lrelease") or _tool("lrelease")
    if lrelease is None:
        raise BuildError("translations: .ts files found but no pyside6-lrelease (pip install pyside6)")
    for ts in sources:
        run([lrelease, "-silent", str(ts), "-qm", str(ts.with_suffix(".qm"))])
    print(f"translations: {len(sources)} compiled")
    return len(sources)


def build_bundle(dist: Path, work: Path, clean: bool, recovery_key: Path) -> Path:
    cmd = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
           "--distpath", str(dist), "--workpath", str(work), str(SPEC)]
    if clean:
        cmd.insert(4, "--clean")
    run(cmd, cwd=ROOT, env={**os.environ, "PERISAI_RECOVERY_PUBLIC_KEY_FILE": str(recovery_key.resolve())})
    bundle = dist / APP_NAME
    for name in (APP_NAME, CLI_NAME):
        exe = bundle / (f"{name}.exe" if IS_WINDOWS else name)
        if not exe.is_file():
            raise BuildError(f"PyInstaller did not produce {exe}")
    return bundle


def find_makensis() -> str | None:
    extra = []
    for var in ("ProgramFiles(x86)", "ProgramFiles"):
        if os.environ.get(var):
            extra.append(Path(os.environ[var]) / "NSIS")
            extra.append(Path(os.environ[var]) / "NSIS" / "Bin")
    return _tool("makensis", extra)


def build_installer(bundle: Path, dist: Path, version: str, compressor: str,
                    *, warnings_as_errors: bool = False) -> Path:
    makensis = find_makensis()
    if makensis is None:
        raise BuildError("makensis not found (Windows: choco install nsis; Debian: apt-get install nsis)")
    dist.mkdir(parents=True, exist_ok=True)
    suffix = "win64-setup" if IS_WINDOWS else "linux-payload-CHECK-ONLY"
    out = dist / f"PerisaiAgent-{version}-{suffix}.exe"
    flag = "/" if IS_WINDOWS else "-"
    defines = {
        "VERSION": version,
        "VERSION_QUAD": version_quad(version),
        "SOURCE_DIR": str(bundle),
        "OUTFILE": str(out),
        "ICON_FILE": str(ROOT / "resources" / "icons" / "perisai.ico"),
        "APP_EXE": f"{APP_NAME}.exe",
        "CLI_EXE": f"{CLI_NAME}.exe",
        "COMPRESSOR": compressor,
    }
    sign_command = os.environ.get("PERISAI_SIGN_COMMAND", "").strip()
    if sign_command:
        # signs uninstall.exe and the installer (NSIS !uninstfinalize / !finalize)
        defines["SIGN_COMMAND"] = sign_command
    cmd = [makensis, f"{flag}V2", f"{flag}INPUTCHARSET", "UTF8"]
    if warnings_as_errors:
        cmd.append(f"{flag}WX")
    cmd += [f"{flag}D{k}={v}" for k, v in defines.items()]
    cmd.append(str(NSI))
    run(cmd, cwd=NSI.parent)
    if not out.is_file():
        raise BuildError(f"makensis did not produce {out}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--skip-installer", action="store_true", help="build the bundle only")
    parser.add_argument("--skip-bundle", action="store_true",
                        help="reuse the bundle already in --dist (e.g. after signing its exe)")
    parser.add_argument("--skip-translations", action="store_true")
    parser.add_argument("--compressor", choices=("lzma", "zlib", "none"), default="lzma",
                        help="NSIS compression (lzma for releases)")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="output folder")
    parser.add_argument("--work", type=Path, default=ROOT / "build", help="PyInstaller work folder")
    parser.add_argument("--clean", action="store_true", help="clear PyInstaller's cache first")
    parser.add_argument("--recovery-public-key", type=Path,
                        default=os.environ.get("PERISAI_RECOVERY_PUBLIC_KEY") or None,
                        help="the organisation's recovery public key (PEM): required for a release")
    parser.add_argument("--demo", action="store_true",
                        help="a demo/development build with the repository's demo recovery key "
                             "(its private half is public; the app says so)")
    args = parser.parse_args(argv)

    version = project_version()
    info: dict = {"version": version, "platform": sys.platform}
    started = time.perf_counter()
    try:
        recovery_key = choose_recovery_key(args.recovery_public_key, args.demo)
        info["build_kind"] = "demo" if args.demo else "release"
        print(f"build: {info['build_kind']}, recovery key {key_id(recovery_key.read_bytes())}"
              + (" (the DEMO key: not for real data)" if args.demo else ""))
        if not args.skip_translations:
            t = time.perf_counter()
            info["translations"] = compile_translations()
            info["translations_s"] = round(time.perf_counter() - t, 1)

        t = time.perf_counter()
        if args.skip_bundle:
            bundle = args.dist / APP_NAME
            if not bundle.is_dir():
                raise BuildError(f"--skip-bundle: no bundle in {bundle}")
        else:
            bundle = build_bundle(args.dist, args.work, args.clean, recovery_key)
        info["recovery_key_id"] = check_bundle_key(bundle, recovery_key)
        info["bundle_s"] = round(time.perf_counter() - t, 1)
        size, files = tree_size(bundle)
        info.update(bundle=str(bundle), bundle_bytes=size, bundle_files=files)
        print(f"bundle: {bundle} {mb(size)} in {files} files ({info['bundle_s']} s)")

        if not args.skip_installer:
            t = time.perf_counter()
            installer = build_installer(bundle, args.dist, version, args.compressor)
            info["installer_s"] = round(time.perf_counter() - t, 1)
            info.update(installer=str(installer), installer_bytes=installer.stat().st_size,
                        installer_compressor=args.compressor)
            print(f"installer: {installer} {mb(installer.stat().st_size)} "
                  f"({args.compressor}, {info['installer_s']} s)")
            if not IS_WINDOWS:
                print("installer: built with the Linux bundle as payload: a check of the "
                      "NSIS script, NOT a shippable installer")
    except BuildError as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        return 1
    info["total_s"] = round(time.perf_counter() - started, 1)
    args.dist.mkdir(parents=True, exist_ok=True)
    (args.dist / "build-info.json").write_text(json.dumps(info, indent=2), encoding="utf-8")
    print(f"build: done in {info['total_s']} s, details in {args.dist / 'build-info.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
