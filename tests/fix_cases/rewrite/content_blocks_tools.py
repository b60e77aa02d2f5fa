"""Messages with a list of content blocks and a tools= definition."""

import anthropic

client = anthropic.Anthropic()

TOOLS = [
    {
        "name": "lookup_order",
        "description": "Look up an order by its number.",
        "input_schema": {
            "type": "object",
            "properties": {"order_id": {"type": "string"}},
            "required": ["order_id"],
        },
    }
]

TICKETS = [
    ("Order 4411", "Where is my order? It has been ten days."),
    ("Order 4520", "The wrong size was delivered."),
    ("Order 4630", "Can I still change the shipping address?"),
]


def main():
    for subject, body in TICKETS:
        resp = client.messages.create(
            model="claude-haiku-4-5",
            max_tokens=40,
            tools=TOOLS,
            messages=[{
                "role": "user",
                "content": [
                    {"type": "text", "text": f"Subject: {subject}"},
                    {"type": "text", "text": body},
                ],
            }],
        )
        print(subject, resp.stop_reason, len(resp.content[0].text.split()))


if __name__ == "__main__":
    main()
