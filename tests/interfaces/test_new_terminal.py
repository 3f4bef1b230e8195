"""End to end: the installed `charter new` in a pseudo-terminal, answered key by key."""

from __future__ import annotations

import io
import os
import re
import signal
import tomllib
from datetime import date, timedelta

import pexpect
from conftest import CHARTER, pdf_text, squeeze

DOWN = "\x1b[B"


def test_charter_new_in_a_terminal(tmp_path):
    env = {**os.environ, "LANG": "zh_CN.UTF-8", "XDG_DATA_HOME": str(tmp_path / "data"), "TERM": "xterm",
           "PROMPT_TOOLKIT_NO_CPR": "1"}  # pexpect does not answer cursor-position requests
    env.pop("LC_ALL", None)
    child = pexpect.spawn(str(CHARTER), ["new", "--out", str(tmp_path / "out")], env=env, cwd=str(tmp_path),
                          encoding="utf-8", timeout=30, dimensions=(40, 120))
    child.logfile_read = seen = io.StringIO()

    def step(prompt: str, keys: str) -> None:
        child.expect_exact(prompt)
        child.send(keys)

    step("[1/7 语言]", "\r")
    step("[2/7 群的基本信息] 群名称", "防汛值班群\r")
    step("使用的平台", DOWN + "\r")                   # 企业微信
    step("群的类型", "\r")                            # 临时群
    step("群的用途类别", "\r")                        # 工作群, asked before the purpose
    step("成员是哪些人", "\r")                        # 机关事业单位工作人员
    step("本群用途（选一个示例再修改，或自己写）", "\r")
    step("本群用途", "\r")
    step("紧急联系方式", "县应急管理局值班室 0571-8888 1234\r")
    step("[3/7 存续期] 建群日期", "\r")
    step("解散日期", "30天后\r")
    expected = date.today() + timedelta(days=30)
    child.expect_exact(f"{expected.year}年{expected.month}月{expected.day}日")
    step("[4/7 人员] 群主姓名", "陈刚\r")
    step("群主单位", "县应急管理局\r")
    step("群主职务", "\r")
    step("指定接任群主吗", "y")
    step("接任群主姓名", "王丽\r")
    step("接任群主单位", "白水镇应急办\r")
    step("接任群主职务", "主任\r")
    step("成员怎样录入", "\r")                          # 逐个添加
    step("第 1 位成员的姓名", "\r")                    # the successor, offered with what was typed
    step("单位", "\r")
    step("职务", "\r")
    step("角色", DOWN + "\r")                          # 管理员
    child.expect_exact("已录入 1 名成员")
    step("第 2 位成员的姓名", "刘洋\r")
    step("单位", "县水利局\r")
    step("职务", "\r")
    step("角色", "\r")
    child.expect_exact("已录入 2 名成员")
    step("第 3 位成员的姓名", "\r")                    # done
    step("列出成员名单", "y")
    step("成员来自一个单位还是多个单位", "\r")        # offered: several, as the units listed differ
    step("谁负责保存本群的资料", "\r")                # the owner, not written down
    step("保存哪些资料", "\r")
    step("存到哪里", "\x15县应急管理局档案室\r")        # Ctrl-U clears the usual answer
    step("完整群规放在哪里", "\r")
    for _ in range(8):
        step("[5/7 群规条目]", "\r")
    for _ in range(8):
        child.expect_exact("[5/7 群规条目]")
        child.send("\r")
    step("再加一条自己写的规定吗", "y")
    step("补充规定", "值班表每周一 9:00 前上传到群文件。\r")
    step("放在哪一部分", "\r")                        # offered: posting, not the last section
    step("再加一条自己写的规定吗", "n")
    step("[6/7 核对] 下一步", "\r")
    child.expect_exact("群规已生成")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    shown = seen.getvalue()  # every hint and answer in Chinese, none of questionary's English
    for english in ("Use arrow keys", "<space>", "toggle", "(Y/n)", "(y/N)"):
        assert english not in shown
    for answered in (r"done \(\d+ selections\)", r"\bYes\b", r"\bNo\b"):  # questionary's answered line is
        for found in re.finditer(answered, shown):                       # erased as soon as drawn
            assert re.match(r"(\x1b\[[0-9;?]*[A-Za-z])*\x1b\[J", shown[found.end():]), shown[found.start():][:80]
    assert "上下键选择，回车确认" in shown and "空格勾选" in shown and "群主职务" in shown
    assert re.search(r"\? \[5/7 群规条目\] \S+ 已勾选 \d+ 项", shown) and "? [4/7 人员] 在打印的群规上列出成员名单吗？ 是" in shown

    folder = tmp_path / "out" / "防汛值班群"
    answers = tomllib.loads((folder / "charter.toml").read_text("utf-8"))
    assert answers["group"]["platform"] == "wecom" and answers["group"]["dissolve_on"] == expected
    assert answers["group"]["audience"] == "government" and answers["group"]["organisations"] == "several"
    assert answers["group"]["urgent_contact"] == "县应急管理局值班室 0571-8888 1234"
    assert answers["group"]["records"] == {"place": "县应急管理局档案室"} and "rules_posted_at" not in answers["group"]
    assert answers["members"] == [{"name": "王丽", "unit": "白水镇应急办", "title": "主任", "role": "admin"},
                                  {"name": "刘洋", "unit": "县水利局"}]
    assert answers["rules"]["custom"] == [{"category": "posting", "text": "值班表每周一 9:00 前上传到群文件。"}]
    text = squeeze(pdf_text(folder / "charter.pdf"))
    assert "防汛值班群群规" in text and "刘洋" in text and "陈刚" in text
    assert "陈刚负责把通知、决定和报送的材料存到县应急管理局档案室" in text
    assert (folder / "announcement.txt").read_text("utf-8").splitlines()[2] == "紧急联系：县应急管理局值班室 0571-8888 1234"
    assert not (tmp_path / "data" / "charter" / "draft.toml").exists()


