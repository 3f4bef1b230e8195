"""Sending a notice into the group itself, through the group robot's webhook.

WeCom (企业微信), DingTalk and Feishu groups and Slack channels take messages from a robot's
webhook URL; personal WeChat has none, so there copy and paste stays. Each platform has its
own contract, followed here as documented:

    wecom     {"msgtype": "text", "text": {"content": …}}  text ≤ 2,048 bytes; 20 a minute;
              answers {"errcode": 0, "errmsg": "ok"}
    dingtalk  the same shape; a signed robot wants `timestamp` (ms) and
              `sign` = base64(HMAC-SHA256(secret, "timestamp\\nsecret")) in the query;
              20 a minute; answers {"errcode": 0, …}
    feishu    {"msg_type": "text", "content": {"text": …}}, signed with `timestamp` (s) and
              `sign` = base64(HMAC-SHA256(key="timestamp\\nsecret", msg="")) in the body;
              answers {"code": 0, …}
    slack     {"text": …}; answers "ok", or an error word with a 4xx status; 429 with
              Retry-After when sent too fast

A message longer than the platform takes is split at line breaks. The URL and the secret are
credentials: they are never written into a charter, and never printed (errors and --dry-run
show the host only; what a platform or the network says is shown with every part of the URL
that may be a key, and the secret, taken out). Each request has a deadline for the whole of it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import os
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from dataclasses import dataclass
from typing import Callable

from ..core.errors import input_error
from ..core.i18n import environment_lang

DEADLINE_SECONDS = 30  # one request, connecting to answered; CHARTER_WEBHOOK_DEADLINE changes it
DEADLINE_VARIABLE = "CHARTER_WEBHOOK_DEADLINE"
MAX_RETRIES = 3
LONGEST_WAIT = 60  # seconds a 429's Retry-After may ask for; longer is a refusal, so cron never hangs
MAX_ANSWER_SHOWN = 200


@dataclass(frozen=True)
class Platform:
    name: str
    hosts: tuple[str, ...]
    limit: int  # the longest message, in `unit`
    unit: str  # "bytes" (UTF-8) or "chars"
    per_minute: int

    def size(self, text: str) -> int:
        return len(text.encode("utf-8")) if self.unit == "bytes" else len(text)


PLATFORMS = {
    "wecom": Platform("wecom", ("qyapi.weixin.qq.com",), 2048, "bytes", 20),
    "dingtalk": Platform("dingtalk", ("oapi.dingtalk.com",), 20000, "bytes", 20),
    # Feishu takes a request body of at most 20 KB; the text leaves room for the JSON around it.
    "feishu": Platform("feishu", ("open.feishu.cn", "open.larksuite.com"), 18000, "bytes", 100),
    "slack": Platform("slack", ("hooks.slack.com",), 40000, "chars", 60),
}


class WebhookError(Exception):
    """The platform refused the message or could not be reached; the CLI exits 4 with this text."""

    def __init__(self, platform: str, code, message: str):
        self.platform, self.code, self.message = platform, code, message
        super().__init__(f"{platform}: {code}: {message}")


def redacted(url: str) -> str:
    """What may be shown of a webhook URL: its scheme, host and port (the rest, and a user:password@,
    is the credential)."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return "…"
    host = parts.hostname or ""
    try:
        port = parts.port
    except ValueError:
        port = None
    host = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{host}{f':{port}' if port else ''}/…"


def address_problem(url: str) -> str | None:
    """Why a robot's webhook URL cannot be used, as the key of its message (errors.webhook_*), or
    None for a well-formed http(s) address. Found before anything is saved or sent: urllib's own
    errors about such a URL quote it whole, key and all."""
    if any(not 0x20 < ord(c) < 0x7F for c in url):
        return "webhook_characters"
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:  # an unclosed "[::1"
        return "webhook_host"
    if parts.scheme not in ("http", "https"):
        return "webhook_address"
    if "@" in parts.netloc:
        return "webhook_userinfo"
    if not parts.hostname:
        return "webhook_host"
    try:
        port = parts.port
    except ValueError:
        port = 0
    return "webhook_port" if port == 0 else None


def deadline_seconds() -> float:
    """How long one request may take in all: CHARTER_WEBHOOK_DEADLINE, else DEADLINE_SECONDS."""
    given = os.environ.get(DEADLINE_VARIABLE, "").strip()
    if not given:
        return DEADLINE_SECONDS
    try:
        seconds = float(given)
    except ValueError:
        seconds = 0
    if not 0 < seconds <= 600:
        raise input_error(environment_lang(), "webhook_deadline", field=DEADLINE_VARIABLE, value=given[:20])
    return seconds


