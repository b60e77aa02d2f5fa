"""A pure inner loop builds each prompt from the row's fields before the call."""

import anthropic

client = anthropic.Anthropic()

ROWS = [
    {"title": "Printer", "body": "It is on fire", "tags": ["hw", "urgent"]},
    {"title": "Refund", "body": "", "tags": []},
    {"title": "Login", "body": "Password reset loops", "tags": ["auth"]},
]


def main():
    for row in ROWS:
        parts = []
        for key in ("title", "body"):
            if row[key]:
                parts.append(f"{key}: {row[key]}")
        for tag in row["tags"]:
            parts.append(f"tag: {tag}")
        prompt = "\n".join(parts)
        reply = client.messages.create(
            model="claude-haiku-4-5",
            max_tokens=25,
            messages=[{"role": "user", "content": prompt}],
        )
        print(row["title"], len(parts), len(reply.content[0].text.split()))


if __name__ == "__main__":
    main()
