"""The call's result is bound with a type annotation."""

import anthropic

client = anthropic.Anthropic()

CITIES = ["Lisbon", "Oslo", "Kyoto", "Montreal"]


def main():
    for city in CITIES:
        reply: anthropic.types.Message = client.messages.create(
            model="claude-haiku-4-5",
            max_tokens=25,
            messages=[{"role": "user", "content": f"One travel tip for {city}."}],
        )
        print(city, reply.usage.output_tokens, len(reply.content[0].text.split()))


if __name__ == "__main__":
    main()
