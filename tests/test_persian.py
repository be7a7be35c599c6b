"""The Persian edition: README.fa.md, each lesson's README.fa.md and docs/glossary.fa.md.

No broker here: these tests read files. A Persian lesson page carries Goal, Concepts, Run it and
Recap in Persian; its code blocks are copies of the English README's, and everything that goes
stale fastest (the transcript, Try it, Pitfalls) is a link into the English README.
"""

import re
import unicodedata
from pathlib import Path

import pytest
from helpers import ROOT

from lessons import catalog, catalog_fa, course_map, settings

LESSONS = catalog.LESSONS
HEADINGS_FA = ["هدف", "مفاهیم", "اجرا", "جمع‌بندی"]  # Goal, Concepts, Run it, Recap
ENGLISH_SECTIONS_LINKED = ["what-you-will-see", "try-it", "pitfalls"]
GLOSSARY = ROOT / "docs" / "glossary.fa.md"

# English term -> (the Persian word the glossary gives it, other renderings no page may use).
TERMS = {
    "broker": ("بروکر", ["کارگزار", "دلال"]),
    "queue": ("صف", ["کیو"]),
    "message": ("پیام", ["پیغام", "مسیج"]),
    "producer": ("تولیدکننده", ["تولید کننده", "تولیدگر"]),
    "consumer": ("مصرف‌کننده", ["مصرف کننده", "مصرف‌گر", "مصرف گر"]),
    "worker": ("ورکر", ["کارگر"]),
    "task": ("تسک", ["وظیفه", "تکلیف"]),
    "result backend": ("بک‌اند نتایج", ["بک اند", "پشتیبان نتایج"]),
    "acknowledgement (ack)": ("تأیید دریافت", ["تایید", "اعلام وصول", "تصدیق"]),
    "routing key": ("کلید مسیریابی", ["کلید روتینگ", "کلید مسیر "]),
    "exchange": ("exchange", ["اکسچنج", "مبادله‌گر", "تبادل‌گر"]),
    "binding": ("binding", ["اتصال صف", "بایندینگ"]),
    "prefetch (QoS)": ("prefetch", ["پیش‌واکشی", "پیش واکشی", "پری‌فچ"]),
    "durable": ("ماندگار", ["بادوام"]),
    "quorum queue": ("صف کوئروم", ["صف حد نصاب"]),
    "persistent message": ("پیام پایدار", []),  # ماندگار is durable's word: MEANING_ERRORS below
    "publisher confirm": ("تأیید ناشر", []),
    # Celery 5.5's soft shutdown took "soft"; warm and cold are their own words.
    "warm shutdown": ("خاموشی گرم", ["خاموشی سخت"]),
    "cold shutdown": ("خاموشی سرد", ["خاموشی سخت"]),
    "soft shutdown": ("خاموشی نرم", []),
}

# Phrases a Persian technical editor found to say something else than the English page; each
# stays fixed. (pattern in the prose, with line breaks folded to spaces; what it got wrong)
MEANING_ERRORS = [
    (r"پیام(?:‌ها|‌های)?(?: \*)? ?\*?ماندگار", "a persistent message is پیام پایدار; ماندگار is durable (queues, exchanges)"),
    (r"(?<![\u0600-\u06FF])کار کند را", "reads as 'works'; slow work is کار زمان‌بر"),
    (r"در یک صف بگذارید تا", "'put both in one queue and they wait' is a condition, not advice"),
    (r"آزمایش[^.؛]*پایین‌تر", "the experiments are shown on the English page only: name them and link there"),
]
# Every paragraph that speaks of تأیید says which one: a consumer's ack (تأیید دریافت), a
# publisher confirm (تأیید ناشر), Celery's late ack, or the English word beside it.
ACK_NAMED = re.compile(r"تأیید (?:دریافت|ناشر|دیرهنگام|خودکار)"
                       r"|(?<![a-z])(?:n?acks?|confirms?|acks_late|auto_ack|basic_ack)(?![a-z])", re.IGNORECASE)

FENCE = re.compile(r"^( *)(```+|~~~+)(.*)$")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")  # links and images


def persian_pages() -> list[Path]:
    return [ROOT / "README.fa.md", GLOSSARY, *(lesson.folder / "README.fa.md" for lesson in LESSONS)]


