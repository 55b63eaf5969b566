"""Demo news: a "Tin tức" section under the Vietnamese home page with sample articles, and
its English translation ("News") under the English home page.

Run `load_news()` after the demo catalogue is loaded so articles can link its products; a product
the catalogue doesn't have is skipped. Running it again creates nothing twice.
"""

import datetime
import hashlib
import io
import json
from pathlib import Path

from django.core.files.images import ImageFile
from django.db import transaction
from django.utils import timezone
from oscar.core.loading import get_model
from wagtail.images import get_image_model

from cms.demo import vertical_gradient
from cms.demo_translation import english_home, english_locale, in_locale, translate_page
from news.models import NewsArticlePage, NewsArticleRelatedProduct, NewsCategory, NewsIndexPage

Product = get_model("catalogue", "Product")
WagtailImage = get_image_model()

CATALOGUE_FILE = Path(__file__).resolve().parent.parent / "demo_data" / "catalogue.json"
SAMPLE_NOTE = "<p><em>Bài viết mẫu của trang trình diễn; số liệu và nhân vật là minh hoạ.</em></p>"
WORDS = {
    "vi": {"note": SAMPLE_NOTE, "products": "Sản phẩm nhắc đến", "photo": "ảnh"},
    "en": {
        "note": (
            "<p><em>A sample article on the demo site; figures and people are illustrative."
            "</em></p>"
        ),
        "products": "Products mentioned",
        "photo": "photo",
    },
}

INDEX = {
    "title": "Tin tức",
    "slug": "tin-tuc",
    "intro": (
        "Tin hoạt động của Chương trình OCOP: hội chợ, chứng nhận, tập huấn và bán hàng trực tuyến."
    ),
    "en": {
        "title": "News",
        "slug": "news",
        "intro": (
            "What the OCOP programme is doing: trade fairs, certification, training and "
            "selling online."
        ),
    },
}

# (Vietnamese name, slug, English name, English slug)
CATEGORIES = [
    ("Hội chợ – xúc tiến thương mại", "hoi-cho", "Trade fairs and promotion", "trade-fairs"),
    ("Chứng nhận OCOP", "chung-nhan", "OCOP certification", "certification"),
    ("Vùng nguyên liệu", "vung-nguyen-lieu", "Growing areas", "growing-areas"),
    ("Tập huấn", "tap-huan", "Training", "training"),
    ("Thương mại điện tử", "thuong-mai-dien-tu", "Online selling", "online-selling"),
]

TEA_GREEN = "Diệp thanh trà – Trà xanh Shan tuyết cổ thụ Tủa Chùa – hộp 200 g"
TEA_WHITE = "Diệp thanh trà – Bạch trà Shan tuyết cổ thụ Tủa Chùa – hộp 50 g"
TEA_TUA_THANG = "Chè Shan tuyết cổ thụ Tủa Thàng – túi 200 g"
TEA_RED = "Hồng trà Shan tuyết cổ thụ Tủa Thàng – hộp 100 g"
TEA_TOUR = "Tour trải nghiệm hái chè Shan tuyết Tủa Thàng – 1 ngày cho 1 khách"
COFFEE = "Cà phê Arabica Mường Ảng rang xay – túi 500 g"
HONEY = "Mật ong hoa cà phê Mường Ảng – chai 500 ml"
RICE = "Gạo Séng Cù Thanh An – túi 5 kg"
MACADAMIA = "Hạt mắc ca sấy nứt vỏ Mường Lạn – hũ 500 g"
MONG_PE = "Rượu Mông pê Tả Chải – chai 500 ml"
SCARF = "Khăn piêu thêu tay Thanh Nưa – 1 chiếc"

