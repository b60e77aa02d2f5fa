# rounds: 1
"""Each note read from its file under `with ... as f`; after the loop the
lengths are written and read back through a new `with ... as f`, which binds
`f` before anything reads it: the loop's last file is never seen."""

import os
import tempfile

import anthropic

client = anthropic.Anthropic()


def ask(text):
    return client.messages.create(
        model="claude-haiku-4-5",
        max_tokens=20,
        messages=[{"role": "user", "content": f"Summarize {text}"}],
    )


def main():
    folder = tempfile.mkdtemp()
    names = []
    for number, text in enumerate(["a memo", "a letter", "a note"]):
        names.append(os.path.join(folder, f"{number}.txt"))
        with open(names[-1], "w") as handle:
            handle.write(text)
    lengths = []
    for name in names:
        with open(name) as f:
            lengths.append(len(ask(f.read()).content[0].text))
    with open(os.path.join(folder, "lengths.txt"), "w") as f:
        f.write(repr(lengths))
    with open(os.path.join(folder, "lengths.txt")) as f:
        print(f.read())


if __name__ == "__main__":
    main()
