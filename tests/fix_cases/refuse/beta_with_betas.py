# refuse: `betas=` applies to a whole batch
"""client.beta.messages.create(..., betas=[...]) in a loop: the beta header has no place in a batch request's params."""

import anthropic

client = anthropic.Anthropic()

DOCS = ["Design doc A", "Design doc B", "Design doc C"]


def main():
    for doc in DOCS:
        resp = client.beta.messages.create(
            model="claude-haiku-4-5",
            max_tokens=30,
            betas=["context-management-2025-06-27"],
            messages=[{"role": "user", "content": f"Review {doc}"}],
        )
        print(doc, resp.usage.output_tokens)


if __name__ == "__main__":
    main()
