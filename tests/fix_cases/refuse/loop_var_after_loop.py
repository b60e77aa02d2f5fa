# refuse: is read after the loop
"""With a continue filter, the loop variable's final value is read after the loop."""

import anthropic

client = anthropic.Anthropic()

DOCS = ["First memo", "", "Second memo", "Third memo", ""]


def main():
    sizes = []
    for doc in DOCS:
        if not doc:
            continue
        resp = client.messages.create(
            model="claude-haiku-4-5",
            max_tokens=30,
            messages=[{"role": "user", "content": f"Summarize: {doc}"}],
        )
        sizes.append(resp.usage.output_tokens)
    print(sizes, "last item:", repr(doc))


if __name__ == "__main__":
    main()
