"""Limits and the SDK's own `create` functions, captured when the runtime is imported."""

from __future__ import annotations

import collections
import logging

from anthropic.resources.beta.messages import AsyncMessages as AsyncBetaMessages
from anthropic.resources.beta.messages import Messages as BetaMessages
from anthropic.resources.messages import AsyncMessages, Messages

__version__ = 3

log = logging.getLogger("claude_batch")

MAX_REQUESTS = 100_000  # per batch (API limit)
MAX_BYTES = 200_000_000  # per batch: under the API's 256 MB, with room to spare
RETRYABLE = frozenset({"expired", "api_error", "overloaded_error",
                       "rate_limit_error", "timeout_error"})
USAGE_FIELDS = ("input_tokens", "output_tokens",
                "cache_creation_input_tokens", "cache_read_input_tokens")

# The SDK's own `create` functions, captured at import: a test that patches
# `Messages.create` replaces them, and then must get its patched call.
_ASYNC = (AsyncMessages, AsyncBetaMessages)
_SDK_CREATE = {cls: cls.create for cls in (Messages, BetaMessages, *_ASYNC)}

_Request = collections.namedtuple("_Request", "index item params custom_id hash n size")
