"""Recompute every points account from the ledger and report any difference."""

from django.core.management.base import BaseCommand, CommandError

from points.models import Account, Entry
from points.selectors import reconcile


class Command(BaseCommand):
    help = "Recompute every account from the ledger and report differences (expected: none)."

    def handle(self, *args, **options):
        drifts = reconcile()
        accounts, entries = Account.objects.count(), Entry.objects.count()
        if not drifts:
            self.stdout.write(f"ok: {accounts} accounts agree with {entries} ledger entries")
            return
        for d in drifts:
            self.stdout.write(f"account {d.account_id} ({d.volunteer}): {d.field} stored {d.stored}, ledger {d.ledger}")
        raise CommandError(f"{len(drifts)} differences in {accounts} accounts")
