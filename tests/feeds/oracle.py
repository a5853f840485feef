"""feedparser's reading of its own test corpus: the oracle of
crates/warta-ingest/tests/feedparser_corpus.rs.

Usage: python oracle.py CORPUS_DIR > oracle.json
(CORPUS_DIR is the `tests/` folder of feedparser's sdist; the python is the
venv that scripts/fetch-feedparser-corpus made, with the same feedparser.)

For every `.xml` file, one JSON object keyed by its path relative to
CORPUS_DIR:
  feed_title  the feed's own title, as text (see below)
  entries   how many entries feedparser found
  articles  the entries that have a title or a link and a body (content or
            summary), each as {"title", "link"}: what a newsroom would import
  content_type  the `Header: Content-type:` the file asks feedparser's own
            test server to send (tests/runtests.py), also handed to
            feedparser here, so both parsers see the same HTTP charset
  bozo      feedparser's "this was not well-formed" flag, and its reason
  encoding  the encoding feedparser read the bytes in

Titles are compared as text: feedparser keeps an HTML title (Atom
type="html"/"xhtml") as markup, warta stores a headline as plain text, so
such a title is reduced to its text here (html.parser, entities decoded);
whitespace runs become one space on both sides.
"""

import html.parser
import json
import os
import re
import sys

import feedparser

# As tests/runtests.py's test server reads the headers a file asks for.
HEADER = re.compile(rb"^Header:\s+([^:]+):(.+)$", re.MULTILINE)


class _Text(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)


def squash(s):
    return " ".join(s.split())


def title_text(entry):
    """An entry's (or the feed's) title as text."""
    title = entry.get("title", "") or ""
    detail = entry.get("title_detail") or {}
    if "html" in (detail.get("type") or ""):
        p = _Text()
        p.feed(title)
        p.close()
        title = "".join(p.parts)
    return squash(title)


def body(entry):
    for c in entry.get("content") or []:
        if (c.get("value") or "").strip():
            return True
    return bool((entry.get("summary") or "").strip())


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    headers = {
        k.decode("utf-8").strip().lower(): v.decode("utf-8").strip()
        for k, v in HEADER.findall(data)
    }
    content_type = headers.get("content-type")
    response_headers = {"content-type": content_type} if content_type else None
    d = feedparser.parse(data, response_headers=response_headers)
    articles = []
    for e in d.entries:
        title, link = title_text(e), (e.get("link") or "").strip()
        if (title or link) and body(e):
            articles.append({"title": title, "link": link})
    return {
        "feed_title": title_text(d.feed),
        "entries": len(d.entries),
        "articles": articles,
        "content_type": content_type,
        "bozo": bool(d.get("bozo")),
        "bozo_exception": str(d.get("bozo_exception", "")) or None,
        "encoding": d.get("encoding"),
    }


def main(root):
    out = {}
    for dirpath, _, files in os.walk(root):
        for name in files:
            if name.endswith(".xml"):
                path = os.path.join(dirpath, name)
                out[os.path.relpath(path, root).replace(os.sep, "/")] = read(path)
    json.dump(dict(sorted(out.items())), sys.stdout, ensure_ascii=False, indent=0)


if __name__ == "__main__":
    main(sys.argv[1])
