from django import forms
from rest_framework import serializers

from .models import Note


class NoteForm(forms.ModelForm):
    class Meta:
        model = Note
        fields = "__all__"  # expect: DJG216


class NoteExcludeForm(forms.ModelForm):
    class Meta:
        model = Note
        exclude = ["owner"]  # expect: DJG216


class NoteSafeForm(forms.ModelForm):
    class Meta:
        model = Note
        fields = ["title", "body"]  # safe: DJG216


class NoteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Note
        fields = "__all__"  # expect: DJG216


class SearchForm(forms.Form):
    q = forms.CharField()
    limit = forms.IntegerField()
