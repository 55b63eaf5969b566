"""What a page references, read the way a browser and a link preview read it, and every absolute
URL an answer names (body and headers)."""

import json
import re
from html.parser import HTMLParser
from urllib.parse import urljoin
from xml.etree import ElementTree

from tests.origins import origin_of

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
# <link rel=…> whose href a browser, a feed reader or a crawler fetches.
FETCHED_LINK_RELS = {
    "stylesheet",
    "icon",
    "shortcut",
    "apple-touch-icon",
    "manifest",
    "preload",
    "modulepreload",
    "alternate",
    "canonical",
    "prev",
    "next",
}
META_URLS = {"og:image", "og:url", "og:image:secure_url", "twitter:image"}
JSON_LD_URL_KEYS = {"url", "image", "logo", "contentUrl", "thumbnailUrl", "embedUrl", "item"}
# Links to files that readers and calendars open (feeds, iCal), followed like resources.
FILE_LINK = re.compile(r"(\.ics|/rss/?|/atom/?|/feed/?|\.xml)(\?.*)?$")


class References(HTMLParser):
    """Collects the URLs a page makes a browser (or a link preview) fetch."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.urls = []
        self.json_ld = []
        self._in_json_ld = False
        self._json_text = []

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        if tag in ("img", "source", "video", "audio", "iframe", "embed", "track"):
            for name in ("src", "poster"):
                if attrs.get(name):
                    self.urls.append(attrs[name])
            for name in ("srcset", "imagesrcset"):
                if attrs.get(name):
                    self.urls += srcset_urls(attrs[name])
        elif tag == "script":
            if attrs.get("src"):
                self.urls.append(attrs["src"])
            if attrs.get("type") == "application/ld+json":
                self._in_json_ld, self._json_text = True, []
        elif tag == "link":
            rels = set(attrs.get("rel", "").lower().split())
            if rels & FETCHED_LINK_RELS and attrs.get("href"):
                self.urls.append(attrs["href"])
            if attrs.get("imagesrcset"):
                self.urls += srcset_urls(attrs["imagesrcset"])
        elif tag == "meta":
            if attrs.get("property", attrs.get("name", "")) in META_URLS and attrs.get("content"):
                self.urls.append(attrs["content"])
        elif tag == "a" and FILE_LINK.search(attrs.get("href", "")):
            self.urls.append(attrs["href"])

    def handle_data(self, data):
        if self._in_json_ld:
            self._json_text.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._in_json_ld:
            self._in_json_ld = False
            self.json_ld.append(json.loads("".join(self._json_text)))


def srcset_urls(srcset):
    return [part.strip().split()[0] for part in srcset.split(",") if part.strip()]


def json_ld_urls(data):
    """The URLs a JSON-LD block names under keys a consumer fetches or links to."""
    found = []
    if isinstance(data, dict):
        for key, value in data.items():
            if key in JSON_LD_URL_KEYS and isinstance(value, str):
                found.append(value)
            elif key in JSON_LD_URL_KEYS and isinstance(value, list):
                found += [v for v in value if isinstance(v, str)]
            found += json_ld_urls(value)
    elif isinstance(data, list):
        for value in data:
            found += json_ld_urls(value)
    return found


def page_references(base_url, html):
    """Absolute URLs of everything the page references (resources, feeds, JSON-LD urls)."""
    parser = References()
    parser.feed(html)
    urls = list(parser.urls)
    for block in parser.json_ld:
        urls += json_ld_urls(block)
    resolved = [urljoin(base_url, url.strip()) for url in urls if not url.startswith("data:")]
    return [url.split("#")[0] for url in dict.fromkeys(resolved)]


def sitemap_urls(fetch, url):
    """Every <loc> and hreflang alternate of a sitemap (index), fetched with `fetch(url)`."""
    tree = ElementTree.fromstring(fetch(url).content)
    found = []
    if tree.tag == f"{SITEMAP}sitemapindex":
        for loc in tree.iter(f"{SITEMAP}loc"):
            found += sitemap_urls(fetch, loc.text.strip())
        return found
    for entry in tree.iter(f"{SITEMAP}url"):
        found.append(entry.find(f"{SITEMAP}loc").text.strip())
        found += [link.get("href") for link in entry.iter(f"{XHTML}link") if link.get("href")]
    return list(dict.fromkeys(found))


def same_origin(url, origin):
    return origin_of(url) == origin.lower()
