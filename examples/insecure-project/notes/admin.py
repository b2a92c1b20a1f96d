from django.contrib import admin

from .models import Note, Profile

admin.site.register(Note)
admin.site.register(Profile)
