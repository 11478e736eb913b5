"""Keep each account's ``rank_site`` in step with its volunteer's home site."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from centers.signals import sites_moved
from volunteers.models import Volunteer

from .ranking import refresh_rank_sites


@receiver(sites_moved)
def sites_moved_rerank(sender, tree_ids, **kwargs) -> None:
    refresh_rank_sites(tree_ids=tree_ids)


@receiver(post_save, sender=Volunteer)
def volunteer_saved_rerank(sender, instance, created, update_fields=None, **kwargs) -> None:
    if created:
        return  # no account yet: it gets its rank site when it is opened
    if update_fields is not None and not {"home_site", "home_site_id"} & set(update_fields):
        return
    refresh_rank_sites(volunteer_ids=[instance.pk])
