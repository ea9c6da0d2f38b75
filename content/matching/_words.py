"""Chinese word segmentation for matching: one jieba tokenizer, loaded on first use, with the trade's words added.

jieba's dictionary takes about half a second to load, so it is loaded once, lazily and under a lock,
into a tokenizer of our own (the global one is left alone) with its start-up log silenced. Texts are
cut in search mode (电焊工 → 电焊, 焊工, 电焊工) so a person's 电焊 finds a posting's 电焊工; the same
clause recurs in thousands of vacancies, so clauses are cut once and remembered.
"""

from __future__ import annotations

import logging
import re
import threading
from functools import lru_cache
from typing import Final

import jieba

# Words jieba would split or miss: certificates and trades as vacancies and job seekers write them.
DOMAIN_WORDS: Final = (
    "叉车",
    "叉车证",
    "叉车司机",
    "电工证",
    "健康证",
    "焊工证",
    "电焊",
    "氩弧焊",
    "二保焊",
    "保安员证",
    "操作证",
    "驾驶证",
    "资格证",
    "从业资格证",
    "数控",
    "拉面",
    "面点",
    "收银",
    "理货",
    "分拣",
    "月嫂",
    "育婴",
    "挖掘机",
    "装载机",
    "行车工",
    "钢筋工",
    "架子工",
)

# Words that say nothing about what a job needs; they would only add noise to a text score.
STOP_WORDS: Final = frozenset(
    (
        "年龄", "周岁", "以上", "以下", "优先", "持有", "待遇", "相关", "工作", "经验", "要求", "具有", "能够",
        "单位", "缴纳", "提供", "法定", "节假日", "休息", "及其", "以及", "或者", "并且",
        # Sex, ethnicity and household registration must never count, even when a text mentions them.
        "男女", "不限", "男性", "女性", "男士", "女士", "限男", "限女", "民族", "汉族", "户籍", "户口", "本地",
    )
)  # fmt: skip

_CLAUSE: Final = re.compile(r"[；;。，,、\n（）()：:！!？?\s]+")
_MEANINGFUL: Final = re.compile(r"[\u4e00-\u9fffA-Za-z]")

_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None


def tokenizer() -> jieba.Tokenizer:
    """The shared tokenizer, its dictionary loaded and our words added on the first call."""
    global _tokenizer
    with _lock:
        if _tokenizer is None:
            jieba.setLogLevel(logging.WARNING)  # "Building prefix dict…" on every start is noise in a server log
            made = jieba.Tokenizer()
            made.initialize()
            for word in DOMAIN_WORDS:
                made.add_word(word)
            _tokenizer = made
        return _tokenizer


def _keep(word: str) -> bool:
    return len(word) >= 2 and word not in STOP_WORDS and _MEANINGFUL.search(word) is not None


@lru_cache(maxsize=65536)
def _clause_words(clause: str) -> tuple[str, ...]:
    return tuple(word for word in tokenizer().cut_for_search(clause) if _keep(word))


def words(text: str) -> tuple[str, ...]:
    """The words of ``text`` worth matching on, in order, repeats kept (for term frequencies)."""
    out: list[str] = []
    for clause in _CLAUSE.split(text):
        if clause:
            out.extend(_clause_words(clause))
    return tuple(out)
