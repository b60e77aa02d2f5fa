"""Label yesterday's tickets: an offline script."""

import anthropic

client = anthropic.Anthropic()

DOCS = ["Printer on fire", "", "Refund please", "Password reset loop"]


def main():
    labels = []
    for i, doc in enumerate(DOCS):
        if not doc.strip():
            continue
        prompt = f"Label this ticket: {doc.strip()}"
        resp = client.messages.create(
            model="claude-haiku-4-5",
            max_tokens=30,
            messages=[{"role": "user", "content": prompt}],
        )
        labels.append((i, resp.content[0].text))
        print(i, len(resp.content[0].text.split()), resp.stop_reason)
    print(len(labels), "labelled")


if __name__ == "__main__":
    main()
