"""Forget the cached producer → page links whenever a producer page appears, moves or goes;
re-index producer pages when a sync renames their producer."""

from django.db.models.signals import post_delete
from django.dispatch import receiver
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

from config.pagecache import invalidate
from sitesearch.indexing import reindex
from traceability.sync import producers_changed

from .links import forget_producer_page_urls
from .models import ProducerPage


@receiver(page_published, sender=ProducerPage)
@receiver(page_unpublished, sender=ProducerPage)
@receiver(post_delete, sender=ProducerPage)
@receiver(post_page_move)
@receiver(page_slug_changed, sender=ProducerPage)
def producer_page_changed(sender, **kwargs):
    forget_producer_page_urls()
    invalidate()  # cached scan pages link to producer pages


@receiver(producers_changed)
def reindex_producer_pages(sender, producer_ids, **kwargs):
    """A producer renamed by the registry is found under its new name on its page too."""
    reindex(ProducerPage.objects.filter(producer_id__in=producer_ids))
