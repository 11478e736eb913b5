"""An activity's photos: adding them, their caption, removing one before the activity is
finished, and the photo and its thumbnail served through a view that checks the user's
scope (never a public media URL)."""

from __future__ import annotations

from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils.translation import gettext_lazy, ngettext

from civic.views import ScopedObjectView, ServiceFormView

from .. import services
from ..forms import CaptionForm, PhotoForm
from ..models import Photo
from .common import ActivityPage, detail_url, file_response


class PhotoAddView(ActivityPage, ServiceFormView):
    """Add photos to an activity (approved and later, before it is archived)."""

    scope_action = "change"
    template_name = "activities/photo_add.html"
    form_class = PhotoForm

    def write(self, form):
        written: list[str] = []
        try:
            for upload in form.cleaned_data["image"]:
                try:
                    photo = services.photo_add(
                        actor=self.request.user,
                        activity=self.activity,
                        image=upload,
                        caption=form.cleaned_data.get("caption", ""),
                    )
                except ValidationError as exc:
                    raise ValidationError({"image": [f"{upload.name}: {m}" for m in exc.messages]}) from None
                written.append(photo.image.name)
        except Exception:
            for name in written:  # the rows roll back; their files go too
                default_storage.delete(name)
            raise
        self.added = len(written)
        return None

    def get_success_message(self, result) -> str:
        return ngettext("Added %(n)s photo.", "Added %(n)s photos.", self.added) % {"n": self.added}

    def get_success_url(self, result) -> str:
        return detail_url(self.activity) + "#photos"


class PhotoPage(ScopedObjectView):
    model = Photo
    context_object_name = "photo"

    def get_base_queryset(self):
        return Photo.objects.select_related("activity__site")


class PhotoImageView(PhotoPage):
    """The photo itself, for whoever may see it."""

    scope_action = "view"

    def get(self, request, pk):
        photo = self.object
        return file_response(photo.image, filename=f"{photo.pk}{PurePosixPath(photo.image.name).suffix}")


class PhotoThumbnailView(PhotoPage):
    """Its thumbnail (the photo itself until the background task has made one)."""

    scope_action = "view"

    def get(self, request, pk):
        photo = self.object
        if photo.thumbnail:
            return file_response(photo.thumbnail, filename=f"{photo.pk}-thumb.jpg", content_type="image/jpeg")
        return file_response(photo.image, filename=f"{photo.pk}{PurePosixPath(photo.image.name).suffix}")


class PhotoEditView(PhotoPage, ServiceFormView):
    scope_action = "change"
    template_name = "activities/photo_edit.html"
    form_class = CaptionForm
    success_message = gettext_lazy("Saved.")

    def get_initial(self):
        return {"caption": self.object.caption}

    def write(self, form):
        return services.photo_update(actor=self.request.user, photo=self.object, caption=form.cleaned_data["caption"])

    def get_success_url(self, result) -> str:
        return detail_url(self.object.activity) + "#photos"


class PhotoRemoveView(PhotoPage, ServiceFormView):
    """Remove a photo (asked first), while its activity is not finished."""

    scope_action = "delete"
    template_name = "activities/photo_remove.html"
    result_action = None
    success_message = gettext_lazy("Photo removed.")

    def write(self, form):
        services.photo_remove(actor=self.request.user, photo=self.object)
        return None

    def get_success_url(self, result) -> str:
        return reverse("activities:detail", args=[self.object.activity_id]) + "#photos"
