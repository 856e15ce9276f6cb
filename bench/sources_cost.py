"""What the sources add per submission: extra requests, time, and arXiv's pacing.

Usage: .venv/bin/python bench/sources_cost.py

Runs the adapters against the local fake arXiv/Crossref/Hub (`bot.emulator.sources`) and the
GitHub API emulator (for the code-link lookup through the installation token), for a mix of real
papers of the field: arXiv-only links, a journal DOI, a code link and a model link. It prints
requests and time per submission cold (nothing cached), warm (the same identifiers again, as a
resync does), and the wait arXiv's one-request-every-three-seconds rule adds to a burst. Then,
end to end through the emulator and a running listbot, the wall time and GitHub calls per new
submission with the sources off and on (arXiv link with every field given, and with only the
link). It asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.core.lookups import Wanted  # noqa: E402
from bot.emulator import GitHubEmulator  # noqa: E402
from bot.emulator.sources import ArxivPaper, SourcesServer  # noqa: E402
from bot.gateway.repos import public_client, repository_facts  # noqa: E402
from bot.sources.gather import Sources, SourceSettings  # noqa: E402
from tests.deployment import Deployment, deployed  # noqa: E402

E2E_SUBMISSIONS = 4

SUBMISSIONS = (
    Wanted(arxiv="2010.16056", repo="cuhksz-nlp/R2Gen"),
    Wanted(doi="10.1016/j.artmed.2023.102633", repo="aehrc/cvt2distilgpt2"),
    Wanted(arxiv="2406.04449", model="microsoft/maira-2"),
    Wanted(arxiv="2201.09405"),
)


def run(sources: Sources, wanted: list[Wanted], lookup_repo: object) -> tuple[int, float, list[float]]:
    """Requests sent, total seconds and seconds per submission for one pass over `wanted`."""
    before = sources.stats.requests
    each: list[float] = []
    began = time.perf_counter()
    for item in wanted:
        start = time.perf_counter()
        sources.gather(item, repo_lookup=lookup_repo)  # type: ignore[arg-type]
        each.append(time.perf_counter() - start)
    return sources.stats.requests - before, time.perf_counter() - began, each


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args(argv)
    wanted = list(SUBMISSIONS)
    with GitHubEmulator() as github, SourcesServer() as fake:
        github.register_app(app_id=1, slug="listbot")
        github.create_repo("octo", "list", {"list/README.md": "# List\n"})
        for owner, name in (("cuhksz-nlp", "R2Gen"), ("aehrc", "cvt2distilgpt2")):
            github.create_repo(owner, name, {"README.md": "code\n"})
        client = public_client(github.url, github.installation_token(github.install("octo", ["list"])))

        def lookup_repo(name: str) -> object:
            return repository_facts(client, name)

        settings = SourceSettings(fake.arxiv_url, fake.crossref_url, fake.hf_url, arxiv_interval=0)
        sources = Sources(settings)
        github.reset_requests()
        cold_requests, cold_seconds, cold_each = run(sources, wanted, lookup_repo)
        github_cold = len(github.requests)
        warm_requests, warm_seconds, _ = run(sources, wanted, lookup_repo)
        paced = Sources(SourceSettings(fake.arxiv_url, fake.crossref_url, fake.hf_url, arxiv_interval=3.0))
        burst = [Wanted(arxiv=paper) for paper in ("2010.16056", "2201.09405", "2406.04449")]
        _, paced_seconds, _ = run(paced, burst, None)

    print_adapters(len(wanted), cold_requests, github_cold, cold_seconds, cold_each, warm_requests, warm_seconds,
                   paced_seconds)
    print_end_to_end()
    return 0


def bench_paper(i: int) -> ArxivPaper:
    return ArxivPaper(f"2404.{40000 + i}", f"Bench Paper {i}: Grounded Report Generation",
                      ("Jane Doe", "Kim Lee", "Ana Ruiz"), f"2024-04-{10 + i:02d}T12:00:00Z")


def file_papers(listbot: Deployment, only_the_link: bool, start: int) -> tuple[float, int]:
    """Seconds per submission (filing to settled) and GitHub calls per submission."""
    listbot.github.reset_requests()
    began = time.perf_counter()
    for i in range(start, start + E2E_SUBMISSIONS):
        paper = bench_paper(i)
        given = {"title": None, "authors": None, "venue": None, "date": None} if only_the_link else {
            "title": paper.title, "authors": "J. Doe, K. Lee, et al.", "venue": "arXiv", "date": paper.published[:10]}
        listbot.file_issue(**given, paper_url=f"https://arxiv.org/abs/{paper.arxiv_id}", code_url=None)
    calls = sum(1 for r in listbot.github.requests if r.auth in {"installation", "jwt"})
    return (time.perf_counter() - began) / E2E_SUBMISSIONS, round(calls / E2E_SUBMISSIONS)


def print_end_to_end() -> None:
    with SourcesServer() as fake:
        fake.arxiv.update({paper.arxiv_id: paper for paper in map(bench_paper, range(3 * E2E_SUBMISSIONS))})
        with GitHubEmulator() as github, deployed(github) as listbot:
            listbot.file_issue(code_url=None)  # a warm installation token
            off, off_calls = file_papers(listbot, only_the_link=False, start=0)
        on_settings = SourceSettings(fake.arxiv_url, fake.crossref_url, fake.hf_url, arxiv_interval=0)
        with GitHubEmulator() as github, deployed(github, sources=on_settings) as listbot:
            listbot.file_issue(code_url=None)
            on, on_calls = file_papers(listbot, only_the_link=False, start=E2E_SUBMISSIONS)
            filled, filled_calls = file_papers(listbot, only_the_link=True, start=2 * E2E_SUBMISSIONS)
            arxiv_requests = fake.count("arxiv")
    print(f"end to end, {E2E_SUBMISSIONS} new arXiv submissions each (wall time to settled, incl. the harness's "
          "quiet period; GitHub calls by the bot):")
    print(f"  sources off:               {off * 1000:.0f} ms, {off_calls} GitHub calls per submission")
    print(f"  sources on, fields given:  {on * 1000:.0f} ms, {on_calls} GitHub calls per submission")
    print(f"  sources on, only the link: {filled * 1000:.0f} ms, {filled_calls} GitHub calls per submission")
    print(f"  arXiv requests: {arxiv_requests} for {2 * E2E_SUBMISSIONS + 1} submissions (one per new paper; "
          "later reconciles of the same issue hit the cache)")


def print_adapters(
    n: int, cold_requests: int, github_cold: int, cold_seconds: float, cold_each: list[float], warm_requests: int,
    warm_seconds: float, paced_seconds: float,
) -> None:
    print(f"{n} submissions of different papers, local fake sources and GitHub emulator")
    print(f"first look: {cold_requests} requests ({cold_requests / n:.2f} per submission, {github_cold} to "
          f"GitHub), {cold_seconds * 1000 / n:.1f} ms per submission "
          f"(p50 {statistics.median(cold_each) * 1000:.1f} ms, max {max(cold_each) * 1000:.1f} ms)")
    print(f"warm (a resync): {warm_requests} requests, {warm_seconds * 1000 / n:.2f} ms per submission")
    print(f"arXiv pacing: 3 new arXiv papers in a row take {paced_seconds:.1f} s (one request every 3 s; "
          "cached papers never wait)")


if __name__ == "__main__":
    sys.exit(main())
