from django import forms

from .models import Note, Profile


class NoteForm(forms.ModelForm):
    class Meta:
        model = Note
        fields = "__all__"


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Profile
        exclude = ["user"]
