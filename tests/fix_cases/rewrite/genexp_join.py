"""Generator expression of calls consumed by "\\n".join(...)."""

import anthropic

client = anthropic.Anthropic()

SECTIONS = ["Introduction", "Method", "Results", "Limitations", "Conclusion"]


def main():
    outline = "\n".join(
        client.messages.create(
            model="claude-haiku-4-5",
            max_tokens=20,
            messages=[{"role": "user", "content": f"One bullet for the {s} section of a report on churn."}],
        ).content[0].text
        for s in SECTIONS
    )
    lines = outline.split("\n")
    print(len(lines))
    print([len(line.split()) for line in lines])


if __name__ == "__main__":
    main()
