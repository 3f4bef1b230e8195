"""Commands that reach where the group lives: saving the group robot's webhook."""

from __future__ import annotations

from pathlib import Path

import click

from ..core.i18n import environment_lang, messages
from .base import cli, dir_option


@cli.group()
def webhook():
    """Keep a group robot's webhook for `notice --webhook` and `due --notify`."""


@webhook.command("save")
@click.argument("url")
@click.option("--secret", default=None, help="The robot's signing secret (DingTalk, Feishu).")
@click.option("--platform", type=click.Choice(["wecom", "dingtalk", "feishu", "slack"]), default=None,
              help="The robot's platform (default: from the URL's host).")
@dir_option
def webhook_save(url: str, secret: str | None, platform: str | None, out_dir: Path):
    """Save the webhook URL (and secret) in the register, readable by you only (mode 600).

    Example: charter webhook save 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…' --dir output
    """
    from ..core.errors import input_error
    from ..interfaces.webhooks import address_problem, platform_of, redacted
    from ..register.webhook_settings import Webhook, save_webhook

    lang = environment_lang()
    problem = address_problem(url)
    if problem:
        raise input_error(lang, problem, field="URL", url=redacted(url))
    if platform_of(url, platform) is None:
        raise input_error(lang, "webhook_platform", field="--platform", host=redacted(url))
    path = save_webhook(out_dir, Webhook(url, secret, platform))
    click.echo(messages(lang)["register"]["webhook_saved"].format(path=path))
