"""Claude through other client surfaces: LangChain's ChatAnthropic, LiteLLM,
instructor, and the OpenAI SDK pointed at Anthropic's OpenAI-compatible
endpoint. The same contexts apply to their calls as to the SDK's; what differs
is the remedy: the Message Batches discount needs the Anthropic SDK's batch
API (or the framework's own batch support where it has one), so the finding
says so and `batchlint fix`, which writes Anthropic SDK code, refuses.

Values come from Project.value(): an external instance collapses to its class
(`langchain_anthropic.ChatAnthropic.invoke`), a call on an external function
keeps its parentheses (`instructor.from_anthropic().messages.create`)."""

from __future__ import annotations

from dataclasses import dataclass

from .clients import SdkCall

# The symbolic name the indexer gives `OpenAI(base_url="https://api.anthropic.com/v1/")`
# (index_names.py), so that its calls resolve like a client's.
OPENAI_COMPAT = "anthropic_openai_compat.OpenAI"
ANTHROPIC_HOSTS = ("api.anthropic.com",)
# The anthropic SDK pointed at another provider's Anthropic-compatible endpoint
# (`base_url="https://api.minimaxi.com/anthropic"`): a name no rule knows, so no Claude call
OTHER_PROVIDER = "anthropic_compatible_endpoint"


@dataclass(frozen=True)
class Surface:
    client: str  # as shown in findings (evidence, JSON "client")
    remedy: str  # what gets the batch discount; also why `fix` refuses


LANGCHAIN = Surface(
    "langchain_anthropic.ChatAnthropic",
    "LangChain's batch()/abatch() only run requests concurrently; the batch discount needs the Anthropic SDK's "
    "Message Batches API (client.messages.batches.create), which batchlint fix does not write for LangChain code",
)
LITELLM = Surface(
    "litellm",
    "completion()/batch_completion() send one request per prompt at the full price; the batch discount needs Message "
    "Batches: the Anthropic SDK's (client.messages.batches.create) or LiteLLM's own batch API where it supports "
    "Anthropic; batchlint fix writes Anthropic SDK code only",
)
INSTRUCTOR = Surface(
    "instructor.from_anthropic",
    "the batch discount needs the Anthropic SDK's Message Batches API (client.messages.batches.create), with the "
    "structured output parsed from each result; batchlint fix does not rewrite instructor calls",
)
OPENAI_COMPATIBLE = Surface(
    "openai.OpenAI (api.anthropic.com)",
    "Anthropic's OpenAI-compatible endpoint has no batch API; the batch discount needs the Anthropic SDK's Message "
    "Batches API (anthropic.Anthropic().messages.batches.create), which batchlint fix does not write for OpenAI SDK code",
)
SURFACES = {s.client: s for s in (LANGCHAIN, LITELLM, INSTRUCTOR, OPENAI_COMPATIBLE)}

_LANGCHAIN_CLASSES = ("ChatAnthropic", "ChatAnthropicMessages", "AnthropicLLM")
_LANGCHAIN_METHODS = frozenset({"invoke", "ainvoke", "batch", "abatch", "predict", "apredict", "generate",
                                "agenerate", "predict_messages", "__call__"})
_LITELLM_FUNCTIONS = frozenset({"completion", "acompletion", "batch_completion", "text_completion"})
_INSTRUCTOR_METHODS = frozenset({"create", "create_with_completion", "acreate"})
_OPENAI_METHODS = frozenset({"chat.completions.create", "chat.completions.parse", "beta.chat.completions.parse",
                             "completions.create", "responses.create"})


def remedy(client: str) -> str:
    """Why this surface's calls need other code for the batch discount ('' for the SDK's own)."""
    surface = SURFACES.get(client)
    return surface.remedy if surface is not None else ""


def is_claude_model(text: str) -> bool:
    """A model argument naming Claude: `"anthropic/claude-..."`, `"claude-..."`."""
    model = text.strip("'\"").lower()
    return model.startswith(("anthropic/", "claude", "bedrock/anthropic.", "vertex_ai/claude"))


def surface_call(name: str, site_kwargs: tuple[tuple[str, str], ...], model: str) -> SdkCall | None:
    """The SdkCall for a resolved external name, or None. `model` is the model the
    call names (resolved from a module constant when the indexer could)."""
    head, _, method = name.rpartition(".")
    # LangChain: ChatAnthropic(...).invoke(...), .with_structured_output(X).invoke(...)
    if head.startswith("langchain") and method in _LANGCHAIN_METHODS:
        class_part = head.split(".")
        if any(part.partition("(")[0] in _LANGCHAIN_CLASSES for part in class_part):
            return SdkCall(LANGCHAIN.client, method, "message")
    # LiteLLM: completion(model="anthropic/claude-..."), Router().completion(...)
    if head.split(".")[0] == "litellm" and method in _LITELLM_FUNCTIONS:
        written = dict(site_kwargs).get("model", "")
        if is_claude_model(model or written):
            return SdkCall(LITELLM.client, method, "message")
        return None
    # instructor.from_anthropic(anthropic.Anthropic()).messages.create(response_model=...)
    if name.startswith(("instructor.from_anthropic().", "instructor.client.from_anthropic().")):
        if method in _INSTRUCTOR_METHODS:
            path = name.partition("().")[2]
            return SdkCall(INSTRUCTOR.client, path, "message")
    return None


def names_claude_client(name: str) -> bool:
    """An external value that is a Claude client of another surface:
    `langchain_anthropic.ChatAnthropic`, `instructor.from_anthropic()`, the
    OpenAI SDK at Anthropic's endpoint."""
    if name.startswith("langchain"):
        return any(part.partition("(")[0] in _LANGCHAIN_CLASSES for part in name.split("."))
    return name.startswith((OPENAI_COMPAT, "instructor.from_anthropic(", "instructor.client.from_anthropic("))


def sends_concurrently(name: str) -> bool:
    """A call that sends one request per input at once (LangChain's `batch()` /
    `abatch()`, LiteLLM's `batch_completion()`): a fan-out by itself."""
    head, _, method = name.rpartition(".")
    if method in ("batch", "abatch") and head.startswith("langchain"):
        return any(part.partition("(")[0] in _LANGCHAIN_CLASSES for part in head.split("."))
    return head.split(".")[0] == "litellm" and method == "batch_completion"


def openai_compat_call(path: str) -> SdkCall | None:
    """A call on an OpenAI client pointed at Anthropic's endpoint."""
    return SdkCall(OPENAI_COMPATIBLE.client, path, "message") if path in _OPENAI_METHODS else None
