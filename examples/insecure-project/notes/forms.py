from django import forms

from .models import Note, Profile


class NoteForm(forms.ModelForm):
    class Meta:
        model = Note
        fields = "__all__"  # expect: DJG216


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Profile
        exclude = ["user"]  # expect: DJG216
