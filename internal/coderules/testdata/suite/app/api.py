from rest_framework import viewsets
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from .models import Note


@api_view(["POST"])
@permission_classes([AllowAny])
def open_create(request):  # expect: DJG214
    note = Note.objects.create(title=request.data["title"])
    return Response({"id": note.pk})


@api_view(["POST"])
@permission_classes([IsAuthenticated])
def member_create(request):  # safe: DJG214
    note = Note.objects.create(title=request.data["title"])
    return Response({"id": note.pk})


class OpenNoteViewSet(viewsets.ModelViewSet):  # expect: DJG214
    permission_classes = [AllowAny]
    queryset = Note.objects.all()


class MemberNoteViewSet(viewsets.ModelViewSet):  # safe: DJG214
    permission_classes = [IsAuthenticated]
    queryset = Note.objects.all()