def _secret_parts(url: str, secret: str | None) -> list[str]:
    """Every part of the URL that may be a key, and the signing secret, longest first: userinfo,
    query values (key, access_token, timestamp, sign), the fragment, and path segments that look
    like tokens (Slack's /services/T…/B…/…, Feishu's /hook/<uuid>)."""
    try:
        parts = urllib.parse.urlsplit(url)
        found = {parts.username, parts.password, parts.fragment, secret, parts.path + "?" + parts.query}
    except ValueError:
        return [url]
    for pair in parts.query.split("&"):
        value = pair.partition("=")[2]
        found |= {value, urllib.parse.unquote_plus(value)}
    found |= {segment for segment in parts.path.split("/") if len(segment) >= 8 or any(c.isdigit() for c in segment)}
    return sorted((part for part in found if part and len(part) >= 4), key=len, reverse=True)


def _scrubbed(message: str, url: str, secret: str | None = None) -> str:
    """Words of a platform or of the network as they may be shown: short, and without the URL's
    secret parts or the signing secret should they repeat them (a key in an error page, say)."""
    # also as a server may echo it: decoded, encoded again, in other case
    spellings = {variant for part in _secret_parts(url, secret)
                 for plain in (part, urllib.parse.unquote(part), urllib.parse.unquote_plus(part))
                 for variant in (plain, urllib.parse.quote(plain, safe=""), urllib.parse.quote_plus(plain, safe=""))}
    for spelling in sorted((s for s in spellings if len(s) >= 4), key=len, reverse=True):
        message = re.sub(re.escape(spelling), "…", message, flags=re.IGNORECASE)
    return message[:MAX_ANSWER_SHOWN]


def platform_of(url: str, given: str | None = None) -> Platform | None:
    """The platform `--platform` names, else the one the URL's host belongs to."""
    if given:
        return PLATFORMS[given]
    host = (urllib.parse.urlsplit(url).hostname or "").lower()
    return next((p for p in PLATFORMS.values() if host in p.hosts or host.endswith(tuple("." + h for h in p.hosts))),
                None)


def split_message(text: str, platform: Platform) -> list[str]:
    """The text in parts that each fit the platform's limit, split at line breaks (a single line
    that is itself too long is cut between characters)."""
    parts, current = [], ""
    for line in text.rstrip("\n").split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if platform.size(candidate) <= platform.limit:
            current = candidate
            continue
        if current:
            parts.append(current)
        while platform.size(line) > platform.limit:
            cut = _fitting_prefix(line, platform)
            parts.append(line[:cut])
            line = line[cut:]
        current = line
    if current or not parts:
        parts.append(current)
    return parts


def _fitting_prefix(line: str, platform: Platform) -> int:
    """The length of the longest start of the line within the platform's limit (at least one character)."""
    low, high = 1, len(line)
    while low < high:
        middle = (low + high + 1) // 2
        if platform.size(line[:middle]) <= platform.limit:
            low = middle
        else:
            high = middle - 1
    return low


def _signature(key: bytes, message: bytes) -> str:
    return base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()


def build_request(platform: Platform, url: str, text: str, secret: str | None, now: float) -> tuple[str, bytes]:
    """The URL and JSON body of one message, signed where the platform wants a signature."""
    if platform.name in ("wecom", "dingtalk"):
        body = {"msgtype": "text", "text": {"content": text}}
        if platform.name == "dingtalk" and secret:
            stamp = str(int(now * 1000))
            sign = urllib.parse.urlencode({"timestamp": stamp,
                                           "sign": _signature(secret.encode(), f"{stamp}\n{secret}".encode())})
            parts = urllib.parse.urlsplit(url)  # into the query, not after a #fragment that is never sent
            url = urllib.parse.urlunsplit(parts._replace(query="&".join(filter(None, (parts.query, sign))),
                                                         fragment=""))
    elif platform.name == "feishu":
        body = {"msg_type": "text", "content": {"text": text}}
        if secret:
            stamp = str(int(now))
            body = {"timestamp": stamp, "sign": _signature(f"{stamp}\n{secret}".encode(), b""), **body}
    else:
        body = {"text": text}
    return url, json.dumps(body, ensure_ascii=False).encode("utf-8")


def _refusal(platform: Platform, status: int, payload: bytes, url: str, secret: str | None) -> WebhookError | None:
    """The platform's own error in its answer, or None when it took the message."""
    error = _answer_error(platform, status, payload[:64 * 1024].decode("utf-8", "replace").strip())
    if error is not None:
        error = WebhookError(error.platform, error.code, _scrubbed(error.message, url, secret))
    return error


