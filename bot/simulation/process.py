"""A bot run as its own process against a fake Bot API: to time it, and to kill it.

An in-process application shares the event loop with the simulated users and the fake
server, and cannot be killed mid-write. The benchmark and the crash test need the bot
the way it runs in production: `chorus run` in a process of its own, reading its
settings from the environment, which a `kill -9` stops at any instruction.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Self

from bot.simulation.fake_bot_api import FakeBotApi

RUNTIME_SETTINGS = ("CHORUS_CONCURRENCY", "CHORUS_SEND_RATE", "CHORUS_CHAT_RATE")
"""Settings of the runtime passed through from the caller's environment when set."""


def chorus_executable() -> str:
    """The `chorus` script next to the running interpreter (the project's .venv)."""
    beside = Path(sys.executable).with_name("chorus")
    if beside.exists():
        return str(beside)
    found = shutil.which("chorus")
    if found is None:
        raise FileNotFoundError("no `chorus` command: run `make install` first")
    return found


def chorus_command(*extra: str) -> list[str]:
    """`chorus run` with extra options (for example `--webhook --url ...`)."""
    return [chorus_executable(), "run", *extra]


def bot_environment(
    api: FakeBotApi,
    *,
    database_url: str | None = None,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment a bot process needs to talk to `api` and store in `database_url`.

    The caller's environment is kept (PATH, HOME); the runtime settings it sets are
    passed on; `extra` wins over both. `.env` files are not read: the working directory
    is the caller's, so one is only read if the caller has one.
    """
    env = dict(os.environ)
    env.update(
        {
            "TELEGRAM_BOT_TOKEN": api.token,
            "TELEGRAM_API_BASE_URL": api.base_url,
            "TELEGRAM_BOT_USERNAME": api.username,
            "PYTHONUNBUFFERED": "1",
        }
    )
    if database_url is not None:
        env["CHORUS_DATABASE_URL"] = database_url
    env.update(extra or {})
    return env


class BotProcess:
    """Starts a bot command, waits until it polls, and stops it gently or with SIGKILL.

    Output goes to `log_path` (appended across restarts), so a failing run can be read
    afterwards without filling the test output.
    """

    def __init__(
        self,
        api: FakeBotApi,
        argv: Sequence[str],
        *,
        env: Mapping[str, str],
        log_path: Path,
        cwd: Path | None = None,
        ready_method: str = "getUpdates",
    ) -> None:
        """`ready_method` is the call that shows the bot is serving: getUpdates when it polls,
        setWebhook when it listens for pushes."""
        self.api = api
        self.ready_method = ready_method.lower()
        self.argv = list(argv)
        self.env = dict(env)
        self.log_path = log_path
        self.cwd = cwd
        self.starts = 0
        self.kills = 0
        self._process: asyncio.subprocess.Process | None = None
        self._log: IO[bytes] | None = None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.returncode is None

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    async def start(self, *, ready_timeout: float = 60.0) -> None:
        """Start the command and return once it polls (or has set its webhook)."""
        if self.running:
            raise RuntimeError("the bot process is already running")
        ready = self.ready_method
        polls = self.api.method_counts[ready]
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("ab")
        self._process = await asyncio.create_subprocess_exec(
            *self.argv,
            env=self.env,
            cwd=self.cwd,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=self._log,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,  # our signals go to it alone, not to our process group
        )
        self.starts += 1
        try:
            async with asyncio.timeout(ready_timeout):
                while self.api.method_counts[ready] <= polls and self.running:
                    await asyncio.sleep(0.05)
        except TimeoutError:
            await self.kill()
            raise TimeoutError(
                f"the bot made no {ready} call within {ready_timeout}s; see {self.log_path}"
            ) from None
        if not self.running:
            raise RuntimeError(f"the bot exited at start-up; see {self.log_path}")

    async def kill(self) -> None:
        """`kill -9`: no clean-up, no goodbye to Telegram, whatever it was doing."""
        if self._process is not None and self._process.returncode is None:
            self._process.send_signal(signal.SIGKILL)
            await self._process.wait()
            self.kills += 1
        self._close_log()

    async def stop(self, *, timeout: float = 15.0) -> int | None:
        """Ctrl+C (SIGINT), then SIGKILL if it does not exit within `timeout` seconds."""
        process = self._process
        if process is None or process.returncode is not None:
            self._close_log()
            return None if process is None else process.returncode
        process.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(process.wait(), timeout)
        except TimeoutError:
            await self.kill()
        self._close_log()
        return process.returncode

    async def restart(self, *, ready_timeout: float = 60.0) -> None:
        await self.kill()
        await self.start(ready_timeout=ready_timeout)

    def _close_log(self) -> None:
        if self._log is not None:
            with contextlib.suppress(OSError):
                self._log.close()
            self._log = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()


def chorus_process(
    api: FakeBotApi,
    *,
    database_url: str,
    log_path: Path,
    extra_env: Mapping[str, str] | None = None,
    webhook_port: int | None = None,
) -> BotProcess:
    """`chorus run` against `api`, storing in `database_url`: polling, or with `webhook_port`
    `chorus run --webhook` on 127.0.0.1 at that port, which the fake then pushes updates to
    (plain http, with the secret token derived from `CHORUS_SECRET_KEY`)."""
    env = bot_environment(api, database_url=database_url, extra=extra_env)
    if webhook_port is None:
        return BotProcess(api, chorus_command(), env=env, log_path=log_path)
    env.setdefault("CHORUS_SECRET_KEY", "chorus-simulation-webhook-secret")
    url = f"http://127.0.0.1:{webhook_port}/telegram"
    argv = chorus_command("--webhook", "--listen", "127.0.0.1", "--port", str(webhook_port))
    return BotProcess(
        api, [*argv, "--url", url], env=env, log_path=log_path, ready_method="setWebhook"
    )


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
