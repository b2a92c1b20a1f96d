from django.contrib.auth.models import User
from django.core.validators import FileExtensionValidator
from django.db import models


class Note(models.Model):
    owner = models.ForeignKey(User, on_delete=models.CASCADE)
    title = models.CharField(max_length=200)
    body = models.TextField()
    attachment = models.FileField(upload_to="a/")  # expect: DJG224
    scan = models.FileField(upload_to="s/", validators=[FileExtensionValidator(["pdf"])])  # safe: DJG224
    is_public = models.BooleanField(default=False)
