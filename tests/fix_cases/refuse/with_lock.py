# refuse: is held across the call
"""The call is made while holding a lock in a with block."""

import threading

import anthropic

client = anthropic.Anthropic()

LOCK = threading.Lock()

DOCS = ["Budget memo", "Travel policy", "Security checklist"]


def main():
    for doc in DOCS:
        with LOCK:
            resp = client.messages.create(
                model="claude-haiku-4-5",
                max_tokens=30,
                messages=[{"role": "user", "content": f"Summarize: {doc}"}],
            )
        print(doc, resp.usage.output_tokens)


if __name__ == "__main__":
    main()
