# rounds: 1
"""A print() before the call in the loop body would run before any request is sent."""

import anthropic

client = anthropic.Anthropic()

DOCS = ["Order 12 arrived damaged.", "Need a copy of my invoice.", "App crashes on login."]


def main():
    for doc in DOCS:
        print("processing", doc)
        resp = client.messages.create(
            model="claude-haiku-4-5",
            max_tokens=30,
            messages=[{"role": "user", "content": f"Label: {doc}"}],
        )
        print(len(resp.content[0].text.split()))


if __name__ == "__main__":
    main()
