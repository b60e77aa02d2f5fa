# rounds: 1
"""Subjects, then the questions of each subject: two loop levels, each
answer kept with its subject."""

import anthropic

client = anthropic.Anthropic()

DATA = {
    "math": [{"q": "2+2"}, {"q": "5*5"}],
    "history": [{"q": "Who built the pyramids?"}],
    "art": [{"q": "Who painted the Mona Lisa?"}, {"q": "What is fresco?"}],
}


def ask(question):
    return client.messages.create(
        model="claude-haiku-4-5",
        max_tokens=20,
        messages=[{"role": "user", "content": question}],
    )


def main():
    lengths = []
    for subject in DATA:
        for each in DATA[subject]:
            lengths.append((subject, len(ask(each["q"]).content[0].text)))
    print(lengths)


if __name__ == "__main__":
    main()
