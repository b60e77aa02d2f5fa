"""for key, value in mapping.items(), both used in the prompt."""

import anthropic

client = anthropic.Anthropic()

GLOSSARY = {
    "SLA": "service level agreement",
    "MRR": "monthly recurring revenue",
    "NPS": "net promoter score",
    "ETA": "estimated time of arrival",
}


def main():
    explained = {}
    for abbrev, expansion in GLOSSARY.items():
        resp = client.messages.create(
            model="claude-haiku-4-5",
            max_tokens=28,
            messages=[{"role": "user", "content": f"Explain {abbrev} ({expansion}) in one sentence."}],
        )
        explained[abbrev] = len(resp.content[0].text.split())
    print(explained)


if __name__ == "__main__":
    main()
