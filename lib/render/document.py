"""What every printed report shares: the typst source being written (``Doc``), the page set-up,
the cover, the table of contents, and the compilation to PDF.

Every text enters the source through ``Doc.text`` (a typst string, ``typography.shown``):
nothing anyone typed is read as markup.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, time
from pathlib import Path

from lib.i18n import translate
from lib.render.typography import day_in_words, literal, number, shown, typeset


class Doc:
    """The typst source being written, in the report's language."""

    def __init__(self, lang: str, folder: Path):
        self.lang = lang
        self.folder = folder
        self.lines: list[str] = []
        self.images = 0

    def t(self, key: str, **params) -> str:
        return translate(key, self.lang, **params)

    def text(self, value: str) -> str:
        return shown(value, self.lang)

    def day(self, value: date) -> str:
        return day_in_words(value, self.lang)

    def num(self, value: float | None, digits: int = 1, *, signed: bool = False) -> str:
        return number(value, self.lang, digits, signed=signed)

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def heading(self, level: int, value: str, *, outlined: bool = True) -> None:
        if outlined:
            self.add("", "=" * level + " " + self.text(value), "")
        else:
            self.add(
                "", f"#heading(level: {level}, outlined: false, {literal(typeset(value, self.lang))})", ""
            )

    def para(self, value: str) -> None:
        """A paragraph; blank lines in ``value`` (a typed story) start new ones."""
        for chunk in (c.strip() for c in value.replace("\r\n", "\n").split("\n\n")):
            if chunk:
                self.add(self.text(chunk), "")

    def note(self, value: str) -> None:
        self.add(f"#text(fill: luma(90), size: 9pt)[{self.text(value)}]", "")

    def table(
        self,
        header: Sequence[str],
        rows: Iterable[Sequence[str]],
        *,
        numeric_from: int = 1,
        even: bool = False,
        bars: list[str] | None = None,
        bar_title: str = "",
    ) -> None:
        """A table whose first row is a real header; columns from ``numeric_from`` align right.
        Text columns share the width, figures take what they need — or, ``even``, share it too
        (figures under long headers, such as the axes' names)."""
        n = len(header)
        align = ", ".join(["left"] * numeric_from + ["right"] * (n - numeric_from))
        texts, figures = ("2fr", "1fr") if even else ("1fr", "auto")
        widths = ", ".join([texts] * numeric_from + [figures] * (n - numeric_from))
        rows = [list(row) for row in rows]
        cells = [f"[{self.text(v)}]" for row in rows for v in row]
        heads = ", ".join(f"[#text(size: 8.5pt)[*{self.text(h)}*]]" for h in header)
        if bars is not None:  # a last column of drawings, one per row
            n += 1
            align += ", horizon"
            widths += ", 1.4fr"
            heads += f", [#text(size: 8.5pt)[*{self.text(bar_title)}*]]"
            per_row = len(header)
            cells = [
                cell
                for i in range(len(rows))
                for cell in (*cells[i * per_row : (i + 1) * per_row], f"[{bars[i]}]")
            ]
        self.add(
            "#table(",
            f"  columns: ({widths},), align: ({align},), stroke: 0.4pt + luma(180), inset: 4pt,",
            f"  table.header({heads}),",
            *(f"  {c}," for c in cells),
            ")",
            "",
        )

    def figure(self, svg: str, alt: str, *, width: str = "100%") -> None:
        self.images += 1
        name = f"chart-{self.images}.svg"
        (self.folder / name).write_text(svg, encoding="utf-8")
        self.add(f"#figure(image({literal(name)}, width: {width}, alt: {literal(alt)}))", "")

    def preamble(self, subject: str, title: str) -> None:
        """Page, text and headings; from page 2 on, ``subject`` and ``title`` head each page."""
        self.add(
            f"#set document(title: {literal(title + ' · ' + subject)}, "
            f"author: {literal(self.t('report.network'))})",
            f'#set text(lang: "{self.lang}", font: "Libertinus Serif", size: 10.5pt)',
            "#set par(justify: true, leading: 0.62em)",
            "#set table(fill: (_, y) => if y == 0 { luma(235) })",
            "#show table: set par(justify: false)",
            '#set heading(numbering: "1.1")',
            '#show heading: set text(fill: rgb("#1F4E3D"))',
            "#show heading.where(level: 1): it => { pagebreak(weak: true); v(0.4em); it; v(0.3em) }",
            '#set page(paper: "a4", margin: (x: 2.2cm, top: 2.2cm, bottom: 2.4cm), numbering: "1 / 1",',
            "  header: context { if counter(page).get().first() > 1 ["
            "#set text(size: 8.5pt, fill: luma(110)); "
            f"{self.text(subject)} #h(1fr) {self.text(title)}] }})",
            "",
        )

    def cover(self, title: str, subject: str, period: str, generated_on: date) -> None:
        self.add(
            "#page(numbering: none, header: none)[",
            "#v(3cm)",
            f"#text(size: 11pt, fill: luma(90))[{self.text(self.t('report.network'))}]",
            "#v(1.2cm)",
            f'#text(size: 26pt, weight: "bold", fill: rgb("#1F4E3D"))[{self.text(title)}]',
            "#v(0.4cm)",
            f"#text(size: 20pt)[{self.text(subject)}]",
            "#v(1cm)",
            f"#text(size: 12pt)[{self.text(period)}]",
            "",
            f"#text(size: 12pt)[{self.text(self.t('report.generated_on', date=self.day(generated_on)))}]",
            "#v(1fr)",
            f"#text(size: 9pt, fill: luma(90))[{self.text(self.t('report.cover_note'))}]",
            "]",
            "",
        )

    def outline(self) -> None:
        self.add(f"#outline(title: {literal(self.t('report.contents'))}, depth: 2)", "")


def compile_pdf(
    write: Callable[[Path], str], issued: date, progress: Callable[[float, str], None] | None = None
) -> bytes:
    """``write(folder)`` returns the typst source (its images written into ``folder``); the PDF
    as bytes, dated ``issued``. Only typst's own fonts are used and the date is the report's,
    not the clock's: the same data give the same file on every machine (the samples under
    ``docs/`` change only when the code or the demo data do)."""
    import typst

    with tempfile.TemporaryDirectory(prefix="parcours-report-") as tmp:
        folder = Path(tmp)
        main = folder / "report.typ"
        main.write_text(write(folder), encoding="utf-8")
        if progress is not None:
            progress(0.9, "report.progress.typeset")
        stamp = int(datetime.combine(issued, time(12), UTC).timestamp())
        return typst.compile(str(main), root=str(folder), ignore_system_fonts=True, timestamp=stamp)
