# rounds: 1
"""A module-level loop: a filter with `continue` and a print before the
call, a counter the body adds to, and a dict filled per item."""

import anthropic

client = anthropic.Anthropic()

REVIEWS = ["Great blender", "", "Broke after a week", "   ", "Works as described"]
summaries = {}
skipped = 0

for review in REVIEWS:
    if not review.strip():
        skipped += 1
        continue
    print("reviewing", review)
    reply = client.messages.create(
        model="claude-haiku-4-5",
        max_tokens=20,
        messages=[{"role": "user", "content": f"One-word sentiment: {review}"}],
    )
    print("reviewed", review)
    summaries[review] = reply.usage.output_tokens

print(summaries, "skipped", skipped)
