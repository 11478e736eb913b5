"""Signals of the site tree, for apps that keep something derived from a site's place.

``sites_moved`` is sent inside the transaction of a tree write that changed which sites
lie under which (a move, or an import that re-parented rows), with the ``tree_ids`` it
touched. Receivers update what they derived, in the same transaction.
"""

from django.dispatch import Signal

sites_moved = Signal()
