"""The page base classes of ``civic.views`` themselves, on small pages declared here: the
refusal (login, 404, 403), the object's id from elsewhere than the URL, a service's
ValidationError on the form with its writes rolled back, the roll-back of a write whose
result leaves the user's reach, ``own_records``, and the button (``ServiceActionView``)."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import path

from centers import services
from centers.models import Site
from civic import urls as project_urls
from civic.views import ScopedObjectView, ServiceActionView, ServiceFormView

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


class AddressForm(forms.Form):
    address = forms.CharField(max_length=200)


class AddressView(ServiceFormView):
    """A declaration: the site of the URL, changed; the form; the service; where to go."""

    model = Site
    scope_action = "change"
    template_name = "includes/form.html"
    form_class = AddressForm
    success_message = "Saved %(object)s."

    def write(self, form):
        return services.site_update(actor=self.request.user, site=self.object, address=form.cleaned_data["address"])

    def get_success_url(self, result) -> str:
        return "/done/"


class LeavingView(AddressView):
    """Writes, then hands back a site outside the user's reach (as a service that moved a
    row out of the user's area would)."""

    def write(self, form):
        super().write(form)
        return Site.objects.get(pk=self.kwargs["other"])


class OwnRecordsView(LeavingView):
    own_records = True


class RefusingView(AddressView):
    """Writes, then refuses: the write is rolled back and the refusal lands on the form."""

    def write(self, form):
        super().write(form)
        if form.cleaned_data["address"] == "field":
            raise ValidationError({"address": "Not this address."})
        raise ValidationError("Not today.")


class ParentView(ScopedObjectView):
    """The object's id from the query (``?parent=``), which may be absent."""

    model = Site
    object_optional = True
    template_name = "includes/form.html"

    def get_object_id(self):
        return self.request.GET.get("parent", "")

    def get(self, request):
        return self.render(form=None, status=200 if self.object is None else 203)


class ButtonView(ServiceActionView):
    model = Site
    scope_action = "change"

    def write(self, form):
        raise ValidationError("The button refused.")

    def get_success_url(self, result) -> str:
        return "/back/"


urlpatterns = [
    path("address/<int:pk>/", AddressView.as_view()),
    path("leave/<int:pk>/<int:other>/", LeavingView.as_view()),
    path("own/<int:pk>/<int:other>/", OwnRecordsView.as_view()),
    path("refuse/<int:pk>/", RefusingView.as_view()),
    path("parent/", ParentView.as_view()),
    path("button/<int:pk>/", ButtonView.as_view()),
    *project_urls.urlpatterns,  # the login page, home and what the error pages link to
]


def address(site: Site) -> str:
    site.refresh_from_db()
    return site.address


def test_it_sends_an_anonymous_visitor_to_the_login_page(client, world):
    response = client.get(f"/address/{world.village.pk}/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_it_answers_404_outside_the_area_and_403_for_what_one_only_sees(as_user, world):
    assert as_user(world.township_head).get(f"/address/{world.elsewhere.pk}/").status_code == 404
    assert as_user(world.county_viewer).get(f"/address/{world.village.pk}/").status_code == 403
    assert as_user(world.county_viewer).post(f"/address/{world.village.pk}/", {"address": "x"}).status_code == 403
    assert address(world.village) == ""
    assert as_user(world.township_head).get(f"/address/{world.village.pk}/").status_code == 200


def test_a_valid_form_calls_the_service_and_names_the_object_in_the_message(as_user, world):
    response = as_user(world.township_head).post(f"/address/{world.village.pk}/", {"address": "东坪路 1 号"})
    assert response.status_code == 302 and response["Location"] == "/done/"
    assert address(world.village) == "东坪路 1 号"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [f"Saved {world.village}."]


def test_an_invalid_form_is_shown_again_and_nothing_is_written(as_user, world):
    response = as_user(world.township_head).post(f"/address/{world.village.pk}/", {"address": ""})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    assert address(world.village) == ""


def test_a_service_refusal_lands_on_the_form_and_its_writes_are_rolled_back(as_user, world):
    client = as_user(world.township_head)
    response = client.post(f"/refuse/{world.village.pk}/", {"address": "field"})
    assert response.status_code == 200
    assert response.context["form"].errors == {"address": ["Not this address."]}
    assert address(world.village) == ""
    response = client.post(f"/refuse/{world.village.pk}/", {"address": "top"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["Not today."]
    assert address(world.village) == ""


def test_a_write_whose_result_leaves_the_users_reach_is_rolled_back(as_user, world):
    response = as_user(world.township_head).post(f"/leave/{world.village.pk}/{world.elsewhere.pk}/", {"address": "x"})
    assert response.status_code == 403
    assert address(world.village) == ""


def test_a_person_acting_on_their_own_records_is_not_held_to_a_staff_scope(as_user, world):
    response = as_user(world.township_head).post(f"/own/{world.village.pk}/{world.elsewhere.pk}/", {"address": "x"})
    assert response.status_code == 302
    assert address(world.village) == "x"


def test_the_object_id_may_come_from_the_query_and_be_absent(as_user, world):
    client = as_user(world.township_head)
    assert client.get("/parent/").status_code == 200  # no object: a page that adds one
    assert client.get(f"/parent/?parent={world.village.pk}").status_code == 203
    assert client.get(f"/parent/?parent={world.elsewhere.pk}").status_code == 404
    assert client.get("/parent/?parent=²").status_code == 404


def test_a_button_flashes_its_refusal_and_takes_no_get(as_user, world):
    client = as_user(world.township_head)
    assert client.get(f"/button/{world.village.pk}/").status_code == 405
    response = client.post(f"/button/{world.village.pk}/")
    assert response.status_code == 302 and response["Location"] == "/back/"
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["The button refused."]
    assert as_user(world.county_viewer).post(f"/button/{world.village.pk}/").status_code == 403