def code_blocks(text: str) -> list[str]:
    """Fenced blocks as (info line + body), their list indentation removed."""
    blocks, lines, current, indent, fence = [], text.splitlines(), None, 0, ""
    for line in lines:
        if current is None:
            match = FENCE.match(line)
            if match:
                indent, fence, current = len(match.group(1)), match.group(2), [match.group(3).strip()]
            continue
        if line.strip() == fence:
            blocks.append("\n".join(current))
            current = None
            continue
        current.append(line[indent:] if line[:indent].strip() == "" else line)
    return blocks


def prose(text: str) -> str:
    """The text without fenced blocks and inline code, so rules about words see only words."""
    kept, inside, fence = [], False, ""
    for line in text.splitlines():
        match = FENCE.match(line)
        if match and not inside:
            inside, fence = True, match.group(2)
            continue
        if inside:
            inside = line.strip() != fence
            continue
        kept.append(re.sub(r"`[^`]*`", "", line))
    return "\n".join(kept)


def headings(text: str) -> list[tuple[int, str]]:
    return [(len(m.group(1)), m.group(2).strip())
            for m in re.finditer(r"^(#{1,6}) (.+)$", prose(text), flags=re.M)]


def github_anchor(heading: str, seen: dict[str, int]) -> str:
    """The id GitHub gives a heading: markup dropped, lower case, punctuation removed, spaces to '-'."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link keeps its text
    text = re.sub(r"[`*_]{1,2}(?=\S)|(?<=\S)[`*_]{1,2}", "", text)
    # letters, marks (Persian's ٔ), numbers, '_', '-' and spaces stay, as github-slugger keeps them
    kept = (c for c in text.lower() if c.isalnum() or c in "_- " or unicodedata.category(c).startswith("M"))
    slug = "".join(kept).replace(" ", "-")
    count = seen.get(slug, 0)
    seen[slug] = count + 1
    return slug if count == 0 else f"{slug}-{count}"


def anchors(path: Path) -> set[str]:
    seen: dict[str, int] = {}
    return {github_anchor(title, seen) for _, title in headings(path.read_text(encoding="utf-8"))}


def broken_links(page: Path) -> list[str]:
    broken = []
    for target in LINK.findall(prose(page.read_text(encoding="utf-8"))):
        if re.match(r"[a-z]+:", target):
            continue  # http(s), mailto: the web is not this test's business
        path_part, _, anchor = target.partition("#")
        linked = (page.parent / path_part).resolve() if path_part else page
        if not linked.exists():
            broken.append(f"{target}: no such file")
        elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
            broken.append(f"{target}: {linked.name} has no heading with that anchor")
    return broken


def test_github_anchor_matches_what_github_makes():
    seen: dict[str, int] = {}
    assert github_anchor("What you will see", seen) == "what-you-will-see"
    assert github_anchor("Production settings, and why (`production.py`)", seen) == "production-settings-and-why-productionpy"
    assert github_anchor("pika (lesson 2) and kombu (this lesson), side by side", seen) == "pika-lesson-2-and-kombu-this-lesson-side-by-side"
    assert github_anchor("بدون Docker", seen) == "بدون-docker"
    assert github_anchor("نقشهٔ دوره", seen) == "نقشهٔ-دوره"
    assert github_anchor("What you will see", seen) == "what-you-will-see-1"


def test_every_catalog_lesson_has_a_persian_title_and_summary():
    numbers = [lesson.number for lesson in LESSONS]
    missing = [n for n in numbers if n not in catalog_fa.LESSONS_FA]
    assert not missing, f"lessons/catalog_fa.py lacks lessons {missing}"
    assert set(catalog_fa.LESSONS_FA) == set(numbers), "catalog_fa.py names lessons the catalog does not have"
    for number, persian in catalog_fa.LESSONS_FA.items():
        assert persian.title.strip() and persian.summary.strip(), f"lesson {number}: empty Persian title or summary"


def test_persian_course_map_matches_the_catalog():
    text = course_map.PERSIAN.readme.read_text(encoding="utf-8")
    assert course_map.PERSIAN.start in text
    assert course_map.PERSIAN.with_map(text) == text, (
        "README.fa.md's course map is out of date: run 'python -m lessons course-map --write'."
    )
    for lesson in LESSONS:
        link = lesson.folder.relative_to(ROOT).as_posix() + "/README.fa.md"
        assert f"| {lesson.number} | [{catalog_fa.LESSONS_FA[lesson.number].title}]({link}) |" in text


def test_the_two_top_readmes_link_to_each_other_at_the_top():
    english = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    persian = (ROOT / "README.fa.md").read_text(encoding="utf-8").splitlines()
    assert "(README.fa.md)" in english[0]
    assert "(README.md)" in persian[0]


def test_persian_readme_lists_every_variable_with_its_default():
    readme = (ROOT / "README.fa.md").read_text(encoding="utf-8")
    for name, (default, purpose) in settings.VARIABLES.items():
        assert f"| `{name}` | `{default}` | {purpose} |" in readme, name


def test_persian_readme_has_every_section_of_the_english_one():
    """Why, quick start, map, how a lesson works, the stack, without Docker, tests, troubleshooting."""
    titles = [title for _, title in headings((ROOT / "README.fa.md").read_text(encoding="utf-8"))]
    assert titles[1:] == ["شروع سریع", "نقشهٔ دوره", "یک درس چطور کار می‌کند", "استک", "بدون Docker",
                          "RabbitMQ 4.x کنار یک 3.10 محلی، بدون Docker", "تست‌ها", "عیب‌یابی"]
    english = [title for _, title in headings((ROOT / "README.md").read_text(encoding="utf-8"))]
    assert len(english) == len(titles), "README.md has a section README.fa.md lacks (or the other way round)"


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: f"lesson{lesson.number:02d}")
def test_lesson_has_a_persian_page_with_the_four_sections(lesson):
    page = lesson.folder / "README.fa.md"
    assert page.is_file(), f"{page.relative_to(ROOT)} is missing"
    found = headings(page.read_text(encoding="utf-8"))
    titles = [title for level, title in found if level == 1]
    assert len(titles) == 1 and titles[0].startswith(f"درس {lesson.number}: "), titles
    assert [title for level, title in found if level == 2] == HEADINGS_FA


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: f"lesson{lesson.number:02d}")
def test_persian_code_blocks_are_the_english_ones(lesson):
    page = lesson.folder / "README.fa.md"
    if not page.is_file():
        pytest.fail(f"{page.relative_to(ROOT)} is missing")
    english = code_blocks((lesson.folder / "README.md").read_text(encoding="utf-8"))
    persian = code_blocks(page.read_text(encoding="utf-8"))
    stale = [block for block in persian if block not in english]
    assert not stale, f"{page.relative_to(ROOT)}: blocks the English README no longer has:\n" + "\n---\n".join(stale)
    diagrams = [block for block in english if block.startswith("mermaid")]
    assert [block for block in persian if block.startswith("mermaid")][:1] == diagrams[:1], "the Concepts diagram"


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: f"lesson{lesson.number:02d}")
def test_persian_page_links_to_the_english_sections_it_leaves_out(lesson):
    page = lesson.folder / "README.fa.md"
    if not page.is_file():
        pytest.fail(f"{page.relative_to(ROOT)} is missing")
    targets = LINK.findall(page.read_text(encoding="utf-8"))
    english = (lesson.folder / "README.md").read_text(encoding="utf-8")
    wanted = ENGLISH_SECTIONS_LINKED + (["exercises"] if "\n## Exercises\n" in english else [])
    for anchor in wanted:
        assert f"README.md#{anchor}" in targets, f"{page.name} does not link to the English '#{anchor}'"


@pytest.mark.parametrize("page", persian_pages(), ids=lambda page: page.relative_to(ROOT).as_posix())
def test_links_in_persian_pages_resolve(page):
    if not page.is_file():
        pytest.fail(f"{page.relative_to(ROOT)} is missing")
    assert not broken_links(page)


def test_glossary_gives_each_key_term_the_word_the_pages_use():
    rows = {}
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and not set(cells[0]) <= {"-"}:
            rows.setdefault(cells[1], cells[0])
    for english, (persian, _) in TERMS.items():
        assert english in rows, f"the glossary has no row for '{english}'"
        assert persian in rows[english], f"the glossary gives '{english}' as '{rows[english]}', the pages use '{persian}'"


@pytest.mark.parametrize("page", persian_pages(), ids=lambda page: page.relative_to(ROOT).as_posix())
def test_persian_pages_keep_the_glossary_and_the_writing_rules(page):
    if not page.is_file():
        pytest.fail(f"{page.relative_to(ROOT)} is missing")
    text = prose(page.read_text(encoding="utf-8"))
    for english, (_, others) in TERMS.items():
        used = [word for word in others if word in text]
        assert not used, f"{page.name} renders '{english}' as {used}; the glossary's word is {TERMS[english][0]}"
    assert not re.findall(r"[\u06F0-\u06F9\u0660-\u0669]", text), "digits are Latin throughout (glossary intro)"
    assert not re.findall(r"[\u064A\u0643]", text), "Persian ی and ک, not the Arabic letters"
    no_zwnj = re.findall(r"(?<![\u0600-\u06FF\u200c])(?:ن?می) [\u0600-\u06FF]+|[\u0600-\u06FF] (?:ها|های)(?![\u0600-\u06FF\u200c])", text)
    assert not no_zwnj, f"a ZWNJ (U+200C) belongs in {no_zwnj}"
    assert text.count('<div dir="rtl">') == text.count("</div>"), "every RTL block is closed"


def test_persian_readme_code_blocks_are_the_english_ones():
    english = code_blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    stale = [block for block in code_blocks((ROOT / "README.fa.md").read_text(encoding="utf-8")) if block not in english]
    assert not stale, "README.fa.md has blocks README.md no longer has:\n" + "\n---\n".join(stale)


@pytest.mark.parametrize("page", persian_pages(), ids=lambda page: page.relative_to(ROOT).as_posix())
def test_commands_in_persian_prose_name_real_roles_and_modules(page):
    """The prose outside code blocks quotes commands too: they must still work after the English changes."""
    import importlib.util

    if not page.is_file():
        pytest.fail(f"{page.relative_to(ROOT)} is missing")
    text = page.read_text(encoding="utf-8")
    roles = {lesson.number: set(lesson.role_names) for lesson in LESSONS}
    for number, role in re.findall(r"make lesson-(\d+) ROLE=([\w-]+)", text):
        assert role in roles.get(int(number), set()), f"lesson {number} has no role {role}"
    for module in set(re.findall(r"(?:python -m|-A) ((?:rabbitmq_basics|celery_basics|production)(?:\.\w+)+)", text)):
        assert importlib.util.find_spec(module) is not None, f"no module {module}"


def paragraphs(text: str) -> list[str]:
    """The prose's paragraphs, list items and table rows, each as one line."""
    found, current = [], []
    for line in prose(text).splitlines():
        if not line.strip() or re.match(r"\s*(?:[-*|]|\d+\.)\s", line):
            if current:
                found.append(" ".join(current))
            current = [line.strip()] if line.strip() else []
        else:
            current.append(line.strip())
    if current:
        found.append(" ".join(current))
    return found


