"""Pure assignments (prompt, system) computed per item before the call."""

import anthropic

client = anthropic.Anthropic()

TEMPLATE = "You are a {role}. Answer in at most {limit} words."

ITEMS = [
    {"text": "Server room temperature alarm fired twice overnight.", "role": "site engineer"},
    {"text": "Quarterly revenue grew 4% while costs stayed flat.", "role": "financial analyst"},
    {"text": "Three customers asked for a Spanish translation.", "role": "product manager"},
]


def main():
    lengths = {}
    for item in ITEMS:
        doc = item["text"]
        prompt = f"Summarize: {doc}"
        system = TEMPLATE.format(role=item["role"], limit=12)
        resp = client.messages.create(
            model="claude-haiku-4-5",
            max_tokens=20,
            system=system,
            messages=[{"role": "user", "content": prompt}],
        )
        lengths[item["role"]] = len(resp.content[0].text.split())
    for role in sorted(lengths):
        print(role, lengths[role])


if __name__ == "__main__":
    main()
