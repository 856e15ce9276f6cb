"""The Hugging Face Hub API (`/api/models/{id}`): does a model exist, and its id as the Hub spells it.

Facts from the API: a model answers 200 with JSON carrying `id` (`owner/name`), `private`,
`gated`, `tags` …; a model that does not exist, or is private, answers 401 (anonymous callers)
or 404 with `{"error": "Repository not found"}` and the header `X-Error-Code: RepoNotFound`.
"""

from __future__ import annotations

from urllib.parse import quote

from bot.core.lookups import HUGGING_FACE, Lookup, ModelFacts, Status
from bot.sources.http import Unavailable, get, status_detail

DEFAULT_URL = "https://huggingface.co"


class HuggingFaceSource:
    def __init__(self, base_url: str, timeout: float) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def lookup(self, model_id: str) -> Lookup[ModelFacts]:
        try:
            answer = get(f"{self.base_url}/api/models/{quote(model_id, safe='/')}", self.timeout)
            if answer.status in {401, 404}:
                return Lookup(HUGGING_FACE, model_id, Status.MISSING)
            if answer.status != 200:
                raise Unavailable(status_detail(answer))
            data = answer.json()
            found = data.get("id") if isinstance(data, dict) else None
            if not isinstance(found, str) or ("/" not in found and "/" in model_id):
                raise Unavailable("an answer without the model's `id`")
            return Lookup(HUGGING_FACE, model_id, Status.FOUND, ModelFacts(found))
        except Unavailable as error:
            return Lookup(HUGGING_FACE, model_id, Status.UNAVAILABLE, detail=error.detail)
