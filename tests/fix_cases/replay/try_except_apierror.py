# rounds: 1
"""The call sits in try/except anthropic.APIError inside the loop body."""

import anthropic

client = anthropic.Anthropic()

DOCS = ["Reset my password", "Cancel my order", "Upgrade my plan", "Delete my account"]


def main():
    results = []
    for doc in DOCS:
        try:
            resp = client.messages.create(
                model="claude-haiku-4-5",
                max_tokens=25,
                messages=[{"role": "user", "content": f"Route: {doc}"}],
            )
            results.append(resp.content[0].text)
        except anthropic.APIError as exc:
            results.append(f"failed: {type(exc).__name__}")
    print([len(r.split()) for r in results])


if __name__ == "__main__":
    main()
