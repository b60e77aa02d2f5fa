"""A for loop with an else: clause that prints done."""

import anthropic

client = anthropic.Anthropic()

ROWS = [
    "SKU-100 blue mug 350ml",
    "SKU-101 red mug 350ml",
    "SKU-200 steel bottle 750ml",
]


def main():
    titles = []
    for row in ROWS:
        resp = client.messages.create(
            model="claude-haiku-4-5",
            max_tokens=20,
            messages=[{"role": "user", "content": f"Write a shop title for: {row}"}],
        )
        titles.append(resp.content[0].text)
    else:
        print("done")
    print([len(t.split()) for t in titles])


if __name__ == "__main__":
    main()
