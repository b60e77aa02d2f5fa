# refuse: `return` inside the loop
"""Returns from inside the loop as soon as a reply is long enough."""

import anthropic

client = anthropic.Anthropic()

CANDIDATES = ["Tagline for a bakery", "Tagline for a bike shop", "Tagline for a bookshop"]


def first_long_tagline(prompts):
    for prompt in prompts:
        resp = client.messages.create(
            model="claude-haiku-4-5",
            max_tokens=30,
            messages=[{"role": "user", "content": prompt}],
        )
        text = resp.content[0].text
        if len(text.split()) > 14:
            return prompt, text
    return None, ""


def main():
    prompt, text = first_long_tagline(CANDIDATES)
    print(prompt, len(text.split()))


if __name__ == "__main__":
    main()
