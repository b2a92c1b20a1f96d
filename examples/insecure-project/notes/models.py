from django.contrib.auth.models import User
from django.db import models


class Note(models.Model):
    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notes")
    title = models.CharField(max_length=200)
    body = models.TextField()
    attachment = models.FileField(upload_to="attachments/", blank=True)  # expect: DJG224
    is_public = models.BooleanField(default=False)
    share_token = models.CharField(max_length=64, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.title


class Profile(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE)
    website = models.URLField(blank=True)
    bio = models.TextField(blank=True)
    is_staff_reviewer = models.BooleanField(default=False)
