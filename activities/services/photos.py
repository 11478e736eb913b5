"""Activity photos: checked by their content (JPEG, PNG or WebP, at most 10 MB), stored
again without EXIF (and its GPS position), thumbnails made in the background."""

from __future__ import annotations

import io
import logging
import uuid
import warnings

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from civic import audit

from ..models import Activity, Photo, State
from .common import require

log = logging.getLogger(__name__)

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 60_000_000  # a 60-megapixel camera; anything larger is refused before decoding
MAX_SIDE = 2560  # stored photos are scaled down to this on their long side
THUMB_SIDE = 320
FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
PHOTO_STATES = (State.APPROVED, State.PUBLISHED, State.UNDER_WAY, State.FINISHED)
MAX_PER_ACTIVITY = 30


def _not_a_photo() -> ValidationError:
    return ValidationError({"image": _("This file is not a photo (JPEG, PNG or WebP).")})


def _read(upload) -> bytes:
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise ValidationError({"image": _("A photo may be at most 10 MB.")})
    if isinstance(upload, (bytes, bytearray)):
        data = bytes(upload)
    else:
        if hasattr(upload, "seek"):
            upload.seek(0)
        data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ValidationError({"image": _("A photo may be at most 10 MB.")})
    if not data:
        raise _not_a_photo()
    return data


def clean_photo(upload) -> tuple[bytes, str, int, int]:
    """The photo re-encoded without metadata: (bytes, extension, width, height). Raises
    ValidationError for anything that is not a JPEG, PNG or WebP image of at most 10 MB."""
    data = _read(upload)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                fmt = probe.format
                if fmt not in FORMATS or probe.width * probe.height > MAX_PIXELS:
                    raise _not_a_photo()
                probe.verify()
            with Image.open(io.BytesIO(data)) as opened:
                opened.load()
                image: Image.Image = ImageOps.exif_transpose(opened)  # keep the camera's orientation, drop the tag
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError):
        raise _not_a_photo() from None
    except Image.DecompressionBombWarning:
        raise _not_a_photo() from None
    image.info = {}  # nothing of the original's metadata (EXIF, XMP, comments, text chunks) is kept
    if max(image.size) > MAX_SIDE:
        image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if fmt == "JPEG":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(out, "JPEG", quality=88, optimize=True)
    elif fmt == "PNG":
        image.save(out, "PNG", optimize=True)
    else:
        image.save(out, "WEBP", quality=85)
    return out.getvalue(), FORMATS[fmt], image.width, image.height


@transaction.atomic
def photo_add(*, actor, activity: Activity, image, caption: str = "") -> Photo:
    """Add a photo to an activity (a manager of its site), before it is archived."""
    activity = Activity.objects.select_for_update(of=("self",)).select_related("site").get(pk=activity.pk)
    require(actor, "change", activity.site, _("You cannot add photos to this activity."))
    if activity.state not in PHOTO_STATES:
        raise ValidationError(_("Photos are added while the activity is approved, published, under way or finished."))
    if Photo.objects.filter(activity=activity).count() >= MAX_PER_ACTIVITY:
        raise ValidationError({"image": _("An activity keeps at most 30 photos.")})
    content, extension, width, height = clean_photo(image)
    photo = Photo(
        activity=activity,
        caption=(caption or "").strip()[:200],
        width=width,
        height=height,
        size=len(content),
        uploaded_by=actor,
    )
    photo.image.save(f"{uuid.uuid4().hex}.{extension}", ContentFile(content), save=False)
    photo.save()
    transaction.on_commit(lambda: queue_thumbnail(photo.pk))
    audit.record(actor=actor, action="activity.photo_add", obj=photo, site_id=activity.site_id)
    return photo


@transaction.atomic
def photo_update(*, actor, photo: Photo, caption: str) -> Photo:
    photo = Photo.objects.select_related("activity__site").get(pk=photo.pk)
    require(actor, "change", photo.activity.site, _("You cannot change this photo."))
    photo.caption = (caption or "").strip()[:200]
    photo.save(update_fields=["caption"])
    return photo


@transaction.atomic
def photo_remove(*, actor, photo: Photo) -> None:
    """Remove a photo, while its activity is not finished (a finished one keeps at least one)."""
    photo = Photo.objects.select_related("activity__site").get(pk=photo.pk)
    activity = Activity.objects.select_for_update(of=("self",)).get(pk=photo.activity_id)
    require(actor, "change", photo.activity.site, _("You cannot remove this photo."))
    if activity.state in (State.FINISHED, State.ARCHIVED):
        raise ValidationError(_("The photos of a finished activity are its record; they stay."))
    files = [photo.image.name, photo.thumbnail.name]
    storage = photo.image.storage
    audit.record(actor=actor, action="activity.photo_remove", obj=photo, site_id=activity.site_id)
    photo.delete()

    def delete_files() -> None:
        for name in files:
            if name:
                storage.delete(name)

    transaction.on_commit(delete_files)


def queue_thumbnail(photo_id: int) -> None:
    """Queue the thumbnail task; if the queue is down, the beat's sweep makes it later."""
    from ..tasks import photo_thumbnail  # tasks import the services

    try:
        photo_thumbnail.apply_async((photo_id,), retry=False)
    except Exception as exc:  # kombu raises OperationalError and friends, depending on the transport
        log.warning("could not queue the thumbnail of photo %s: %s", photo_id, exc)


def photo_make_thumbnail(*, photo_id: int) -> bool:
    """Make a photo's thumbnail (a JPEG, 320 px on its long side). Does nothing if it exists
    already or the photo is gone; returns whether it made one."""
    photo = Photo.objects.filter(pk=photo_id).first()
    if photo is None or photo.thumbnail:
        return False
    with photo.image.open("rb") as handle, Image.open(handle) as opened:
        opened.load()
        image: Image.Image = opened.convert("RGBA") if opened.mode in ("P", "LA") else opened
        if image.mode == "RGBA":
            background = Image.new("RGB", image.size, (255, 255, 255))
            background.paste(image, mask=image.getchannel("A"))
            image = background
        elif image.mode != "RGB":
            image = image.convert("RGB")
        image.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        image.save(out, "JPEG", quality=80, optimize=True)
    name = f"{uuid.uuid4().hex}.jpg"
    with transaction.atomic():
        locked = Photo.objects.select_for_update().filter(pk=photo_id).first()
        if locked is None or locked.thumbnail:
            return False
        locked.thumbnail.save(name, ContentFile(out.getvalue()), save=False)
        Photo.objects.filter(pk=photo_id).update(thumbnail=locked.thumbnail.name)
    return True
