"""Video players from oEmbed providers, reduced to what the site's Content Security Policy allows.

Providers answer with HTML of their choosing: YouTube with an <iframe>, Facebook with an <iframe>
carrying a style attribute, TikTok with a <blockquote> and its own script. Pages keep only the
<iframe> players of hosts in CSP_FRAME_HOSTS (TikTok's video id becomes its iframe player), with
no style attribute; anything else gives "" and the page shows a plain link instead.
"""

from bs4 import BeautifulSoup
from django.conf import settings
from django.utils.safestring import mark_safe

from config.csp import origin

TIKTOK_PLAYER = "https://www.tiktok.com/player/v1/{}"
# Attributes a player keeps; sizes come from the stylesheet.
KEPT_ATTRIBUTES = ("src", "title", "allow", "allowfullscreen", "referrerpolicy", "loading")


def allowed_frame(src):
    return bool(src) and origin(src) in {origin(host) for host in settings.CSP_FRAME_HOSTS}


def framed_players(html):
    """The provider's players as bare iframes the policy allows, or "" when there are none."""
    if not html:
        return ""
    soup = BeautifulSoup(html, "html.parser")
    players = []
    for element in soup.find_all(["iframe", "blockquote"]):
        if element.name == "blockquote":
            video_id = element.get("data-video-id", "")
            if "tiktok-embed" not in element.get("class", []) or not video_id.isdigit():
                continue
            src, classes = TIKTOK_PLAYER.format(video_id), ["embed-portrait"]
        else:
            src, classes = element.get("src", ""), []
        if not allowed_frame(src):
            continue
        player = soup.new_tag("iframe")
        player["src"] = src
        for name in KEPT_ATTRIBUTES[1:]:
            if element.name == "iframe" and element.has_attr(name):
                player[name] = element[name]
        if classes:
            player["class"] = classes
            player["allowfullscreen"] = ""
        players.append(str(player))
    return mark_safe("".join(players))  # noqa: S308 - rebuilt from parsed, checked attributes
