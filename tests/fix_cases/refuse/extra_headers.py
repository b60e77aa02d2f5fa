# refuse: `extra_headers` has no per-request place
"""extra_headers= on the call cannot be carried into a batch request."""

import anthropic

client = anthropic.Anthropic()

DOCS = ["Release notes 1.2", "Release notes 1.3", "Release notes 1.4"]


def main():
    for doc in DOCS:
        resp = client.messages.create(
            model="claude-haiku-4-5",
            max_tokens=30,
            messages=[{"role": "user", "content": f"Summarize: {doc}"}],
            extra_headers={"X-Request-Source": "release-notes"},
        )
        print(doc, resp.usage.output_tokens)


if __name__ == "__main__":
    main()
