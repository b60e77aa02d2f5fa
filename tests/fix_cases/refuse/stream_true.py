# refuse: the response is streamed
"""create(..., stream=True) whose text deltas are accumulated in code for each item."""

import anthropic

client = anthropic.Anthropic()

QUESTIONS = ["What is DNS?", "What is TLS?", "What is a CDN?"]


def collect_answers(questions):
    answers = []
    for question in questions:
        events = client.messages.create(
            model="claude-haiku-4-5",
            max_tokens=40,
            stream=True,
            messages=[{"role": "user", "content": question}],
        )
        text = ""
        for event in events:
            if event.type == "content_block_delta" and event.delta.type == "text_delta":
                text += event.delta.text
        answers.append(text)
    return answers


def main():
    print([len(a.split()) for a in collect_answers(QUESTIONS)])


if __name__ == "__main__":
    main()
