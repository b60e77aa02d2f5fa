"""Desktop and terminal UIs (Tkinter, Qt, wxPython, Kivy, Flet, Textual):
a widget's callback or a UI class's method runs while a person looks at the
window, so its loop is not reported. The same loop in a script is."""

from __future__ import annotations

import textwrap

import pytest
from helpers import check, expected, run

ASK = """
import anthropic

client = anthropic.Anthropic()


def ask(text):
    return client.messages.create(model="claude-haiku-4-5", max_tokens=64, messages=[{"role": "user", "content": text}]).content[0].text
"""

UIS = {
    "tkinter-button-command": """
import tkinter as tk


def on_click():
    for line in box.get("1.0", "end").splitlines():
        out.insert("end", ask(line))


root = tk.Tk()
box = tk.Text(root)
out = tk.Text(root)
tk.Button(root, text="Go", command=on_click).pack()
root.bind("<Return>", lambda event: on_click())
root.mainloop()
""",
    "qt-signal-connect": """
from PyQt5.QtWidgets import QApplication, QPushButton, QTextEdit


class Window:
    def __init__(self):
        self.edit = QTextEdit()
        self.button = QPushButton("Go")
        self.button.clicked.connect(self.go)

    def go(self):
        for line in self.edit.toPlainText().splitlines():
            self.edit.append(ask(line))


app = QApplication([])
window = Window()
app.exec_()
""",
    "qt-widget-subclass": """
from PySide6.QtWidgets import QMainWindow


class Main(QMainWindow):
    def summarize_selection(self, lines):
        return [ask(line) for line in lines]
""",
    "textual-app-handler": """
from textual.app import App


class ChatApp(App):
    async def on_input_submitted(self, event):
        for part in event.value.split(";"):
            self.notify(ask(part))
""",
    "flet-on-click": """
import flet as ft


def main(page):
    def summarize(event):
        for line in box.value.splitlines():
            page.add(ft.Text(ask(line)))

    box = ft.TextField(multiline=True)
    page.add(box, ft.ElevatedButton("Go", on_click=summarize))


ft.app(target=main)
""",
}


@pytest.mark.parametrize("ui", list(UIS))
def test_a_loop_a_ui_callback_runs_is_not_reported(tmp_path, ui):
    result = check(tmp_path, {"app.py": ASK + textwrap.dedent(UIS[ui])})
    assert not result.findings, [f.message for f in result.findings]


SCRIPT = """

def summarize_file(path):
    for line in open(path):
        print(ask(line))  # expect: BL105


if __name__ == "__main__":
    import sys
    summarize_file(sys.argv[1])
"""


@pytest.mark.parametrize("ui", ["tkinter-button-command", "qt-signal-connect"])
def test_a_script_loop_in_the_same_file_as_a_ui_is_still_reported(tmp_path, ui):
    files = {"app.py": ASK + textwrap.dedent(UIS[ui]) + SCRIPT}
    assert run(tmp_path, files) == expected(files)
