import uuid

from django.contrib.auth.models import User
from django.core.validators import FileExtensionValidator
from django.db import models


def validate_size(f):
    from django.core.exceptions import ValidationError

    if f.size > 5 * 1024 * 1024:
        raise ValidationError("Attachments are limited to 5 MiB.")


class Note(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notes")
    title = models.CharField(max_length=200)
    body = models.TextField()
    attachment = models.FileField(
        upload_to="attachments/%Y/%m/",
        blank=True,
        validators=[FileExtensionValidator(["pdf", "png", "jpg", "txt"]), validate_size],
    )
    is_public = models.BooleanField(default=False)
    share_token = models.CharField(max_length=64, blank=True, db_index=True)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.title


class Profile(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE)
    website = models.URLField(blank=True)
    bio = models.TextField(blank=True)
