"""List comprehension with the call inside a tuple element and an if filter."""

import anthropic

client = anthropic.Anthropic()

DOCS = [
    {"id": "a1", "lang": "en", "body": "The checkout page times out on mobile."},
    {"id": "a2", "lang": "de", "body": "Die Rechnung ist falsch."},
    {"id": "a3", "lang": "en", "body": "Please add export to CSV."},
    {"id": "a4", "lang": "fr", "body": "Livraison en retard."},
    {"id": "a5", "lang": "en", "body": "I was logged out after changing my password."},
]


def main():
    pairs = [
        (d["id"], client.messages.create(
            model="claude-haiku-4-5",
            max_tokens=30,
            messages=[{"role": "user", "content": f"Tag this ticket: {d['body']}"}],
        ).content[0].text)
        for d in DOCS
        if d["lang"] == "en"
    ]
    for doc_id, text in pairs:
        print(doc_id, len(text.split()))


if __name__ == "__main__":
    main()
