"""Demo news: a "Tin tức" section under the Vietnamese home page with sample articles.

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

from .models import NewsArticlePage, NewsArticleRelatedProduct, NewsCategory, NewsIndexPage

Product = get_model("catalogue", "Product")
WagtailImage = get_image_model()

CATALOGUE_FILE = Path(__file__).resolve().parent.parent / "cms" / "demo_data" / "catalogue.json"
SAMPLE_NOTE = "<p><em>Bài viết mẫu của trang trình diễn; số liệu và nhân vật là minh hoạ.</em></p>"

INDEX = {
    "title": "Tin tức",
    "slug": "tin-tuc",
    "intro": (
        "Tin hoạt động của Chương trình OCOP: hội chợ, chứng nhận, tập huấn và bán hàng trực tuyến."
    ),
}

CATEGORIES = [
    ("Hội chợ – xúc tiến thương mại", "hoi-cho"),
    ("Chứng nhận OCOP", "chung-nhan"),
    ("Vùng nguyên liệu", "vung-nguyen-lieu"),
    ("Tập huấn", "tap-huan"),
    ("Thương mại điện tử", "thuong-mai-dien-tu"),
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


def article_body(spec, lead):
    blocks = [("text", spec["paragraphs"][0])]
    blocks.append(("quote", {"text": spec["quote"][0], "attribution": spec["quote"][1]}))
    blocks += [("text", html) for html in spec["paragraphs"][1:]]
    if spec["gallery"]:
        pictures = [
            demo_picture(f"{spec['title']} – ảnh {n}", spec["colours"][::-1], 800, 600)
            for n in range(1, spec["gallery"] + 1)
        ]
        blocks.append(("gallery", {"images": [{"image": p, "caption": p.title} for p in pictures]}))
    else:
        blocks.append(("image", {"image": lead, "caption": spec["title"]}))
    cards = catalogue_products(spec["cards"])
    if cards:
        blocks.append(("products", {"heading": "Sản phẩm nhắc đến", "products": cards}))
    blocks.append(("text", SAMPLE_NOTE))
    return blocks


def news_index(home):
    index = NewsIndexPage.objects.child_of(home).filter(slug=INDEX["slug"]).first()
    if index is None:
        index = NewsIndexPage(title=INDEX["title"], slug=INDEX["slug"], intro=INDEX["intro"])
        home.add_child(instance=index)
        index.save_revision().publish()
    return index


@transaction.atomic
def load_news(log=print):
    """Create the news section and its sample articles; what already exists is left alone."""
    from cms.models import HomePage

    home = HomePage.objects.filter(locale__language_code="vi").first()
    if home is None:
        raise RuntimeError("The Vietnamese home page is missing: run `manage.py migrate` first")
    index = news_index(home)
    categories = {}
    for name, slug in CATEGORIES:
        categories[slug], _ = NewsCategory.objects.get_or_create(slug=slug, defaults={"name": name})
    today = timezone.localdate()
    made = 0
    for spec in ARTICLES:
        if NewsArticlePage.objects.child_of(index).filter(slug=spec["slug"]).exists():
            continue
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
        made += 1
    total = NewsArticlePage.objects.child_of(index).count()
    log(f"news: {made} new articles, {total} in “{index.title}”")
    return index
