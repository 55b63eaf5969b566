"""Staff roles: what each role may open and do in the three back offices, and the moderation flow.

Every check goes through the real URLs with the test client, as the person in that role would.
"""

import io

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal
from django.utils import translation
from wagtail.models import (
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Task,
    Workflow,
    WorkflowPage,
    WorkflowState,
    WorkflowTask,
)

from cms.models import HomePage
from news.models import NewsArticlePage, NewsIndexPage
from shop.payments.models import PaymentSettings
from staff.provisioning import WORKFLOW_LABEL, ensure_roles
from staff.roles import EDITORS, MODERATORS, REGISTRY_OFFICERS, ROLES, SHOP_STAFF
from tests.factories import CertificationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def roles():
    # post_migrate made them; a test database reused from before this app existed may lack them.
    return ensure_roles()


@pytest.fixture
def as_role(client, make_member):
    def login(role):
        client.force_login(make_member(role))
        return client

    return login


@pytest.fixture
def index():
    home = HomePage.objects.filter(locale__language_code="vi").first()
    page = NewsIndexPage(title="Tin tức", slug="tin-tuc")
    home.add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture
def certification():
    return CertificationFactory(product_name="Mật ong bạc hà")


def denied(response):
    """Each back office says no its own way: 403, or back to its login or the Wagtail home."""
    if response.status_code == 403:
        return True
    location = response.headers.get("Location", "")
    return response.status_code == 302 and ("login" in location or location == "/admin/")


# --- Who may open what ----------------------------------------------------------------------

E, M, S, R = EDITORS, MODERATORS, SHOP_STAFF, REGISTRY_OFFICERS
CERTIFICATES = "/django-admin/traceability/certification/"
MATRIX = [
    # (url, roles that may open it)
    ("/admin/", {E, M, S, R}),
    ("/admin/pages/", {E, M}),
    ("/admin/images/", {E, M}),
    ("/admin/orders/", {S}),
    ("/admin/orders/statement/", {S}),
    ("/admin/shipping/flat-rates/", {S}),
    ("/admin/snippets/news/newscategory/", {M}),
    ("/admin/users/", set()),
    ("/admin/groups/", set()),
    ("/admin/workflows/list/", set()),
    ("/shop/dashboard/", {S}),
    ("/shop/dashboard/orders/", {S}),
    ("/shop/dashboard/reports/", {S}),
    ("/shop/dashboard/catalogue/", {S}),
    ("/django-admin/", {S, R}),
    (CERTIFICATES, {R}),
    (CERTIFICATES + "import/", {R}),
    ("/django-admin/traceability/lot/", {R}),
    ("/django-admin/auth/user/", set()),
    ("/django-admin/order/order/", {S}),
]


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role.name)
@pytest.mark.parametrize("url,allowed", MATRIX, ids=[url for url, _ in MATRIX])
def test_each_role_opens_only_its_own_screens(as_role, role, url, allowed):
    response = as_role(role).get(url)
    if role in allowed:
        assert response.status_code == 200, (role.name, url, response.status_code)
    else:
        assert denied(response), (role.name, url, response.status_code, response.get("Location"))


@pytest.mark.parametrize(
    "model,roles_allowed",
    [(PaymentSettings, {SHOP_STAFF}), ("cms.SiteIdentity", {MODERATORS})],
    ids=["payment-settings", "site-identity"],
)
@pytest.mark.parametrize("role", ROLES, ids=lambda role: role.name)
def test_settings_belong_to_their_roles(as_role, role, model, roles_allowed):
    from django.apps import apps

    model = apps.get_model(model) if isinstance(model, str) else model
    setting = model.load()
    url = f"/admin/settings/{model._meta.app_label}/{model._meta.model_name}/{setting.pk}/"
    response = as_role(role).get(url)
    if role in roles_allowed:
        assert response.status_code == 200
    else:
        assert denied(response)


def test_registry_officer_is_staff_but_gets_no_shop_dashboard(client, make_member):
    officer = make_member(REGISTRY_OFFICERS)
    assert officer.is_staff and not officer.is_superuser  # Oscar alone would let them in
    client.force_login(officer)
    assert client.get("/shop/dashboard/").status_code == 403
    assert client.get("/en/shop/dashboard/orders/").status_code == 403
    assert client.get(CERTIFICATES).status_code == 200


def test_wagtail_menu_shows_only_the_back_offices_a_role_may_use(as_role, client):
    editor_home = as_role(EDITORS).get("/admin/").content.decode()
    assert "/shop/dashboard/" not in editor_home and "/django-admin/" not in editor_home
    assert "/admin/orders/" not in editor_home
    client.logout()
    officer_home = as_role(REGISTRY_OFFICERS).get("/admin/").content.decode()
    assert "/shop/dashboard/" not in officer_home and "/django-admin/" in officer_home
    client.logout()
    shop_home = as_role(SHOP_STAFF).get("/admin/").content.decode()
    assert "/shop/dashboard/" in shop_home and "/admin/orders/" in shop_home


