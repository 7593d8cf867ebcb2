"""Runs README.md's shell examples in order against a fresh runstrong and
checks the statuses the README states.

What runs: every ```sh block of README.md, top to bottom, as one bash
script (`set -euo pipefail`), so variables set by one example are there for
the next, an unset variable or a failing command stops the run, and a
placeholder such as `<plan_id>` is refused before anything runs. A block
preceded by the line `<!-- readme-check: skip -->` is not run (starting the
service, running the tests).

What is checked: the script is cut into commands (a command with its
continuation lines, quoted lines and here-documents). A command's stated
status is a comment right after it, on its last line or on the next line,
that starts with a status: `# → 201 …` or `# 304`. Every request a command
makes through curl is recorded; a command with a stated status must have
made a request, and its last one must have answered that status; every
other request must answer below 400 (an error the README shows must say
so). The examples' `http://127.0.0.1:8080` is replaced by the fresh
service's address, and `cargo run [--release] -- ARGS` runs the binary
built for this check (the same code as the README's command, built once).

The service runs on a free port against `runstrong_readme_<random>`, which
is dropped afterwards whatever happened. `--only-parse` lists the commands
and their statuses without running anything. There is no --keep-going:
every example depends on the ones before it.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
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

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
BINARY = ROOT / "target" / "debug" / "runstrong"
OUTPUT = ROOT / "target" / "readme"
POSTGRES = os.environ.get("RUNSTRONG_README_POSTGRES", "postgres://postgres@127.0.0.1:5432")
README_ADDRESS = "http://127.0.0.1:8080"
SKIP_MARKER = "<!-- readme-check: skip -->"
STATED_STATUS = re.compile(r"#\s*(?:→\s*)?([1-5][0-9][0-9])\b")
PLACEHOLDER = re.compile(r"<[a-z][a-z0-9_ -]*>", re.IGNORECASE)
WALKTHROUGH_TIMEOUT_S = 300


class ReadmeError(Exception):
    """README.md cannot be run as written (before anything runs)."""


@dataclasses.dataclass
class Command:
    line: int  # README line of its first line
    text: str
    status: int | None  # the status the README states, if any


# --------------------------------------------------------------------------
# Cutting the blocks into commands: just enough of the shell's grammar for
# examples (quotes, $( ), backslash continuations, here-documents, trailing
# pipes and &&, comments).
# --------------------------------------------------------------------------


class Scanner:
    """Feeds lines of shell and says when a command is complete."""

    def __init__(self) -> None:
        self.stack: list[str] = []  # open contexts: ' " $( (
        self.heredocs: list[str] = []  # delimiters still to read, in order
        self.in_heredoc: str | None = None
        self.continued = False
        self.comments: list[str] = []  # the comments ending its lines

    def complete(self) -> bool:
        return not (self.stack or self.heredocs or self.in_heredoc or self.continued)

    def feed(self, line: str) -> None:
        comment = None
        if self.in_heredoc is not None:
            if line.strip("\t") == self.in_heredoc:
                self.in_heredoc = self.heredocs.pop(0) if self.heredocs else None
            return
        self.continued = False
        i = 0
        word_start = True
        while i < len(line):
            c = line[i]
            top = self.stack[-1] if self.stack else None
            if top == "'":
                if c == "'":
                    self.stack.pop()
                i += 1
                continue
            if top == '"':
                if c == "\\":
                    i += 2
                    continue
                if c == '"':
                    self.stack.pop()
                elif line.startswith("$(", i):
                    self.stack.append("$(")
                    i += 2
                    word_start = True
                    continue
                i += 1
                continue
            # Unquoted: at the top, or inside $( ) or ( ).
            if c == "\\":
                if i + 1 >= len(line):
                    self.continued = True
                i += 2
                word_start = False
                continue
            if c == "#" and word_start:
                comment = line[i:]
                self.comments.append(comment)
                break
            if c in "'\"":
                self.stack.append(c)
            elif line.startswith("$(", i):
                self.stack.append("$(")
                i += 2
                word_start = True
                continue
            elif c == "(":
                self.stack.append("(")
            elif c == ")" and top in ("$(", "("):
                self.stack.pop()
            elif line.startswith("<<", i) and not line.startswith("<<<", i):
                match = re.match(r"<<-?\s*(['\"]?)([A-Za-z_][A-Za-z0-9_]*)\1", line[i:])
                if match:
                    self.heredocs.append(match.group(2))
                    i += match.end()
                    word_start = False
                    continue
            word_start = c.isspace() or c in ";|&()"
            i += 1
        code = line if comment is None else line[: len(line) - len(comment)]
        code = code.rstrip()
        if not self.stack and (code.endswith("|") or code.endswith("&&")):
            self.continued = True
        # Here-documents start on the next line, also inside $( ).
        if not self.continued and self.heredocs:
            self.in_heredoc = self.heredocs.pop(0)


def stated_status(comment: str | None) -> int | None:
    if comment is None:
        return None
    match = STATED_STATUS.match(comment.strip())
    return int(match.group(1)) if match else None


def commands_of(block: list[str], first_line: int) -> list[Command]:
    commands = []
    i = 0
    while i < len(block):
        stripped = block[i].strip()
        if not stripped or stripped.startswith("#"):
            if stated_status(stripped) is not None:
                raise ReadmeError(
                    f"README.md:{first_line + i}: a stated status must follow its command directly"
                )
            i += 1
            continue
        start = i
        scanner = Scanner()
        while True:
            if i >= len(block):
                raise ReadmeError(f"README.md:{first_line + start}: the command never ends")
            scanner.feed(block[i])
            i += 1
            if scanner.complete():
                break
        text = "\n".join(block[start:i])
        comments = list(scanner.comments)
        # The comment line right after the command belongs to it.
        if i < len(block) and block[i].strip().startswith("#"):
            comments.append(block[i].strip())
            if stated_status(block[i]) is not None:
                i += 1
        statuses = [status for status in map(stated_status, comments) if status is not None]
        if len(statuses) > 1:
            raise ReadmeError(f"README.md:{first_line + start}: one command, several stated statuses")
        commands.append(Command(first_line + start, text, statuses[0] if statuses else None))
    return commands


def readme_commands(readme: str) -> list[Command]:
    commands = []
    lines = readme.splitlines()
    i = 0
    while i < len(lines):
        fence = lines[i].strip()
        if not fence.startswith("```"):
            i += 1
            continue
        language = fence[3:].strip()
        previous = next((lines[j].strip() for j in range(i - 1, -1, -1) if lines[j].strip()), "")
        end = next((j for j in range(i + 1, len(lines)) if lines[j].strip() == "```"), None)
        if end is None:
            raise ReadmeError(f"README.md:{i + 1}: the code block never ends")
        if language == "sh" and previous != SKIP_MARKER:
            block = lines[i + 1 : end]
            for offset, line in enumerate(block):
                placeholder = PLACEHOLDER.search(line.split(" #")[0]) if not line.lstrip().startswith("#") else None
                if placeholder:
                    raise ReadmeError(
                        f"README.md:{i + 2 + offset}: placeholder {placeholder.group(0)}: "
                        "capture the value into a shell variable in an earlier example"
                    )
            commands.extend(commands_of(block, i + 2))
        i = end + 1
    return commands


# --------------------------------------------------------------------------
# The script: the commands with a check around each.
# --------------------------------------------------------------------------

PRELUDE = r"""
set -euo pipefail
# Every request of the examples goes through curl: record its final status.
curl() {
    local trace code=0
    trace=$(mktemp "$README_CHECK_DIR/trace.XXXXXX")
    command curl -q --trace-ascii "$trace" "$@" || code=$?
    awk '/^<= Recv header/ { getline; if (match($0, /^0000: HTTP\/[0-9.]+ [0-9][0-9][0-9]/)) s = substr($0, RSTART + RLENGTH - 3, 3) }
         END { print (s == "" ? "000" : s) }' "$trace" >>"$README_CHECK_STATUSES"
    rm -f "$trace"
    return "$code"
}
# `cargo run [--release] -- ARGS` runs the binary built for this check.
cargo() {
    if [ "${1:-}" = run ]; then
        shift
        if [ "${1:-}" = --release ]; then shift; fi
        if [ "${1:-}" = -- ] && [ $# -gt 1 ]; then
            shift
            "$README_CHECK_BINARY" "$@"
            return
        fi
    fi
    echo "README check: only 'cargo run [--release] -- ARGS' runs here; put $SKIP_MARKER before other blocks" >&2
    return 2
}
readme_begin() {
    : >"$README_CHECK_STATUSES"
    printf '\n==> README.md:%s\n' "$1"
}
readme_fail() {
    printf '\nREADME CHECK FAILED at README.md:%s: %s\n' "$1" "$2" >&2
    exit 97
}
readme_end() {
    local line=$1 stated=${2:-} statuses count i status
    mapfile -t statuses <"$README_CHECK_STATUSES"
    count=${#statuses[@]}
    if [ -n "$stated" ] && [ "$count" -eq 0 ]; then
        readme_fail "$line" "states $stated but makes no request"
    fi
    for ((i = 0; i < count; i++)); do
        status=${statuses[i]}
        if [ -n "$stated" ] && [ "$i" -eq $((count - 1)) ]; then
            [ "$status" = "$stated" ] || readme_fail "$line" "answered $status, the README states $stated"
        elif [ "$status" = 000 ] || [ "$status" -ge 400 ]; then
            readme_fail "$line" "a request answered $status (state it with '# → $status' if that is the point)"
        fi
    done
    printf '%s %s\n' "$count" "${stated:--}" >>"$README_CHECK_SUMMARY"
}
""".replace("$SKIP_MARKER", SKIP_MARKER)


def script_of(commands: list[Command], base_url: str) -> str:
    parts = [PRELUDE]
    for command in commands:
        text = command.text.replace(README_ADDRESS, base_url)
        if ":8080" in text:
            raise ReadmeError(f"README.md:{command.line}: an address other than {README_ADDRESS}")
        parts.append(f"readme_begin {command.line}\n{text}\nreadme_end {command.line} {command.status or ''}\n")
    return "\n".join(parts)


# --------------------------------------------------------------------------
# The service.
# --------------------------------------------------------------------------


def log(message: str) -> None:
    print(f"\n==> {message}", flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Service:
    """runstrong on a free port, against its own throwaway database."""

    def __init__(self) -> None:
        self.database = f"runstrong_readme_{secrets.token_hex(6)}"
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.database_url = f"{POSTGRES}/{self.database}"
        self.log_path = OUTPUT / "runstrong.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        log(f"starting runstrong on {self.base_url} (database {self.database}, log {self.log_path})")
        environment = dict(
            os.environ,
            DATABASE_URL=self.database_url,
            RUNSTRONG_ADDR=f"127.0.0.1:{self.port}",
            RUNSTRONG_LOG_FORMAT="json",
            # The webhook walkthrough's receiver listens on loopback, as the
            # README says to allow.
            RUNSTRONG_WEBHOOK_ALLOW_PRIVATE_TARGETS="true",
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
                with urllib.request.urlopen(f"{self.base_url}/readyz", timeout=5) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError("runstrong was not ready within 120 s")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def drop_database(self) -> None:
        # FORCE ends any connection a killed instance may have left behind.
        subprocess.run(
            ["psql", f"{POSTGRES}/postgres", "-qXc", f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)'],
            check=True,
        )
        log(f"dropped database {self.database}")

    def log_tail(self, lines: int = 8) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def run(commands: list[Command]) -> bool:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    service = Service()
    transcript = OUTPUT / "walkthrough.log"
    try:
        script = script_of(commands, service.base_url)
    except ReadmeError as error:
        print(f"README CHECK FAILED: {error}", file=sys.stderr)
        return False
    (OUTPUT / "walkthrough.sh").write_text(script)
    scratch = Path(tempfile.mkdtemp(prefix="runstrong-readme-"))
    # The README's examples run from the repository root; the files they
    # upload (activity files) are copied to the same place in the scratch
    # directory, which keeps what the examples write out of the work tree.
    shutil.copytree(ROOT / "tests" / "fixtures", scratch / "tests" / "fixtures")
    try:
        service.start()
        environment = dict(
            os.environ,
            DATABASE_URL=service.database_url,
            README_CHECK_DIR=str(scratch),
            README_CHECK_STATUSES=str(scratch / "statuses"),
            README_CHECK_SUMMARY=str(scratch / "summary"),
            README_CHECK_BINARY=str(BINARY),
        )
        log(f"running {len(commands)} commands of README.md (transcript: {transcript})")
        started = time.monotonic()
        with open(transcript, "wb") as output:
            try:
                code = subprocess.call(
                    ["bash", str(OUTPUT / "walkthrough.sh")],
                    cwd=scratch,
                    env=environment,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                    timeout=WALKTHROUGH_TIMEOUT_S,
                )
            except subprocess.TimeoutExpired:
                code = None
        elapsed = time.monotonic() - started
        if code != 0:
            lines = transcript.read_text(errors="replace").splitlines()
            print("\n".join(lines[-60:]))
            reason = "timed out" if code is None else f"stopped with exit code {code}"
            print(f"\nREADME.md walkthrough {reason} after {elapsed:.0f} s; service log tail:\n{service.log_tail()}")
            return False
        summary = [line.split() for line in (scratch / "summary").read_text().splitlines()]
        requests = sum(int(count) for count, _ in summary)
        stated = sum(1 for _, status in summary if status != "-")
        print(
            f"README.md: {len(summary)} commands, {requests} requests in {elapsed:.0f} s; "
            f"{stated} stated statuses as stated, every other request below 400"
        )
        return True
    finally:
        service.stop()
        service.drop_database()
        shutil.rmtree(scratch, ignore_errors=True)


def main(arguments: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Run README.md's examples against a fresh runstrong.")
    parser.add_argument("--only-parse", action="store_true", help="list the commands and their statuses, run nothing")
    parser.add_argument("--readme", type=Path, default=README, help="another file to run (to try this check)")
    options = parser.parse_args(arguments)
    try:
        commands = readme_commands(options.readme.read_text())
    except ReadmeError as error:
        print(f"README CHECK FAILED: {error}", file=sys.stderr)
        return 1
    if options.only_parse:
        for command in commands:
            first = command.text.splitlines()[0]
            print(f"README.md:{command.line:<4} {command.status or '-':>3}  {first[:100]}")
        return 0
    return 0 if run(commands) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
