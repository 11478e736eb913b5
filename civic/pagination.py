"""API pagination (kept apart from civic.api: DRF imports it while loading its views)."""

from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500
