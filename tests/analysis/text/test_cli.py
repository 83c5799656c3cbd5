"""`minsheng text …` on small files: the output's keys, and a clear error for every bad input."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from minsheng.analysis.text.cli import main

ROUTE_KEYS = {
    "n_train", "n_test", "macro_f1", "accuracy", "top2_accuracy", "ece", "accuracy_at_80_coverage",
    "per_class", "train_s", "predict_p95_ms",
}  # fmt: skip

TOPICS = {
    "交通运输": ["公交 线路 班次 站点 车辆", "地铁 站 出口 换乘 线路", "道路 拥堵 红绿灯 车辆 通行"],
    "教育文体": ["学校 学生 老师 课程 上学", "幼儿园 入学 学位 家长 孩子", "体育馆 图书馆 开放 文化 活动"],
    "环境保护": ["噪音 扰民 夜间 施工 居民", "污水 排放 河道 污染 气味", "垃圾 焚烧 空气 粉尘 污染"],
}


def _labelled(path: Path, rows: int, seed: int) -> Path:
    import random

    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["row", "留言分词", "一级分类"])
        for index in range(rows):
            label = list(TOPICS)[index % 3]
            words = " ".join(rng.choice(TOPICS[label]).split() * 2)
            writer.writerow([index + 1, f"{words} 希望 尽快 处理", label])
    return path


MESSAGES_HEADER = ["留言编号", "留言用户", "留言主题", "留言时间", "留言详情", "反对数", "点赞数"]


def _messages(path: Path) -> Path:
    body = "丽发新城旁边的搅拌站日夜施工，噪音粉尘严重。"
    rows = [
        ["1", "u1", "A2区丽发新城附近搅拌站噪音扰民", "2019/11/2 9:00:00", body, "0", "3"],
        ["2", "u2", "丽发新城小区搅拌站噪音太大", "2019/11/5 20:00:00", body + "请管一管", "0", "1"],
        ["3", "u3", "投诉A2区丽发新城搅拌站噪音", "2019/11/9 8:30:00", "投诉：" + body, "0", "0"],
        ["4", "u4", "A3区枫林路路灯不亮", "2019/12/1 19:00:00", "枫林路一段路灯晚上全部不亮。", "0", "0"],
        ["5", "u5", "咨询社保卡补办", "2019/12/3 10:00:00", "社保卡丢失了，想问在哪里补办。", "0", "0"],
    ]  # fmt: skip
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(MESSAGES_HEADER)
        writer.writerows(rows)
    return path


def test_route_eval_prints_the_issue_keys(tmp_path, capsys):
    train = _labelled(tmp_path / "train.csv", 60, 1)
    test = _labelled(tmp_path / "test.csv", 15, 2)
    assert main(["route-eval", "--train", str(train), "--test", str(test)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) == ROUTE_KEYS
    assert result["n_train"] == 60 and result["n_test"] == 15
    assert set(result["per_class"]) == set(TOPICS)
    assert result["accuracy"] == 1.0  # the topics share no words: a working recipe gets them all


def test_route_eval_text_format(tmp_path, capsys):
    train = _labelled(tmp_path / "train.csv", 30, 1)
    assert main(["route-eval", "--train", str(train), "--test", str(train), "--format", "text"]) == 0
    out = capsys.readouterr().out
    assert "macro_f1:" in out and "per_class:" in out


def test_hot_and_dup(tmp_path, capsys):
    messages = _messages(tmp_path / "m.csv")
    assert main(["hot", str(messages), "--top", "3"]) == 0
    issues = json.loads(capsys.readouterr().out)
    assert issues[0]["message_ids"] == ["1", "2", "3"]
    assert set(issues[0]) == {"rank", "heat", "title", "place", "from", "to", "message_ids"}
    assert issues[0]["from"] == "2019-11-02" and issues[0]["to"] == "2019-11-09"
    assert main(["dup", str(messages), "--threshold", "0.3", "--format", "json"]) == 0
    groups = json.loads(capsys.readouterr().out)
    assert groups and set(groups[0]["message_ids"]) <= {"1", "2", "3"}
    assert all(pair[2] >= 0.3 for pair in groups[0]["pairs"])
    assert main(["dup", str(messages), "--format", "text"]) == 0


def _write(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        ("row,留言分词\n1,公交\n".encode(), "missing column(s) 一级分类"),
        ("row,留言分词,一级分类\n".encode(), "no data rows"),
        ("row,留言分词,一级分类\n1,公交,交通\n".encode("gbk"), "not UTF-8"),
        (b"\x00\x01\x02binary", "binary"),
        ("row,留言分词,一级分类\n1,,交通\n".encode(), "line 2: empty 留言分词"),
        ("row,留言分词,一级分类\n1,公交,\n".encode(), "line 2: empty 一级分类"),
    ],
)
def test_route_eval_bad_files(tmp_path, capsys, content, message):
    bad = _write(tmp_path / "bad.csv", content)
    good = _labelled(tmp_path / "good.csv", 30, 1)
    assert main(["route-eval", "--train", str(bad), "--test", str(good)]) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_route_eval_too_few_examples_and_missing_file(tmp_path, capsys):
    one = _write(tmp_path / "one.csv", "留言分词,一级分类\n公交 地铁,交通\n学校 老师,教育\n".encode())
    assert main(["route-eval", "--train", str(one), "--test", str(one)]) == 1
    assert "at least 2 examples" in capsys.readouterr().err
    assert main(["route-eval", "--train", str(tmp_path / "nope.csv"), "--test", str(one)]) == 1
    assert "no such file" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("留言编号,留言主题\n1,路灯\n".encode(), "missing column(s) 留言详情"),
        ("留言编号,留言主题,留言详情\n1,路灯,坏了\n1,路灯,又坏了\n".encode(), "appears twice"),
        ("留言编号,留言主题,留言详情,留言时间\n1,路灯,坏了,昨天\n".encode(), "is not a time"),
        ("留言编号,留言主题,留言详情,点赞数\n1,路灯,坏了,很多\n".encode(), "not a whole number"),
        ("留言编号,留言主题,留言详情\n1,,\n".encode(), "neither"),
    ],
)
def test_hot_and_dup_bad_files(tmp_path, capsys, content, message):
    bad = _write(tmp_path / "bad.csv", content)
    for command in (["hot", str(bad)], ["dup", str(bad)]):
        assert main(command) == 1
        assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    "arguments", [["dup", "x.csv", "--threshold", "2"], ["hot", "x.csv", "--top", "0"], []]
)
def test_usage_errors_exit_2(arguments):
    with pytest.raises(SystemExit) as stopped:
        main(arguments)
    assert stopped.value.code == 2


def test_the_minsheng_command_runs_text_without_a_database(tmp_path, capsys):
    from minsheng.cli import main as minsheng_main

    messages = _messages(tmp_path / "m.csv")
    assert minsheng_main(["text", "dup", str(messages), "--threshold", "0.3"]) == 0
    assert json.loads(capsys.readouterr().out)
