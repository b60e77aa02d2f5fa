"""What counts as a Claude client and a Claude API call (anthropic SDK 0.x-2.x)."""

from __future__ import annotations

from dataclasses import dataclass

# Canonical client class -> can it reach the Message Batches API?
_FIRST_PARTY = ("Anthropic", "AnthropicAWS", "AnthropicGoogleCloud", "AnthropicBedrockMantle")
_NO_BATCH = ("AnthropicBedrock", "AnthropicVertex", "AnthropicFoundry")

CLIENT_CLASSES: dict[str, bool] = {}
for _name in _FIRST_PARTY:
    CLIENT_CLASSES[_name] = True
    CLIENT_CLASSES["Async" + _name] = True
for _name in _NO_BATCH:
    CLIENT_CLASSES[_name] = False
    CLIENT_CLASSES["Async" + _name] = False
CLIENT_CLASSES["Client"] = True  # anthropic.Client is Anthropic
CLIENT_CLASSES["AsyncClient"] = True

_CANONICAL = {"Client": "Anthropic", "AsyncClient": "AsyncAnthropic"}


def client_class(dotted: str) -> str | None:
    """`anthropic.lib.bedrock.AnthropicBedrock` -> "AnthropicBedrock"; None if not a client."""
    if not dotted.startswith("anthropic."):
        return None
    name = dotted.rpartition(".")[2]
    if name in CLIENT_CLASSES:
        return _CANONICAL.get(name, name)
    return None


def supports_batches(client: str) -> bool:
    return CLIENT_CLASSES.get(client, True)


# Attribute steps on a client that give the same client back (when called) or
# change only how the response is returned.
CLIENT_PASSTHROUGH_CALLS = frozenset({"with_options", "copy", "with_middleware"})
RESPONSE_WRAPPERS = frozenset({"with_raw_response", "with_streaming_response"})

# Normalised SDK method path -> role.
#   "message": a billable Messages request, a batch candidate
#   "stream": a streaming Messages request (candidate only when drained in code)
#   "legacy": Text Completions (SDK 0.x), needs the Messages API before batching
SDK_METHODS = {
    "messages.create": "message",
    "messages.parse": "message",
    "beta.messages.create": "message",
    "beta.messages.parse": "message",
    "messages.stream": "stream",
    "beta.messages.stream": "stream",
    "completions.create": "legacy",
    # SDK 0.x beta namespaces, still in older eval harnesses
    "beta.prompt_caching.messages.create": "message",
    "beta.tools.messages.create": "message",
}
# Never candidates: free, already batched, or inherently turn-by-turn.
NOT_CANDIDATES = frozenset(
    {
        "messages.count_tokens",
        "beta.messages.count_tokens",
        "beta.messages.tool_runner",
        "beta.messages.thread",
    }
)


def normalise_path(path: str) -> tuple[str, bool]:
    """Drop raw/streaming-response wrappers: ("messages.create", wrapped?)."""
    parts = [p for p in path.split(".") if p]
    kept = [p for p in parts if p not in RESPONSE_WRAPPERS]
    return ".".join(kept), len(kept) != len(parts)


@dataclass(frozen=True, slots=True)
class SdkCall:
    client: str  # canonical client class, e.g. "Anthropic"
    method: str  # normalised, e.g. "messages.create"
    role: str  # see SDK_METHODS
    inferred: bool = False  # client type guessed from the call's shape

    @property
    def batchable_client(self) -> bool:
        return supports_batches(self.client)


def shape_looks_like_claude(text: str, kwargs: tuple[tuple[str, str], ...], full: bool = False) -> str | None:
    """For a receiver batchlint cannot type (an unannotated parameter, say): the
    method path if the call is spelled like a Messages request (`x.messages.create`
    with model= and max_tokens=), else None. Used in files importing anthropic;
    `full`, in other files of a project using it: only a Messages call with model,
    max_tokens and messages all named (no other SDK spells a call so)."""
    func = text[:-5] if text.endswith("(...)") else text
    names = {k for k, _ in kwargs}
    if full and not ({"model", "max_tokens", "messages"} <= names and ".messages." in f".{func}"):
        return None
    if func.endswith(".completions.create") and not func.endswith(".chat.completions.create"):
        # SDK 0.x Text Completions: max_tokens_to_sample is Anthropic's spelling alone
        return "completions.create" if "max_tokens_to_sample" in names else None
    for method in ("beta.messages.create", "beta.messages.parse", "messages.create", "messages.parse", "messages.stream"):
        if func.endswith("." + method):
            if {"model", "max_tokens"} <= names or ("messages" in names and "max_tokens" in names):
                return method
    return None
