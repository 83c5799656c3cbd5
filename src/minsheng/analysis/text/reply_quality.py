"""Reply-quality flags: what a reviewer should look at before a reply goes out.

Each flag is a rule a person can check in seconds, with its reason; none of them grades the reply
(the A/B/C/D category stays the reviewer's call).

- ``too_short``: fewer than ``min_chars`` characters once greetings and thanks are taken out.
- ``no_action``: no concrete step (已/将 + a verb of doing: 维修, 整改, 拆除 …) and no date or period
  (2019年5月9日, 5月底前, 15个工作日内).
- ``place_missing``: the message names a place (A2区, 丽发新城, 湖塘镇, 花园路) and the reply names none.
- ``problem_missing``: none of the words that say what the message's title is about (搅拌站, 噪音)
  appears in the reply.
- ``no_contact``: no telephone number and no named contact for follow-up questions.
- ``late``: more working days between message and reply than the limit.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from minsheng.analysis.text.hot import places_named
from minsheng.analysis.text.segment import Segmenter, normalize

MIN_CHARS = 80
LATE_WORKING_DAYS = 15

_GREETINGS = re.compile(
    r"(网友|市民|同志)?(您好|你好)[!！,，。]?|感谢您?(对我们工作)?的?(信任|关心|支持|理解)[^。！]*[。！]?|"
    r"(再次)?(感谢|谢谢)[^。！]*[。！]?|现将[^。]*答复如下[:：]?"
)
_ACTION = re.compile(
    r"(已|已经|将|正在|立即|及时|马上|尽快|会同|责成|责令|要求|安排|组织|督促|派出|联合)[^。，；]{0,8}?"
    r"(维修|修复|修缮|整改|拆除|查处|处罚|清理|清运|疏通|更换|安装|施工|改造|建设|调查|核查|检查|约谈|立案|"
    r"处理|落实|协调|解决|答复|办理|复查|治理|执法|取缔|关停|罚款|规划|启动|完成|补发|发放|退还|整治)"
)
_DATE = re.compile(
    r"\d{4}年\d{1,2}月(\d{1,2}日)?|\d{1,2}月\d{1,2}日|\d{1,2}月(底|中旬|上旬|下旬)|(年|月)底前|"
    r"\d+个?(工作日|天|日|周|个月|月)内|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|(今年|明年|年内)"
)
_PHONE = re.compile(r"(?<!\d)(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|\d{7,8}|12345)(?!\d)")
_CONTACT_WORDS = re.compile(r"联系电话|咨询电话|联系方式|联系人|热线|电话[:：]")
_PLACE_SUFFIX = re.compile(
    r"[\u4e00-\u9fffA-Za-z0-9]{2,8}?(?:小区|花园|家园|新城|公寓|大厦|广场|社区|街道|村|镇|乡|路|大道|街|巷|"
    r"学校|中学|小学|幼儿园|医院|公园|市场|商场|车站|地铁站|苑)"
)
_BEFORE_NAME = re.compile(
    r"^.*(?:反映|投诉|咨询|关于|请问|建议|位于|要求|共同|管理|附近|周边|对面|旁边|我们|[在的与和及是于对从向到把被将市区县])"
)
_NOT_NAME_START = ("该", "本", "此", "这", "那", "各", "每", "某", "全", "一条", "一个")
# Words that say nothing about what a message is about.
_GENERIC_TEXT = """
问题 反映 投诉 咨询 关于 建议 请求 希望 要求 恳请 请问 解决 情况 相关 有关 部门 政府 领导 市民 居民
群众 严重 影响 为什么 何时 什么 怎么 能否 是否 还是 一下 进行 存在 没有 不能 及时 尽快
"""
_GENERIC = frozenset(_GENERIC_TEXT.split())


@dataclass(frozen=True)
class ReplyFlag:
    code: str
    detail: str  # what was (not) found, for the explanation shown beside the flag


Workdays = Callable[[date, date], int]


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (the start day does not count), by the
    State Council calendar in ``chinese_calendar`` (Monday–Friday for years it does not cover)."""
    import chinese_calendar

    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        try:
            working = chinese_calendar.is_workday(day)
        except NotImplementedError:
            working = day.weekday() < 5
        count += working
    return count


def _content(reply: str) -> str:
    return _GREETINGS.sub("", normalize(reply)).strip()


def places_in(text: str, known: Sequence[str] = ()) -> list[str]:
    """Places a text names: known names and anonymised districts, then 某某小区/某某路 phrases."""
    found = list(places_named(text, known))
    for match in _PLACE_SUFFIX.finditer(text):
        phrase = match.group()
        # Keep the name, not what precedes it in the sentence (反映A市伊景园 → 伊景园).
        phrase = _BEFORE_NAME.sub("", phrase)
        if len(phrase) >= 3 and not phrase.startswith(_NOT_NAME_START):
            found.append(phrase)
    return list(dict.fromkeys(found))


def _mentions(reply: str, place: str) -> bool:
    core = re.sub(r"(小区|花园|家园|社区|街道)$", "", place)
    return place in reply or (len(core) >= 2 and core in reply)


def topic_words(title: str, segmenter: Segmenter) -> list[str]:
    """Words of a title that say what it is about (two characters or more, not generic, no places)."""
    words = segmenter.words(title)
    return [w for w in dict.fromkeys(words) if len(w) >= 2 and w not in _GENERIC and not re.search(r"\d", w)]


def reply_flags(
    *,
    message_title: str,
    message_text: str,
    reply: str,
    asked_at: datetime | date | None = None,
    replied_at: datetime | date | None = None,
    known_places: Sequence[str] = (),
    min_chars: int = MIN_CHARS,
    late_after: int = LATE_WORKING_DAYS,
    working_days: Workdays = working_days_between,
    segmenter: Segmenter | None = None,
) -> list[ReplyFlag]:
    """The flags a reply raises, in a fixed order (see the module docstring)."""
    flags: list[ReplyFlag] = []
    content = _content(reply)
    if len(content) < min_chars:
        flags.append(ReplyFlag("too_short", str(len(content))))
    if not _ACTION.search(content) and not _DATE.search(content):
        flags.append(ReplyFlag("no_action", ""))
    message = f"{message_title}\n{message_text}"
    places = places_in(message, known_places)
    if places and not any(_mentions(reply, place) for place in places):
        flags.append(ReplyFlag("place_missing", "、".join(places[:3])))
    topics = topic_words(message_title, segmenter or Segmenter(known_places))
    if topics and not any(word in normalize(reply) for word in topics):
        flags.append(ReplyFlag("problem_missing", "、".join(topics[:4])))
    if not _PHONE.search(reply) and not _CONTACT_WORDS.search(reply):
        flags.append(ReplyFlag("no_contact", ""))
    if asked_at is not None and replied_at is not None:
        start = asked_at.date() if isinstance(asked_at, datetime) else asked_at
        end = replied_at.date() if isinstance(replied_at, datetime) else replied_at
        taken = working_days(start, end)
        if taken > late_after:
            flags.append(ReplyFlag("late", str(taken)))
    return flags