ARTICLES = [
    {
        "slug": "san-pham-ocop-dien-bien-tai-hoi-cho-nong-san-tay-bac",
        "title": "Sản phẩm OCOP Điện Biên góp mặt tại hội chợ nông sản vùng Tây Bắc",
        "days_ago": 3,
        "author": "Ban biên tập",
        "intro": (
            "Gian hàng chung của tỉnh giới thiệu chè Shan tuyết Tủa Chùa, gạo Séng Cù, cà phê "
            "Mường Ảng cùng nhiều sản phẩm đạt 3 – 4 sao, kèm tem truy xuất nguồn gốc."
        ),
        "categories": ["hoi-cho"],
        "tags": ["hội chợ", "xúc tiến thương mại", "Tủa Chùa"],
        "en": {
            "slug": "dien-bien-ocop-products-at-the-northwest-farm-fair",
            "title": "Điện Biên's OCOP products at the Northwest farm produce fair",
            "author": "Editorial team",
            "intro": (
                "The province's shared stand showed Tủa Chùa Shan tuyết tea, Séng Cù rice, "
                "Mường Ảng coffee and many other 3- and 4-star products, each with a "
                "traceability label."
            ),
            "tags": ["trade fair", "trade promotion", "Tủa Chùa"],
            "paragraphs": [
                "<p>Over the three days of the fair, Điện Biên's OCOP stand welcomed a steady "
                "stream of visitors who tasted the teas, asked where the raw materials are grown "
                "and scanned the QR code on each pack to see the product's certificate.</p>",
                "<h2>Meeting distributors</h2><p>Producers talked with buyers from "
                "supermarkets and specialty shops about what it takes to get onto their "
                "shelves:</p><ul><li>an OCOP certificate that is still valid;</li><li>a "
                "traceability label for every lot;</li><li>packaging that clearly states "
                "ingredients and shelf life.</li></ul>",
            ],
            "quote": (
                "What visitors asked most was where and when the tea was picked. The "
                "traceability label lets us answer right there at the stand.",
                "A tea cooperative representative (illustrative character)",
            ),
        },
        "colours": ((11, 107, 58), (196, 160, 58)),
        "paragraphs": [
            "<p>Trong ba ngày hội chợ, gian hàng OCOP của tỉnh Điện Biên đón nhiều lượt khách "
            "đến thử chè, hỏi về vùng nguyên liệu và quét mã QR trên bao bì để xem giấy chứng "
            "nhận của từng sản phẩm.</p>",
            "<h2>Kết nối với nhà phân phối</h2><p>Các chủ thể đã trao đổi với đại diện siêu thị "
            "và cửa hàng đặc sản về điều kiện đưa sản phẩm vào hệ thống bán lẻ:</p><ul>"
            "<li>hồ sơ chứng nhận OCOP còn hiệu lực;</li><li>tem truy xuất cho từng lô hàng;"
            "</li><li>bao bì ghi rõ thành phần, hạn sử dụng.</li></ul>",
        ],
        "quote": (
            "Khách hỏi nhiều nhất là chè được hái ở đâu, khi nào. Tem truy xuất giúp chúng tôi "
            "trả lời ngay tại gian hàng.",
            "Đại diện một hợp tác xã chè (nhân vật minh hoạ)",
        ),
        "cards": [TEA_GREEN, RICE, COFFEE],
        "related": [TEA_TUA_THANG, RICE, COFFEE],
        "gallery": 3,
    },
    {
        "slug": "them-san-pham-dat-chung-nhan-ocop-3-sao-va-4-sao",
        "title": "Thêm sản phẩm đạt chứng nhận OCOP 3 sao và 4 sao",
        "days_ago": 10,
        "author": "Ban biên tập",
        "intro": (
            "Hội đồng đánh giá, phân hạng cấp tỉnh công nhận thêm sản phẩm OCOP; giấy chứng "
            "nhận có giá trị 36 tháng kể từ ngày quyết định."
        ),
        "categories": ["chung-nhan"],
        "tags": ["chứng nhận", "3 sao", "4 sao"],
        "en": {
            "slug": "more-products-certified-ocop-3-and-4-stars",
            "title": "More products certified as 3-star and 4-star OCOP",
            "author": "Editorial team",
            "intro": (
                "The provincial rating council has recognised more OCOP products; each "
                "certificate is valid for 36 months from the date of the decision."
            ),
            "tags": ["certification", "3 stars", "4 stars"],
            "paragraphs": [
                "<p>Under Decision 1489/QĐ-TTg, since July 2025 the Provincial People's "
                "Committee rates and recognises 3-star and 4-star OCOP products, while communes "
                "receive and pre-screen the applications.</p>",
                "<h2>Scored against the new criteria</h2><p>Products are scored out of 100 "
                "under Decision 148/QĐ-TTg, in three parts:</p><ol><li>the product and the "
                "strength of the community behind it (40 points);</li><li>marketing capacity "
                "(25 points);</li><li>product quality (35 points).</li></ol><p>A product "
                "scoring 50 points or more is rated 3 stars; from 70 points, 4 stars.</p>",
            ],
            "quote": (
                "Certification is only the first step; what buyers trust is quality that "
                "holds up lot after lot.",
                "An officer of the New Rural Development Coordination Office "
                "(illustrative character)",
            ),
        },
        "colours": ((120, 38, 60), (224, 170, 90)),
        "paragraphs": [
            "<p>Theo Quyết định 1489/QĐ-TTg, từ tháng 7/2025 Ủy ban nhân dân tỉnh đánh giá, công "
            "nhận sản phẩm OCOP 3 sao và 4 sao; cấp xã tiếp nhận và sơ loại hồ sơ.</p>",
            "<h2>Chấm điểm theo bộ tiêu chí mới</h2><p>Sản phẩm được chấm trên thang 100 điểm "
            "theo Quyết định 148/QĐ-TTg, gồm ba phần:</p><ol><li>sản phẩm và sức mạnh cộng đồng "
            "(40 điểm);</li><li>khả năng tiếp thị (25 điểm);</li><li>chất lượng sản phẩm (35 "
            "điểm).</li></ol><p>Sản phẩm đạt từ 50 điểm trở lên được xếp hạng 3 sao, từ 70 điểm "
            "được xếp hạng 4 sao.</p>",
        ],
        "quote": (
            "Chứng nhận chỉ là bước đầu; giữ được chất lượng đều qua từng lô mới là điều "
            "người mua tin.",
            "Cán bộ Văn phòng Điều phối nông thôn mới (nhân vật minh hoạ)",
        ),
        "cards": [COFFEE, HONEY, MACADAMIA],
        "related": [COFFEE, HONEY, MACADAMIA],
        "gallery": 0,
    },
    {
        "slug": "vao-vu-che-shan-tuyet-xuan-o-tua-chua",
        "title": "Vào vụ chè Shan tuyết xuân trên cao nguyên Tủa Chùa",
        "days_ago": 21,
        "author": "Ban biên tập",
        "intro": (
            "Đồng bào Mông ở các xã vùng cao phía bắc Tủa Chùa bắt đầu hái búp chè Shan tuyết "
            "cổ thụ, nguyên liệu của những sản phẩm chè đặc sản của địa phương."
        ),
        "categories": ["vung-nguyen-lieu"],
        "tags": ["chè Shan tuyết", "Tủa Chùa", "vùng nguyên liệu"],
        "en": {
            "slug": "spring-shan-tuyet-tea-harvest-begins-in-tua-chua",
            "title": "The spring Shan tuyết tea harvest begins on the Tủa Chùa plateau",
            "author": "Editorial team",
            "intro": (
                "Hmong families in the highland communes of northern Tủa Chùa have started "
                "picking the buds of ancient Shan tuyết tea trees, the raw material of the "
                "area's speciality teas."
            ),
            "tags": ["Shan tuyết tea", "Tủa Chùa", "growing areas"],
            "paragraphs": [
                "<p>Spring tea is picked by hand, one bud and two leaves, and taken to the "
                "workshop the same day to keep its aroma. Every lot records the picking date, "
                "the place and the buyer.</p>",
                "<h3>Hương Linh Co., Ltd. prepares for re-evaluation</h3><p>Three teas from "
                "Công ty TNHH Hương Linh were rated 3-star OCOP in 2019; their certificates "
                "have since lapsed. Tủa Chùa district's 2023 OCOP plan asks the company to "
                "prepare a dossier so the products can be evaluated and rated again.</p>",
            ],
            "quote": (
                "Ancient tea trees need no chemical fertiliser; the grower's job is to look "
                "after the forest and pick at the right time.",
                "A tea-growing household in Tủa Chùa (illustrative character)",
            ),
        },
        "colours": ((46, 94, 40), (150, 190, 110)),
        "paragraphs": [
            "<p>Chè xuân được hái thủ công, một tôm hai lá, rồi đưa về xưởng chế biến trong "
            "ngày để giữ hương. Mỗi lô chè được ghi ngày hái, nơi hái và người thu mua.</p>",
            "<h3>Công ty TNHH Hương Linh chuẩn bị đánh giá lại</h3><p>Ba sản phẩm chè của Công "
            "ty TNHH Hương Linh đạt OCOP 3 sao năm 2019; giấy chứng nhận đã hết hiệu lực. Kế "
            "hoạch OCOP năm 2023 của huyện Tủa Chùa đề nghị công ty chuẩn bị hồ sơ để đánh giá, "
            "phân hạng lại.</p>",
        ],
        "quote": (
            "Cây chè cổ thụ không cần phân bón hoá học; việc của người trồng là giữ rừng và "
            "hái đúng lứa.",
            "Một hộ trồng chè ở Tủa Chùa (nhân vật minh hoạ)",
        ),
        "cards": [TEA_TUA_THANG, TEA_RED, TEA_TOUR],
        "related": [TEA_GREEN, TEA_WHITE, TEA_TUA_THANG],
        "gallery": 4,
    },
    {
        "slug": "tap-huan-ho-so-ocop-cho-hop-tac-xa",
        "title": "Tập huấn xây dựng hồ sơ OCOP và bán hàng trực tuyến cho hợp tác xã",
        "days_ago": 35,
        "author": "Ban biên tập",
        "intro": (
            "Lớp tập huấn giúp các hợp tác xã, tổ hợp tác và hộ kinh doanh hoàn thiện hồ sơ "
            "đánh giá, thiết kế bao bì và đưa sản phẩm lên sàn thương mại điện tử."
        ),
        "categories": ["tap-huan"],
        "tags": ["tập huấn", "hợp tác xã", "hồ sơ OCOP"],
        "en": {
            "slug": "training-cooperatives-on-ocop-dossiers-and-online-sales",
            "title": "Training for cooperatives on OCOP dossiers and selling online",
            "author": "Editorial team",
            "intro": (
                "The course helps cooperatives, cooperative groups and household businesses "
                "complete their rating dossiers, design packaging and list their products on "
                "e-commerce platforms."
            ),
            "tags": ["training", "cooperatives", "OCOP dossier"],
            "paragraphs": [
                "<p>Participants learned how to prepare the registration form, the business "
                "plan, the in-house product standard and the product's laboratory test "
                "results.</p>",
                "<h2>What the course covered</h2><ul><li>How products are evaluated and rated "
                "under Decision 148/QĐ-TTg.</li><li>Keeping a production log so each lot can "
                "be traced.</li><li>Photographing products, writing descriptions and selling "
                "on e-commerce platforms.</li></ul>",
                "<p>The makers of Mông pê Tả Chải liquor are completing their dossier with "
                "the aim of reaching 3 stars, as Tủa Chùa district's 2023 OCOP plan set out."
                "</p>",
            ],
            "quote": (
                "With a complete dossier and clear records, both trade fairs and online "
                "sales get easier.",
                "The course trainer (illustrative character)",
            ),
        },
        "colours": ((20, 80, 120), (120, 180, 200)),
        "paragraphs": [
            "<p>Học viên được hướng dẫn cách chuẩn bị phiếu đăng ký, phương án sản xuất kinh "
            "doanh, tiêu chuẩn cơ sở và kết quả kiểm nghiệm sản phẩm.</p>",
            "<h2>Nội dung chính</h2><ul><li>Quy trình đánh giá, phân hạng theo Quyết định "
            "148/QĐ-TTg.</li><li>Ghi chép nhật ký sản xuất để truy xuất theo lô.</li><li>Chụp "
            "ảnh sản phẩm, viết mô tả và bán hàng trên sàn thương mại điện tử.</li></ul>",
            "<p>Chủ thể rượu Mông pê Tả Chải đang hoàn thiện hồ sơ với mục tiêu đạt 3 sao, "
            "như Kế hoạch OCOP năm 2023 của huyện Tủa Chùa đã đề ra.</p>",
        ],
        "quote": (
            "Hồ sơ đầy đủ, sổ sách rõ ràng thì đi hội chợ hay bán online đều thuận lợi hơn.",
            "Giảng viên lớp tập huấn (nhân vật minh hoạ)",
        ),
        "cards": [MONG_PE],
        "related": [SCARF, RICE],
        "gallery": 0,
    },
    {
        "slug": "livestream-ban-che-shan-tuyet-va-dac-san-tua-chua",
        "title": "Phiên livestream giới thiệu chè Shan tuyết và đặc sản Tủa Chùa",
        "days_ago": 48,
        "author": "Ban biên tập",
        "intro": (
            "Các chủ thể OCOP cùng thử bán hàng trực tiếp trên mạng xã hội: người dẫn được "
            "giới thiệu rõ tên, hồ sơ chất lượng của từng sản phẩm có sẵn để khách hỏi."
        ),
        "categories": ["thuong-mai-dien-tu"],
        "tags": ["livestream", "thương mại điện tử", "chè Shan tuyết"],
        "en": {
            "slug": "livestream-selling-shan-tuyet-tea-and-tua-chua-specialities",
            "title": "A livestream showcasing Shan tuyết tea and Tủa Chùa specialities",
            "author": "Editorial team",
            "intro": (
                "OCOP producers tried selling live on social media together: the host was "
                "introduced by name, and each product's quality documents were at hand for "
                "viewers' questions."
            ),
            "tags": ["livestream", "e-commerce", "Shan tuyết tea"],
            "paragraphs": [
                "<p>During the livestream the host brewed tea on camera, introduced the "
                "growing area and answered viewers' questions about storage and delivery.</p>",
                "<h2>Selling online by the rules</h2><p>The E-commerce Law, in force from "
                "1 July 2026, requires a livestream sale to name the seller and the host and "
                "to keep the product's quality documents. Orders from the livestream are "
                "placed on this site and paid by VietQR bank transfer or cash on delivery.</p>",
            ],
            "quote": (
                "Buyers far away can see the people who make the product and ask them "
                "directly, so they trust it more.",
                "The livestream host (illustrative character)",
            ),
        },
        "colours": ((150, 30, 40), (40, 50, 120)),
        "paragraphs": [
            "<p>Trong phiên livestream, người dẫn pha chè trực tiếp, giới thiệu vùng trồng và "
            "trả lời câu hỏi của khách về cách bảo quản, giao hàng.</p>",
            "<h2>Bán hàng trực tuyến đúng quy định</h2><p>Luật Thương mại điện tử có hiệu lực "
            "từ ngày 1/7/2026 yêu cầu phiên livestream bán hàng nêu rõ người bán, người dẫn và "
            "giữ hồ sơ chất lượng sản phẩm. Đơn hàng từ phiên livestream được đặt trên trang "
            "này và thanh toán bằng VietQR hoặc khi nhận hàng.</p>",
        ],
        "quote": (
            "Khách ở xa xem được người làm ra sản phẩm, hỏi thẳng người làm, nên tin hơn.",
            "Người dẫn phiên livestream (nhân vật minh hoạ)",
        ),
        "cards": [TEA_RED, HONEY],
        "related": [TEA_TUA_THANG, TEA_RED, MACADAMIA],
        "gallery": 2,
    },
]


