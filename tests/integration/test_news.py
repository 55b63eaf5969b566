"""News: index listing, filters and paging, feeds, article blocks, JSON-LD, safety, demo data."""

import datetime
import io
import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone
from PIL import Image as PillowImage
from wagtail.embeds import embeds
from wagtail.embeds.exceptions import EmbedNotFoundException
from wagtail.images import get_image_model

from cms.models import HomePage
from news.models import NewsArticlePage, NewsArticleRelatedProduct, NewsCategory, NewsIndexPage
from tests.factories import CertificationFactory, certified_product

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def html(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.fixture
def index():
    home = HomePage.objects.filter(locale__language_code="vi").first()
    page = NewsIndexPage(title="Tin tức", slug="tin-tuc", intro="Tin của chương trình")
    home.add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture
def image():
    from django.core.files.images import ImageFile

    buffer = io.BytesIO()
    PillowImage.new("RGB", (640, 480), (20, 120, 60)).save(buffer, "JPEG")
    picture = get_image_model()(title="Đồi chè")
    picture.file.save("doi-che.jpg", ImageFile(buffer, name="doi-che.jpg"), save=False)
    picture.save()
    return picture


def add_article(index, title, days_ago=0, publish=True, categories=(), tags=(), **fields):
    slug = fields.pop("slug", None) or re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    article = NewsArticlePage(
        title=title,
        slug=slug or f"bai-{days_ago}",
        date=timezone.localdate() - datetime.timedelta(days=days_ago),
        **fields,
    )
    article.categories.set(categories)
    article.tags.set(list(tags))
    index.add_child(instance=article)
    revision = article.save_revision()
    if publish:
        revision.publish()
    else:
        article.unpublish()
    return article


def test_index_lists_published_articles_newest_first(client, index):
    add_article(index, "Old news", days_ago=5)
    add_article(index, "New news", days_ago=1)
    add_article(index, "Draft news", publish=False)
    page = html(client.get(index.url))
    assert "New news" in page and "Old news" in page
    assert "Draft news" not in page
    assert page.index("New news") < page.index("Old news")


def test_pagination_and_bad_page_values(client, index):
    for n in range(13):
        add_article(index, f"Article {n:02d}", days_ago=n, slug=f"article-{n}")
    first = html(client.get(index.url))
    assert "Article 00" in first and "Article 12" not in first
    second = html(client.get(index.url + "?page=2"))
    assert "Article 12" in second and "Article 00" not in second
    assert "Article 12" in html(client.get(index.url + "?page=999"))  # past the end: last page
    for garbage in ("abc", "-1", "0", "1.5", "%00"):
        response = client.get(index.url, {"page": garbage})
        assert response.status_code == 200


def test_filter_by_category_and_tag(client, index):
    fairs = NewsCategory.objects.create(name="Hội chợ", slug="hoi-cho")
    training = NewsCategory.objects.create(name="Tập huấn", slug="tap-huan")
    add_article(index, "Fair story", categories=[fairs], tags=["chè Shan tuyết"])
    add_article(index, "Training story", categories=[training], tags=["hợp tác xã"])
    by_category = html(client.get(index.url, {"category": "hoi-cho"}))
    assert "Fair story" in by_category and "Training story" not in by_category
    by_tag = html(client.get(index.url, {"tag": "hợp tác xã"}))
    assert "Training story" in by_tag and "Fair story" not in by_tag
    unknown = html(client.get(index.url, {"category": "khong-co"}))
    assert "Fair story" not in unknown and "Training story" not in unknown


def test_rss_and_atom_feeds_list_latest_articles(client, index):
    for n in range(22):
        add_article(index, f"Feed item {n:02d}", days_ago=n, slug=f"feed-{n}", intro=f"Tin {n}")
    add_article(index, "Unpublished", publish=False)
    page = html(client.get(index.url))
    assert 'rel="alternate" type="application/rss+xml"' in page
    assert f'href="{index.url}rss/"' in page and f'href="{index.url}atom/"' in page

    rss = client.get(index.url + "rss/")
    assert rss.status_code == 200 and "rss+xml" in rss["Content-Type"]
    channel = ET.fromstring(rss.content).find("channel")
    titles = [item.findtext("title") for item in channel.findall("item")]
    assert len(titles) == 20
    assert titles[0] == "Feed item 00" and "Feed item 21" not in titles
    assert "Unpublished" not in titles
    assert channel.find("item").findtext("link").endswith("/tin-tuc/feed-0/")

    atom = client.get(index.url + "atom/")
    assert atom.status_code == 200 and "atom+xml" in atom["Content-Type"]
    entries = ET.fromstring(atom.content).findall(f"{ATOM}entry")
    assert len(entries) == 20
    assert entries[0].findtext(f"{ATOM}title") == "Feed item 00"


def test_article_renders_blocks_date_categories_tags_and_json_ld(client, index, image):
    category = NewsCategory.objects.create(name="Vùng nguyên liệu", slug="vung-nguyen-lieu")
    body = [
        ("text", "<h2>Vụ chè xuân</h2><p>Búp chè <b>một tôm hai lá</b>.</p>"),
        ("image", {"image": image, "caption": "Đồi chè Tủa Chùa"}),
        ("gallery", {"images": [{"image": image, "caption": "Ảnh 1"}]}),
        ("quote", {"text": "Giữ rừng là giữ chè.", "attribution": "Một hộ trồng chè"}),
    ]
    article = add_article(
        index,
        "Vào vụ chè </script><b>",
        days_ago=0,
        slug="vao-vu-che",
        author="Ban biên tập",
        intro="Mùa hái chè",
        lead_image=image,
        body=body,
        categories=[category],
        tags=["chè Shan tuyết"],
    )
    page = html(client.get(article.url))
    assert timezone.localdate().strftime("%d/%m/%Y") in page
    assert "Vùng nguyên liệu" in page and "#chè Shan tuyết" in page
    assert "<h2>Vụ chè xuân</h2>" in page and "<b>một tôm hai lá</b>" in page
    assert "Đồi chè Tủa Chùa" in page and "Giữ rừng là giữ chè." in page
    assert 'loading="lazy"' in page and re.search(r'<img [^>]*width="\d+" height="\d+"', page)

    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert match, "JSON-LD missing"
    assert "</script><b>" not in match.group(1)  # the title can't close the script element
    data = json.loads(match.group(1))
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Vào vụ chè </script><b>"
    assert data["datePublished"] == timezone.localdate().isoformat()
    assert data["author"]["name"] == "Ban biên tập"
    assert data["image"][0].startswith("http")


def test_video_embed_failure_shows_a_plain_link(client, index, monkeypatch):
    def unreachable(url, max_width=None, max_height=None):
        raise EmbedNotFoundException

    monkeypatch.setattr(embeds, "get_finder_for_embed", unreachable)
    url = "https://www.youtube.com/watch?v=ocop-demo"
    article = add_article(index, "Video", body=[("video", {"video": url, "caption": "Clip"})])
    page = html(client.get(article.url))
    assert f'<a href="{url}"' in page
    assert "<iframe" not in page

    def broken(url, max_width=None, max_height=None):
        raise OSError("network down")

    monkeypatch.setattr(embeds, "get_finder_for_embed", broken)
    article.save_revision().publish()  # a fresh page object, nothing cached
    assert f'<a href="{url}"' in html(client.get(article.url))


def test_javascript_links_in_rich_text_never_reach_visitors(client, index):
    body = [
        (
            "text",
            '<p><a href="javascript:alert(1)">bấm</a> <a href="JaVa\tScRiPt:alert(2)">x</a></p>',
        )
    ]
    article = add_article(index, "Unsafe", body=body)
    stored = NewsArticlePage.objects.get(pk=article.pk).body.raw_data[0]["value"]
    assert "javascript" not in stored.lower()
    page = html(client.get(article.url))
    assert "javascript:" not in page.lower() and "alert(1)" not in page
    assert "bấm" in page


def test_related_product_shown_only_while_certified(client, index):
    today = timezone.localdate()
    product = certified_product(title="Chè Shan tuyết Tủa Chùa")
    article = add_article(index, "Related", slug="related")
    NewsArticleRelatedProduct.objects.create(article=article, product=product, sort_order=0)
    assert "Chè Shan tuyết Tủa Chùa" in html(client.get(article.url))

    lapsed = CertificationFactory(
        producer=product.producer, decision_date=today - datetime.timedelta(days=40 * 31)
    )
    product.certification = lapsed
    product.save()
    assert "Chè Shan tuyết Tủa Chùa" not in html(client.get(article.url))


def test_product_cards_block_shows_public_products(client, index):
    product = certified_product(title="Mật ong hoa cà phê")
    hidden = certified_product(title="Sản phẩm ẩn", is_public=False)
    cards = {"heading": "Sản phẩm", "products": [product, hidden]}
    article = add_article(index, "Cards", body=[("products", cards)])
    page = html(client.get(article.url))
    assert "Mật ong hoa cà phê" in page and "Sản phẩm ẩn" not in page


def test_translated_article_is_filed_under_its_languages_categories(index):
    from wagtail.models import Locale

    english = Locale.objects.get(language_code="en")
    fairs = NewsCategory.objects.create(name="Hội chợ", slug="hoi-cho")
    trade_fairs = fairs.copy_for_translation(english)
    trade_fairs.name, trade_fairs.slug = "Trade fairs", "trade-fairs"
    trade_fairs.save()
    training = NewsCategory.objects.create(name="Tập huấn", slug="tap-huan")
    article = add_article(index, "Hội chợ và tập huấn", categories=[fairs, training])

    translation = article.copy_for_translation(english, copy_parents=True)

    categories = list(translation.categories.all())
    assert trade_fairs in categories and len(categories) == 2
    made = next(c for c in categories if c != trade_fairs)
    assert made.locale == english and made.get_translations().get() == training
    draft = translation.get_latest_revision_as_object()
    assert set(draft.categories.all()) == set(categories)
    assert set(article.categories.all()) == {fairs, training}


def test_category_slugs_are_unique_per_language():
    from django.core.exceptions import ValidationError
    from wagtail.models import Locale

    NewsCategory.objects.create(name="Hội chợ", slug="hoi-cho")
    with pytest.raises(ValidationError) as error:
        NewsCategory(name="Hội chợ khác", slug="hoi-cho").full_clean()
    assert "slug" in error.value.message_dict
    english = Locale.objects.get(language_code="en")
    NewsCategory(name="Fairs", slug="hoi-cho", locale=english).full_clean()


def test_article_editor_offers_categories_of_its_language_only(staff_client, index):
    from wagtail.models import Locale

    english = Locale.objects.get(language_code="en")
    fairs = NewsCategory.objects.create(name="Hội chợ", slug="hoi-cho")
    trade_fairs = fairs.copy_for_translation(english)
    trade_fairs.name, trade_fairs.slug = "Trade fairs", "trade-fairs"
    trade_fairs.save()
    article = add_article(index, "Bài hội chợ", categories=[fairs])
    translation = article.copy_for_translation(english, copy_parents=True)
    for page, offered in ((article, fairs), (translation, trade_fairs)):
        response = staff_client.get(f"/admin/pages/{page.pk}/edit/")
        assert list(response.context["form"].fields["categories"].queryset) == [offered]
        assert offered.name in html(response)
    response = staff_client.get(f"/admin/pages/add/news/newsarticlepage/{index.pk}/")
    field = response.context["form"].fields["categories"]
    assert list(field.queryset) == [fairs]


def test_admin_can_add_an_article(staff_client, index):
    response = staff_client.get(f"/admin/pages/add/news/newsarticlepage/{index.pk}/")
    assert response.status_code == 200
    chooser = staff_client.get("/admin/news_product_chooser/")
    assert chooser.status_code == 200


def test_staff_add_categories_per_language_and_a_duplicate_slug_is_a_form_error(staff_client):
    NewsCategory.objects.create(name="Hội chợ", slug="hoi-cho")
    url = "/admin/snippets/news/newscategory/add/"
    duplicate = staff_client.post(url + "?locale=vi", {"name": "Hội chợ 2", "slug": "hoi-cho"})
    assert duplicate.status_code == 200
    assert "slug" in duplicate.context["form"].errors
    english = staff_client.post(url + "?locale=en", {"name": "Trade fairs", "slug": "hoi-cho"})
    assert english.status_code == 302
    created = NewsCategory.objects.get(name="Trade fairs")
    assert created.locale.language_code == "en"
    listing = staff_client.get("/admin/snippets/news/newscategory/?locale=en")
    assert listing.status_code == 200 and "Trade fairs" in html(listing)
