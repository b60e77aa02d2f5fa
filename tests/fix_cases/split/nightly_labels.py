"""A nightly job that labels tickets: --split makes submit_label_tickets() and collect_label_tickets()."""

import sys

import anthropic

client = anthropic.Anthropic()

CRONJOBS = [("0 3 * * *", "nightly_labels.label_tickets")]


def tickets(n):
    return [f"Ticket {i}: the export button does nothing on page {i * 3}" for i in range(n)]


def label_tickets(limit, *, prefix="label"):
    """Label today's tickets."""
    rows = tickets(limit)
    labels = {}
    for number, row in enumerate(rows):
        if number == 2:
            continue
        reply = client.messages.create(
            model="claude-haiku-4-5",
            max_tokens=12,
            messages=[{"role": "user", "content": f"Label this ticket: {row}"}],
        )
        labels[number] = f"{prefix}-{len(reply.content[0].text.split())}"
    print(sorted(labels.items()))
    return len(labels)


if __name__ == "__main__":
    if sys.argv[1:] == ["submit"]:
        print(",".join(submit_label_tickets(5, prefix="tag")))  # noqa: F821 - exists once rewritten
    elif sys.argv[1:2] == ["collect"]:
        print(collect_label_tickets(sys.argv[2].split(","), 5, prefix="tag"))  # noqa: F821
    else:
        print(label_tickets(5, prefix="tag"))
