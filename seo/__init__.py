"""Search engines and link previews: sitemap.xml, robots.txt, canonical and hreflang links,
Open Graph and Twitter card tags, and the one image rendition pages share."""