# --- Pages: editors draft, moderators approve ------------------------------------------------


def article_form(title, slug, **extra):
    return {
        "title": title,
        "slug": slug,
        "date": "2026-06-15",
        "author": "",
        "intro": "Phiên chợ cuối tuần ở Tủa Chùa.",
        "body-count": "0",
        "categories": [],
        "tags": "",
        "related_products-TOTAL_FORMS": "0",
        "related_products-INITIAL_FORMS": "0",
        "related_products-MIN_NUM_FORMS": "0",
        "related_products-MAX_NUM_FORMS": "1000",
        "comments-TOTAL_FORMS": "0",
        "comments-INITIAL_FORMS": "0",
        "comments-MIN_NUM_FORMS": "0",
        "comments-MAX_NUM_FORMS": "1000",
        "seo_title": "",
        "search_description": "",
        **extra,
    }


def add_url(index):
    return f"/admin/pages/add/news/newsarticlepage/{index.pk}/"


def test_editor_saves_a_draft_article(as_role, index):
    client = as_role(EDITORS)
    form = client.get(add_url(index))
    assert form.status_code == 200
    page = form.content.decode()
    assert 'name="action-submit"' in page and 'name="action-publish"' not in page

    response = client.post(add_url(index), article_form("Chợ phiên", "cho-phien"))
    assert response.status_code == 302
    article = NewsArticlePage.objects.get(slug="cho-phien")
    assert not article.live and article.latest_revision is not None


def test_editor_cannot_publish_even_by_posting_the_publish_button(as_role, index):
    client = as_role(EDITORS)
    client.post(add_url(index), article_form("Chợ phiên", "cho-phien", **{"action-publish": "1"}))
    article = NewsArticlePage.objects.get(slug="cho-phien")
    assert not article.live and article.first_published_at is None
    assert client.get("/tin-tuc/cho-phien/").status_code == 404

    edit = f"/admin/pages/{article.pk}/edit/"
    client.post(edit, article_form("Chợ phiên mới", "cho-phien", **{"action-publish": "1"}))
    article.refresh_from_db()
    assert not article.live and article.last_published_at is None
    assert article.get_latest_revision_as_object().title == "Chợ phiên mới"


def submit_for_moderation(client, index, slug="cho-phien"):
    response = client.post(
        add_url(index), article_form("Chợ phiên", slug, **{"action-submit": "1"})
    )
    assert response.status_code == 302
    return NewsArticlePage.objects.get(slug=slug)