def demo_picture(title, colours, width=1200, height=675):
    """A Wagtail image of a plain gradient in the article's colours, found again by its title."""
    existing = WagtailImage.objects.filter(title=title).first()
    if existing:
        return existing
    picture = vertical_gradient(width, height, *colours)
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=80)
    name = f"news-{hashlib.sha1(title.encode()).hexdigest()[:12]}.jpg"
    image = WagtailImage(title=title)
    image.file.save(name, ImageFile(buffer, name=name), save=False)
    image.save()
    return image


def catalogue_products(titles):
    """Products of the demo catalogue with these titles, in order; unknown titles are skipped."""
    known = {row["title"] for row in json.loads(CATALOGUE_FILE.read_text("utf-8"))["products"]}
    wanted = [title for title in titles if title in known]
    found = {p.title: p for p in Product.objects.filter(title__in=wanted)}
    return [found[title] for title in wanted if title in found]


def article_body(spec, lead, language="vi"):
    """The article's blocks in `language`: its texts, the same pictures and product cards."""
    texts = spec if language == "vi" else spec[language]
    words = WORDS[language]
    blocks = [("text", texts["paragraphs"][0])]
    blocks.append(("quote", {"text": texts["quote"][0], "attribution": texts["quote"][1]}))
    blocks += [("text", html) for html in texts["paragraphs"][1:]]
    if spec["gallery"]:
        pictures = [
            demo_picture(f"{spec['title']} – ảnh {n}", spec["colours"][::-1], 800, 600)
            for n in range(1, spec["gallery"] + 1)
        ]
        images = [
            {"image": picture, "caption": f"{texts['title']} – {words['photo']} {n}"}
            for n, picture in enumerate(pictures, 1)
        ]
        blocks.append(("gallery", {"images": images}))
    else:
        blocks.append(("image", {"image": lead, "caption": texts["title"]}))
    cards = catalogue_products(spec["cards"])
    if cards:
        blocks.append(("products", {"heading": words["products"], "products": cards}))
    blocks.append(("text", words["note"]))
    return blocks