@pytest.mark.parametrize("page", persian_pages(), ids=lambda page: page.relative_to(ROOT).as_posix())
def test_persian_pages_say_what_the_english_ones_mean(page):
    if not page.is_file():
        pytest.fail(f"{page.relative_to(ROOT)} is missing")
    text = page.read_text(encoding="utf-8")
    folded = " ".join(line.strip() for line in prose(text).splitlines())
    for pattern, why in MEANING_ERRORS:
        found = re.search(pattern, folded)
        assert not found, f"{page.name}: '{found.group(0)}': {why}"
    vague = [para[:120] for para in paragraphs(text) if "تأیید" in para and not ACK_NAMED.search(para)]
    assert not vague, f"{page.name}: say which تأیید (تأیید دریافت or تأیید ناشر) in: {vague}"
    for para in paragraphs(text):
        if "خاموشی نرم" in para:
            assert "soft shutdown" in para or "worker_soft_shutdown_timeout" in para, (
                f"{page.name}: خاموشی نرم is Celery 5.5's soft shutdown; SIGTERM's is خاموشی گرم: {para[:120]}")


def test_persian_course_map_titles_read_as_meant():
    for number, persian in catalog_fa.LESSONS_FA.items():
        for pattern, why in MEANING_ERRORS:
            assert not re.search(pattern, persian.title + " " + persian.summary), f"lesson {number}: {why}"
