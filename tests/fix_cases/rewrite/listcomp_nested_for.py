"""Nested-for list comprehension: one call per (topic, style) pair."""

import anthropic

client = anthropic.Anthropic()

TOPICS = ["password resets", "late deliveries", "invoice corrections"]
STYLES = ["formal", "friendly"]


def main():
    drafts = [
        client.messages.create(
            model="claude-haiku-4-5",
            max_tokens=40,
            messages=[{"role": "user", "content": f"Write a {style} help-center intro about {topic}."}],
        )
        for topic in TOPICS
        for style in STYLES
    ]
    print(len(drafts))
    for draft in drafts:
        print(draft.usage.output_tokens, len(draft.content[0].text.split()))


if __name__ == "__main__":
    main()
