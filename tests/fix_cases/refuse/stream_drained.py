# refuse: streams the response
"""client.messages.stream(...) whose text is accumulated in code for each item."""

import anthropic

client = anthropic.Anthropic()

TOPICS = ["solar panels", "heat pumps", "home batteries"]


def main():
    texts = []
    for topic in TOPICS:
        parts = []
        with client.messages.stream(
            model="claude-haiku-4-5",
            max_tokens=40,
            messages=[{"role": "user", "content": f"Explain {topic} briefly."}],
        ) as stream:
            for chunk in stream.text_stream:
                parts.append(chunk)
        texts.append("".join(parts))
    print([len(t.split()) for t in texts])


if __name__ == "__main__":
    main()