def news_index(home):
    index = NewsIndexPage.objects.child_of(home).filter(slug=INDEX["slug"]).first()
    if index is None:
        index = NewsIndexPage(title=INDEX["title"], slug=INDEX["slug"], intro=INDEX["intro"])
        home.add_child(instance=index)
        index.save_revision().publish()
    return index


def load_categories(vietnamese):
    """Vietnamese categories by slug, each with its English translation named in English."""
    english = english_locale()
    categories = {}
    for name, slug, name_en, slug_en in CATEGORIES:
        category, _ = NewsCategory.objects.get_or_create(
            slug=slug, locale=vietnamese, defaults={"name": name}
        )
        translated = in_locale(category, english)
        translated.name, translated.slug = name_en, slug_en
        translated.save()
        categories[slug] = category
    return categories


def new_article(index, spec, categories, today):
    lead = demo_picture(spec["title"], spec["colours"])
    article = NewsArticlePage(
        title=spec["title"],
        slug=spec["slug"],
        date=today - datetime.timedelta(days=spec["days_ago"]),
        author=spec["author"],
        intro=spec["intro"],
        lead_image=lead,
        body=article_body(spec, lead),
    )
    article.categories.set([categories[slug] for slug in spec["categories"]])
    article.tags.set(spec["tags"])
    article.related_products = [
        NewsArticleRelatedProduct(product=product, sort_order=order)
        for order, product in enumerate(catalogue_products(spec["related"]))
    ]
    index.add_child(instance=article)
    article.save_revision().publish()
    return article


