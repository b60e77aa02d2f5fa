"""Nightly digest: a loop over tickets calling the wrapper imported by name."""

from llm import summarize

TICKETS = ["Export button broken", "Invoice shows wrong VAT", "Password reset mail never arrives"]


def main():
    digest = []
    for ticket in TICKETS:
        summary = summarize(ticket, words=10)
        digest.append(f"{ticket[:12]}: {len(summary.split())} words")
    print("\n".join(digest))


if __name__ == "__main__":
    main()
