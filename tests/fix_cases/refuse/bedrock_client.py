# refuse: has no Message Batches API
"""An AnthropicBedrock client has no Message Batches API."""

import anthropic

client = anthropic.AnthropicBedrock(aws_region="us-east-1")

DOCS = ["Contract renewal notice", "Security audit findings", "Vendor onboarding checklist"]


def main():
    for doc in DOCS:
        resp = client.messages.create(
            model="anthropic.claude-haiku-4-5",
            max_tokens=30,
            messages=[{"role": "user", "content": f"Summarize: {doc}"}],
        )
        print(doc, resp.usage.output_tokens)


if __name__ == "__main__":
    main()
