"""`batchlint report --format html`: what a reader sees in a browser. The
structure is checked on the page's HTML; when a Chromium binary is installed,
the page is also rendered headless and the screenshot checked."""

from __future__ import annotations

import datetime
import os
import re
import shutil
import struct
import subprocess
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from batchlint.cli import main
from batchlint.output.report_html import chart_labels, inline_code, money, path_html

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


class _Page(HTMLParser):
    """The page's title, visible text, chart labels and marks."""

    def __init__(self):
        super().__init__()
        self.stack: list[str] = []
        self.title = ""
        self.text: list[str] = []
        self.labels: list[str] = []
        self.in_label = False
        self.marks = self.unsafe = self.safe = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        kind = attrs.get("class")
        self.marks += tag == "abbr" and kind == "mark"
        self.safe += tag == "span" and kind == "fix" and "title" in attrs
        self.unsafe += tag == "span" and kind == "fix unsafe" and "title" in attrs
        if tag == "text" and attrs.get("text-anchor") == "end":
            self.in_label = True
            self.labels.append("")
        if tag not in ("wbr", "br", "meta", "rect"):
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag == "text":
            self.in_label = False
        if tag in self.stack:
            while self.stack.pop() != tag:
                pass

    def handle_data(self, data):
        if self.stack[-1:] == ["title"] and "svg" not in self.stack:
            self.title += data
        elif "style" not in self.stack and "title" not in self.stack:
            self.text.append(data)
            if self.in_label:
                self.labels[-1] += data


def html_report(folder: Path, *args: str) -> str:
    old = os.getcwd()
    os.chdir(folder)
    try:
        result = CliRunner().invoke(main, ["report", "--no-cache", "-j", "1", "--format", "html", *args, "."],
                                    catch_exceptions=False)
    finally:
        os.chdir(old)
    assert result.exit_code == 0
    return result.output


@pytest.fixture(scope="module")
def fixtures_page(tmp_path_factory) -> str:
    folder = tmp_path_factory.mktemp("acme") / "acme-support"
    shutil.copytree(FIXTURES, folder)
    (folder / "pyproject.toml").write_text('[project]\nname = "acme-support"\n')
    return html_report(folder)


def _parse(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    return parser


def test_title_names_the_project_and_the_date(fixtures_page, tmp_path):
    today = datetime.date.today().isoformat()
    assert _parse(fixtures_page).title == f"batchlint savings report: acme-support, {today}"
    (tmp_path / "plain").mkdir()  # no pyproject.toml: the folder's name
    (tmp_path / "plain" / "job.py").write_text(
        "import anthropic\nc = anthropic.Anthropic()\nfor x in range(3):\n    c.messages.create(model='m', max_tokens=1, messages=[])\n")
    assert _parse(html_report(tmp_path / "plain")).title == f"batchlint savings report: plain, {today}"


def test_code_is_shown_as_code_not_backticks(fixtures_page):
    text = "".join(_parse(fixtures_page).text)
    assert "`" not in text and "client.messages.create" in text
    assert "<code>client.<wbr>messages.<wbr>create</code>" in fixtures_page
    assert inline_code("call `a.b` in `x<y>`") == "call <code>a.<wbr>b</code> in <code>x&lt;y&gt;</code>"
    assert inline_code("an odd ` tick") == "an odd ` tick"  # not a span: left as written


def test_chart_labels_stay_distinct_when_long(fixtures_page):
    labels = _parse(fixtures_page).labels
    assert len(labels) >= 10 and len(set(labels)) == len(labels)
    assert any("run_eval.py" in label for label in labels) and any("compare_vendors.py" in label for label in labels)
    prefix = "`if __name__ == \"__main__\"` block of " + "very/long/" * 8
    shown = ["".join(ch for ch, _ in label) for label in chart_labels([prefix + "one/run.py", prefix + "two/run.py", "short"])]
    assert len(set(shown)) == 3 and shown[2] == "short" and all("…" in s for s in shown[:2])
    assert chart_labels(["a `b` c"]) == [[("a", False), (" ", False), ("b", True), (" ", False), ("c", False)]]


def test_paths_break_only_after_a_slash(fixtures_page):
    assert path_html("acme/jobs/compliance.py") == '<code class="path">acme/<wbr>jobs/<wbr>compliance.py</code>'
    assert "overflow-wrap:anywhere" not in fixtures_page and "word-break:break-all" not in fixtures_page
    for path in re.findall(r'<code class="path">(.*?)</code>', fixtures_page):
        assert path.count("/") == path.count("/<wbr>"), path


def test_marks_on_defaulted_figures_and_on_what_fix_rewrites(fixtures_page):
    page = _parse(fixtures_page)
    rows = fixtures_page.count("<td class='n r'>")
    assert rows == 19
    assert 0 < page.marks and "rests on defaults: " in fixtures_page
    # the `refresh_faq` row reads every figure from the code: no mark on it
    row = next(r for r in re.findall(r"<tr><td class='n r'>\d+</td>.*?</tr>", fixtures_page) if "refresh_faq" in r)
    assert "refresh_faq" in row and 'class="mark"' not in row
    assert page.safe > 0 and page.unsafe > 0 and page.safe + page.unsafe < rows
    assert "fix can rewrite<b>" in fixtures_page


def test_nothing_is_listed_at_zero_dollars(fixtures_page):
    assert "$0.00" not in fixtures_page and "&lt;$0.01" in fixtures_page
    assert money(0) == '<span title="not priced, or nothing to save">—</span>'
    assert money(0, whole=True) == "$0"  # a total with no candidate
    assert money(0.004) == "&lt;$0.01" and money(1234.5) == "$1,234.50" and money(1234.5, whole=True) == "$1,234"


def _chromium() -> str | None:
    return next((found for name in ("chromium", "chromium-browser", "chromium-headless-shell", "google-chrome")
                 if (found := shutil.which(name))), None)


def _png_pixels(data: bytes) -> tuple[int, int, bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    chunks, at = [], 8
    while at < len(data):
        size, kind = struct.unpack(">I4s", data[at:at + 8])
        if kind == b"IDAT":
            chunks.append(data[at + 8:at + 8 + size])
        at += 12 + size
    return width, height, zlib.decompress(b"".join(chunks))


@pytest.mark.skipif(_chromium() is None, reason="no Chromium binary (apt-get install chromium); the structural tests above still run")
def test_the_page_renders_in_headless_chromium(fixtures_page, tmp_path):
    page = tmp_path / "savings.html"
    page.write_text(fixtures_page, encoding="utf-8")
    shot = tmp_path / "shot.png"
    proc = subprocess.run([_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                           f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,1600",
                           f"--screenshot={shot}", page.as_uri()], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and shot.is_file(), proc.stderr[-2000:]
    width, height, pixels = _png_pixels(shot.read_bytes())
    assert (width, height) == (1280, 1600)
    assert len(set(pixels)) > 50  # text, bars and table rules, not a blank page
    blank = tmp_path / "blank.html"
    blank.write_text("<!doctype html><title>x</title>")
    subprocess.run([_chromium(), "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / 'p2'}",
                    "--window-size=1280,1600", f"--screenshot={tmp_path / 'blank.png'}", blank.as_uri()],
                   capture_output=True, timeout=120)
    assert len(set(_png_pixels((tmp_path / "blank.png").read_bytes())[2])) < 10  # the check tells the two apart
