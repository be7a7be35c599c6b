"""The course map, the table of lessons in README.md and README.fa.md, built from the catalog
(and, for the Persian page, the titles and summaries of lessons/catalog_fa.py). One builder for
both: `python -m lessons course-map --write` rewrites the two tables; the tests check them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lessons import catalog


@dataclass(frozen=True)
class CourseMap:
    readme: Path
    start: str
    end: str
    header: str  # the table's first row
    page: str  # the lesson page a row links to: README.md or README.fa.md

    def row_text(self, lesson: catalog.Lesson) -> tuple[str, str]:
        if self.page == "README.fa.md":
            from lessons import catalog_fa

            persian = catalog_fa.LESSONS_FA[lesson.number]
            return persian.title, persian.summary
        return lesson.title, lesson.summary

    def table(self) -> str:
        from lessons import exercises

        lines = [self.header, "|---:|---|---|---:|"]
        for lesson in catalog.LESSONS:
            title, summary = self.row_text(lesson)
            link = f"{lesson.folder.relative_to(catalog.ROOT).as_posix()}/{self.page}"
            lines.append(f"| {lesson.number} | [{title}]({link}) | {summary} | {exercises.count(lesson)} |")
        return "\n".join(lines)

    def with_map(self, text: str) -> str:
        """`text` (the README) with its table between the markers rebuilt."""
        head, _, rest = text.partition(self.start)
        _, _, tail = rest.partition(self.end)
        return f"{head}{self.start}\n{self.table()}\n{self.end}{tail}"

    def write(self) -> str:
        """Rewrite the table in the README; returns what to tell the user."""
        text = self.readme.read_text(encoding="utf-8")
        if self.start not in text:
            raise ValueError(f"{self.readme} has no {self.start} marker.")
        self.readme.write_text(self.with_map(text), encoding="utf-8")
        return f"Course map in {self.readme.name} rewritten from the catalog ({len(catalog.LESSONS)} lessons)."


ENGLISH = CourseMap(catalog.ROOT / "README.md", "<!-- course-map:start -->", "<!-- course-map:end -->",
                    "| # | Lesson | What you learn | Exercises |", "README.md")
PERSIAN = CourseMap(catalog.ROOT / "README.fa.md", "<!-- course-map-fa:start -->", "<!-- course-map-fa:end -->",
                    "| # | درس | چه می‌آموزید | تمرین‌ها |", "README.fa.md")
