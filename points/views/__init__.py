"""Pages of points, one module a section: ``mine`` (my points), ``rankings``, ``shop`` (the
volunteer's shop and redemptions), ``keeper`` (a shop's goods, stock, pickup and books),
``manage`` (the managers' hub, rules, a volunteer's ledger, adjustments and reversals),
``opening`` (past hours), ``certificates`` (certificates and seals) and ``verify`` (the
public check of a certificate).

Every page is a ``civic.views.ScopedObjectView`` (the scoped object of its URL, or the
refusal: 404 for what the user cannot see, 403 for what they see but may not change) or a
``ServiceFormView`` (a form whose write is a service call); a volunteer acting on their own
records (redeeming, cancelling their redemption, their certificate) is ``own_records``. The
public check has no login and no scope.
"""