def test_ctrl_c_in_a_terminal_keeps_the_draft(tmp_path):
    env = {**os.environ, "LANG": "en_GB.UTF-8", "XDG_DATA_HOME": str(tmp_path / "data"), "TERM": "xterm",
           "PROMPT_TOOLKIT_NO_CPR": "1"}  # pexpect does not answer cursor-position requests
    env.pop("LC_ALL", None)
    child = pexpect.spawn(str(CHARTER), ["new", "--out", str(tmp_path / "out")], env=env, encoding="utf-8",
                          timeout=30, dimensions=(40, 120))
    child.expect_exact("[1/7 Language]")
    child.send("\r")
    child.expect_exact("Group name")
    child.send("Flood watch\r")
    child.expect_exact("Chat app")
    child.sendintr()
    child.expect_exact("charter new --resume")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    draft = tomllib.loads((tmp_path / "data" / "charter" / "draft.toml").read_text("utf-8"))
    assert draft["answers"]["lang"] == "en" and draft["step"] == 1
    assert not (tmp_path / "out").exists()


def test_closed_terminal_keeps_the_answers_of_the_step_in_progress(tmp_path):
    env = {**os.environ, "LANG": "zh_CN.UTF-8", "XDG_DATA_HOME": str(tmp_path / "data"), "TERM": "xterm",
           "PROMPT_TOOLKIT_NO_CPR": "1"}
    env.pop("LC_ALL", None)
    child = pexpect.spawn(str(CHARTER), ["new"], env=env, cwd=str(tmp_path), encoding="utf-8", timeout=30)
    child.expect_exact("[1/7 语言]")
    child.send("\r")
    child.expect_exact("群名称")
    child.send("防汛值班群\r")
    child.expect_exact("使用的平台")
    child.kill(signal.SIGHUP)
    child.expect(pexpect.EOF)
    child.close()
    draft = tomllib.loads((tmp_path / "data" / "charter" / "draft.toml").read_text("utf-8"))
    assert draft["answers"]["group"]["name"] == "防汛值班群"