def test_editor_submits_and_the_moderator_approves_through_the_admin(
    as_role, client, index, make_member
):
    article = submit_for_moderation(as_role(EDITORS), index)
    state = WorkflowState.objects.get(object_id=str(article.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.workflow.workflow_pages.filter(page__depth=1).exists()  # the whole tree
    task_state = state.current_task_state
    assert list(task_state.task.specific.groups.values_list("name", flat=True)) == ["Moderators"]
    assert not article.live

    approve = f"/admin/pages/workflow/action/{article.pk}/approve/{task_state.pk}/"
    # The editor who wrote it cannot approve it.
    assert denied(client.post(approve, {"comment": ""}))
    article.refresh_from_db()
    assert not article.live

    client.logout()
    moderator = as_role(MODERATORS)
    dashboard = moderator.get("/admin/").content.decode()
    assert "Chợ phiên" in dashboard  # "awaiting your review" on the moderator's home
    response = moderator.post(approve, {"comment": "Đã duyệt"})
    assert response.status_code == 302
    article.refresh_from_db()
    state.refresh_from_db()
    assert article.live and state.status == WorkflowState.STATUS_APPROVED
    assert client.get(article.url).status_code == 200


def test_moderator_publishes_directly(as_role, index):
    client = as_role(MODERATORS)
    client.post(add_url(index), article_form("Hội chợ", "hoi-cho", **{"action-publish": "1"}))
    assert NewsArticlePage.objects.get(slug="hoi-cho").live


@pytest.mark.parametrize("role", [SHOP_STAFF, REGISTRY_OFFICERS], ids=lambda role: role.name)
def test_shop_staff_and_registry_officers_cannot_write_or_publish_pages(as_role, index, role):
    client = as_role(role)
    response = client.post(
        add_url(index), article_form("Tin lạ", "tin-la", **{"action-publish": "1"})
    )
    assert denied(response)
    assert not NewsArticlePage.objects.filter(slug="tin-la").exists()
    response = client.post(f"/admin/pages/{index.pk}/edit/", {"title": "Đổi tên"})
    assert denied(response)
    index.refresh_from_db()
    assert index.title == "Tin tức"


# --- Certificates: registry officers only ----------------------------------------------------


def test_registry_officer_opens_and_saves_a_certificate(as_role, certification):
    client = as_role(REGISTRY_OFFICERS)
    url = f"{CERTIFICATES}{certification.pk}/change/"
    form = client.get(url)
    assert form.status_code == 200
    changes = form.context["inline_admin_formsets"][0].formset.management_form
    data = {changes.add_prefix(name): value for name, value in changes.initial.items()}
    response = client.post(url, {"_save": "Save", **data})
    assert response.status_code == 302 and response["Location"] == CERTIFICATES


@pytest.mark.parametrize("role", [EDITORS, MODERATORS, SHOP_STAFF], ids=lambda role: role.name)
def test_other_roles_cannot_change_certificates_or_import_or_sync(as_role, certification, role):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from traceability.models import SyncRun

    client = as_role(role)
    assert denied(client.get(f"{CERTIFICATES}{certification.pk}/change/"))
    assert denied(client.post(f"{CERTIFICATES}{certification.pk}/change/", {"_save": "Save"}))
    upload = SimpleUploadedFile("quyet-dinh.csv", b"registry_id\n", content_type="text/csv")
    assert denied(client.post(f"{CERTIFICATES}import/", {"file": upload}))
    assert denied(client.post(f"{CERTIFICATES}sync/"))
    assert not SyncRun.objects.exists()


def test_shop_staff_handle_orders_but_no_certificate_data(as_role):
    client = as_role(SHOP_STAFF)
    assert client.get("/admin/orders/").status_code == 200
    assert client.get("/shop/dashboard/").status_code == 200
    assert denied(client.get("/django-admin/traceability/lot/add/"))


# --- Provisioning ------------------------------------------------------------------------------


def provisioned_counts():
    return {
        "groups": Group.objects.count(),
        "group permissions": sum(g.permissions.count() for g in Group.objects.all()),
        "page permissions": GroupPagePermission.objects.count(),
        "collection permissions": GroupCollectionPermission.objects.count(),
        "workflows": Workflow.objects.count(),
        "tasks": Task.objects.count(),
        "workflow tasks": WorkflowTask.objects.count(),
        "workflow pages": WorkflowPage.objects.count(),
    }


def test_ensure_roles_twice_changes_nothing(roles):
    first = provisioned_counts()
    ensure_roles()
    call_command("ensure_roles", stdout=io.StringIO())
    assert provisioned_counts() == first
    assert Workflow.objects.filter(active=True).count() == 1
    assert set(Group.objects.values_list("name", flat=True)) >= {role.name for role in ROLES}


def test_roles_come_back_after_migrate(roles):
    Group.objects.filter(name__in=[role.name for role in ROLES]).delete()
    WorkflowPage.objects.all().delete()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    editors = Group.objects.get(name="Editors")
    assert editors.permissions.filter(codename="access_admin").exists()
    with translation.override(settings.LANGUAGE_CODE):
        name = str(WORKFLOW_LABEL)  # staff see it in the site's language
    assert WorkflowPage.objects.get(page__depth=1).workflow.name == name
    assert GroupApprovalTask.objects.get(name=name).groups.get().name == "Moderators"


def test_ensure_roles_resets_a_role_to_its_declaration(roles):
    from django.contrib.auth.models import Permission

    editors = roles["Editors"]
    editors.permissions.add(Permission.objects.get(codename="change_order"))
    ensure_roles()
    assert not editors.permissions.filter(codename="change_order").exists()


def test_staff_status_follows_roles(django_user_model, roles):
    user = django_user_model.objects.create_user("lan", password="pw")
    user.groups.add(roles["Editors"])
    assert not django_user_model.objects.get(pk=user.pk).is_staff
    user.groups.add(roles["Shop staff"])
    assert django_user_model.objects.get(pk=user.pk).is_staff
    user.groups.remove(roles["Shop staff"])
    assert not django_user_model.objects.get(pk=user.pk).is_staff

    roles["Registry officers"].user_set.add(user)  # from the group's side too
    assert django_user_model.objects.get(pk=user.pk).is_staff
    roles["Registry officers"].user_set.clear()
    assert not django_user_model.objects.get(pk=user.pk).is_staff


def test_staff_status_is_kept_for_superusers_and_staff_without_roles(django_user_model, roles):
    boss = django_user_model.objects.create_superuser("boss", password="pw")
    boss.groups.add(roles["Shop staff"])
    boss.groups.clear()
    assert django_user_model.objects.get(pk=boss.pk).is_staff
    old_hand = django_user_model.objects.create_user("old", password="pw", is_staff=True)
    old_hand.groups.add(roles["Editors"])
    old_hand.groups.remove(roles["Editors"])
    assert django_user_model.objects.get(pk=old_hand.pk).is_staff


def test_giving_a_role_in_the_wagtail_user_form_makes_shop_staff(staff_client, django_user_model):
    user = django_user_model.objects.create_user("hoa", email="hoa@ocop.test", password="pw")
    shop_staff = Group.objects.get(name="Shop staff")
    response = staff_client.post(
        f"/admin/users/edit/{user.pk}/",
        {
            "username": "hoa",
            "email": "hoa@ocop.test",
            "first_name": "Hoa",
            "last_name": "Nguyễn",
            "password1": "",
            "password2": "",
            "is_active": "on",
            "groups": [shop_staff.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user.refresh_from_db()
    assert user.is_staff and user.groups.get() == shop_staff
