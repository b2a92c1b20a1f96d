from django.shortcuts import get_object_or_404, render
from django.template.response import TemplateResponse
from django.utils.html import escape
from django.views.generic import DetailView, ListView, TemplateView

from .models import Post


def search(request):
    q = request.GET.get("q", "")
    posts = Post.objects.filter(title__icontains=q)
    context = {"q": q, "posts": posts, "safe_q": escape(q), "title": "Search"}
    return render(request, "blog/search.html", context)


def by_tag(request, tag):
    post = get_object_or_404(Post, pk=1)
    return TemplateResponse(request, "blog/tag.html", {"tag": tag, "post": post, "count": 3})


class PostList(ListView):
    model = Post


class PostDetail(DetailView):
    model = Post
    template_name = "blog/detail.html"


class About(TemplateView):
    template_name = "blog/about.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["ref"] = self.request.GET.get("ref", "")
        context["version"] = "1.0"
        return context
