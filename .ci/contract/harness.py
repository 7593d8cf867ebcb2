"""The steps of .ci/contract/run after the venv and the build: start
runstrong on a free port against a throwaway database, run schemathesis
with and without a token, generate the Python client and run the
scenario with it; then stop runstrong and drop the database, whatever
happened.

Run by .ci/contract/run inside the contract venv; not meant to be run
alone (it expects the debug binary and the venv's tools).

Options: --keep-going runs every step even after one failed (the exit
code still says it failed); --only STEP[,STEP] runs a subset of
schemathesis, no-token, client (for local iterations).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[2]
HERE = ROOT / ".ci" / "contract"
BINARY = ROOT / "target" / "debug" / "runstrong"
OUTPUT = ROOT / "target" / "contract"
VENV_BIN = Path(sys.executable).parent
POSTGRES = os.environ.get("RUNSTRONG_CONTRACT_POSTGRES", "postgres://postgres@127.0.0.1:5432")
STEPS = ("schemathesis", "no-token", "client")


def log(message: str) -> None:
    print(f"\n==> {message}", flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def request(method: str, url: str, body: dict | None = None) -> tuple[int, bytes]:
    data = None if body is None else json.dumps(body).encode()
    headers = {} if body is None else {"Content-Type": "application/json"}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data, headers, method=method), timeout=10) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


class Service:
    """runstrong on a free port, against its own throwaway database."""

    def __init__(self) -> None:
        self.database = f"runstrong_contract_{secrets.token_hex(6)}"
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = OUTPUT / "runstrong.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        log(f"starting runstrong on {self.base_url} (database {self.database}, log {self.log_path})")
        environment = dict(
            os.environ,
            DATABASE_URL=f"{POSTGRES}/{self.database}",
            RUNSTRONG_ADDR=f"127.0.0.1:{self.port}",
            RUNSTRONG_LOG_FORMAT="json",
            # schemathesis registers and signs in thousands of times from
            # one address; the throttles have tests of their own.
            RUNSTRONG_REGISTER_PER_ADDRESS="1000000",
            RUNSTRONG_LOGIN_PER_ADDRESS="1000000",
            RUST_LOG=os.environ.get("RUST_LOG", "info"),
        )
        with open(self.log_path, "wb") as log_file:
            self.process = subprocess.Popen(
                [str(BINARY)], env=environment, stdout=log_file, stderr=subprocess.STDOUT, cwd=ROOT
            )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"runstrong exited with {self.process.returncode} during start-up")
            try:
                if request("GET", f"{self.base_url}/readyz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise RuntimeError("runstrong was not ready within 120 s")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        # SIGTERM lets in-flight requests finish; that should take seconds.
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def drop_database(self) -> None:
        # FORCE ends any connection a killed instance may have left behind.
        with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        log(f"dropped database {self.database}")

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


COACH_EMAIL = "contract-coach@example.com"
COACH_PASSWORD = "a long contract passphrase"


def register_coach(base_url: str) -> str:
    """A coach's token: coaches may also add private exercises, so more
    write routes answer 2xx than for an athlete."""
    status, body = request(
        "POST",
        f"{base_url}/v1/accounts",
        {"email": COACH_EMAIL, "password": COACH_PASSWORD, "display_name": "Contract Coach", "role": "coach"},
    )
    if status != 201:
        raise RuntimeError(f"registering the schemathesis account answered {status}: {body!r}")
    return json.loads(body)["token"]


def token_still_valid(base_url: str, token: str) -> bool:
    """Whether the run was authenticated to its end: a token revoked half
    way (by a sign-out case) would have turned the rest of it into 401s."""
    probe = urllib.request.Request(f"{base_url}/v1/me", headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(probe, timeout=10) as answer:
            return answer.status == 200
    except urllib.error.HTTPError:
        return False


def schemathesis(config: str, base_url: str, report: str, environment: dict[str, str]) -> bool:
    """One schemathesis run with a committed config; True when it passed."""
    command = [
        str(VENV_BIN / "schemathesis"),
        "--no-color",
        "--config-file",
        str(HERE / config),
        "run",
        f"{base_url}/openapi.json",
        "--report",
        "junit",
        "--report-junit-path",
        str(OUTPUT / f"{report}.junit.xml"),
    ]
    print(" ".join(command), flush=True)
    started = time.monotonic()
    # Hypothesis keeps its files (.hypothesis/) under target/, not in the work tree.
    environment = dict(os.environ, HYPOTHESIS_STORAGE_DIRECTORY=str(OUTPUT / "hypothesis"), **environment)
    code = subprocess.call(command, env=environment, cwd=ROOT)
    print(f"schemathesis ({report}) finished in {time.monotonic() - started:.0f} s with exit code {code}", flush=True)
    return code == 0


def generated_client(base_url: str, scratch: Path) -> bool:
    """Generate the client from the committed document, install it into
    the venv, and run the scenario with it."""
    log("generating the Python client with openapi-python-client")
    output = scratch / "runstrong-client"
    generate = [
        str(VENV_BIN / "openapi-python-client"),
        "generate",
        "--path",
        str(ROOT / "openapi" / "openapi.json"),
        "--output-path",
        str(output),
        "--meta",
        "setup",
        # A warning means the generator skipped or guessed at part of the
        # document: the spec must be good enough that it never has to.
        "--fail-on-warning",
        # The generator knows binary bodies only as octet-stream; the
        # activity file types of the session import are binary bodies.
        "--config",
        str(HERE / "openapi-python-client.json"),
    ]
    # The generator formats its output with ruff, which the venv has.
    environment = dict(os.environ, PATH=f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    if subprocess.call(generate, cwd=scratch, env=environment) != 0:
        return False
    log("installing the generated client into the venv")
    install = [str(VENV_BIN / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps"]
    if subprocess.call([*install, "--force-reinstall", str(output)]) != 0:
        return False
    log("running client_scenario.py with the generated client")
    return subprocess.call([str(VENV_BIN / "python"), str(HERE / "client_scenario.py"), base_url]) == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep-going", action="store_true")
    parser.add_argument("--only", default=",".join(STEPS))
    options = parser.parse_args()
    steps = [step for step in options.only.split(",") if step]
    unknown = set(steps) - set(STEPS)
    if unknown:
        parser.error(f"unknown steps: {', '.join(sorted(unknown))}")

    OUTPUT.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    service = Service()
    failed: list[str] = []
    scratch = Path(tempfile.mkdtemp(prefix="runstrong-contract-"))
    try:
        service.start()
        token = register_coach(service.base_url)
        for step in steps:
            if failed and not options.keep_going:
                break
            if step == "schemathesis":
                log("schemathesis with a coach's token")
                ok = schemathesis(
                    "schemathesis.toml",
                    service.base_url,
                    "with-token",
                    {
                        "RUNSTRONG_CONTRACT_TOKEN": token,
                        "RUNSTRONG_CONTRACT_BASE_URL": service.base_url,
                    },
                )
                if not token_still_valid(service.base_url, token):
                    print("the coach's token was revoked during the run", file=sys.stderr)
                    ok = False
            elif step == "no-token":
                log("schemathesis without a token: every protected route must answer 401")
                ok = schemathesis("schemathesis-no-token.toml", service.base_url, "without-token", {})
            else:
                ok = generated_client(service.base_url, scratch)
            if not ok:
                failed.append(step)
        if service.process is not None and service.process.poll() is not None:
            failed.append(f"runstrong exited with {service.process.returncode} while under test")
    except Exception as error:  # noqa: BLE001 - reported, then cleaned up
        failed.append(f"{type(error).__name__}: {error}")
    finally:
        service.stop()
        try:
            service.drop_database()
        except psycopg.Error as error:
            failed.append(f"dropping {service.database}: {error}")
        shutil.rmtree(scratch, ignore_errors=True)

    elapsed = time.monotonic() - started
    if failed:
        print(f"\nrunstrong's last log lines:\n{service.log_tail()}", file=sys.stderr)
        print(f"\ncontract tests FAILED after {elapsed:.0f} s: {'; '.join(failed)}", file=sys.stderr)
        return 1
    print(f"\ncontract tests passed in {elapsed:.0f} s ({', '.join(steps)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
