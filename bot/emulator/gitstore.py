"""Content-addressed git object store (blobs, trees, commits) with real git SHA-1 ids."""

from __future__ import annotations

import hashlib
from collections import deque
from dataclasses import dataclass
from datetime import datetime

BLOB_MODE = "100644"
TREE_MODE = "040000"
VALID_BLOB_MODES = frozenset({"100644", "100755", "120000", "160000"})
FILE_MODES = frozenset({"100644", "100755"})  # a normal file (not a symlink, not a submodule)
SYMLINK_MODE = "120000"  # a blob holding the link's target path
SUBMODULE_MODE = "160000"  # a commit of another repository


@dataclass(frozen=True)
class Blob:
    """A file's bytes."""

    data: bytes


@dataclass(frozen=True)
class TreeEntry:
    """One entry of a tree object."""

    mode: str
    type: str  # "blob" | "tree" | "commit"
    name: str
    sha: str


@dataclass(frozen=True)
class Tree:
    """A directory listing, entries kept in git order."""

    entries: tuple[TreeEntry, ...]


@dataclass(frozen=True)
class Signature:
    """Author or committer of a commit."""

    name: str
    email: str
    date: datetime

    def encode(self) -> str:
        return f"{self.name} <{self.email}> {int(self.date.timestamp())} +0000"


@dataclass(frozen=True)
class Commit:
    """A commit object."""

    tree: str
    parents: tuple[str, ...]
    author: Signature
    committer: Signature
    message: str


GitObject = Blob | Tree | Commit
FlatTree = dict[str, tuple[str, str]]  # path -> (mode, blob sha)


def _hash(kind: str, payload: bytes) -> str:
    header = f"{kind} {len(payload)}\0".encode()
    return hashlib.sha1(header + payload, usedforsecurity=False).hexdigest()


def _tree_sort_key(entry: TreeEntry) -> bytes:
    name = entry.name.encode()
    return name + b"/" if entry.type == "tree" else name


