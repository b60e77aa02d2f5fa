# rounds: 1
"""Each item retries its call in an inner `for attempt` loop that breaks on
success; errors are counted."""

import anthropic

client = anthropic.Anthropic()


def main():
    topics = ["tides", "volcanoes", "glaciers"]
    lengths, failures = [], 0
    for topic in topics:
        for attempt in range(3):
            try:
                reply = client.messages.create(
                    model="claude-haiku-4-5",
                    max_tokens=25,
                    messages=[{"role": "user", "content": f"One fact about {topic}"}],
                )
                lengths.append(len(reply.content[0].text))
                break
            except anthropic.APIStatusError:
                failures += 1
    print(lengths, failures)


if __name__ == "__main__":
    main()
