from django import forms

from .models import Note, Profile


class NoteForm(forms.ModelForm):
    class Meta:
        model = Note
        fields = ["title", "body", "attachment", "is_public"]


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = ["website", "bio"]