def _answer_error(platform: Platform, status: int, answer: str) -> WebhookError | None:
    if 300 <= status < 400:  # a webhook never redirects: following one would hand the key to another host
        return WebhookError(platform.name, status, "redirected; not followed")
    if platform.name == "slack":
        return None if status == 200 and answer == "ok" else WebhookError("slack", status, answer or "refused")
    if not 200 <= status < 300:  # a gateway's 502, a 429 past its retries: not taken, whatever the body says
        return WebhookError(platform.name, status, answer or f"HTTP {status}")
    try:
        data = json.loads(answer)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        return WebhookError(platform.name, status, answer or "not an answer from this platform")
    if platform.name == "feishu":
        code = data.get("code", data.get("StatusCode", 0))
        return None if code == 0 else WebhookError("feishu", code, str(data.get("msg", data.get("StatusMessage"))))
    code = data.get("errcode", 0)
    return None if code == 0 else WebhookError(platform.name, code, str(data.get("errmsg", "")))


class Throttle:
    """At most `per_minute` sends in any 60 seconds: waits before the one that would be one too many."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        self.per_minute, self.clock, self.sleep = per_minute, clock, sleep
        self.sent: deque[float] = deque()

    def wait(self) -> None:
        while len(self.sent) >= self.per_minute:
            wait = 60 - (self.clock() - self.sent[0])
            if wait > 0:
                self.sleep(wait)
            self.sent.popleft()
        self.sent.append(self.clock())


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the 3xx itself is the answer


_opener = urllib.request.build_opener(_NoRedirect)


def _post(url: str, body: bytes, deadline: float = DEADLINE_SECONDS) -> tuple[int, bytes, str | None]:
    """The status, body and Retry-After of one POST, or TimeoutError once the deadline has passed.
    urllib's timeout bounds each read alone, so a server that drips a byte a second would hold a
    send (and a cron job) for ever, and the name lookup has none at all: the request runs in a
    thread of its own, left behind past the deadline (it ends with the command)."""
    outcome: list = []

    def run() -> None:
        try:
            outcome.append(_request(url, body, deadline))
        except BaseException as error:  # handed to the caller below
            outcome.append(error)

    worker = threading.Thread(target=run, name="webhook", daemon=True)
    worker.start()
    worker.join(deadline)
    if not outcome:
        raise TimeoutError(deadline)
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]


def _request(url: str, body: bytes, timeout: float) -> tuple[int, bytes, str | None]:
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with _opener.open(request, timeout=timeout) as response:
            return response.status, response.read(64 * 1024), None
    except urllib.error.HTTPError as error:
        return error.code, error.read(64 * 1024), error.headers.get("Retry-After")


def send(url: str, text: str, platform: Platform, secret: str | None = None, *,
         throttle: Throttle | None = None, sleep: Callable[[float], None] = time.sleep,
         wall_clock: Callable[[], float] = time.time, deadline: float = DEADLINE_SECONDS,
         sent: Callable[[str], None] = lambda part: None) -> int:
    """Send the text (in as many parts as the limit needs), calling `sent` with each part the
    platform took; returns the number of parts sent. Raises WebhookError with the platform's code
    and message when it refuses one, "timeout" when a request outlives the deadline."""
    throttle = throttle or Throttle(platform.per_minute, sleep=sleep)
    parts = split_message(text, platform)
    for part in parts:
        for attempt in range(MAX_RETRIES + 1):
            throttle.wait()
            target, body = build_request(platform, url, part, secret, wall_clock())
            try:
                status, payload, retry_after = _post(target, body, deadline)
            except TimeoutError:
                raise WebhookError(platform.name, "timeout", f"{deadline:g}") from None
            except (OSError, http.client.HTTPException, ValueError) as error:  # refused, no such host, TLS…
                reason = _scrubbed(str(getattr(error, "reason", error)), target, secret)
                raise WebhookError(platform.name, "unreachable", f"{redacted(url)}: {reason}") from None
            wait = _seconds(retry_after)
            if status == 429 and attempt < MAX_RETRIES and wait is not None:
                sleep(wait)
                continue
            refusal = _refusal(platform, status, payload, target, secret)
            if refusal is not None:
                raise refusal
            break
        sent(part)
    return len(parts)


def _seconds(retry_after: str | None) -> float | None:
    """How long a 429 asks to wait, when it is a wait worth waiting (None: longer than LONGEST_WAIT)."""
    try:
        seconds = max(float(retry_after or 1), 0.0)
    except ValueError:
        seconds = 1.0
    return seconds if seconds <= LONGEST_WAIT else None
