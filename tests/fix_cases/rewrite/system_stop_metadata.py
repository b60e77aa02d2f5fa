"""system= prompt plus stop_sequences and metadata keyword arguments."""

import anthropic

client = anthropic.Anthropic()

SYSTEM = "You translate support macros into plain English. Reply with the rewritten macro only."

MACROS = [
    "Pls confirm ur acct # & we'll chk.",
    "Pkg delayed d/t weather, ETA 2-3 bd.",
    "Refund issued, allow 5-7 bd to post.",
]


def main():
    for n, macro in enumerate(MACROS):
        resp = client.messages.create(
            model="claude-haiku-4-5",
            max_tokens=30,
            system=SYSTEM,
            stop_sequences=["\n\n", "END"],
            metadata={"user_id": "macro-rewriter"},
            messages=[{"role": "user", "content": macro}],
        )
        print(n, resp.stop_reason, resp.usage.output_tokens, len(resp.content[0].text.split()))


if __name__ == "__main__":
    main()
