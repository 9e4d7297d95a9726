"""Real servers on 127.0.0.1 for the publishing tests: OpenSSH's sshd with a key made for the
test, and an FTP(S) server (pyftpdlib). Missing programs skip the tests locally and fail under CI."""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from support import require

SSHD = "/usr/sbin/sshd"
LOOPBACK = "127.0.0.1"
HOST_ALIAS = "sito-di-prova"   # a Host alias of the client's ssh config, as a real user would write


def require_program(condition: bool, what: str) -> None:
    """Skip where this machine lacks a server program (under CI, fail)."""
    require(condition, f"{what} is missing (scripts/test.sh installs it)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped at start: {process.stderr.read() if process.stderr else ''}")
        try:
            with socket.create_connection((LOOPBACK, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {LOOPBACK}:{port}")


@dataclass(frozen=True)
class SshServer:
    port: int
    client_config: Path      # ssh -F this: the alias, the key and the known host
    empty_known_hosts: Path  # a config that knows no host, for the host-key refusal

    def ssh_command(self, config: Path | None = None) -> str:
        return f"ssh -F {config or self.client_config}"


def start_sshd(folder: Path):
    """sshd on a free loopback port, accepting only a key made here; yields an SshServer."""
    require_program(Path(SSHD).is_file(), "OpenSSH's sshd (Debian openssh-server)")
    require_program(shutil.which("rsync") is not None, "rsync")
    require_program(shutil.which("ssh-keygen") is not None, "ssh-keygen (Debian openssh-client)")
    if not Path("/run/sshd").is_dir() and os.geteuid() == 0:
        Path("/run/sshd").mkdir(mode=0o755)   # the privilege separation folder Debian's service makes
    keys = folder / "keys"
    keys.mkdir()
    for name in ("host", "client"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(keys / name)],
                       check=True)
    (keys / "authorized_keys").write_text((keys / "client.pub").read_text())
    port = free_port()
    config = folder / "sshd_config"
    config.write_text("\n".join([
        f"ListenAddress {LOOPBACK}", f"Port {port}", f"HostKey {keys / 'host'}",
        f"AuthorizedKeysFile {keys / 'authorized_keys'}", "PasswordAuthentication no",
        "KbdInteractiveAuthentication no", "PubkeyAuthentication yes", "PermitRootLogin prohibit-password",
        "UsePAM no", "StrictModes no", f"PidFile {folder / 'sshd.pid'}", "LogLevel ERROR", ""]))
    host_key = (keys / "host.pub").read_text().split()
    known = folder / "known_hosts"
    known.write_text(f"[{LOOPBACK}]:{port} {host_key[0]} {host_key[1]}\n")
    client = folder / "ssh_config"
    client.write_text(client_config(port, keys / "client", known))
    nobody = folder / "known_hosts_empty"
    nobody.write_text("")
    strangers = folder / "ssh_config_strangers"
    strangers.write_text(client_config(port, keys / "client", nobody))
    process = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stderr=subprocess.PIPE, text=True)
    try:
        wait_for_port(port, process)
        yield SshServer(port, client, strangers)
    finally:
        process.terminate()
        process.wait(timeout=10)


def client_config(port: int, key: Path, known_hosts: Path) -> str:
    return "\n".join([
        f"Host {HOST_ALIAS}", f"  HostName {LOOPBACK}", f"  Port {port}", f"  User {getpass.getuser()}",
        f"  IdentityFile {key}", "  IdentitiesOnly yes", f"  UserKnownHostsFile {known_hosts}",
        "  StrictHostKeyChecking yes", "  GlobalKnownHostsFile /dev/null", ""])


@dataclass(frozen=True)
class FtpServer:
    port: int
    user: str
    password: str
    root: Path                # the FTP user's home on this machine
    received: list[str]       # paths as the server stored them, in order
    lftp_home: Path           # LFTP_HOME with an rc that trusts the test's certificate
    plain: bool

    def url(self, path: str) -> str:
        scheme = "ftp" if self.plain else "ftps"
        return f"{scheme}://{self.user}@{LOOPBACK}:{self.port}/{path}"


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, which lftp is told to trust (as a private CA)."""
    require_program(shutil.which("openssl") is not None, "openssl")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
                    "-out", str(cert), "-days", "2", "-subj", f"/CN={LOOPBACK}",
                    "-addext", f"subjectAltName=IP:{LOOPBACK}"], check=True, capture_output=True)
    return cert, key


def start_ftpd(folder: Path, plain: bool = False):
    """pyftpdlib on a free loopback port (TLS required unless `plain`); yields an FtpServer."""
    require_program(shutil.which("lftp") is not None, "lftp")
    try:
        from pyftpdlib.authorizers import DummyAuthorizer
        from pyftpdlib.handlers import FTPHandler, TLS_FTPHandler
        from pyftpdlib.servers import FTPServer
    except ImportError:
        require_program(False, "pyftpdlib with pyOpenSSL")

    root = folder / "ftp-home"
    root.mkdir()
    received: list[str] = []
    authorizer = DummyAuthorizer()
    authorizer.add_user("redazione", "segreta-di-prova", str(root), perm="elradfmwMT")
    cert, key = make_certificate(folder)
    base = FTPHandler if plain else TLS_FTPHandler

    class Handler(base):
        def on_file_received(self, file):   # pyftpdlib's callback for a completed upload
            received.append(Path(file).relative_to(root).as_posix())

    Handler.authorizer = authorizer
    if not plain:
        Handler.certfile, Handler.keyfile = str(cert), str(key)
        Handler.tls_control_required = Handler.tls_data_required = True
    server = FTPServer((LOOPBACK, 0), Handler)
    port = server.socket.getsockname()[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"timeout": 0.2}, daemon=True)
    thread.start()
    lftp_home = folder / "lftp"
    lftp_home.mkdir()
    (lftp_home / "rc").write_text(f"set ssl:ca-file {cert}\n")
    try:
        yield FtpServer(port, "redazione", "segreta-di-prova", root, received, lftp_home, plain)
    finally:
        server.close_all()
        thread.join(timeout=10)
