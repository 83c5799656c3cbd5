"""Chinese word segmentation for civic text: jieba with the platform's own words, stop words dropped.

Text arrives in two shapes: raw messages as people type them, and text already cut into words and
joined by spaces (the labelled training data of the TipDM corpus is published that way). Both come
out as the same kind of word list, so a model trained on one can read the other.

Each ``Segmenter`` owns a jieba ``Tokenizer``: the place and unit names one deployment adds (湖塘镇,
区交通运输局) do not leak into another's, nor into anything else that uses jieba in the process.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable

import jieba

from minsheng.analysis.text.normalize import fold_width

jieba.setLogLevel(logging.WARNING)

# Function words, pronouns and politeness that say nothing about a message's topic. Short on purpose:
# a long list removes words that do carry meaning in this domain (e.g. 没有 in "没有路灯").
_STOP_WORDS_TEXT = """
的 了 和 与 及 或 是 在 对 把 被 让 给 向 从 到 于 以 为 之 其 而 且 并 也 都 就 还 又 再 才 很 太 更 最 等
这 那 这个 那个 这些 那些 这里 那里 这样 那样 这种 那种 此 该 各 每 某 本 我 我们 你 你们 您 他 她
它 他们 她们 它们 自己 大家 咱们 人家 什么 怎么 怎样 如何 为什么 哪 哪里 哪些 谁 吗 呢 吧 啊 呀 哦
嗯 哈 着 过 得 地 所 所以 因为 但是 但 可是 然而 如果 虽然 即使 只是 而且 并且 以及 还是 或者 然后
于是 因此 那么 的话 一下 一些 一点 一直 一个 有 没 个 上 下 中 里 内 外 前 后 时 时候 请问 您好 你好
谢谢 感谢 尊敬 领导 麻烦 希望
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())

_SEGMENTED_GAP = re.compile(r"[\u3400-\u9fff] +[\u3400-\u9fff]")
_CJK = re.compile(r"[\u3400-\u9fff]")
_WORD_CHAR = re.compile(r"\w", re.UNICODE)


def normalize(text: str) -> str:
    """Full-width letters, digits and punctuation to half-width; Latin letters lower-cased."""
    return fold_width(text).lower()


def looks_segmented(text: str) -> bool:
    """True when ``text`` is already cut into space-separated words (Chinese words with spaces between).

    Typed Chinese puts no spaces between words; a pre-segmented text has one between almost every
    word, so a space between two Chinese characters for every ten characters is a safe divide.
    """
    cjk = len(_CJK.findall(text))
    return cjk > 0 and len(_SEGMENTED_GAP.findall(text)) * 10 >= cjk


def _keep(word: str) -> bool:
    return bool(_WORD_CHAR.search(word)) and word not in STOP_WORDS


class Segmenter:
    """Cuts text into content words. ``extra_words``: place and unit names that must stay whole."""

    def __init__(self, extra_words: Iterable[str] = ()) -> None:
        self.extra_words = tuple(sorted({normalize(w).strip() for w in extra_words if w and w.strip()}))
        self._tokenizer: jieba.Tokenizer | None = None
        self._lock = threading.Lock()

    def _jieba(self) -> jieba.Tokenizer:
        # Built on first use: loading jieba's dictionary takes about a second.
        with self._lock:
            if self._tokenizer is None:
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                for word in self.extra_words:
                    if " " not in word:
                        tokenizer.add_word(word, freq=None, tag=None)
                self._tokenizer = tokenizer
        return self._tokenizer

    def words(self, text: str) -> list[str]:
        """Content words of ``text`` in order (repeats kept: counts matter to the models)."""
        text = normalize(text)
        if looks_segmented(text):
            return [word for word in text.split() if _keep(word)]
        return [word for word in (w.strip() for w in self._jieba().lcut(text, HMM=True)) if _keep(word)]

    def pieces(self, text: str) -> list[str]:
        """Every piece jieba cuts ``text`` into, in order, stop words and punctuation included."""
        return self._jieba().lcut(normalize(text), HMM=True)

    def __getstate__(self) -> dict[str, object]:
        # The jieba tokenizer is rebuilt where the object is loaded, not pickled with it.
        return {"extra_words": self.extra_words}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.extra_words = tuple(state["extra_words"])  # type: ignore[arg-type]
        self._tokenizer = None
        self._lock = threading.Lock()