class ObjectStore:
    """Objects of one repository, keyed by their git SHA-1."""

    def __init__(self) -> None:
        self.objects: dict[str, GitObject] = {}

    # -- writing ---------------------------------------------------------------------------
    def put_blob(self, data: bytes) -> str:
        sha = _hash("blob", data)
        self.objects.setdefault(sha, Blob(data))
        return sha

    def put_tree(self, entries: list[TreeEntry]) -> str:
        ordered = tuple(sorted(entries, key=_tree_sort_key))
        payload = b"".join(f"{e.mode.lstrip('0')} {e.name}\0".encode() + bytes.fromhex(e.sha) for e in ordered)
        sha = _hash("tree", payload)
        self.objects.setdefault(sha, Tree(ordered))
        return sha

    def put_commit(self, commit: Commit) -> str:
        lines = [f"tree {commit.tree}"]
        lines += [f"parent {p}" for p in commit.parents]
        lines.append(f"author {commit.author.encode()}")
        lines.append(f"committer {commit.committer.encode()}")
        text = "\n".join(lines) + "\n\n" + commit.message
        sha = _hash("commit", text.encode())
        self.objects.setdefault(sha, commit)
        return sha

    # -- reading ---------------------------------------------------------------------------
    def blob(self, sha: str) -> Blob | None:
        obj = self.objects.get(sha)
        return obj if isinstance(obj, Blob) else None

    def tree(self, sha: str) -> Tree | None:
        obj = self.objects.get(sha)
        return obj if isinstance(obj, Tree) else None

    def commit(self, sha: str) -> Commit | None:
        obj = self.objects.get(sha)
        return obj if isinstance(obj, Commit) else None

    def resolve_prefix(self, short: str) -> str | None:
        """Expand an abbreviated SHA (>= 7 hex chars) when unambiguous."""
        if short in self.objects:
            return short
        if len(short) < 7:
            return None
        hits = [sha for sha in self.objects if sha.startswith(short.lower())]
        return hits[0] if len(hits) == 1 else None

    # -- trees as flat path maps ----------------------------------------------------------
    def flatten(self, tree_sha: str, prefix: str = "") -> FlatTree:
        out: FlatTree = {}
        tree = self.tree(tree_sha)
        if tree is None:
            return out
        for e in tree.entries:
            path = f"{prefix}{e.name}"
            if e.type == "tree":
                out.update(self.flatten(e.sha, path + "/"))
            else:
                out[path] = (e.mode, e.sha)
        return out

    def build(self, flat: FlatTree) -> str:
        """Write the nested trees for a flat path map and return the root tree SHA."""
        children: dict[str, FlatTree] = {}
        entries: list[TreeEntry] = []
        for path, (mode, sha) in flat.items():
            head, sep, rest = path.partition("/")
            if sep:
                children.setdefault(head, {})[rest] = (mode, sha)
            else:
                kind = "commit" if mode == "160000" else "blob"
                entries.append(TreeEntry(mode, kind, head, sha))
        for name, sub in children.items():
            entries.append(TreeEntry(TREE_MODE, "tree", name, self.build(sub)))
        return self.put_tree(entries)

    def lookup(self, tree_sha: str, path: str) -> TreeEntry | None:
        """Find the entry at ``path`` (a file or a directory) below ``tree_sha``."""
        parts = [p for p in path.strip("/").split("/") if p]
        if not parts:
            return TreeEntry(TREE_MODE, "tree", "", tree_sha)
        current = tree_sha
        found: TreeEntry | None = None
        for i, part in enumerate(parts):
            tree = self.tree(current)
            if tree is None:
                return None
            found = next((e for e in tree.entries if e.name == part), None)
            if found is None:
                return None
            if i < len(parts) - 1:
                if found.type != "tree":
                    return None
                current = found.sha
        return found

    # -- history ---------------------------------------------------------------------------
    def ancestors(self, sha: str) -> set[str]:
        """``sha`` and every commit reachable from it."""
        seen: set[str] = set()
        todo = deque([sha])
        while todo:
            cur = todo.popleft()
            if cur in seen:
                continue
            seen.add(cur)
            commit = self.commit(cur)
            if commit is not None:
                todo.extend(commit.parents)
        return seen

    def is_ancestor(self, maybe_ancestor: str, sha: str) -> bool:
        return maybe_ancestor in self.ancestors(sha)

    def merge_base(self, a: str, b: str) -> str | None:
        """The nearest common ancestor of ``a`` and ``b`` (breadth-first from ``b``)."""
        ours = self.ancestors(a)
        seen: set[str] = set()
        todo = deque([b])
        while todo:
            cur = todo.popleft()
            if cur in seen:
                continue
            seen.add(cur)
            if cur in ours:
                return cur
            commit = self.commit(cur)
            if commit is not None:
                todo.extend(commit.parents)
        return None

    def log(self, head: str, stop: set[str] | None = None) -> list[str]:
        """Commits reachable from ``head`` but not from ``stop``, oldest first (by date)."""
        excluded = stop or set()
        shas = [s for s in self.ancestors(head) if s not in excluded]
        shas.sort(key=lambda s: (self.commit_or_raise(s).committer.date, s))
        # Keep parents before children when dates tie.
        order: list[str] = []
        placed: set[str] = set()

        def place(s: str) -> None:
            if s in placed or s in excluded:
                return
            placed.add(s)
            for p in self.commit_or_raise(s).parents:
                if p in shas_set:
                    place(p)
            order.append(s)

        shas_set = set(shas)
        for s in shas:
            place(s)
        return order

    def commit_or_raise(self, sha: str) -> Commit:
        commit = self.commit(sha)
        if commit is None:
            raise KeyError(sha)
        return commit


def diff_flat(old: FlatTree, new: FlatTree) -> list[tuple[str, str, str | None, str | None]]:
    """(path, status, old blob sha, new blob sha) for each changed path, sorted by path."""
    out: list[tuple[str, str, str | None, str | None]] = []
    for path in sorted(set(old) | set(new)):
        before, after = old.get(path), new.get(path)
        if before == after:
            continue
        if before is None:
            out.append((path, "added", None, after[1] if after else None))
        elif after is None:
            out.append((path, "removed", before[1], None))
        else:
            out.append((path, "modified", before[1], after[1]))
    return out
