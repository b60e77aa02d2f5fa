"""The loop calls a helper in the same module that makes the Claude call and post-processes the reply."""

import anthropic

client = anthropic.Anthropic()

STYLE = "Answer in one short sentence."


def headline(article, *, words=12):
    """Write a headline for one article."""
    prompt = f"{STYLE} Write a headline of at most {words} words for: {article}"
    reply = client.messages.create(
        model="claude-haiku-4-5",
        max_tokens=30,
        messages=[{"role": "user", "content": prompt}],
    )
    text = reply.content[0].text
    return f"{len(text.split())} words, stop={reply.stop_reason}"


ARTICLES = ["Rates held steady", "A new bridge opens", "Local team wins the cup", "Library extends hours"]


def main():
    lines = []
    for number, article in enumerate(ARTICLES):
        if "bridge" in article:
            continue
        lines.append(f"{number}: {headline(article, words=8)}")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