def translate_article(article, spec):
    """The article's English translation: English words, the Vietnamese article's facts."""
    english = spec["en"]
    texts = {
        "title": english["title"],
        "intro": english["intro"],
        "author": english["author"],
        "tags": english["tags"],
        "body": article_body(spec, article.lead_image, "en"),
    }
    return translate_page(article, texts, slug=english["slug"])


@transaction.atomic
def load_news(log=print):
    """Create the news section and its sample articles in Vietnamese, and their English
    translations. Vietnamese articles that exist are left alone; English ones follow them."""
    from cms.models import HomePage

    home = HomePage.objects.filter(locale__language_code="vi").first()
    if home is None:
        raise RuntimeError("The Vietnamese home page is missing: run `manage.py migrate` first")
    index = news_index(home)
    categories = load_categories(home.locale)
    today = timezone.localdate()
    made = 0
    articles = []
    for spec in ARTICLES:
        article = NewsArticlePage.objects.child_of(index).filter(slug=spec["slug"]).first()
        if article is None:
            article = new_article(index, spec, categories, today)
            made += 1
        articles.append((article, spec))
    total = NewsArticlePage.objects.child_of(index).count()
    log(f"news: {made} new articles, {total} in “{index.title}”")
    if english_home(home) is None:
        log("news: no English home page yet, English news skipped")
        return index
    english_index = translate_page(index, INDEX["en"], slug=INDEX["en"]["slug"])
    for article, spec in articles:
        translate_article(article, spec)
    log(f"news: {len(articles)} articles in English in “{english_index.title}”")
    return index
