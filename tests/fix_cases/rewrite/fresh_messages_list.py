"""A fresh messages list (with a prefilled assistant turn) is built per item and passed as messages=."""

import anthropic

client = anthropic.Anthropic()

TICKETS = [
    "I can't find the download link in my receipt.",
    "The discount code SPRING10 is rejected at checkout.",
    "My order shows delivered but nothing arrived.",
]


def main():
    replies = []
    for ticket in TICKETS:
        messages = [
            {"role": "user", "content": f"Classify the urgency of: {ticket}"},
            {"role": "assistant", "content": "Urgency:"},
        ]
        reply = client.messages.create(model="claude-haiku-4-5", max_tokens=12, messages=messages)
        replies.append(reply)
    for ticket, reply in zip(TICKETS, replies):
        print(ticket[:15], reply.usage.output_tokens, reply.stop_reason)


if __name__ == "__main__":
    main()
