"""Local stand-ins for arXiv, Crossref and the Hugging Face Hub, answering in their real formats.

One HTTP server serves all three under their own prefixes (`/arxiv/api/query`, `/crossref/works/…`,
`/hf/api/models/…`), from a small catalogue of real papers of the field. Each source can be made
`down` (503), `slow` (answers after `slow_seconds`), `rate-limited` (429 with the source's own
headers) or `malformed` (a body cut short), so every failure path runs against a real socket.
Like the GitHub emulator it imports nothing from listbot.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit
from xml.sax.saxutils import escape

SOURCES = ("arxiv", "crossref", "huggingface")
MODES = ("ok", "down", "slow", "rate-limited", "malformed")
_NEW_ID = re.compile(r"\d{4}\.\d{4,5}(v\d+)?")
_OLD_ID = re.compile(r"[a-z-]+(\.[A-Z]{2})?/\d{7}(v\d+)?")


@dataclass(frozen=True)
class ArxivPaper:
    arxiv_id: str
    title: str
    authors: tuple[str, ...]
    published: str  # ISO 8601 with Z, as arXiv writes it
    summary: str = ""
    doi: str | None = None
    journal_ref: str | None = None
    comment: str | None = None
    category: str = "cs.CV"
    version: int = 1


@dataclass(frozen=True)
class CrossrefWork:
    doi: str
    title: str
    authors: tuple[tuple[str, str], ...]  # (given, family)
    issued: tuple[int, ...]
    container: str | None
    type: str = "journal-article"
    publisher: str = ""
    relation: Mapping[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)  # name -> (id-type, id)


MAIRA2_AUTHORS = (
    "Shruthi Bannur", "Kenza Bouzid", "Daniel C. Castro", "Anton Schwaighofer", "Anja Thieme",
    "Sam Bond-Taylor", "Maximilian Ilse", "Fernando Pérez-García", "Valentina Salvatelli",
    "Harshita Sharma", "Felix Meissen", "Mercy Ranjit", "Shaury Srivastav", "Julia Gong",
    "Noel C. F. Codella", "Fabian Falck", "Ozan Oktay", "Matthew P. Lungren",
    "Maria Teodora Wetscherek", "Javier Alvarez-Valle", "Stephanie L. Hyland",
)

ARXIV_PAPERS: tuple[ArxivPaper, ...] = (
    ArxivPaper(
        "2010.16056", "Generating Radiology Reports via Memory-driven Transformer",
        ("Zhihong Chen", "Yan Song", "Tsung-Hui Chang", "Xiang Wan"), "2020-10-30T03:04:18Z",
        summary="Medical imaging is frequently used in clinical practice and trials for diagnosis and treatment.",
        doi="10.18653/v1/2020.emnlp-main.112",
        comment="Natural Language Processing. 11 pages, 6 figures. EMNLP-2020", category="cs.CL", version=2,
    ),
    ArxivPaper(
        "2201.09405", "Improving Chest X-Ray Report Generation by Leveraging Warm-Starting",
        ("Aaron Nicolson", "Jason Dowling", "Bevan Koopman"), "2022-01-24T00:29:35Z",
        summary="Automatically generating a report from a patient's Chest X-Rays (CXRs) is a promising solution.",
        doi="10.1016/j.artmed.2023.102633",
        journal_ref="Artificial Intelligence in Medicine 144 (2023) 102633", version=3,
    ),
    ArxivPaper(
        "2406.04449", "MAIRA-2: Grounded Radiology Report Generation", MAIRA2_AUTHORS, "2024-06-06T19:12:41Z",
        summary="Radiology reporting is a complex task requiring detailed medical image understanding.",
        comment="68 pages, 20 figures. Updated to match the released model", category="cs.CL", version=2,
    ),
)

CROSSREF_WORKS: tuple[CrossrefWork, ...] = (
    CrossrefWork(
        "10.1016/j.artmed.2023.102633", "Improving chest X-ray report generation by leveraging warm starting",
        (("Aaron", "Nicolson"), ("Jason", "Dowling"), ("Bevan", "Koopman")), (2023, 10),
        "Artificial Intelligence in Medicine", publisher="Elsevier BV",
        relation={"has-preprint": (("arxiv", "2201.09405"),)},
    ),
    CrossrefWork(
        "10.18653/v1/2020.emnlp-main.112", "Generating Radiology Reports via Memory-driven Transformer",
        (("Zhihong", "Chen"), ("Yan", "Song"), ("Tsung-Hui", "Chang"), ("Xiang", "Wan")), (2020,),
        "Proceedings of the 2020 Conference on Empirical Methods in Natural Language Processing (EMNLP)",
        type="proceedings-article", publisher="Association for Computational Linguistics",
    ),
)

OTHER_AGENCIES = {"10.5281/zenodo.10046052": ("datacite", "DataCite")}

HF_MODELS: tuple[str, ...] = ("microsoft/maira-2", "StanfordAIMI/CheXagent-8b", "aehrc/cxrmate")


class SourcesServer:
    """The fake arXiv, Crossref and Hugging Face; `mode[source]` picks how each behaves."""

    def __init__(self, slow_seconds: float = 2.0) -> None:
        self.arxiv = {paper.arxiv_id: paper for paper in ARXIV_PAPERS}
        self.works = {work.doi.lower(): work for work in CROSSREF_WORKS}
        self.agencies = dict(OTHER_AGENCIES)
        self.models = {model.lower(): model for model in HF_MODELS}
        self.mode = dict.fromkeys(SOURCES, "ok")
        self.slow_seconds = slow_seconds
        self.requests: list[tuple[str, str]] = []  # (source, path with query)
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> SourcesServer:
        handler = _handler(self)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="sources-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> SourcesServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base(self) -> str:
        assert self._server is not None, "start() the server first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def arxiv_url(self) -> str:
        return f"{self.base}/arxiv/api/query"

    @property
    def crossref_url(self) -> str:
        return f"{self.base}/crossref"

    @property
    def hf_url(self) -> str:
        return f"{self.base}/hf"

    def env(self) -> dict[str, str]:
        """The `LISTBOT_*_API_URL` variables that point listbot at this server."""
        return {
            "LISTBOT_ARXIV_API_URL": self.arxiv_url,
            "LISTBOT_CROSSREF_API_URL": self.crossref_url,
            "LISTBOT_HF_API_URL": self.hf_url,
        }

    def count(self, source: str | None = None) -> int:
        with self._lock:
            return sum(1 for name, _ in self.requests if source in (None, name))

    # -- answers ---------------------------------------------------------------------------
    def answer(self, path: str, query: Mapping[str, list[str]]) -> tuple[str, int, dict[str, str], bytes]:
        """(source, status, headers, body) for one GET."""
        source, route = _route(path)
        if source is None:
            return "", 404, {"Content-Type": "text/plain"}, b"Not Found"
        shown = "&".join(f"{key}={values[0]}" for key, values in query.items())
        with self._lock:
            self.requests.append((source, f"{path}?{shown}" if shown else path))
        mode = self.mode[source]
        if mode == "slow":
            self._stopping.wait(self.slow_seconds)
        elif mode != "ok":
            return (source, *_fault(source, mode))
        if source == "arxiv":
            return (source, *self._arxiv(query))
        if source == "crossref":
            return (source, *self._crossref(route))
        return (source, *self._huggingface(route))

    def _arxiv(self, query: Mapping[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
        ids = [part for value in query.get("id_list", []) for part in value.split(",") if part]
        headers = {"Content-Type": "application/atom+xml; charset=utf-8"}
        bad = [arxiv_id for arxiv_id in ids if not (_NEW_ID.fullmatch(arxiv_id) or _OLD_ID.fullmatch(arxiv_id))]
        if bad:
            return 400, headers, _atom_error(ids, f"incorrect id format for {bad[0]}")
        found = [self.arxiv[key] for key in (re.sub(r"v\d+$", "", i) for i in ids) if key in self.arxiv]
        # Like arXiv: an unknown but well-formed id still counts in totalResults, with no entry.
        return 200, headers, _atom_feed(ids, len(ids), [_atom_entry(paper) for paper in found])

    def _crossref(self, route: str) -> tuple[int, dict[str, str], bytes]:
        text = {"Content-Type": "text/plain;charset=utf-8"}
        match = re.fullmatch(r"/works/(.+?)(/agency)?", route)
        if match is None:
            return 404, text, b"Resource not found."
        doi = unquote(match[1]).lower()
        work = self.works.get(doi)
        if match[2]:
            agency = ("crossref", "Crossref") if work else self.agencies.get(doi)
            if agency is None:
                return 404, text, b"Resource not found."
            message = {"DOI": doi, "agency": {"id": agency[0], "label": agency[1]}}
            return 200, _JSON, _json({"status": "ok", "message-type": "work-agency", "message-version": "1.0.0",
                                      "message": message})
        if work is None:
            return 404, text, b"Resource not found."
        return 200, _JSON | _CROSSREF_RATE, _json({
            "status": "ok", "message-type": "work", "message-version": "1.0.0", "message": _work(work),
        })

    def _huggingface(self, route: str) -> tuple[int, dict[str, str], bytes]:
        match = re.fullmatch(r"/api/models/([^/]+/[^/]+|[^/]+)", route)
        model = self.models.get(unquote(match[1]).lower()) if match else None
        if model is None:
            # The Hub answers 401 to anonymous callers for a repository that does not exist (or is private).
            headers = _JSON | {"X-Error-Code": "RepoNotFound", "X-Error-Message": "Repository not found"}
            return 401, headers, _json({"error": "Repository not found"})
        author = model.split("/")[0]
        return 200, _JSON, _json({
            "_id": "6656f0c1a3a8c1b2d4e5f601", "id": model, "modelId": model, "author": author,
            "private": False, "disabled": False, "gated": False, "downloads": 1234, "likes": 56,
            "library_name": "transformers", "tags": ["transformers", "safetensors", "radiology"],
            "pipeline_tag": "image-text-to-text", "createdAt": "2024-06-05T10:00:00.000Z",
            "lastModified": "2024-09-01T10:00:00.000Z", "sha": "0" * 40, "siblings": [],
        })


_JSON = {"Content-Type": "application/json; charset=utf-8"}
_CROSSREF_RATE = {"x-rate-limit-limit": "50", "x-rate-limit-interval": "1s", "x-concurrency-limit": "5"}


def _json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def _route(path: str) -> tuple[str | None, str]:
    for prefix, source in (("/arxiv/api/query", "arxiv"), ("/crossref", "crossref"), ("/hf", "huggingface")):
        if path == prefix or path.startswith(prefix + "/"):
            return source, path[len(prefix):]
    return None, path


def _fault(source: str, mode: str) -> tuple[int, dict[str, str], bytes]:
    if mode == "down":
        return 503, {"Content-Type": "text/html"}, b"<html><body><h1>503 Service Unavailable</h1></body></html>"
    if mode == "rate-limited":
        if source == "crossref":
            return 429, {"Content-Type": "text/plain", **_CROSSREF_RATE, "Retry-After": "60"}, b"Rate limit exceeded"
        if source == "huggingface":
            return 429, _JSON | {"Retry-After": "60"}, _json({"error": "Too Many Requests"})
        return 429, {"Content-Type": "text/plain", "Retry-After": "3"}, b"Rate exceeded."
    # malformed: a body cut off half way
    if source == "arxiv":
        return 200, {"Content-Type": "application/atom+xml"}, b'<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>Gen'
    return 200, _JSON, b'{"status": "ok", "message": {"title": ["Gen'


def _atom_feed(ids: list[str], total: int, entries: list[str]) -> bytes:
    listed = ",".join(ids)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom">\n'
        f'  <link href="http://arxiv.org/api/query?search_query%3D%26id_list%3D{escape(listed)}%26start%3D0%26'
        'max_results%3D10" rel="self" type="application/atom+xml"/>\n'
        f'  <title type="html">ArXiv Query: search_query=&amp;id_list={escape(listed)}&amp;start=0&amp;'
        'max_results=10</title>\n'
        '  <id>http://arxiv.org/api/4sP1n3VZ7kbbGQPBUW2NfJqF5zA</id>\n'
        '  <updated>2024-06-07T00:00:00-04:00</updated>\n'
        f'  <opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">{total}'
        '</opensearch:totalResults>\n'
        '  <opensearch:startIndex xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">0</opensearch:startIndex>\n'
        '  <opensearch:itemsPerPage xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">10'
        '</opensearch:itemsPerPage>\n'
        + "".join(entries)
        + "</feed>\n"
    ).encode("utf-8")


def _atom_error(ids: list[str], message: str) -> bytes:
    anchor = message.replace(" ", "_")
    entry = (
        "  <entry>\n"
        f"    <id>http://arxiv.org/api/errors#{escape(anchor)}</id>\n"
        "    <title>Error</title>\n"
        f"    <summary>{escape(message)}</summary>\n"
        "    <updated>2024-06-07T00:00:00-04:00</updated>\n"
        f'    <link href="http://arxiv.org/api/errors#{escape(anchor)}" rel="alternate" type="text/html"/>\n'
        "    <author>\n      <name>arXiv api core</name>\n    </author>\n"
        "  </entry>\n"
    )
    return _atom_feed(ids, 1, [entry])


def _wrapped(text: str) -> str:
    """arXiv wraps long titles with a newline and two spaces."""
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + len(word) > 60:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "\n  ".join([*lines, line])


def _atom_entry(paper: ArxivPaper) -> str:
    ns = 'xmlns:arxiv="http://arxiv.org/schemas/atom"'
    url = f"http://arxiv.org/abs/{paper.arxiv_id}v{paper.version}"
    parts = [
        "  <entry>\n",
        f"    <id>{url}</id>\n",
        f"    <updated>{paper.published}</updated>\n",
        f"    <published>{paper.published}</published>\n",
        f"    <title>{escape(_wrapped(paper.title))}</title>\n",
        f"    <summary>  {escape(paper.summary)}\n</summary>\n",
        *(f"    <author>\n      <name>{escape(name)}</name>\n    </author>\n" for name in paper.authors),
    ]
    if paper.doi:
        parts.append(f"    <arxiv:doi {ns}>{escape(paper.doi)}</arxiv:doi>\n")
        parts.append(f'    <link title="doi" href="http://dx.doi.org/{escape(paper.doi)}" rel="related"/>\n')
    if paper.comment:
        parts.append(f"    <arxiv:comment {ns}>{escape(paper.comment)}</arxiv:comment>\n")
    if paper.journal_ref:
        parts.append(f"    <arxiv:journal_ref {ns}>{escape(paper.journal_ref)}</arxiv:journal_ref>\n")
    parts += [
        f'    <link href="{url}" rel="alternate" type="text/html"/>\n',
        f'    <link title="pdf" href="http://arxiv.org/pdf/{paper.arxiv_id}v{paper.version}" rel="related" '
        'type="application/pdf"/>\n',
        f'    <arxiv:primary_category {ns} term="{paper.category}" scheme="http://arxiv.org/schemas/atom"/>\n',
        f'    <category term="{paper.category}" scheme="http://arxiv.org/schemas/atom"/>\n',
        "  </entry>\n",
    ]
    return "".join(parts)


def _work(work: CrossrefWork) -> dict[str, Any]:
    authors: list[dict[str, Any]] = [
        {"given": given, "family": family, "sequence": "first" if i == 0 else "additional", "affiliation": []}
        for i, (given, family) in enumerate(work.authors)
    ]
    relation = {
        name: [{"id-type": kind, "id": ident, "asserted-by": "subject"} for kind, ident in items]
        for name, items in work.relation.items()
    }
    return {
        "indexed": {"date-parts": [[2024, 6, 1]], "date-time": "2024-06-01T00:00:00Z", "timestamp": 1717200000000},
        "publisher": work.publisher,
        "DOI": work.doi,
        "type": work.type,
        "title": [work.title],
        "author": authors,
        "container-title": [work.container] if work.container else [],
        "issued": {"date-parts": [list(work.issued)]},
        "published": {"date-parts": [list(work.issued)]},
        "relation": relation,
        "URL": f"https://doi.org/{work.doi}",
        "reference-count": 42,
        "is-referenced-by-count": 17,
    }


def _handler(server: SourcesServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            _, status, headers, body = server.answer(parts.path, parse_qs(parts.query))
            try:
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:
                pass  # the client gave up (a timeout test): nothing to answer

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler
